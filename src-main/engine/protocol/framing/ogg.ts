// Ogg page walker: whole pages out, CRC-checked; marks the header pages of each logical stream (Vorbis,
// Opus, FLAC, Speex) so a late joiner can be given them before any audio, and notices chained streams.

import type { Frame, Framer, StreamInfo } from './types.js';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

/** Ogg's CRC-32 of a page, computed with its CRC field taken as zero. */
export function oggCrc(page: Buffer): number {
  let crc = 0;
  for (let i = 0; i < page.length; i++) {
    const b = i >= 22 && i < 26 ? 0 : page[i];
    crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]) >>> 0;
  }
  return crc;
}

export interface OggPage {
  length: number;
  headerType: number;
  granule: bigint;
  serial: number;
  /** lacing values */
  segments: Uint8Array;
  bodyStart: number;
}

export function parseOggPage(buf: Buffer, pos: number): OggPage | 'short' | null {
  if (buf.length - pos < 27) return 'short';
  if (buf[pos] !== 0x4f || buf[pos + 1] !== 0x67 || buf[pos + 2] !== 0x67 || buf[pos + 3] !== 0x53 || buf[pos + 4] !== 0) {
    return null;
  }
  const nsegs = buf[pos + 26];
  if (buf.length - pos < 27 + nsegs) return 'short';
  const segments = buf.subarray(pos + 27, pos + 27 + nsegs);
  let body = 0;
  for (const s of segments) body += s;
  return {
    length: 27 + nsegs + body,
    headerType: buf[pos + 5],
    granule: buf.readBigInt64LE(pos + 6),
    serial: buf.readUInt32LE(pos + 14),
    segments,
    bodyStart: pos + 27 + nsegs,
  };
}

interface LogicalStream {
  codec: string;
  headerPackets: number;
  packetsSeen: number;
  sampleRate: number;
  channels: number;
  bitrate: number;
  lastGranule: bigint;
}

/** What the first packet of a logical stream says about it. */
function identify(packet: Buffer): Omit<LogicalStream, 'packetsSeen' | 'lastGranule'> {
  if (packet.length >= 30 && packet[0] === 1 && packet.toString('latin1', 1, 7) === 'vorbis') {
    const nominal = packet.readInt32LE(20);
    return { codec: 'Vorbis', headerPackets: 3, channels: packet[11], sampleRate: packet.readUInt32LE(12), bitrate: nominal > 0 ? Math.round(nominal / 1000) : 0 };
  }
  if (packet.length >= 19 && packet.toString('latin1', 0, 8) === 'OpusHead') {
    return { codec: 'Opus', headerPackets: 2, channels: packet[9], sampleRate: 48000, bitrate: 0 };
  }
  if (packet.length >= 30 && packet[0] === 0x7f && packet.toString('latin1', 1, 5) === 'FLAC') {
    const rate = (packet[27] << 12) | (packet[28] << 4) | (packet[29] >> 4);
    return { codec: 'FLAC', headerPackets: 1 + packet.readUInt16BE(7), channels: ((packet[29] >> 1) & 7) + 1, sampleRate: rate, bitrate: 0 };
  }
  if (packet.length >= 80 && packet.toString('latin1', 0, 8) === 'Speex   ') {
    return { codec: 'Speex', headerPackets: 2 + packet.readUInt32LE(76), channels: packet.readUInt32LE(48), sampleRate: packet.readUInt32LE(36), bitrate: 0 };
  }
  return { codec: 'unknown', headerPackets: 1, channels: 0, sampleRate: 0, bitrate: 0 };
}

const MAX_PAGE = 27 + 255 + 255 * 255;

export class OggFramer implements Framer {
  readonly format = 'ogg' as const;
  info: StreamInfo | null = null;
  skippedBytes = 0;
  readonly tagBytes = 0;
  private pending: Buffer | null = null;
  private streams = new Map<number, LogicalStream>();
  /** a data page has been seen since the last BOS: the next BOS starts a new chain */
  private sawData = false;
  private bytesSinceRate = 0;
  private granulesSinceRate = 0n;

  push(data: Buffer): Frame[] {
    const buf = this.pending ? Buffer.concat([this.pending, data]) : data;
    this.pending = null;
    const frames: Frame[] = [];
    let pos = 0;
    while (pos < buf.length) {
      const page = parseOggPage(buf, pos);
      if (page === 'short') break;
      if (page === null || page.length > MAX_PAGE) {
        pos = this.resync(buf, pos + 1);
        continue;
      }
      if (pos + page.length > buf.length) break;
      const bytes = buf.subarray(pos, pos + page.length);
      if (oggCrc(bytes) !== bytes.readUInt32LE(22)) {
        pos = this.resync(buf, pos + 1);
        continue;
      }
      frames.push(this.classify(bytes, page, pos));
      pos += page.length;
    }
    if (pos < buf.length) this.pending = buf.subarray(pos);
    return frames;
  }

  private classify(bytes: Buffer, page: OggPage, pos: number): Frame {
    const bos = (page.headerType & 0x02) !== 0;
    if (bos) {
      if (this.sawData) {
        this.streams.clear();
        this.sawData = false;
      }
      // the first packet of a BOS page is complete on that page
      let len = 0;
      for (const s of page.segments) {
        len += s;
        if (s < 255) break;
      }
      const first = bytes.subarray(page.bodyStart - pos, page.bodyStart - pos + len);
      const id = identify(first);
      // the stream says how many header packets follow; a hostile or broken one is not believed past 16
      id.headerPackets = Math.min(Math.max(1, id.headerPackets), 16);
      this.streams.set(page.serial, { ...id, packetsSeen: 0, lastGranule: 0n });
    }
    const st = this.streams.get(page.serial);
    if (!st) {
      // a page of a stream whose start we never saw (joined mid-stream): pass it on as data
      this.sawData = true;
      return { data: bytes, samples: 0, sampleRate: this.info?.sampleRate ?? 0 };
    }
    const wasHeader = st.packetsSeen < st.headerPackets;
    for (const s of page.segments) if (s < 255) st.packetsSeen++;
    let samples = 0;
    if (!wasHeader) {
      this.sawData = true;
      if (page.granule >= 0n) {
        const delta = page.granule - st.lastGranule;
        samples = delta > 0n ? Number(delta) : 0;
        st.lastGranule = page.granule;
      }
      this.bytesSinceRate += bytes.length;
      this.granulesSinceRate += BigInt(samples);
      if (st.sampleRate > 0 && this.granulesSinceRate >= BigInt(st.sampleRate) * 2n) {
        st.bitrate = st.bitrate || Math.round((this.bytesSinceRate * 8 * st.sampleRate) / Number(this.granulesSinceRate) / 1000);
        this.bytesSinceRate = 0;
        this.granulesSinceRate = 0n;
      }
    }
    const i = this.info;
    if (!i || i.codec !== st.codec || i.sampleRate !== st.sampleRate || i.channels !== st.channels || i.bitrate !== st.bitrate) {
      this.info = { codec: st.codec, sampleRate: st.sampleRate, channels: st.channels, bitrate: st.bitrate };
    }
    return { data: bytes, samples, sampleRate: st.sampleRate, header: wasHeader, bos };
  }

  private resync(buf: Buffer, from: number): number {
    let i = buf.indexOf('OggS', from, 'latin1');
    if (i < 0) i = Math.max(from, buf.length - 3); // keep a possible partial "Ogg" at the end
    this.skippedBytes += i - from + 1;
    return i;
  }
}
