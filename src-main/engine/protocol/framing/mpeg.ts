// MPEG-1/2/2.5 audio (Layer I, II, III) frame walker.

import { SyncWordFramer } from './sync-framer.js';

// [MPEG-1 ? 0 : 1][layer - 1][index]; index 0 is "free format" (unsupported), 15 is invalid
const BITRATES: readonly (readonly (readonly number[])[])[] = [
  [
    [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
    [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
    [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  ],
  [
    [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  ],
];
const SAMPLE_RATES = { 1: [44100, 48000, 32000], 2: [22050, 24000, 16000], 25: [11025, 12000, 8000] } as const;

export interface MpegHeader {
  /** 1, 2 or 25 (MPEG 2.5) */
  version: 1 | 2 | 25;
  layer: 1 | 2 | 3;
  bitrate: number;
  sampleRate: number;
  channels: number;
  samples: number;
  length: number;
  /** byte offset of the side information end, where a Xing/Info tag would start */
  sideInfoEnd: number;
}

/** Parses a 4-byte MPEG audio frame header at `pos`; null if there is none. */
export function parseMpegHeader(buf: Buffer, pos: number): MpegHeader | null {
  if (pos + 4 > buf.length) return null;
  const b1 = buf[pos + 1];
  const b2 = buf[pos + 2];
  if (buf[pos] !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const vbits = (b1 >> 3) & 3;
  const lbits = (b1 >> 1) & 3;
  const brIndex = b2 >> 4;
  const srIndex = (b2 >> 2) & 3;
  if (vbits === 1 || lbits === 0 || brIndex === 0 || brIndex === 15 || srIndex === 3) return null;
  const version = vbits === 3 ? 1 : vbits === 2 ? 2 : 25;
  const layer = (4 - lbits) as 1 | 2 | 3;
  const bitrate = BITRATES[version === 1 ? 0 : 1][layer - 1][brIndex];
  const sampleRate = SAMPLE_RATES[version][srIndex];
  const padding = (b2 >> 1) & 1;
  const channels = buf[pos + 3] >> 6 === 3 ? 1 : 2;
  let samples: number;
  let length: number;
  if (layer === 1) {
    samples = 384;
    length = (Math.floor((12 * bitrate * 1000) / sampleRate) + padding) * 4;
  } else if (layer === 2 || version === 1) {
    samples = 1152;
    length = Math.floor((144 * bitrate * 1000) / sampleRate) + padding;
  } else {
    samples = 576;
    length = Math.floor((72 * bitrate * 1000) / sampleRate) + padding;
  }
  const crc = (b1 & 1) === 0 ? 2 : 0;
  const side = layer !== 3 ? 0 : version === 1 ? (channels === 1 ? 17 : 32) : channels === 1 ? 9 : 17;
  return { version, layer, bitrate, sampleRate, channels, samples, length, sideInfoEnd: 4 + crc + side };
}

/** True when the frame is a LAME/Xing "Info"/"Xing" or Fraunhofer "VBRI" header: silence that carries encoder data. */
export function isEncoderInfoFrame(frame: Buffer, h: MpegHeader): boolean {
  const tag = (at: number): string => (frame.length >= at + 4 ? frame.toString('latin1', at, at + 4) : '');
  const t = tag(h.sideInfoEnd);
  return t === 'Xing' || t === 'Info' || tag(36) === 'VBRI';
}

export class MpegFramer extends SyncWordFramer<MpegHeader> {
  readonly format = 'mp3' as const;
  protected readonly headerSize = 4;

  protected parseHeader(buf: Buffer, pos: number): MpegHeader | null {
    return parseMpegHeader(buf, pos);
  }

  protected sameStream(a: MpegHeader, b: MpegHeader): boolean {
    return a.version === b.version && a.layer === b.layer && a.sampleRate === b.sampleRate;
  }

  protected accept(frame: Buffer, h: MpegHeader): boolean {
    if (isEncoderInfoFrame(frame, h)) return false;
    const codec = `MPEG-${h.version === 25 ? '2.5' : h.version} Layer ${'I'.repeat(h.layer)}`;
    const i = this.info;
    if (!i || i.bitrate !== h.bitrate || i.sampleRate !== h.sampleRate || i.channels !== h.channels || i.codec !== codec) {
      this.info = { codec, sampleRate: h.sampleRate, channels: h.channels, bitrate: h.bitrate };
    }
    return true;
  }
}
