// Ogg page walker: whole pages out, CRC-checked; marks the header pages of each logical stream (Vorbis,
// Opus, FLAC, Speex) so a late joiner can be given them before any audio, and notices chained streams.

import { ByteWindow } from './byte-window.js';
import { OggCrcIndex } from './ogg-crc.js';
import type { Frame, Framer, StreamInfo } from './types.js';

export { oggCrc } from './ogg-crc.js';

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

/**
 * Running byte sums by stream offset, so a candidate's lacing table (up to 255 bytes) sums in one step:
 * a resync scan may try a candidate every 9 bytes, and each byte is then added once, not 28 times.
 * Queries must move forward (each range starts at or after the previous one's start).
 */
class LacingSums {
  private readonly sums = new Int32Array(512);
  private from = -1;
  private to = -1;

  /** Sum of the stream's bytes [lo, hi), hi - lo <= 255, from `buf` which starts at stream offset `bufAt`. */
  range(buf: Buffer, bufAt: number, lo: number, hi: number): number {
    if (this.to < lo || this.from > lo) {
      this.from = this.to = lo;
      this.sums[lo & 511] = 0;
    }
    let sum = this.sums[this.to & 511];
    for (let i = this.to; i < hi; i++) {
      sum = (sum + buf[i - bufAt]) | 0;
      this.sums[(i + 1) & 511] = sum;
    }
    if (hi > this.to) this.to = hi;
    if (this.from < this.to - 511) this.from = this.to - 511;
    // the sums wrap at 2^31; their difference is still exact
    return (this.sums[hi & 511] - this.sums[lo & 511]) | 0;
  }
}

/**
 * The length of the page whose header starts at `pos` in `buf` (stream offset `bufAt`), if one can: 0 if
 * none starts there, or minus the bytes needed from `pos` to tell. Allocates nothing.
 */
function pageLengthAt(buf: Buffer, pos: number, bufAt: number, lacing: LacingSums): number {
  const avail = buf.length - pos;
  if (avail < 27) return -27;
  // "OggS", version 0, and no header-type bits beyond continued / first / last page (RFC 3533)
  if (buf[pos] !== 0x4f || buf[pos + 1] !== 0x67 || buf[pos + 2] !== 0x67 || buf[pos + 3] !== 0x53 || buf[pos + 4] !== 0 || buf[pos + 5] & 0xf8) return 0;
  const nsegs = buf[pos + 26];
  if (avail < 27 + nsegs) return -(27 + nsegs);
  const at = bufAt + pos + 27;
  const length = 27 + nsegs + lacing.range(buf, bufAt, at, at + nsegs);
  return avail < length ? -length : length;
}

interface LogicalStream {
  codec: string;
  headerPackets: number;
  packetsSeen: number;
  sampleRate: number;
  channels: number;
  /** kbit/s: the header's nominal rate, else measured */
  bitrate: number;
  /** the header's nominal rate (kbit/s), 0 if it gives none */
  nominalKbps: number;
  /** the most samples one packet of this codec can decode to */
  maxPacketSamples: number;
  /** granule of the last data page that had one; null before the first */
  lastGranule: bigint | null;
  /** bytes and samples of the pages whose granules were believed: the stream's own byte rate */
  trustedBytes: number;
  trustedSamples: number;
}

type Identity = Pick<LogicalStream, 'codec' | 'headerPackets' | 'sampleRate' | 'channels' | 'nominalKbps' | 'maxPacketSamples'>;

