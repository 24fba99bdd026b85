// AAC in ADTS framing (what Icecast sources send for audio/aac and audio/aacp).

import { SyncWordFramer } from './sync-framer.js';

/** ADTS sampling_frequency_index -> Hz (ISO 14496-3): the one table, the AAC silence uses it too */
export const ADTS_SAMPLE_RATES: readonly number[] = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];
const PROFILES = ['AAC Main', 'AAC LC', 'AAC SSR', 'AAC LTP'];

export interface AdtsHeader {
  length: number;
  samples: number;
  sampleRate: number;
  channels: number;
  profile: number;
}

export function parseAdtsHeader(buf: Buffer, pos: number): AdtsHeader | null {
  if (pos + 7 > buf.length) return null;
  if (buf[pos] !== 0xff || (buf[pos + 1] & 0xf6) !== 0xf0) return null;
  const b2 = buf[pos + 2];
  const b3 = buf[pos + 3];
  const srIndex = (b2 >> 2) & 0xf;
  if (srIndex >= ADTS_SAMPLE_RATES.length) return null;
  const length = ((b3 & 3) << 11) | (buf[pos + 4] << 3) | (buf[pos + 5] >> 5);
  const headerLen = buf[pos + 1] & 1 ? 7 : 9;
  if (length < headerLen) return null;
  const channels = ((b2 & 1) << 2) | (b3 >> 6);
  return { length, samples: 1024 * ((buf[pos + 6] & 3) + 1), sampleRate: ADTS_SAMPLE_RATES[srIndex], channels, profile: b2 >> 6 };
}

export class AdtsFramer extends SyncWordFramer<AdtsHeader> {
  readonly format = 'aac' as const;
  protected readonly headerSize = 7;
  private bytesInWindow = 0;
  private samplesInWindow = 0;

  protected parseHeader(buf: Buffer, pos: number): AdtsHeader | null {
    return parseAdtsHeader(buf, pos);
  }

  protected sameStream(a: AdtsHeader, b: AdtsHeader): boolean {
    return a.sampleRate === b.sampleRate && a.profile === b.profile;
  }

  protected accept(_frame: Buffer, h: AdtsHeader): boolean {
    // ADTS has no bitrate field: estimate it over about a second of frames
    this.bytesInWindow += h.length;
    this.samplesInWindow += h.samples;
    let bitrate = this.info?.bitrate ?? 0;
    if (this.samplesInWindow >= h.sampleRate) {
      bitrate = Math.round((this.bytesInWindow * 8 * h.sampleRate) / this.samplesInWindow / 1000);
      this.bytesInWindow = this.samplesInWindow = 0;
    }
    const i = this.info;
    if (!i || i.bitrate !== bitrate || i.sampleRate !== h.sampleRate || i.channels !== h.channels) {
      this.info = { codec: PROFILES[h.profile] ?? 'AAC', sampleRate: h.sampleRate, channels: h.channels, bitrate };
    }
    return true;
  }
}
