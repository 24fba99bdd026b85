// Ogg pages of real files, rewritten the way hostile or unusual files are (granules moved, pages forged),
// with correct CRCs so only the timing is wrong.

import { oggCrc } from '../../src-main/engine/protocol/framing/ogg.js';

/** The pages of an Ogg file, as views. */
export function oggPages(file: Buffer): Buffer[] {
  const pages: Buffer[] = [];
  for (let p = 0; p + 27 <= file.length; ) {
    const n = file[p + 26];
    let len = 27 + n;
    for (let i = 0; i < n; i++) len += file[p + 27 + i];
    pages.push(file.subarray(p, p + len));
    p += len;
  }
  return pages;
}

/** Writes a page's CRC field (in place). */
export function fixCrc(page: Buffer): Buffer {
  page.writeUInt32LE(0, 22);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/** A copy of the file with every granule position that is set (not -1) passed through `map`. */
export function mapGranules(file: Buffer, map: (granule: bigint, index: number) => bigint): Buffer {
  return Buffer.concat(
    oggPages(file).map((p, i) => {
      const page = Buffer.from(p);
      const g = page.readBigInt64LE(6);
      if (g !== -1n) page.writeBigInt64LE(map(g, i), 6);
      return fixCrc(page);
    }),
  );
}

/** A page of stream `serial` with the given lacing values (the body is zeros). */
export function forgePage(serial: number, sequence: number, granule: bigint, lacing: number[]): Buffer {
  const body = lacing.reduce((a, b) => a + b, 0);
  const page = Buffer.alloc(27 + lacing.length + body);
  page.write('OggS', 0, 'latin1');
  page.writeBigInt64LE(granule, 6);
  page.writeUInt32LE(serial, 14);
  page.writeUInt32LE(sequence, 18);
  page[26] = lacing.length;
  lacing.forEach((v, i) => (page[27 + i] = v));
  return fixCrc(page);
}
