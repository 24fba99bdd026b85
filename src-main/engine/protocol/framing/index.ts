import type { AudioFormat } from '../../../../src-shared/config/schema.js';
import { AdtsFramer } from './adts.js';
import { MpegFramer } from './mpeg.js';
import { OggFramer } from './ogg.js';
import type { Framer } from './types.js';

export type { Frame, Framer, StreamInfo } from './types.js';

export function createFramer(format: AudioFormat): Framer {
  switch (format) {
    case 'mp3':
      return new MpegFramer();
    case 'ogg':
      return new OggFramer();
    case 'aac':
      return new AdtsFramer();
  }
}

/** Content types a source may declare for each mount format (lower case, parameters removed). */
export const CONTENT_TYPES: Record<AudioFormat, readonly string[]> = {
  mp3: ['audio/mpeg', 'audio/mp3', 'audio/mpeg3', 'audio/x-mpeg', 'audio/x-mp3', 'audio/mpg'],
  ogg: ['application/ogg', 'audio/ogg', 'audio/x-ogg', 'audio/opus', 'audio/vorbis', 'audio/x-vorbis', 'audio/x-vorbis+ogg', 'video/ogg', 'audio/flac+ogg'],
  aac: ['audio/aac', 'audio/aacp', 'audio/x-aac', 'audio/x-aacp', 'audio/mp4a-latm', 'audio/adts'],
};

/** What listeners are told, unless the source declared a more specific type of the same family. */
export const DEFAULT_CONTENT_TYPE: Record<AudioFormat, string> = {
  mp3: 'audio/mpeg',
  ogg: 'application/ogg',
  aac: 'audio/aac',
};

/** The mount format a declared content type belongs to, if any. */
export function formatOfContentType(contentType: string): AudioFormat | null {
  const t = contentType.split(';')[0].trim().toLowerCase();
  for (const f of Object.keys(CONTENT_TYPES) as AudioFormat[]) if (CONTENT_TYPES[f].includes(t)) return f;
  return null;
}

export { AUDIO_EXTENSIONS } from '../../../../src-shared/audio-files.js';
