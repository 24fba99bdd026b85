import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AdtsFramer, parseAdtsHeader } from '../../src-main/engine/protocol/framing/adts.js';
import { MpegFramer, parseMpegHeader } from '../../src-main/engine/protocol/framing/mpeg.js';
import { OggFramer, oggCrc } from '../../src-main/engine/protocol/framing/ogg.js';
import type { Frame, Framer } from '../../src-main/engine/protocol/framing/types.js';
import { fixture } from '../helpers/audio.js';

/** Feeds `data` in pieces of the given sizes (cycled) and collects the frames. */
function feed(framer: Framer, data: Buffer, sizes = [data.length]): Frame[] {
  const out: Frame[] = [];
  let p = 0;
  for (let i = 0; p < data.length; i++) {
    const n = sizes[i % sizes.length];
    out.push(...framer.push(data.subarray(p, p + n)));
    p += n;
  }
  return out;
}

const seconds = (frames: Frame[]): number => frames.reduce((s, f) => s + (f.sampleRate ? f.samples / f.sampleRate : 0), 0);

function ffprobePackets(path: string): number {
  return Number(execFileSync('ffprobe', ['-v', 'error', '-count_packets', '-select_streams', 'a:0', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', path]).toString().trim());
}

describe('MPEG audio framer', () => {
  it('parses frame headers', () => {
    // MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no padding: 417 bytes, 1152 samples
    const h = parseMpegHeader(Buffer.from([0xff, 0xfb, 0x90, 0x64]), 0)!;
    assert.deepEqual([h.version, h.layer, h.bitrate, h.sampleRate, h.length, h.samples, h.channels], [1, 3, 128, 44100, 417, 1152, 2]);
    // MPEG-2 Layer III, 32 kbit/s, 22.05 kHz, mono
    const h2 = parseMpegHeader(Buffer.from([0xff, 0xf3, 0x40, 0xc4]), 0)!;
    assert.deepEqual([h2.version, h2.bitrate, h2.sampleRate, h2.samples, h2.channels], [2, 32, 22050, 576, 1]);
    assert.equal(parseMpegHeader(Buffer.from([0xff, 0xfb, 0xf0, 0x64]), 0), null, 'bitrate index 15');
    assert.equal(parseMpegHeader(Buffer.from([0xff, 0xfb, 0x9c, 0x64]), 0), null, 'sample rate index 3');
  });

  it('finds every frame of a file, however the bytes are split', () => {
    const path = fixture('mp3', 5);
    const data = readFileSync(path);
    const whole = feed(new MpegFramer(), data);
    assert.equal(whole.length, ffprobePackets(path));
    assert.ok(Math.abs(seconds(whole) - 5) < 0.1, `duration ${seconds(whole)}`);
    const pieces = feed(new MpegFramer(), data, [1, 7, 333, 4096, 2]);
    assert.deepEqual(pieces.map((f) => f.data.length), whole.map((f) => f.data.length));
    assert.ok(Buffer.concat(pieces.map((f) => f.data)).equals(Buffer.concat(whole.map((f) => f.data))));
  });

  it('removes ID3v2, ID3v1 and the LAME Info frame, also when a tag arrives mid-stream', () => {
    const tagged = readFileSync(fixture('mp3-id3', 3));
    assert.equal(tagged.toString('latin1', 0, 3), 'ID3');
    assert.equal(tagged.toString('latin1', tagged.length - 128, tagged.length - 125), 'TAG');
    const framer = new MpegFramer();
    // two tagged files back to back, as a source switching tracks sends them
    const frames = feed(framer, Buffer.concat([tagged, tagged]), [1000]);
    const audio = Buffer.concat(frames.map((f) => f.data));
    assert.equal(audio.indexOf('ID3'), -1);
    assert.equal(audio.indexOf('TAG'), -1);
    assert.equal(audio.indexOf('Info'), -1);
    assert.equal(audio.indexOf('Xing'), -1);
    assert.ok(framer.tagBytes > 256);
    assert.equal(framer.skippedBytes, 0);
    assert.ok(Math.abs(seconds(frames) - 6) < 0.15, `duration ${seconds(frames)}`);
  });

  it('skips garbage and resynchronises without taking garbage for audio', () => {
    const data = readFileSync(fixture('mp3', 2));
    const clean = feed(new MpegFramer(), data);
    // garbage full of 0xFF sync-lookalikes before and in the middle
    const junk = Buffer.alloc(5000);
    for (let i = 0; i < junk.length; i++) junk[i] = i % 3 === 0 ? 0xff : (i * 37) & 0xff;
    const mid = clean.slice(0, 20).reduce((n, f) => n + f.data.length, 0);
    const framer = new MpegFramer();
    const frames = feed(framer, Buffer.concat([junk, data.subarray(0, mid), junk, data.subarray(mid)]), [512]);
    assert.ok(framer.skippedBytes >= 10000, `skipped ${framer.skippedBytes}`);
    // at most the frame cut by the inserted garbage is lost
    assert.ok(frames.length >= clean.length - 2, `${frames.length} of ${clean.length}`);
    for (const f of frames) assert.ok(parseMpegHeader(f.data, 0), 'every frame starts with a header');
  });

  it('finds no frames in random bytes', () => {
    let x = 12345;
    const rnd = Buffer.alloc(200_000);
    for (let i = 0; i < rnd.length; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      rnd[i] = x >> 16;
    }
    const frames = feed(new MpegFramer(), rnd, [4096]);
    assert.ok(frames.length < 5, `${frames.length} false frames`);
  });
});

describe('ADTS framer', () => {
  it('parses headers and finds every frame of a file', () => {
    const path = fixture('aac', 4);
    const data = readFileSync(path);
    const h = parseAdtsHeader(data, 0)!;
    assert.equal(h.sampleRate, 44100);
    assert.equal(h.samples, 1024);
    const framer = new AdtsFramer();
    const frames = feed(framer, data, [100, 999]);
    assert.equal(frames.length, ffprobePackets(path));
    assert.ok(Math.abs(seconds(frames) - 4) < 0.1);
    assert.equal(framer.info?.codec, 'AAC LC');
    assert.ok(framer.info!.bitrate > 60 && framer.info!.bitrate < 200, `bitrate ${framer.info?.bitrate}`);
  });
});

describe('Ogg framer', () => {
  it('checks page CRCs', () => {
    const data = readFileSync(fixture('ogg', 2));
    const len = 27 + data[26] + [...data.subarray(27, 27 + data[26])].reduce((a, b) => a + b, 0);
    assert.equal(oggCrc(data.subarray(0, len)), data.readUInt32LE(22));
  });

  for (const kind of ['ogg', 'opus'] as const) {
    it(`marks the ${kind === 'ogg' ? 'Vorbis' : 'Opus'} header pages and times the data pages`, () => {
      const data = readFileSync(fixture(kind, 4));
      const framer = new OggFramer();
      const frames = feed(framer, data, [333, 4096]);
      const headers = frames.filter((f) => f.header);
      assert.ok(headers.length >= (kind === 'ogg' ? 2 : 2), `${headers.length} header pages`);
      assert.ok(frames[0].bos && frames[0].header);
      assert.ok(frames.slice(0, headers.length).every((f) => f.header), 'headers come first');
      assert.equal(framer.info?.codec, kind === 'ogg' ? 'Vorbis' : 'Opus');
      assert.ok(Math.abs(seconds(frames) - 4) < 0.1, `duration ${seconds(frames)}`);
      assert.ok(Buffer.concat(frames.map((f) => f.data)).equals(data), 'pages pass through unchanged');
    });
  }

  it('notices a chained stream and skips a corrupted page', () => {
    const a = readFileSync(fixture('ogg', 2));
    const b = readFileSync(fixture('opus', 2));
    const corrupt = Buffer.from(a);
    // flip a byte inside the fourth page's body
    let p = 0;
    for (let i = 0; i < 3; i++) p += 27 + corrupt[p + 26] + [...corrupt.subarray(p + 27, p + 27 + corrupt[p + 26])].reduce((x, y) => x + y, 0);
    corrupt[p + 40] ^= 0xff;
    const framer = new OggFramer();
    const frames = feed(framer, Buffer.concat([corrupt, b]), [1500]);
    const bos = frames.filter((f) => f.bos);
    assert.equal(bos.length, 2);
    assert.equal(framer.info?.codec, 'Opus');
    assert.ok(framer.skippedBytes > 0);
    const pagesA = feed(new OggFramer(), a).length;
    const pagesB = feed(new OggFramer(), b).length;
    assert.equal(frames.length, pagesA - 1 + pagesB);
  });
});
