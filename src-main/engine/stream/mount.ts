// A mount: one stream buffer of one format, the title on air, at most one live source, and its listeners.
// Everything that enters goes through the format's framer, so the buffer only ever holds whole frames.

import type { Socket } from 'node:net';
import type { AudioFormat, MountConfig } from '../../../src-shared/config/schema.js';
import { Broadcaster, type DropReason, type Listener } from './broadcaster.js';
import { createFramer, DEFAULT_CONTENT_TYPE, type Frame, type Framer, type StreamInfo } from '../protocol/framing/index.js';
import { encodeIcyBlock } from '../protocol/icy.js';
import { oggCommentTitle } from '../protocol/framing/ogg-comments.js';
import { StreamRing } from './ring.js';

/** How the stream describes itself (ice-* / icy-* headers of the source, else the config). */
export interface StreamDescription {
  name: string;
  description: string;
  genre: string;
  url: string;
  public: boolean;
  /** declared bitrate (kbit/s), 0 if unknown */
  bitrate: number;
  audioInfo: string;
}

export interface SourceInfo {
  id: number;
  /** the client's address (behind a trusted proxy, the one it forwarded for) */
  ip: string;
  port: number;
  userAgent: string;
  protocol: 'icecast-put' | 'icecast-source' | 'shoutcast' | 'relay';
  contentType: string;
  connectedAt: number;
  bytesIn: number;
  description: StreamDescription;
}

/** A source on air: what is known about it, and how to end its connection (kick, mount removed). */
export interface LiveSource extends SourceInfo {
  disconnect(): void;
}

export type TitleOrigin = 'live' | 'auto';

export interface HistoryEntry {
  time: number;
  title: string;
  /** from a live source, or from the AutoDJ playlist */
  origin: TitleOrigin;
}

const HISTORY_SIZE = 50;
/** Ogg header pages a late joiner is given at most (Vorbis comments can carry cover art) */
const MAX_OGG_HEADER_BYTES = 2 * 1024 * 1024;

export interface MountEvents {
  onDrop(m: Mount, l: Listener, reason: DropReason): void;
  onTitle(m: Mount): void;
}

/** room for what arrives between two writes, even from a source far ahead of real time (a flood, a burst) */
const BETWEEN_WRITES_BYTES = 1024 * 1024;

/**
 * Bytes of stream buffer a mount keeps: what a listener can still be sent (one that falls more than queue_size
 * behind is dropped; a new one gets at most burst_size) plus what arrives before the next write, never more
 * than buffer.size_mb. Older audio could only be read by a listener that is already gone, and would hold
 * size_mb per mount for nothing.
 */
export function ringCapacity(sizeMb: number, config: MountConfig): number {
  return Math.min(sizeMb * 1024 * 1024, Math.max(config.queue_size, config.burst_size) + BETWEEN_WRITES_BYTES);
}

export class Mount {
  readonly ring: StreamRing;
  readonly broadcaster: Broadcaster;
  private live: LiveSource | null = null;
  /** the source's framer; a fresh one per source so a new source never inherits a partial frame */
  framer: Framer;
  title = '';
  titleUrl = '';
  titleChangedAt = Date.now();
  titleOrigin: TitleOrigin = 'auto';
  /** titles that went on air, newest first */
  readonly history: HistoryEntry[] = [];
  icyBlock = encodeIcyBlock('');
  icyVersion = 0;
  contentType: string;
  listenerPeak = 0;
  listenerConnections = 0;
  /** listeners dropped for falling queue_size behind */
  slowListenerDrops = 0;
  bytesIn = 0;
  /** bytes put into the buffer, from sources and the AutoDJ */
  bytesAppended = 0;
  /** seconds of audio received */
  secondsIn = 0;
  /** Ogg: header pages of the current logical stream, and where its data pages begin in the ring */
  oggHeaders: Buffer | null = null;
  oggDataStart = 0;
  private collectingHeaders: Buffer[] | null = null;
  private collectingBytes = 0;
  readonly createdAt = Date.now();

