// The playlist as an M3U8 file (UTF-8 extended M3U) beside config.hcl, so other tools can read and edit it.
// Written atomically: a temporary file, fsync, then rename over the old one.

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

export interface M3uEntry {
  path: string;
  /** seconds, -1 if unknown */
  duration: number;
  title: string;
}

export function parseM3u8(text: string, baseDir: string): M3uEntry[] {
  const out: M3uEntry[] = [];
  let pending: { duration: number; title: string } | null = null;
  for (const raw of text.replace(/^\ufeff/, '').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('#')) {
      const m = /^#EXTINF:\s*(-?\d+(?:\.\d+)?)\s*(?:[^,]*)?,(.*)$/.exec(line);
      if (m) pending = { duration: Number(m[1]), title: m[2].trim() };
      continue;
    }
    let path = line;
    if (path.startsWith('file://')) path = decodeURIComponent(new URL(path).pathname);
    out.push({ path: isAbsolute(path) ? path : resolve(baseDir, path), duration: pending?.duration ?? -1, title: pending?.title ?? '' });
    pending = null;
  }
  return out;
}

export function serializeM3u8(entries: M3uEntry[], baseDir: string): string {
  const lines = ['#EXTM3U'];
  for (const e of entries) {
    // a path with a line break cannot be written as one M3U8 entry (nor should it exist): left out
    if (/[\r\n]/.test(e.path)) continue;
    lines.push(`#EXTINF:${e.duration >= 0 ? Math.round(e.duration) : -1},${e.title.replace(/[\r\n]+/g, ' ')}`);
    // paths under the playlist's folder are written relative, so the folder can move as a whole
    const rel = relative(baseDir, e.path);
    lines.push(!rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : e.path);
  }
  return lines.join('\n') + '\n';
}

/** Writes a file so that readers see either the old or the new content, never a torn one. */
export function writeFileAtomic(path: string, content: string, mode = 0o644): void {
  const tmp = resolve(dirname(path), `.${path.split(sep).pop()}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function readM3u8(path: string): M3uEntry[] {
  return parseM3u8(readFileSync(path, 'utf8'), dirname(path));
}
