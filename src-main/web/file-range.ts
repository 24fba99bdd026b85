// Serving a file with HTTP range requests (RFC 9110 §14), so a browser's <audio> can seek in a recording:
// `Range: bytes=a-b` -> 206 with Content-Range; a range that cannot be satisfied or makes no sense -> 416.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';

export type RangeResult = { start: number; end: number } | 'whole' | 'unsatisfiable';

/** 15 digits: up to ~900 TB, and never a number JavaScript cannot hold exactly */
const POSITION = /^\d{1,15}$/;

/**
 * What a Range header asks of a file of `size` bytes: one byte range (end inclusive), the whole file (no
 * header, another unit, or several ranges, which a server may answer whole), or nothing it can give.
 */
export function parseRange(header: string | undefined, size: number): RangeResult {
  if (header === undefined) return 'whole';
  const m = /^\s*([A-Za-z]+)\s*=\s*(.*)$/.exec(header);
  if (!m) return 'unsatisfiable';
  if (m[1].toLowerCase() !== 'bytes') return 'whole';
  const spec = m[2].trim();
  if (spec.includes(',')) return 'whole';
  const dash = spec.indexOf('-');
  if (dash < 0) return 'unsatisfiable';
  const a = spec.slice(0, dash).trim();
  const b = spec.slice(dash + 1).trim();
  if (a === '') {
    // the last b bytes
    if (!POSITION.test(b)) return 'unsatisfiable';
    const n = Number(b);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  if (!POSITION.test(a) || (b !== '' && !POSITION.test(b))) return 'unsatisfiable';
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || (b !== '' && Number(b) < start)) return 'unsatisfiable';
  return { start, end };
}

/** A Content-Disposition that names the file for every browser: an ASCII fallback and the UTF-8 name. */
export function attachmentHeader(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** Sends `path` (GET or HEAD) honouring Range; `headers` go on every answer. */
export async function sendFileWithRanges(req: IncomingMessage, res: ServerResponse, path: string, type: string, headers: Record<string, string>): Promise<void> {
  const size = (await stat(path)).size;
  const range = parseRange(req.headers.range, size);
  const common = { ...headers, 'Accept-Ranges': 'bytes' };
  if (range === 'unsatisfiable') {
    const body = `Range ${JSON.stringify(req.headers.range ?? '').slice(0, 200)} cannot be served: the file has ${size} bytes.\n`;
    res.writeHead(416, { ...common, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Range': `bytes */${size}`, 'Content-Length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
    return;
  }
  const { start, end } = range === 'whole' ? { start: 0, end: size - 1 } : range;
  const length = size === 0 ? 0 : end - start + 1;
  const extra: Record<string, string> = range === 'whole' ? {} : { 'Content-Range': `bytes ${start}-${end}/${size}` };
  res.writeHead(range === 'whole' ? 200 : 206, { ...common, ...extra, 'Content-Type': type, 'Content-Length': String(length) });
  if (req.method === 'HEAD' || length === 0) {
    res.end();
    return;
  }
  try {
    await pipeline(createReadStream(path, { start, end }), res);
  } catch {
    // the player went away mid-file (it does that on every seek), or the file vanished: nothing to answer
    res.destroy();
  }
}
