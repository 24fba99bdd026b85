import type { AudioFormat } from '../../../../src-shared/config/schema.js';

/** One whole unit of audio as it goes into the stream buffer: an MP3/ADTS frame or an Ogg page. */
export interface Frame {
  /** a view of the bytes; never modified after it is produced */
  data: Buffer;
  /** PCM samples this frame plays for (0 for Ogg header pages) */
  samples: number;
  sampleRate: number;
  /** Ogg: a header page of the current logical stream (replayed to late joiners) */
  header?: boolean;
  /** Ogg: the first page of a new logical stream (a chained stream begins) */
  bos?: boolean;
}

export interface StreamInfo {
  codec: string;
  sampleRate: number;
  channels: number;
  /** nominal bitrate in kbit/s, 0 when unknown */
  bitrate: number;
}

/**
 * Splits a byte stream into whole frames. Bytes that are not audio (tags, garbage) are skipped and counted.
 * Framers keep at most one partial frame between pushes (in an append-only window, so a frame trickling in
 * a byte at a time is not re-copied per push), and their work per pushed byte is bounded whatever the bytes
 * are: every input is hostile until it has framed. Frames are views of the pushed buffers or of that
 * window; a caller must not modify a buffer after pushing it.
 */
export interface Framer {
  readonly format: AudioFormat;
  /** Feeds bytes, returns the frames they completed. */
  push(data: Buffer): Frame[];
  /** What the most recent frame said about the stream, once one has been seen. */
  readonly info: StreamInfo | null;
  /** Bytes dropped because they were not audio frames (tags included). */
  readonly skippedBytes: number;
  /** Bytes of tags (ID3v2, ID3v1, APE) and encoder info frames that were removed. */
  readonly tagBytes: number;
}
