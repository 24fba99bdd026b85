// Framers and the track probe against hostile bytes: work per input byte (counted, never timed), tag sizes
// nobody should believe, Ogg granules that start an hour in or jump to 2^62.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { probeTrack } from '../../src-main/engine/autodj/track-probe.js';
import { AdtsFramer } from '../../src-main/engine/protocol/framing/adts.js';
import { MpegFramer } from '../../src-main/engine/protocol/framing/mpeg.js';
import { OggCrcIndex } from '../../src-main/engine/protocol/framing/ogg-crc.js';
import { OggFramer, oggCrc } from '../../src-main/engine/protocol/framing/ogg.js';
import { tagLengthAt } from '../../src-main/engine/protocol/framing/tags.js';
import type { Frame, Framer } from '../../src-main/engine/protocol/framing/types.js';
import { fixture } from '../helpers/audio.js';
import { forgePage, mapGranules, oggPages } from '../helpers/ogg-pages.js';

function feedAll(framer: Framer, data: Buffer, piece: number | (() => number)): Frame[] {
  const out: Frame[] = [];
  for (let p = 0; p < data.length; ) {
    const n = typeof piece === 'number' ? piece : piece();
    out.push(...framer.push(data.subarray(p, p + n)));
    p += n;
  }
  return out;
}

const seconds = (frames: Frame[]): number => frames.reduce((s, f) => s + (f.sampleRate ? f.samples / f.sampleRate : 0), 0);

/** `unit` repeated to `bytes`, after `prefix`. */
function repeat(prefix: Buffer, unit: Buffer, bytes: number): Buffer {
  const out = Buffer.alloc(prefix.length + bytes);
  prefix.copy(out);
  for (let p = prefix.length; p < out.length; p += unit.length) unit.copy(out, p, 0, Math.min(unit.length, out.length - p));
  return out;
}

describe('Ogg CRC index', () => {
  it('agrees with a plain CRC on every page of a real stream, and rejects a flipped byte', () => {
    const data = Buffer.from(readFileSync(fixture('ogg', 4)));
    const index = new OggCrcIndex();
    let at = 0;
    for (const page of oggPages(data)) {
      assert.equal(oggCrc(page), page.readUInt32LE(22));
      assert.ok(index.pageOk(data, 0, at, page.length), `page at ${at}`);
      at += page.length;
    }
    assert.equal(index.checksummedBytes, data.length);
    const pages = oggPages(data);
    const third = pages[0].length + pages[1].length + pages[2].length;
    data[third + 100] ^= 0x40;
    assert.equal(new OggCrcIndex().pageOk(data, 0, third, pages[3].length), false);
  });
});

describe('hostile framing: work per input byte', () => {
  const real = readFileSync(fixture('ogg', 20));
  const firstPage = oggPages(real)[0];
  // the reporter's pattern ("OggS\0" and 27 bytes of 0xFF: every candidate claims a 64 KiB page), and the
  // one that passes every check short of the CRC (version 0, no reserved flag bits)
  const patterns = {
    reporter: Buffer.concat([Buffer.from('OggS\0'), Buffer.alloc(27, 0xff)]),
    'flags zeroed': Buffer.concat([Buffer.from('OggS\0\0'), Buffer.alloc(26, 0xff)]),
    'dense 9-byte run': Buffer.from([0x4f, 0x67, 0x67, 0x53, 0, 0, 0xff, 0xff, 0xff]),
  };
  for (const [name, unit] of Object.entries(patterns)) {
    it(`Ogg (${name}): checksums each byte at most once, as real audio does`, () => {
      const hostile = repeat(firstPage, unit, 1 << 20);
      const framer = new OggFramer();
      const frames = feedAll(framer, hostile, 64 * 1024);
      assert.equal(frames.length, 1, 'only the one valid page');
      const realFramer = new OggFramer();
      feedAll(realFramer, real, 64 * 1024);
      const realPerByte = realFramer.checksummedBytes / real.length;
      const hostilePerByte = framer.checksummedBytes / hostile.length;
      assert.ok(realPerByte > 0.99 && realPerByte <= 1, `real: ${realPerByte} CRC bytes per byte`);
      assert.ok(hostilePerByte <= 1, `hostile: ${hostilePerByte} CRC bytes per byte (real: ${realPerByte})`);
    });
  }

  it('Ogg: a real stream after 1 MiB of hostile candidates still comes through whole', () => {
    const hostile = repeat(firstPage, patterns['flags zeroed'], 1 << 20);
    const framer = new OggFramer();
    const frames = feedAll(framer, Buffer.concat([hostile, real]), 64 * 1024);
    const realPages = oggPages(real).length;
    // the hostile candidates at the end may swallow the real stream's first page (a claimed page that
    // ends inside it passes no CRC, so the scan resumes at the next "OggS": the real first page)
    assert.equal(frames.length, 1 + realPages, `${frames.length} pages`);
    assert.ok(Buffer.concat(frames.slice(1).map((f) => f.data)).equals(real));
  });

  const files = { mp3: () => readFileSync(fixture('mp3-id3', 6)), aac: () => readFileSync(fixture('aac', 6)), ogg: () => readFileSync(fixture('ogg', 6)) };
  for (const [fmt, read] of Object.entries(files)) {
    it(`${fmt}: trickled 1-13 bytes a push gives the same frames, and no frame changes afterwards`, () => {
      const data = read();
      const make = (): Framer => (fmt === 'mp3' ? new MpegFramer() : fmt === 'aac' ? new AdtsFramer() : new OggFramer());
      const whole = feedAll(make(), data, data.length);
      let seed = 7;
      const framer = make();
      const frames: Frame[] = [];
      const copies: Buffer[] = [];
      for (let p = 0; p < data.length; ) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        const n = 1 + (seed % 13);
        for (const f of framer.push(data.subarray(p, p + n))) {
          frames.push(f);
          copies.push(Buffer.from(f.data));
        }
        p += n;
      }
      assert.equal(frames.length, whole.length);
      assert.ok(Buffer.concat(frames.map((f) => f.data)).equals(Buffer.concat(whole.map((f) => f.data))));
      frames.forEach((f, i) => assert.ok(f.data.equals(copies[i]), `frame ${i} changed after it was produced`));
    });
  }
});

