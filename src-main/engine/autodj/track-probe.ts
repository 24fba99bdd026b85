// Reads what a music file is: tags from music-metadata, and the truth about its audio from our own frame
// walk (music-metadata accepts garbage and reports header durations for truncated files).

import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { AudioFormat } from '../../../src-shared/config/schema.js';
import { AUDIO_EXTENSIONS, createFramer } from '../protocol/framing/index.js';
import { OggFramer } from '../protocol/framing/ogg.js';

// loaded on the first probe: a live-only station (no AutoDJ) never loads it (about 14 MiB on its own)
let musicMetadata: Promise<typeof import('music-metadata')> | null = null;
const loadMusicMetadata = (): Promise<typeof import('music-metadata')> => (musicMetadata ??= import('music-metadata'));

export interface TrackInfo {
  path: string;
  title: string;
  artist: string;
  album: string;
  /** seconds of audio actually present (frame walk) */
  duration: number;
  bitrate: number;
  sampleRate: number;
  channels: number;
  codec: string;
  /** the mount format this file can play on, null if it is not audio we can stream */
  format: AudioFormat | null;
  /** why it cannot play at all (corrupt, empty, unsupported), if so */
  problem: string | null;
  size: number;
  mtimeMs: number;
  /**
   * Set when the file's own timing is not believed (its Ogg granules claim far more time than its bytes
   * can carry at its nominal bitrate): the AutoDJ paces it by its bytes at this many kbit/s instead.
   */
  pacingKbps?: number;
}

/** Claimed length past this many times what the bytes carry at the nominal bitrate is not believed. */
const MAX_CLAIM_OVER_BYTES = 16;

const FORMAT_BY_EXT = AUDIO_EXTENSIONS;

/** "Artist - Title", else the title, else the file name without extension. */
export function displayTitle(t: Pick<TrackInfo, 'artist' | 'title' | 'path'>): string {
  if (t.artist && t.title) return `${t.artist} - ${t.title}`;
  if (t.title) return t.title;
  const base = t.path.split(/[\\/]/).pop() ?? t.path;
  return base.replace(/\.[^.]+$/, '');
}

/** Walks the file's frames: true duration and whether it is audio of the format its extension says. */
async function walkFrames(path: string, format: AudioFormat): Promise<{ seconds: number; frames: number; skipped: number; tagBytes: number; bytes: number; info: ReturnType<typeof createFramer>['info']; nominalKbps: number }> {
  const framer = createFramer(format);
  const fh = await open(path, 'r');
  // 64 KiB a step: framing hostile bytes holds the event loop a few ms at most per step
  const buf = Buffer.allocUnsafe(64 * 1024);
  let seconds = 0;
  let frames = 0;
  let bytes = 0;
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      bytes += bytesRead;
      // the framer keeps views of what it is given: hand it a copy of the reused read buffer
      for (const f of framer.push(Buffer.from(buf.subarray(0, bytesRead)))) {
        frames++;
        if (f.sampleRate) seconds += f.samples / f.sampleRate;
      }
    }
  } finally {
    await fh.close();
  }
  const nominalKbps = framer instanceof OggFramer ? framer.nominalKbps : 0;
  return { seconds, frames, skipped: framer.skippedBytes, tagBytes: framer.tagBytes, bytes, info: framer.info, nominalKbps };
}

export async function probeTrack(path: string): Promise<TrackInfo> {
  const st = await stat(path);
  const base: TrackInfo = {
    path, title: '', artist: '', album: '', duration: 0, bitrate: 0, sampleRate: 0, channels: 0, codec: '',
    format: null, problem: null, size: st.size, mtimeMs: st.mtimeMs,
  };
  if (!st.isFile()) return { ...base, problem: 'not a regular file' };
  if (st.size === 0) return { ...base, problem: 'empty file' };
  const format = FORMAT_BY_EXT[extname(path).toLowerCase()];
  if (!format) return { ...base, problem: `unsupported file type ${extname(path) || '(no extension)'}; Cycast streams MP3, Ogg (Vorbis, Opus) and AAC (ADTS)` };
  try {
    const { parseFile } = await loadMusicMetadata();
    const mm = await parseFile(path, { duration: false, skipCovers: true });
    base.title = mm.common.title?.trim() ?? '';
    base.artist = mm.common.artist?.trim() ?? '';
    base.album = mm.common.album?.trim() ?? '';
    base.codec = mm.format.codec ?? '';
  } catch {
    // unreadable tags: the frame walk below still decides whether there is audio
  }
  const walk = await walkFrames(path, format);
  const info = walk.info;
  const audioBytes = walk.bytes - walk.tagBytes - walk.skipped;
  // MPEG and ADTS frames time themselves by their size; an Ogg file's granules are its own claim
  const bytesSeconds = walk.nominalKbps > 0 ? (audioBytes * 8) / (walk.nominalKbps * 1000) : 0;
  const pacedByBytes = bytesSeconds > 0 && walk.seconds > MAX_CLAIM_OVER_BYTES * bytesSeconds;
  const duration = pacedByBytes ? bytesSeconds : walk.seconds;
  const t: TrackInfo = {
    ...base,
    format,
    duration,
    sampleRate: info?.sampleRate ?? 0,
    channels: info?.channels ?? 0,
    bitrate: duration > 0 ? Math.round(((walk.bytes - walk.tagBytes) * 8) / duration / 1000) : 0,
    codec: info?.codec ?? base.codec,
    ...(pacedByBytes ? { pacingKbps: walk.nominalKbps } : {}),
  };
  if (walk.frames === 0) return { ...t, format: null, problem: `no ${format === 'mp3' ? 'MPEG audio' : format === 'ogg' ? 'Ogg' : 'ADTS'} frames found: corrupt, or not the format its extension says` };
  if (walk.skipped > (walk.bytes - walk.tagBytes) / 2) return { ...t, problem: `mostly not audio (${walk.skipped} of ${walk.bytes} bytes are garbage): corrupt` };
  if (walk.seconds < 0.1) return { ...t, problem: 'less than 0.1 s of audio' };
  if (format === 'ogg' && (info?.codec === 'unknown' || !info)) return { ...t, problem: 'an Ogg stream of a codec Cycast cannot identify' };
  return t;
}
