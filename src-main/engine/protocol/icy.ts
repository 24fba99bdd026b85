// ICY in-stream metadata (SHOUTcast/Icecast): after every `metaint` audio bytes, one length byte L and
// L*16 bytes of `StreamTitle='...';StreamUrl='...';`, zero-padded; a single 0 byte when nothing changed.

/** The block sent when the title has not changed since the listener's last block. */
export const EMPTY_ICY_BLOCK = Buffer.from([0]);

const MAX_BODY = 255 * 16;

/** A title as it can sit between quotes: players end the value at "';", so that sequence must not occur. */
function quoteSafe(s: string): string {
  return s.replace(/[\r\n\0]+/g, ' ').replace(/';/g, "' ;");
}

/** Cuts a UTF-8 string to at most `max` bytes without splitting a character. */
function truncateUtf8(s: string, max: number): string {
  const b = Buffer.from(s, 'utf8');
  if (b.length <= max) return s;
  let end = max;
  while (end > 0 && (b[end] & 0xc0) === 0x80) end--;
  return b.subarray(0, end).toString('utf8');
}

/** Encodes one metadata block (length byte included). Built once per title change and shared by all listeners. */
export function encodeIcyBlock(title: string, url = ''): Buffer {
  // the URL gets at most a quarter of the block, so the title always fits and the length byte never wraps
  const tail = url ? `StreamUrl='${truncateUtf8(quoteSafe(url), 1000)}';` : '';
  const room = MAX_BODY - Buffer.byteLength(tail) - "StreamTitle='';".length;
  const body = `StreamTitle='${truncateUtf8(quoteSafe(title), Math.max(0, room))}';${tail}`;
  const bytes = Buffer.from(body, 'utf8');
  const blocks = Math.ceil(bytes.length / 16);
  const out = Buffer.alloc(1 + blocks * 16);
  out[0] = blocks;
  bytes.copy(out, 1);
  return out;
}

/** Parses a metadata block body (without the length byte), as a player does. */
export function parseIcyBlock(body: Buffer): Record<string, string> {
  const text = body.toString('utf8').replace(/\0+$/, '');
  const out: Record<string, string> = {};
  const re = /([A-Za-z]+)='(.*?)';/gs;
  for (let m = re.exec(text); m; m = re.exec(text)) out[m[1]] = m[2];
  return out;
}
