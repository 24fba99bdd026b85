// A strict, size-limited reader of an HTTP request head, for raw sockets. Sources send a head and then audio
// with no Content-Length or chunked encoding, which Node's http parser treats as an empty body; so the head
// is read here and the rest of the socket is the stream.
//
// protocol/ is the engine's pure bottom: request heads, ICY, framing, secrets, CORS, untrusted text and the
// refusal catalogue. No sockets, no engine state; it imports nothing of the engine.

import { TextDecoder } from 'node:util';

export const MAX_HEAD_BYTES = 16 * 1024;

export interface RequestHead {
  method: string;
  /** request target as sent */
  target: string;
  /** path part, percent-decoded */
  path: string;
  /** raw query string without '?' ('' if none) */
  query: string;
  version: string;
  /** header names lower-cased; repeated headers joined with ", " */
  headers: Map<string, string>;
  /** bytes of the head, terminator included */
  length: number;
}

export class HeadError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) (HTTP\/\d\.\d)$/;

/** Where the head ends (index just past the blank line), or -1 if it has not ended yet. `from`: bytes already searched. */
export function findHeadEnd(buf: Buffer, from = 0): number {
  const start = Math.max(0, from - 3);
  const crlf = buf.indexOf('\r\n\r\n', start);
  const lf = buf.indexOf('\n\n', start);
  if (crlf < 0 && lf < 0) return -1;
  if (lf < 0 || (crlf >= 0 && crlf < lf)) return crlf + 4;
  return lf + 2;
}

/** Whether the first line of `buf` is (or could still become) an HTTP request line. */
export function looksLikeHttp(firstLine: string): boolean {
  return REQUEST_LINE.test(firstLine.trimEnd()) || /^[A-Z]+ \S+ HTTP\/\d\.\d\s*$/.test(firstLine);
}

/** A request line without an HTTP version: HTTP/0.9, which has no status line or headers to answer with. */
export function isHttp09Line(line: string): boolean {
  return /^[A-Z]+ \/\S*\r?$/.test(line);
}

export function parseHead(buf: Buffer, end: number): RequestHead {
  const text = buf.toString('latin1', 0, end);
  const lines = text.split(/\r?\n/);
  const m = REQUEST_LINE.exec(lines[0]);
  if (!m) throw new HeadError(400, 'Malformed request line');
  const [, method, target, version] = m;
  if (version !== 'HTTP/1.0' && version !== 'HTTP/1.1') throw new HeadError(505, 'HTTP version not supported');
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    if (line[0] === ' ' || line[0] === '\t') throw new HeadError(400, 'Folded header lines are not allowed');
    const colon = line.indexOf(':');
    if (colon <= 0) throw new HeadError(400, 'Malformed header line');
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) throw new HeadError(400, 'Malformed header name');
    const key = name.toLowerCase();
    // header values are Latin-1 on the wire; many encoders send UTF-8 there, so decode as UTF-8 when valid
    const value = decodeHeaderValue(line.slice(colon + 1).trim());
    const prev = headers.get(key);
    headers.set(key, prev === undefined ? value : `${prev}, ${value}`);
  }
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    throw new HeadError(400, 'Malformed percent-encoding in the path');
  }
  return { method, target, path, query: q < 0 ? '' : target.slice(q + 1), version, headers, length: end };
}

function decodeHeaderValue(latin1: string): string {
  if (!/[\x80-\xff]/.test(latin1)) return latin1;
  const bytes = Buffer.from(latin1, 'latin1');
  const utf8 = bytes.toString('utf8');
  return utf8.includes('\ufffd') ? latin1 : utf8;
}

/** user and password of a Basic Authorization header, or null if absent or malformed. */
export function parseBasicAuth(header: string | undefined): { user: string; password: string } | null {
  if (!header) return null;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Decodes a query string whose percent-escapes are bytes in `charset` (Icecast's `charset=` parameter on
 * metadata updates; UTF-8 by default). '+' means space.
 */
export function parseQuery(query: string, charset?: string): Map<string, string> {
  const raw: [string, string][] = query
    .split('&')
    .filter(Boolean)
    .map((kv) => {
      const eq = kv.indexOf('=');
      return eq < 0 ? [kv, ''] : [kv.slice(0, eq), kv.slice(eq + 1)];
    });
  const cs = charset ?? raw.find(([k]) => k === 'charset')?.[1] ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(cs.toLowerCase() === 'latin1' ? 'iso-8859-1' : cs);
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  const decode = (s: string): string => {
    const bytes: number[] = [];
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (c === '+') bytes.push(0x20);
      else if (c === '%' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
        bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
        i += 2;
      } else {
        for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
      }
    }
    return decoder.decode(Uint8Array.from(bytes));
  };
  const out = new Map<string, string>();
  for (const [k, v] of raw) out.set(decode(k), decode(v));
  return out;
}

/**
 * Decodes an HTTP/1.1 chunked body incrementally (curl -T sends sources this way). `push` returns the
 * payload bytes; `done` turns true at the last chunk; a malformed stream sets `error`.
 */
export class ChunkedDecoder {
  done = false;
  error: string | null = null;
  private line = '';
  /** payload bytes left in the current chunk, -1 while reading a size line, -2 while reading the CRLF after data */
  private left = -1;

  push(buf: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let p = 0;
    while (p < buf.length && !this.done && !this.error) {
      if (this.left > 0) {
        const n = Math.min(this.left, buf.length - p);
        out.push(buf.subarray(p, p + n));
        p += n;
        this.left -= n;
        if (this.left === 0) this.left = -2;
        continue;
      }
      // size lines and the CRLF after each chunk, one byte at a time (they are a few bytes long)
      const c = buf[p++];
      if (c === 0x0a) {
        const line = this.line.replace(/\r$/, '');
        this.line = '';
        if (this.left === -2) {
          if (line !== '') this.error = 'missing CRLF after a chunk';
          this.left = -1;
          continue;
        }
        const m = /^([0-9A-Fa-f]{1,8})(;.*)?$/.exec(line.trim());
        if (!m) {
          this.error = `malformed chunk size line "${line.slice(0, 20)}"`;
          break;
        }
        const size = parseInt(m[1], 16);
        if (size === 0) this.done = true;
        else this.left = size;
      } else {
        this.line += String.fromCharCode(c);
        if (this.line.length > 1024) this.error = 'chunk size line too long';
      }
    }
    return out;
  }
}
