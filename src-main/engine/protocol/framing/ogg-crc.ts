// Ogg's CRC-32 (polynomial 0x04c11db7, MSB first, initial value 0, no final xor), and an index that
// checksums every byte of a stream once however many candidate pages overlap it.
//
// Why the index: a resync scan tries every "OggS" as a page start, and a hostile stream can put one every
// 7 bytes, each claiming a 64 KiB page. Checksumming each candidate from scratch is ~9,000 CRC steps per
// input byte. This CRC is linear over GF(2) with initial value 0, so with prefix values P[i] (the CRC of
// the stream's first i bytes) the CRC of bytes [a, b) is P[b] xor P[a]·x^(8(b-a)) mod G: one multiplication.

const POLY = 0x04c11db7;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ POLY : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

/** Ogg's CRC-32 of a page, computed with its CRC field (bytes 22-25) taken as zero. */
export function oggCrc(page: Buffer): number {
  let crc = 0;
  for (let i = 0; i < page.length; i++) {
    const b = i >= 22 && i < 26 ? 0 : page[i];
    crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]) >>> 0;
  }
  return crc;
}

/** a·b mod G, for polynomials of degree < 32 (bit 31 is x^31). Branch-free and in int32s: it runs per candidate. */
function mulMod(a: number, b: number): number {
  let r = 0;
  const m = b | 0;
  for (let bit = 31; bit >= 0; bit--) {
    r = (r << 1) ^ (POLY & (r >> 31));
    r ^= m & -((a >>> bit) & 1);
  }
  return r >>> 0;
}

// x^(8n) mod G for n < 65536: the CRC of a 1 followed by n zero bytes, one table step from the one before
// (256 KiB, built once per process, in well under a millisecond)
let X8: Uint32Array | null = null;
function x8Table(): Uint32Array {
  if (X8) return X8;
  const t = new Uint32Array(65536);
  t[0] = 1;
  for (let n = 1; n < t.length; n++) t[n] = ((t[n - 1] << 8) ^ CRC_TABLE[t[n - 1] >>> 24]) >>> 0;
  return (X8 = t);
}

// v·x^(8·26) mod G by bytes of v: the same factor for every candidate page, so four lookups, not a multiply
const BY_X208 = (() => {
  const x208 = x8Table()[26];
  const t = new Uint32Array(1024);
  for (let k = 0; k < 4; k++) for (let b = 0; b < 256; b++) t[k * 256 + b] = mulMod((b << (24 - 8 * k)) >>> 0, x208);
  return t;
})();

function timesX208(v: number): number {
  return (BY_X208[v >>> 24] ^ BY_X208[256 + ((v >>> 16) & 255)] ^ BY_X208[512 + ((v >>> 8) & 255)] ^ BY_X208[768 + (v & 255)]) >>> 0;
}

/** The longest range the index can answer for (an Ogg page is at most 65,307 bytes). */
export const CRC_INDEX_SPAN = 65535;
const RING = 65536;

/**
 * Prefix CRCs of a stream, by absolute byte offset, for the last 64 KiB computed. Queries must move forward:
 * a range may start anywhere at or after the start of the previous one.
 */
export class OggCrcIndex {
  private readonly prefix = new Uint32Array(RING);
  /** prefix[to & mask] is the CRC of the stream from `from` to `to` */
  private from = -1;
  private to = -1;
  /** bytes run through the CRC table: the index's whole cost, for tests and the cost script */
  checksummedBytes = 0;

  /**
   * True when the page [at, at + length) of the stream, whose bytes are `buf` starting at stream offset
   * `bufAt`, carries a correct CRC. `length` must be at least 27 and at most CRC_INDEX_SPAN.
   */
  pageOk(buf: Buffer, bufAt: number, at: number, length: number): boolean {
    const end = at + length;
    if (this.to < at || this.from > at) {
      // nothing known about this stretch: start a new chain here
      this.from = this.to = at;
      this.prefix[at & (RING - 1)] = 0;
    }
    let crc = this.prefix[this.to & (RING - 1)];
    for (let i = this.to; i < end; i++) {
      crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ buf[i - bufAt]) & 0xff]) >>> 0;
      this.prefix[(i + 1) & (RING - 1)] = crc;
    }
    if (end > this.to) {
      this.checksummedBytes += end - this.to;
      this.to = end;
    }
    // entries older than 64 KiB before `to` are overwritten; a chain restarted far back would need them
    if (this.from < this.to - RING + 1) this.from = this.to - RING + 1;
    // CRC(page) = P[end] ^ P[at]·x^(8 length); the CRC is defined with the CRC field (bytes 22-25) zeroed,
    // so remove those bytes' contribution, CRC(field)·x^(8 (length - 26)). Both terms share that last
    // factor: CRC(zeroed page) = P[end] ^ (P[at]·x^(8·26) ^ CRC(field))·x^(8 (length - 26)).
    const x8 = x8Table();
    const f = at + 22 - bufAt;
    let field = 0;
    for (let k = 0; k < 4; k++) field = ((field << 8) ^ CRC_TABLE[((field >>> 24) ^ buf[f + k]) & 0xff]) >>> 0;
    const head = timesX208(this.prefix[at & (RING - 1)]) ^ field;
    const zeroed = (this.prefix[end & (RING - 1)] ^ mulMod(head, x8[length - 26])) >>> 0;
    return zeroed === buf.readUInt32LE(f);
  }
}
