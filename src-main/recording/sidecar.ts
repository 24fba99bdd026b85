// The .json beside each recording: what the show was, its titles and offsets, and whether it finished. It
// marks the file as ours: retention and the studio only ever touch audio files that have one.

import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AudioFormatName, RecordingTitle, RecordingView } from '../../src-shared/studio-api.js';
import { cueSheet } from './names.js';

export const SIDECAR_VERSION = 1;
/** a sidecar larger than this is not one of ours (titles of a long show fit in a few hundred KB) */
const MAX_SIDECAR_BYTES = 4 * 1024 * 1024;

export interface Sidecar {
  cycastRecording: typeof SIDECAR_VERSION;
  /** the audio file's name, beside this file */
  file: string;
  mount: string;
  name: string;
  description: string;
  genre: string;
  url: string;
  source: { ip: string; userAgent: string; protocol: string };
  format: AudioFormatName;
  contentType: string;
  codec: string;
  startedAt: number;
  endedAt: number | null;
  duration: number;
  bytes: number;
  titles: RecordingTitle[];
  state: RecordingView['state'];
  problem: string | null;
}

/** "show.mp3" -> "show.json" and "show.cue" */
export function sidecarPaths(audioPath: string): { json: string; cue: string } {
  const base = audioPath.replace(/\.[^./\\]+$/, '');
  return { json: `${base}.json`, cue: `${base}.cue` };
}

/** Writes through a temporary file and a rename, so a reader (or a crash) never sees half a file. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

export async function writeSidecar(audioPath: string, s: Sidecar): Promise<void> {
  const p = sidecarPaths(audioPath);
  await writeAtomic(p.json, JSON.stringify(s, null, 2) + '\n');
  await writeAtomic(p.cue, cueSheet(s.file, s.format, s.name, s.titles));
}

const str = (v: unknown): v is string => typeof v === 'string';
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Reads a sidecar; null if it is missing, too large, or not one of ours. */
export async function readSidecar(jsonPath: string): Promise<Sidecar | null> {
  let text: string;
  try {
    const buf = await readFile(jsonPath);
    if (buf.length > MAX_SIDECAR_BYTES) return null;
    text = buf.toString('utf8');
  } catch {
    return null;
  }
  let v: Partial<Sidecar>;
  try {
    v = JSON.parse(text) as Partial<Sidecar>;
  } catch {
    return null;
  }
  if (v === null || typeof v !== 'object' || v.cycastRecording !== SIDECAR_VERSION) return null;
  if (!str(v.file) || !str(v.mount) || !str(v.name) || !num(v.startedAt) || !num(v.duration) || !num(v.bytes)) return null;
  if (v.format !== 'mp3' && v.format !== 'ogg' && v.format !== 'aac') return null;
  if (!Array.isArray(v.titles) || !v.titles.every((t) => t && num(t.offset) && str(t.title) && num(t.time))) return null;
  return v as Sidecar;
}