describe('tags whose claimed size is not plausible', () => {
  const mp3 = readFileSync(fixture('mp3', 4));
  const half = mp3.length >> 1;
  const id3Huge = Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0x7f, 0x7f, 0x7f, 0x7f]); // 256 MiB
  const apeHuge = Buffer.alloc(32);
  apeHuge.write('APETAGEX', 0, 'latin1');
  apeHuge.writeUInt32LE(2000, 8);
  apeHuge.writeUInt32LE(0xfffffff0, 12); // 4 GiB
  apeHuge.writeUInt32LE(0xa0000000, 20); // has a header, this is it

  for (const [name, tag] of [['ID3v2 claiming 256 MiB', id3Huge], ['APE claiming 4 GiB', apeHuge]] as const) {
    it(`${name} is garbage, not a tag: the frames after it still play`, () => {
      assert.equal(tagLengthAt(tag, 0), 0);
      // the tag is cut into the stream between two frames
      const clean = new MpegFramer();
      const firstHalf = clean.push(mp3.subarray(0, half));
      const cut = half - clean.pendingBytes;
      const all = feedAll(new MpegFramer(), mp3, mp3.length).length;
      const framer = new MpegFramer();
      const frames = feedAll(framer, Buffer.concat([mp3.subarray(0, cut), tag, mp3.subarray(cut)]), 4096);
      assert.ok(firstHalf.length > 10);
      assert.ok(frames.length >= all - 1, `${frames.length} of ${all} frames`);
      assert.ok(framer.tagBytes < 1024, `${framer.tagBytes} bytes taken for a tag`);
    });
  }

  it('real tags are still removed', () => {
    const tagged = readFileSync(fixture('mp3-id3', 4));
    const framer = new MpegFramer();
    feedAll(framer, tagged, 4096);
    assert.ok(framer.tagBytes > 128);
    assert.equal(framer.skippedBytes, 0);
  });
});

describe('Ogg timing from granules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cycast-granule-'));
  const vorbis = readFileSync(fixture('ogg', 20));
  const realSeconds = seconds(feedAll(new OggFramer(), vorbis, 64 * 1024));

  it('a file cut from a live recording (granules start at 1 h) lasts as long as its audio', async () => {
    const hour = 3600n * 44100n;
    const cut = mapGranules(vorbis, (g) => g + hour);
    const framer = new OggFramer();
    const s = seconds(feedAll(framer, cut, 64 * 1024));
    assert.ok(Math.abs(s - realSeconds) < 1, `${s.toFixed(2)} s, the audio is ${realSeconds.toFixed(2)} s`);
    const path = join(dir, 'cut.ogg');
    writeFileSync(path, cut);
    const t = await probeTrack(path);
    assert.equal(t.problem, null);
    assert.ok(Math.abs(t.duration - realSeconds) < 1, `probe says ${t.duration} s`);
  });

  it('a granule of 2^62 in the middle costs at most a page of time', async () => {
    const pages = oggPages(vorbis).length;
    const jump = mapGranules(vorbis, (g, i) => (i === pages >> 1 ? 1n << 62n : g));
    const s = seconds(feedAll(new OggFramer(), jump, 64 * 1024));
    assert.ok(Math.abs(s - realSeconds) < 1, `${s.toFixed(2)} s, the audio is ${realSeconds.toFixed(2)} s`);
    const path = join(dir, 'jump.ogg');
    writeFileSync(path, jump);
    const t = await probeTrack(path);
    assert.ok(t.duration < realSeconds + 1, `probe says ${t.duration} s`);
  });

  it('pages of empty packets claiming minutes are timed by their bytes, and the probe says to pace by bytes', async () => {
    // the real Vorbis headers, then 400 forged pages of 255 empty packets, each claiming 255 long blocks
    const pages = oggPages(vorbis);
    const serial = pages[0].readUInt32LE(14);
    const headers = pages.filter((p) => p.readBigInt64LE(6) === 0n).slice(0, 3);
    const forged: Buffer[] = [];
    for (let i = 1; i <= 400; i++) forged.push(forgePage(serial, 2 + i, BigInt(i * 255 * 1024), new Array(255).fill(0)));
    const file = Buffer.concat([...headers, ...forged]);
    const claimed = (400 * 255 * 1024) / 44100;
    const path = join(dir, 'empty.ogg');
    writeFileSync(path, file);
    const t = await probeTrack(path);
    assert.ok(t.pacingKbps && t.pacingKbps > 0, `paced by bytes (${t.pacingKbps})`);
    assert.ok(t.duration < claimed / 16, `probe says ${t.duration.toFixed(1)} s, the granules claim ${claimed.toFixed(0)} s`);
  });
});
