// The recordings folder as a library: which files are recordings (an audio file with our .json beside it),
// retention by size and age, deleting, and finishing the sidecar of a show a crash interrupted.

import { createReadStream } from 'node:fs';
import { readdir, rm, stat, truncate } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createFramer } from '../engine/index.js';
import { readSidecar, sidecarPaths, writeSidecar, type Sidecar } from './sidecar.js';

export interface RecordingEntry {
  /** the audio file's name: the recording's id */
  id: string;
  audioPath: string;
  sidecar: Sidecar;
  audioBytes: number;
  /** audio + .json + .cue */
  totalBytes: number;
}

/** Folders with more entries than this are read only this far (a stray folder of a million files). */
const MAX_ENTRIES = 100_000;
const DAY_MS = 86_400_000;

/** A recording id is a plain file name in the folder: no path, no hidden file. */
export function validId(id: string): boolean {
  return id.length > 0 && id.length <= 255 && basename(id) === id && !id.startsWith('.') && !/[\u0000-\u001f/\\]/.test(id);
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** The recording whose audio file is `id`, if its sidecar is ours and names it; null otherwise. */
export async function readRecording(folder: string, id: string): Promise<RecordingEntry | null> {
  if (!validId(id)) return null;
  const audioPath = join(folder, id);
  const p = sidecarPaths(audioPath);
  const sc = await readSidecar(p.json);
  if (!sc || sc.file !== id) return null;
  try {
    const st = await stat(audioPath);
    if (!st.isFile()) return null;
    return { id, audioPath, sidecar: sc, audioBytes: st.size, totalBytes: st.size + (await sizeOf(p.json)) + (await sizeOf(p.cue)) };
  } catch {
    return null;
  }
}

/** Reads the folder: every audio file whose sidecar is ours, oldest first. A missing folder is empty. */
export async function scanRecordings(folder: string): Promise<RecordingEntry[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const out: RecordingEntry[] = [];
  for (const name of names.slice(0, MAX_ENTRIES)) {
    if (!name.endsWith('.json') || name.startsWith('.')) continue;
    const sc = await readSidecar(join(folder, name));
    if (!sc || !validId(sc.file) || sidecarPaths(sc.file).json !== name) continue;
    const e = await readRecording(folder, sc.file);
    if (e) out.push(e);
  }
  return out.sort((a, b) => a.sidecar.startedAt - b.sidecar.startedAt);
}

export interface RetentionRules {
  /** 0: no size limit */
  maxBytes: number;
  /** 0: no age limit */
  keepDays: number;
  now: number;
  /** ids that must stay (being recorded) */
  keep: ReadonlySet<string>;
}

/** Which recordings to delete, oldest first, and why: too old, or the total is over the size limit. */
export function planRetention(entries: readonly RecordingEntry[], rules: RetentionRules): { entry: RecordingEntry; why: string }[] {
  const sorted = [...entries].sort((a, b) => a.sidecar.startedAt - b.sidecar.startedAt);
  const out: { entry: RecordingEntry; why: string }[] = [];
  let total = 0;
  for (const e of sorted) total += e.totalBytes;
  const gone = new Set<RecordingEntry>();
  if (rules.keepDays > 0) {
    const cutoff = rules.now - rules.keepDays * DAY_MS;
    for (const e of sorted) {
      if (rules.keep.has(e.id) || e.sidecar.startedAt >= cutoff) continue;
      out.push({ entry: e, why: `older than ${rules.keepDays} days (record.keep_days)` });
      gone.add(e);
      total -= e.totalBytes;
    }
  }
  if (rules.maxBytes > 0) {
    for (const e of sorted) {
      if (total <= rules.maxBytes) break;
      if (gone.has(e) || rules.keep.has(e.id)) continue;
      const mb = (rules.maxBytes / 1048576).toFixed(rules.maxBytes < 10485760 ? 2 : 0);
      out.push({ entry: e, why: `recordings take ${(total / 1048576).toFixed(2)} MB, more than ${mb} MB (record.max_total_mb)` });
      total -= e.totalBytes;
    }
  }
  return out;
}

/** Deletes a recording's audio, .json and .cue; the .json last, so a half-deleted one is never taken for a whole one. */
export async function deleteRecording(e: RecordingEntry): Promise<void> {
  const p = sidecarPaths(e.audioPath);
  await rm(e.audioPath, { force: true });
  await rm(p.cue, { force: true });
  await rm(p.json, { force: true });
}

/**
 * A show the server did not finish (killed, crashed, power cut): measures the audio that made it to disk
 * with the format's frame walker, cuts off a partial frame or page at the end, and marks it interrupted.
 */
export async function recoverInterrupted(e: RecordingEntry): Promise<Sidecar> {
  const framer = createFramer(e.sidecar.format);
  let seconds = 0;
  let frameBytes = 0;
  for await (const chunk of createReadStream(e.audioPath, { highWaterMark: 256 * 1024 })) {
    for (const f of framer.push(chunk as Buffer)) {
      frameBytes += f.data.length;
      if (f.sampleRate) seconds += f.samples / f.sampleRate;
    }
  }
  // we wrote whole frames only: anything past the last complete one was cut short by the crash
  if (framer.skippedBytes === 0 && framer.tagBytes === 0 && frameBytes < e.audioBytes) await truncate(e.audioPath, frameBytes);
  const sc: Sidecar = {
    ...e.sidecar,
    duration: Math.round(seconds * 100) / 100,
    bytes: Math.min(frameBytes, e.audioBytes),
    titles: e.sidecar.titles.filter((t) => t.offset <= seconds),
    state: 'interrupted',
    endedAt: e.sidecar.startedAt + Math.round(seconds * 1000),
    problem: 'the server stopped while recording; the file has everything up to then',
  };
  await writeSidecar(e.audioPath, sc);
  return sc;
}