  constructor(
    public config: MountConfig,
    bufferBytes: number,
    private chunkSize: number,
    private readonly events: MountEvents,
    /** created by a source on an unconfigured path; removed when that source leaves */
    readonly dynamic = false,
    writeInterval: number | null = 0,
  ) {
    this.ring = new StreamRing(bufferBytes);
    this.broadcaster = new Broadcaster(this.ring, this, config.queue_size, (l, why) => {
      if (why === 'slow') this.slowListenerDrops++;
      this.events.onDrop(this, l, why);
    });
    this.broadcaster.setWriteInterval(writeInterval);
    this.framer = createFramer(config.format);
    this.contentType = DEFAULT_CONTENT_TYPE[config.format];
  }

  /** The live source on air, if any. */
  get source(): LiveSource | null {
    return this.live;
  }

  /**
   * Puts a logged-in source on air: a fresh framer (no partial frame of a previous source leaks in), its
   * content type if it is of this mount's family, and its stream name as the title until it sends one.
   */
  attachSource(s: LiveSource, declaredFormat: AudioFormat | null): void {
    this.live = s;
    this.framer = createFramer(this.format);
    if (declaredFormat === this.format) this.contentType = s.contentType.split(';')[0].trim();
    // the stream's name stands in for a title until the source sends one: on air, but no song of the history
    this.setTitle(s.description.name || '', '', 'live', false);
  }

  /**
   * A relay mount whose upstream now sends another format (the relay follows its Content-Type): everyone
   * tuned in is disconnected, since their players cannot decode the new bytes and reconnecting gets them
   * the new Content-Type; the buffer of the old format is dropped and a fresh framer takes the new one.
   * Only for a relay's own mount (a configured mount's format is fixed); done in place, not as a new Mount,
   * so its history, counters and the outputs that send it stay with the path.
   */
  changeFormat(format: AudioFormat): void {
    this.broadcaster.closeAll('mount-gone');
    this.ring.clear();
    this.config = { ...this.config, format };
    this.framer = createFramer(format);
    this.contentType = DEFAULT_CONTENT_TYPE[format];
    this.oggHeaders = null;
    this.oggDataStart = this.ring.headPos;
    this.collectingHeaders = null;
    this.collectingBytes = 0;
  }

  /**
   * Set while the mount's format is being learned (a relay connecting to an upstream whose Content-Type
   * decides it): a new listener's answer is handed here and given once the format is known (net/relay-hold.ts).
   */
  answerHold: ((socket: Socket, answer: () => void) => void) | null = null;

  /** Takes `s` off air (if it still is). */
  detachSource(s: LiveSource): void {
    if (this.live === s) this.live = null;
  }

  /** A listener was accepted: the counters the status documents report. */
  listenerJoined(): void {
    this.listenerConnections++;
    if (this.broadcaster.count + 1 > this.listenerPeak) this.listenerPeak = this.broadcaster.count + 1;
  }

  /** Disconnects everyone and the live source, and gives the buffer's memory back. */
  close(reason: DropReason): void {
    this.live?.disconnect();
    this.broadcaster.closeAll(reason);
    this.ring.clear();
  }

  get path(): string {
    return this.config.path;
  }

  get format(): AudioFormat {
    return this.config.format;
  }

  /** What the AutoDJ says about the track it plays (a live source's framer speaks for the source). */
  autoInfo: StreamInfo | null = null;

  get info(): StreamInfo | null {
    return this.source ? this.framer.info : (this.autoInfo ?? this.framer.info);
  }

  /** What listeners are told about the stream: the live source's own description, else the config's. */
  get description(): StreamDescription {
    const c = this.config;
    const s = this.source?.description;
    return {
      name: s?.name || c.station_name,
      description: s?.description || c.station_description,
      genre: s?.genre || c.station_genre,
      url: s?.url || c.station_url,
      public: s ? s.public : c.public,
      bitrate: s?.bitrate || this.info?.bitrate || 0,
      audioInfo: s?.audioInfo || '',
    };
  }

  /** Takes new settings that do not change the format (that needs a new mount). */
  reconfigure(config: MountConfig, chunkSize: number, writeInterval: number | null): void {
    this.config = config;
    this.chunkSize = chunkSize;
    this.broadcaster.setWriteInterval(writeInterval);
    this.broadcaster.setQueueSize(config.queue_size);
  }

