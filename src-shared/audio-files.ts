// What a music file's extension says it is: shared by the engine (track probe, uploads), the desktop file
// dialog and the studio's upload picker.

import type { AudioFormat } from './config/schema.js';

/** Audio file extensions this server can stream, and the mount format each belongs to: the one list. */
export const AUDIO_EXTENSIONS: Readonly<Record<string, AudioFormat>> = {
  '.mp3': 'mp3',
  '.mp2': 'mp3',
  '.mpga': 'mp3',
  '.ogg': 'ogg',
  '.oga': 'ogg',
  '.opus': 'ogg',
  '.spx': 'ogg',
  '.aac': 'aac',
  '.adts': 'aac',
};
