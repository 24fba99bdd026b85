// Shared walker for formats whose frames begin with a sync word and carry their own length (MPEG audio,
// ADTS). Tags between frames are removed; garbage is skipped until two consecutive frames agree.

import type { AudioFormat } from '../../../../src-shared/config/schema.js';
import type { Frame, Framer, StreamInfo } from './types.js';
import { ByteWindow } from './byte-window.js';
import { tagHeaderSize, tagLengthAt } from './tags.js';


export interface SyncHeader {
  length: number;
  samples: number;
  sampleRate: number;
}

export abstract class SyncWordFramer<H extends SyncHeader> implements Framer {
  abstract readonly format: AudioFormat;
  info: StreamInfo | null = null;
  skippedBytes = 0;
  tagBytes = 0;
  private readonly window = new ByteWindow();
  /** bytes the window must hold before parsing can get further */
  private need = 0;
  /** bytes of a tag still to be skipped from the next pushes */
  private skipRemaining = 0;
  private locked: H | null = null;

  /** bytes needed to parse a header */
  protected abstract readonly headerSize: number;
  protected abstract parseHeader(buf: Buffer, pos: number): H | null;
  /** whether two headers belong to the same stream (so one confirms the other) */
  protected abstract sameStream(a: H, b: H): boolean;
  /** called per accepted frame; returns false to drop it (encoder info frames) */
  protected abstract accept(frame: Buffer, h: H): boolean;

  push(data: Buffer): Frame[] {
    if (this.skipRemaining > 0) {
      const n = Math.min(this.skipRemaining, data.length);
      this.skipRemaining -= n;
      this.tagBytes += n;
      data = data.subarray(n);
    }
    const frames: Frame[] = [];
    this.window.feed(data, this.need, (buf) => this.walk(buf, frames));
    return frames;
  }

  /** Cuts whole frames from `buf`; returns the bytes used. Sets `need` when it stops short of the end. */
  private walk(buf: Buffer, frames: Frame[]): number {
    let pos = 0;
    this.need = 0;
    while (pos < buf.length) {
      const tag = tagLengthAt(buf, pos);
      if (tag === -1) {
        this.need = tagHeaderSize(buf, pos);
        break;
      }
      if (tag > 0) {
        const have = Math.min(tag, buf.length - pos);
        this.tagBytes += have;
        this.skipRemaining = tag - have;
        pos += have;
        this.locked = null;
        continue;
      }
      const h = this.parseHeader(buf, pos);
      if (!h) {
        if (buf.length - pos < this.headerSize) {
          this.need = this.headerSize;
          break;
        }
        pos = this.resync(buf, pos + 1);
        continue;
      }
      if (pos + h.length > buf.length) {
        this.need = h.length;
        break;
      }
      if (!this.locked || !this.sameStream(this.locked, h)) {
        // Not yet in step with the stream: accept a sync word only when the next frame confirms it
        // (or a tag follows it), so garbage is not mistaken for audio.
        const next = pos + h.length;
        if (next + this.headerSize > buf.length) {
          this.need = h.length + this.headerSize;
          break;
        }
        const n = this.parseHeader(buf, next);
        if (!(n && this.sameStream(n, h)) && tagLengthAt(buf, next) === 0) {
          pos = this.resync(buf, pos + 1);
          continue;
        }
        this.locked = h;
      }
      const frame = buf.subarray(pos, pos + h.length);
      pos += h.length;
      if (!this.accept(frame, h)) {
        this.tagBytes += frame.length;
        continue;
      }
      frames.push({ data: frame, samples: h.samples, sampleRate: h.sampleRate });
    }
    return pos;
  }

  /** Bytes held back waiting for the rest of a frame. */
  get pendingBytes(): number {
    return this.window.length;
  }

  /** Skips to the next byte that could start a frame or a tag, counting what was skipped. */
  private resync(buf: Buffer, from: number): number {
    this.locked = null;
    let i = buf.indexOf(0xff, from);
    const end = i < 0 ? buf.length : i;
    for (let k = from; k < end; k++) {
      const c = buf[k];
      if ((c === 0x49 || c === 0x54 || c === 0x41) && tagLengthAt(buf, k) !== 0) {
        i = k;
        break;
      }
    }
    if (i < 0) i = buf.length;
    this.skippedBytes += i - from + 1;
    return i;
  }
}
