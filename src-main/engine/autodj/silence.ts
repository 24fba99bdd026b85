// Silence in the mount's own format, so listeners stay connected (and decoders stay happy) when nothing
// playable is left. MP3 and AAC frames are synthesised; Ogg silence is a short encoded stream shipped in
// assets/silence (made by scripts/make-assets.sh), replayed as a chained stream.

import { readFileSync } from 'node:fs';
import type { AudioFormat } from '../../../src-shared/config/schema.js';
import { createFramer, type Frame } from '../protocol/framing/index.js';
import { ADTS_SAMPLE_RATES } from '../protocol/framing/adts.js';
import { parseMpegHeader } from '../protocol/framing/mpeg.js';

const MP3_RATES: Record<number, { version: number; srIndex: number }> = {
  44100: { version: 3, srIndex: 0 }, 48000: { version: 3, srIndex: 1 }, 32000: { version: 3, srIndex: 2 },
  22050: { version: 2, srIndex: 0 }, 24000: { version: 2, srIndex: 1 }, 16000: { version: 2, srIndex: 2 },
  11025: { version: 0, srIndex: 0 }, 12000: { version: 0, srIndex: 1 }, 8000: { version: 0, srIndex: 2 },
};

/**
 * One silent MPEG Layer III frame: a header, zeroed side information (no main data, so every granule decodes
 * to zeros) and zero padding. Stereo; 128 kbit/s at MPEG-1 rates, 64 kbit/s at MPEG-2/2.5 rates.
 */
export function silentMp3Frame(sampleRate: number): Frame {
  const r = MP3_RATES[sampleRate] ?? MP3_RATES[44100];
  const brIndex = r.version === 3 ? 9 : 8; // 128 kbit/s (MPEG-1) or 64 kbit/s (MPEG-2/2.5)
  const header = Buffer.from([0xff, 0xe0 | (r.version << 3) | (1 << 1) | 1, (brIndex << 4) | (r.srIndex << 2), 0x00]);
  const h = parseMpegHeader(header, 0)!;
  const frame = Buffer.alloc(h.length);
  header.copy(frame);
  return { data: frame, samples: h.samples, sampleRate: h.sampleRate };
}

/** The raw data block of a silent stereo AAC-LC frame (one CPE, all spectral data zero). */
const AAC_SILENT_CPE = Buffer.from('211004608c1c', 'hex');

export function silentAdtsFrame(sampleRate: number): Frame {
  let idx = ADTS_SAMPLE_RATES.indexOf(sampleRate);
  if (idx < 0) idx = ADTS_SAMPLE_RATES.indexOf(44100);
  const len = 7 + AAC_SILENT_CPE.length;
  const h = Buffer.from([0xff, 0xf1, (1 << 6) | (idx << 2) | 0, 2 << 6 | ((len >> 11) & 3), (len >> 3) & 0xff, ((len & 7) << 5) | 0x1f, 0xfc]);
  return { data: Buffer.concat([h, AAC_SILENT_CPE]), samples: 1024, sampleRate: ADTS_SAMPLE_RATES[idx] };
}

/** Endless silence for a mount: `next()` gives the next frame (Ogg: the next page of a looping chain). */
export class SilenceSource {
  private oggPages: Frame[] | null = null;
  private i = 0;
  private readonly frame: Frame | null;

  constructor(
    readonly format: AudioFormat,
    sampleRate: number,
    oggSilenceFile: string | null,
  ) {
    if (format === 'mp3') this.frame = silentMp3Frame(sampleRate);
    else if (format === 'aac') this.frame = silentAdtsFrame(sampleRate);
    else {
      this.frame = null;
      if (oggSilenceFile) {
        const framer = createFramer('ogg');
        this.oggPages = framer.push(readFileSync(oggSilenceFile));
      }
    }
  }

  /** false when there is no silence to offer in this format (no Ogg silence asset) */
  get available(): boolean {
    return this.frame !== null || (this.oggPages !== null && this.oggPages.length > 0);
  }

  next(): Frame {
    if (this.frame) return this.frame;
    const pages = this.oggPages!;
    const f = pages[this.i];
    this.i = (this.i + 1) % pages.length;
    return f;
  }
}
