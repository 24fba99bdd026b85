// Response heads from servers we connect to (a remote Icecast answering our PUT, an upstream answering our
// GET): strict, size-limited, tolerant only of what real servers send (HTTP/1.x and SHOUTcast's "ICY 200 OK").

import { findHeadEnd } from './http-head.js';

/** A response head larger than this is not a streaming server's. */
export const MAX_RESPONSE_HEAD = 16 * 1024;

export interface ResponseHead {
  status: number;
  /** the status line as sent, for the studio ("HTTP/1.0 401 Authentication Required") */
  statusLine: string;
  /** lower-case names; a repeated header keeps its first value */
  headers: Map<string, string>;
  /** bytes of the head, terminator included */
  length: number;
}

/**
 * Parses a response head at the start of `buf`. Returns null while it is incomplete, a string (the reason)
 * when it is not a response head or exceeds MAX_RESPONSE_HEAD.
 */
export function parseResponseHead(buf: Buffer): ResponseHead | null | string {
  const end = findHeadEnd(buf);
  if (end < 0) return buf.length > MAX_RESPONSE_HEAD ? `the response head is larger than ${MAX_RESPONSE_HEAD} bytes` : null;
  if (end > MAX_RESPONSE_HEAD) return `the response head is larger than ${MAX_RESPONSE_HEAD} bytes`;
  const lines = buf.toString('latin1', 0, end).split(/\r?\n/);
  const statusLine = lines[0].trim();
  const m = /^(?:HTTP\/1\.[01]|ICY) (\d{3})(?: .*)?$/.exec(statusLine);
  if (!m) return `not an HTTP response: ${JSON.stringify(statusLine.slice(0, 80))}`;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const c = line.indexOf(':');
    if (c <= 0) continue;
    const name = line.slice(0, c).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(c + 1).trim());
  }
  return { status: Number(m[1]), statusLine, headers, length: end };
}
