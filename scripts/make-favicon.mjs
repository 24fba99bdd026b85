#!/usr/bin/env node
// Packs assets/icons/{16,32,48}x*.png into assets/icons/favicon.ico (PNG entries, which every current
// browser reads). Run by hand after scripts/make-icons.mjs; the result is committed.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../assets/icons');
const sizes = [16, 32, 48];
const pngs = sizes.map((s) => readFileSync(join(dir, `${s}x${s}.png`)));
const header = Buffer.alloc(6);
header.writeUInt16LE(0, 0); // reserved
header.writeUInt16LE(1, 2); // type: icon
header.writeUInt16LE(sizes.length, 4);
let offset = 6 + 16 * sizes.length;
const entries = sizes.map((s, i) => {
  const e = Buffer.alloc(16);
  e.writeUInt8(s, 0); // width
  e.writeUInt8(s, 1); // height
  e.writeUInt8(0, 2); // no palette
  e.writeUInt16LE(1, 4); // colour planes
  e.writeUInt16LE(32, 6); // bits per pixel
  e.writeUInt32LE(pngs[i].length, 8);
  e.writeUInt32LE(offset, 12);
  offset += pngs[i].length;
  return e;
});
const out = join(dir, 'favicon.ico');
writeFileSync(out, Buffer.concat([header, ...entries, ...pngs]));
console.log(`${out}: ${offset} bytes`);