/** What the first packet of a logical stream says about it. */
function identify(packet: Buffer): Identity {
  if (packet.length >= 30 && packet[0] === 1 && packet.toString('latin1', 1, 7) === 'vorbis') {
    const nominal = packet.readInt32LE(20);
    // a packet decodes to at most half the long block (blocksize_1 is 2^(high nibble of byte 28), up to 8192)
    const long = 1 << Math.min(13, packet[28] >> 4);
    return { codec: 'Vorbis', headerPackets: 3, channels: packet[11], sampleRate: packet.readUInt32LE(12), nominalKbps: nominal > 0 ? Math.round(nominal / 1000) : 0, maxPacketSamples: Math.max(32, long / 2) };
  }
  if (packet.length >= 19 && packet.toString('latin1', 0, 8) === 'OpusHead') {
    // 120 ms at 48 kHz is the longest Opus packet (RFC 6716, 3.2.5)
    return { codec: 'Opus', headerPackets: 2, channels: packet[9], sampleRate: 48000, nominalKbps: 0, maxPacketSamples: 5760 };
  }
  if (packet.length >= 30 && packet[0] === 0x7f && packet.toString('latin1', 1, 5) === 'FLAC') {
    const rate = (packet[27] << 12) | (packet[28] << 4) | (packet[29] >> 4);
    return { codec: 'FLAC', headerPackets: 1 + packet.readUInt16BE(7), channels: ((packet[29] >> 1) & 7) + 1, sampleRate: rate, nominalKbps: 0, maxPacketSamples: 65535 };
  }
  if (packet.length >= 80 && packet.toString('latin1', 0, 8) === 'Speex   ') {
    const perPacket = packet.readUInt32LE(56) * Math.max(1, packet.readUInt32LE(64));
    return { codec: 'Speex', headerPackets: 2 + packet.readUInt32LE(76), channels: packet.readUInt32LE(48), sampleRate: packet.readUInt32LE(36), nominalKbps: 0, maxPacketSamples: Math.min(65535, perPacket) };
  }
  return { codec: 'unknown', headerPackets: 1, channels: 0, sampleRate: 0, nominalKbps: 0, maxPacketSamples: 0 };
}

/**
 * The lowest byte rate a real page plays at. Digital silence is the cheapest audio there is: ffmpeg's
 * Vorbis and Opus encode it at about 130 and 230 bytes a second; a page claiming to last longer than its
 * bytes at 32 bytes a second is not believed.
 */
const MIN_BYTES_PER_SECOND = 32;

export class OggFramer implements Framer {
  readonly format = 'ogg' as const;
  info: StreamInfo | null = null;
  skippedBytes = 0;
  readonly tagBytes = 0;
  /** data pages whose granule position was not believed (timed from their bytes instead) */
  retimedPages = 0;
  private readonly window = new ByteWindow();
  /** bytes the window must hold before parsing can get further */
  private need = 0;
  /** stream offset of the first byte not yet consumed */
  private offset = 0;
  private crcIndex: OggCrcIndex | null = null;
  private readonly lacing = new LacingSums();
  private streams = new Map<number, LogicalStream>();
  /** a data page has been seen since the last BOS: the next BOS starts a new chain */
  private sawData = false;
  private bytesSinceRate = 0;
  private samplesSinceRate = 0;

  /** The current logical stream's nominal bitrate from its header (kbit/s), 0 if it gives none. */
  get nominalKbps(): number {
    let kbps = 0;
    for (const st of this.streams.values()) kbps = st.nominalKbps || kbps;
    return kbps;
  }

  /** Bytes run through the CRC so far: at most one per byte received, whatever the bytes are. */
  get checksummedBytes(): number {
    return this.crcIndex?.checksummedBytes ?? 0;
  }

  push(data: Buffer): Frame[] {
    const frames: Frame[] = [];
    this.window.feed(data, this.need, (buf) => {
      const used = this.walk(buf, frames);
      this.offset += used;
      return used;
    });
    return frames;
  }