  /**
   * Gets the live source's frames as they enter the buffer (the recorder sets it for a show). Called once per
   * source read that completed frames; null costs one check per read and nothing else.
   */
  liveTap: ((frames: readonly Frame[]) => void) | null = null;

  /** Feeds source bytes through the framer into the buffer; returns the number of frames appended. */
  feed(data: Buffer): number {
    this.bytesIn += data.length;
    const frames = this.framer.push(data);
    if (frames.length) {
      this.appendFrames(frames);
      if (this.liveTap !== null) this.liveTap(frames);
    }
    return frames.length;
  }

  /** Appends whole frames, grouped into chunks of contiguous bytes up to chunk_size. */
  appendFrames(frames: Frame[]): void {
    let group: Frame[] = [];
    let groupBytes = 0;
    /** the group so far becomes one chunk of the ring */
    const closeGroup = (): void => {
      if (!group.length) return;
      this.appendGroup(group, groupBytes);
      group = [];
      groupBytes = 0;
    };
    for (const f of frames) {
      if (this.format === 'ogg') {
        if (f.bos) {
          closeGroup();
          this.collectingHeaders = [];
          this.collectingBytes = 0;
        }
        if (f.header && this.collectingHeaders && this.collectingBytes + f.data.length <= MAX_OGG_HEADER_BYTES) {
          this.collectingHeaders.push(f.data);
          this.collectingBytes += f.data.length;
        } else if (this.collectingHeaders) {
          // the first data page of a new logical stream (or headers past any sane size, which are then
          // treated as data so memory stays bounded): late joiners start here, after the cached headers
          closeGroup();
          this.oggHeaders = Buffer.concat(this.collectingHeaders);
          this.collectingHeaders = null;
          this.oggDataStart = this.ring.headPos;
          // a live Ogg source names its track in the comment header, as icecast2 shows it
          const title = this.source ? oggCommentTitle(this.oggHeaders) : null;
          if (title) this.setTitle(title, '', 'live');
        }
      }
      if (groupBytes + f.data.length > this.chunkSize) closeGroup();
      group.push(f);
      groupBytes += f.data.length;
    }
    closeGroup();
  }

  private appendGroup(group: Frame[], bytes: number): void {
    let data: Buffer;
    const first = group[0].data;
    const last = group[group.length - 1].data;
    if (group.length === 1) data = first;
    else if (first.buffer === last.buffer && last.byteOffset + last.length - first.byteOffset === bytes) {
      // contiguous views of one source read: one view, no copy
      data = Buffer.from(first.buffer, first.byteOffset, bytes);
    } else data = Buffer.concat(group.map((f) => f.data), bytes);
    let seconds = 0;
    for (const f of group) if (f.sampleRate) seconds += f.samples / f.sampleRate;
    this.secondsIn += seconds;
    this.bytesAppended += data.length;
    this.ring.append(data, seconds);
    this.broadcaster.onAppend();
  }

  /** Where a new listener starts: a frame boundary about burst_size back (after Ogg headers). */
  burstStart(): number {
    return this.ring.burstStart(this.config.burst_size, this.format === 'ogg' ? this.oggDataStart : 0);
  }

  /** Puts a title on air (ICY, APIs) and, if it is a song (not a stream's name), into the history. */
  setTitle(title: string, url = '', origin: TitleOrigin = this.source ? 'live' : 'auto', song = true): void {
    if (title === this.title && url === this.titleUrl && origin === this.titleOrigin) return;
    this.title = title;
    this.titleUrl = url;
    this.titleOrigin = origin;
    this.titleChangedAt = Date.now();
    this.icyBlock = encodeIcyBlock(title, url);
    this.icyVersion++;
    if (title && song) {
      this.history.unshift({ time: this.titleChangedAt, title, origin });
      if (this.history.length > HISTORY_SIZE) this.history.length = HISTORY_SIZE;
    }
    this.events.onTitle(this);
  }

  /** Whether listeners may get ICY metadata here (MP3/AAC only). */
  get icyAllowed(): boolean {
    return this.config.enable_icy && this.format !== 'ogg';
  }

  /** Average bitrate of everything streamed so far, kbit/s; 0 if unknown. */
  get measuredBitrate(): number {
    return this.secondsIn > 0 ? Math.round((this.bytesAppended * 8) / this.secondsIn / 1000) : 0;
  }
}