  /** Cuts whole pages from `buf` (which starts at stream offset `this.offset`); returns the bytes used. */
  private walk(buf: Buffer, frames: Frame[]): number {
    let pos = 0;
    this.need = 0;
    while (pos < buf.length) {
      const length = pageLengthAt(buf, pos, this.offset, this.lacing);
      if (length < 0) {
        this.need = -length;
        break;
      }
      if (length === 0) {
        pos = this.resync(buf, pos + 1);
        continue;
      }
      this.crcIndex ??= new OggCrcIndex();
      if (!this.crcIndex.pageOk(buf, this.offset, this.offset + pos, length)) {
        pos = this.resync(buf, pos + 1);
        continue;
      }
      frames.push(this.classify(buf.subarray(pos, pos + length), parseOggPage(buf, pos) as OggPage, pos));
      pos += length;
    }
    return pos;
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
      const id = identify(bytes.subarray(page.bodyStart - pos, page.bodyStart - pos + len));
      // the stream says how many header packets follow; a hostile or broken one is not believed past 16
      id.headerPackets = Math.min(Math.max(1, id.headerPackets), 16);
      this.streams.set(page.serial, { ...id, bitrate: id.nominalKbps, packetsSeen: 0, lastGranule: null, trustedBytes: 0, trustedSamples: 0 });
    }
    const st = this.streams.get(page.serial);
    if (!st) {
      // a page of a stream whose start we never saw (joined mid-stream): pass it on as data
      this.sawData = true;
      return { data: bytes, samples: 0, sampleRate: this.info?.sampleRate ?? 0 };
    }
    const wasHeader = st.packetsSeen < st.headerPackets;
    let packetsEnding = 0;
    for (const s of page.segments) if (s < 255) packetsEnding++;
    st.packetsSeen += packetsEnding;
    let samples = 0;
    if (!wasHeader) {
      this.sawData = true;
      samples = this.pageSamples(st, page.granule, packetsEnding, bytes.length);
      this.measureBitrate(st, bytes.length, samples);
    }
    const i = this.info;
    if (!i || i.codec !== st.codec || i.sampleRate !== st.sampleRate || i.channels !== st.channels || i.bitrate !== st.bitrate) {
      this.info = { codec: st.codec, sampleRate: st.sampleRate, channels: st.channels, bitrate: st.bitrate };
    }
    return { data: bytes, samples, sampleRate: st.sampleRate, header: wasHeader, bos };
  }

  /**
   * Samples a data page plays for: its granule position minus the previous page's, when that is plausible
   * for the page (no more than its packets can decode to, no more than its bytes can carry). Granules count
   * from wherever the stream was cut (a piece of a live recording starts an hour in) and a hostile one can
   * say anything, so an implausible step is replaced by the page's bytes at the stream's byte rate.
   */
  private pageSamples(st: LogicalStream, granule: bigint, packetsEnding: number, bytes: number): number {
    if (granule < 0n || st.sampleRate <= 0) return 0; // -1: no packet ends on this page
    const bound = Math.min(packetsEnding * st.maxPacketSamples, Math.floor((bytes * st.sampleRate) / MIN_BYTES_PER_SECOND));
    const step = st.lastGranule === null ? granule : granule - st.lastGranule;
    st.lastGranule = granule;
    if (step >= 0n && step <= BigInt(bound)) {
      st.trustedBytes += bytes;
      st.trustedSamples += Number(step);
      return Number(step);
    }
    // the first page of a stream that starts at 0 carries its own length; one cut from a longer stream
    // does not, and neither does a hostile jump: time it by its bytes
    this.retimedPages++;
    const samplesPerByte =
      st.trustedBytes >= 4096 ? st.trustedSamples / st.trustedBytes : st.nominalKbps > 0 ? st.sampleRate / (st.nominalKbps * 125) : 0;
    return Math.min(bound, Math.round(bytes * samplesPerByte));
  }

  private measureBitrate(st: LogicalStream, bytes: number, samples: number): void {
    this.bytesSinceRate += bytes;
    this.samplesSinceRate += samples;
    if (st.sampleRate > 0 && this.samplesSinceRate >= st.sampleRate * 2) {
      st.bitrate = st.nominalKbps || Math.round((this.bytesSinceRate * 8 * st.sampleRate) / this.samplesSinceRate / 1000);
      this.bytesSinceRate = 0;
      this.samplesSinceRate = 0;
    }
  }

  private resync(buf: Buffer, from: number): number {
    let i = buf.indexOf('OggS', from, 'latin1');
    if (i < 0) i = Math.max(from, buf.length - 3); // keep a possible partial "Ogg" at the end
    this.skippedBytes += i - from + 1;
    return i;
  }
}
