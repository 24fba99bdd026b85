// AutoDJ: feeds a mount from its playlist while no live source is on air. Frames are paced against a
// monotonic clock by their cumulative durations (never per-chunk sleeps), so the stream never drifts; the
// next track is read ahead so tracks join without a gap. Tags and encoder info frames never reach
// listeners: every file goes through a framer of its own.

import { open, type FileHandle } from 'node:fs/promises';
import type { Frame } from '../protocol/framing/index.js';
import { createFramer } from '../protocol/framing/index.js';
import type { Logger } from '../log/log.js';
import type { Mount } from '../stream/mount.js';
import type { Playlist, PlaylistEntry } from './playlist.js';
import { displayTitle } from './track-probe.js';
import { SilenceSource } from './silence.js';

export interface Clock {
  /** milliseconds, monotonic */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export type FeederState = 'auto' | 'live' | 'grace' | 'stopped';

interface Queued {
  frame: Frame;
  /** set on the first frame of a track: its title goes on air with it */
  starts?: PlaylistEntry;
}

/** Reads one track's frames, a chunk at a time. */
class TrackReader {
  private fh: FileHandle | null = null;
  private readonly framer;
  private readonly buf = Buffer.allocUnsafe(64 * 1024);
  framesRead = 0;
  bytesRead = 0;

  constructor(readonly entry: PlaylistEntry, format: Mount['format']) {
    this.framer = createFramer(format);
  }

  private closed = false;

  async read(): Promise<Frame[] | null> {
    if (!this.fh) {
      const fh = await open(this.entry.track.path, 'r');
      // closed (skip, a live source) while the open was in flight: nobody else will close this handle
      if (this.closed) {
        await fh.close().catch(() => {});
        return null;
      }
      this.fh = fh;
    }
    const { bytesRead } = await this.fh.read(this.buf, 0, this.buf.length, null);
    if (bytesRead === 0) return null;
    this.bytesRead += bytesRead;
    // frames are views of what the framer is given, and the read buffer is reused: give it a copy
    const frames = this.framer.push(Buffer.from(this.buf.subarray(0, bytesRead)));
    this.framesRead += frames.length;
    const kbps = this.entry.track.pacingKbps;
    return kbps ? frames.map((f) => retimedByBytes(f, kbps)) : frames;
  }

  get garbage(): number {
    return this.framer.skippedBytes;
  }

  async close(): Promise<void> {
    this.closed = true;
    const fh = this.fh;
    this.fh = null;
    await fh?.close().catch(() => {});
  }
}

export interface FeederOptions {
  /** seconds of audio kept read ahead of what is sent */
  readAheadSeconds: number;
  /** how far ahead of real time frames are sent, seconds */
  leadSeconds: number;
  /** pacing timer period, ms */
  tickMs: number;
  /** Ogg silence asset, for Ogg mounts */
  oggSilenceFile: string | null;
  /** called when the state changes (auto, live, grace, stopped) */
  onState?: (s: FeederState) => void;
}

const DEFAULTS: FeederOptions = { readAheadSeconds: 3, leadSeconds: 0.1, tickMs: 40, oggSilenceFile: null };

export class Feeder {
  private stateValue: FeederState = 'stopped';

  get state(): FeederState {
    return this.stateValue;
  }

  private set state(s: FeederState) {
    if (s === this.stateValue) return;
    this.stateValue = s;
    this.opts?.onState?.(s);
  }
  /** the track on air (its first frame has been sent), null during silence or live */
  nowPlaying: { entry: PlaylistEntry; startedAt: number } | null = null;
  private readonly opts: FeederOptions;
  private queue: Queued[] = [];
  private queuedSeconds = 0;
  private reader: TrackReader | null = null;
  private filling: Promise<void> | null = null;
  /** generation: bumped whenever queued work is thrown away, so stale reads are dropped */
  private gen = 0;
  private timer: unknown = null;
  /** clock time (ms) the current paced session started, and seconds sent since */
  private t0 = 0;
  private sent = 0;
  private graceUntil = 0;
  private silence: SilenceSource | null = null;
  private silentSince = -1;
  /** the playlist had nothing (more) to play at the last attempt */
  private exhausted = false;

  constructor(
    private readonly mount: Mount,
    readonly playlist: Playlist | null,
    private readonly log: Logger,
    private readonly clock: Clock = realClock,
    opts: Partial<FeederOptions> = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
    // tracks added to an exhausted (or still loading) playlist start playing at once
    playlist?.on('change', () => {
      if (this.state !== 'auto') return;
      // the demo makes way as soon as real music is in the playlist
      const onAir = this.nowPlaying?.entry ?? this.reader?.entry;
      if (onAir?.fallback && !playlist.usingFallbackFiles) this.skip();
      else if (this.exhausted && !this.reader && !this.filling) {
        this.exhausted = false;
        this.fill();
      }
    });
  }

  /** What the AutoDJ is doing, for the APIs and the studio. */
  summary(upNextCount = 5) {
    const ref = (e: PlaylistEntry) => ({ id: e.id, title: displayTitle(e.track), path: e.track.path, duration: e.track.duration });
    const np = this.nowPlaying;
    const p = this.playlist;
    return {
      state: this.state,
      nowPlaying: np && { ...ref(np.entry), startedAt: np.startedAt },
      upNext: p ? p.upcoming(upNextCount).map(ref) : [],
      shuffle: p?.shuffleEachPass ?? false,
      repeat: p?.repeat ?? false,
      usingDemo: p?.usingFallbackFiles ?? false,
      tracks: p?.list.length ?? 0,
      playable: p?.list.filter((e) => !e.problem).length ?? 0,
    };
  }

  /** Seconds of audio sent in the current session minus the clock time elapsed: the pacing error. */
  get drift(): number {
    return this.sent - (this.clock.now() - this.t0) / 1000;
  }

  get sentSeconds(): number {
    return this.sent;
  }

  /** Starts feeding (the mount has no live source). */
  start(): void {
    if (this.state !== 'stopped') return;
    if (this.mount.source) {
      this.state = 'live';
      return;
    }
    this.beginSession('auto');
  }

  private beginSession(state: 'auto' | 'grace'): void {
    this.state = state;
    this.t0 = this.clock.now();
    this.sent = 0;
    this.schedule(0);
    if (state === 'auto') this.fill();
  }

  stop(): void {
    this.state = 'stopped';
    this.cancelTimer();
    this.dropQueue();
  }

  /** A live source went on air: stop at once. The playlist moves on to the next track afterwards. */
  goLive(): void {
    if (this.state === 'stopped') return;
    this.cancelTimer();
    this.dropQueue();
    if (this.nowPlaying) this.log.info(`${this.mount.path}: AutoDJ interrupted by a live source during "${displayTitle(this.nowPlaying.entry.track)}"`);
    this.nowPlaying = null;
    this.state = 'live';
  }

  /** The live source left: silence for `graceSeconds` (a reconnecting DJ takes over again), then the playlist. */
  liveEnded(graceSeconds: number): void {
    if (this.state !== 'live') return;
    if (graceSeconds <= 0) {
      this.beginSession('auto');
      return;
    }
    this.graceUntil = this.clock.now() + graceSeconds * 1000;
    this.beginSession('grace');
  }

  /** Skips to the next track now. */
  skip(): void {
    if (this.state !== 'auto') return;
    this.dropQueue();
    this.nowPlaying = null;
    this.fill();
  }

  private dropQueue(): void {
    this.gen++;
    this.queue = [];
    this.queuedSeconds = 0;
    const r = this.reader;
    this.reader = null;
    void r?.close();
    this.filling = null;
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    this.cancelTimer();
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.tick();
    }, ms);
  }

  /** Sends every frame that is due by now (plus the lead), then sleeps until the next one is due. */
  private tick(): void {
    if (this.state === 'stopped' || this.state === 'live') return;
    const now = this.clock.now();
    if (this.state === 'grace' && now >= this.graceUntil) {
      this.log.info(`${this.mount.path}: no live source came back; AutoDJ resumes`);
      this.state = 'auto';
      this.fill();
    }
    // one wakeup per write: the feeder ticks at the mount's write cadence (tickMs at least) and sends what it
    // appended at once, a tick's worth ahead of real time so that listeners never wait on the next tick
    const period = Math.max(this.opts.tickMs, this.mount.broadcaster.writeInterval);
    const lead = Math.max(this.opts.leadSeconds, period / 1000);
    const due = (now - this.t0) / 1000 + lead;
    const sentBefore = this.sent;
    const out: Frame[] = [];
    while (this.sent < due) {
      let item: Queued | undefined;
      if (this.state === 'auto') item = this.queue.shift();
      if (item) {
        this.queuedSeconds -= seconds(item.frame);
        this.silentSince = -1;
        if (item.starts) {
          // flush what precedes it so the title changes exactly where the track starts
          if (out.length) this.mount.appendFrames(out.splice(0));
          this.trackStarts(item.starts);
        }
        out.push(item.frame);
        this.sent += seconds(item.frame);
        continue;
      }
      // nothing read yet: wait a little for the disk, then keep listeners fed with silence
      if (this.state === 'auto' && this.silentSince < 0) this.silentSince = now;
      const starving = this.state === 'grace' || now - this.silentSince > 250 || (this.filling === null && this.queue.length === 0 && this.reader === null && this.exhausted);
      if (!starving) break;
      const s = this.silenceFor();
      if (!s) break;
      const f = s.next();
      if (this.nowPlaying && this.state === 'auto') this.nowPlaying = null;
      out.push(f);
      this.sent += seconds(f);
    }
    if (out.length) this.mount.appendFrames(out);
    if (this.sent > sentBefore) this.mount.broadcaster.flush();
    if (this.state === 'auto' && this.queuedSeconds < this.opts.readAheadSeconds) this.fill();
    const nextDue = Math.max(0, this.t0 + (this.sent - lead) * 1000 - this.clock.now());
    this.schedule(Math.max(period, Math.min(nextDue, 250)));
  }

  private silenceFor(): SilenceSource | null {
    const rate = this.mount.info?.sampleRate || 44100;
    if (!this.silence || (this.mount.format !== 'ogg' && this.silence.next().sampleRate !== rate)) {
      this.silence = new SilenceSource(this.mount.format, rate, this.opts.oggSilenceFile);
    }
    return this.silence.available ? this.silence : null;
  }

  private trackStarts(entry: PlaylistEntry): void {
    // a track that follows itself (a one-track playlist, the demo ident on repeat) is logged once, not every pass
    const again = this.nowPlaying?.entry.track.path === entry.track.path;
    this.nowPlaying = { entry, startedAt: Date.now() };
    const t = entry.track;
    this.mount.autoInfo = { codec: t.codec, sampleRate: t.sampleRate, channels: t.channels, bitrate: t.bitrate };
    const title = displayTitle(entry.track);
    this.mount.setTitle(title, '', 'auto');
    if (again) this.log.debug(`${this.mount.path}: AutoDJ playing "${title}" again`);
    else this.log.info(`${this.mount.path}: AutoDJ playing "${title}"`);
  }

  /** Reads ahead until readAheadSeconds are queued, opening the next track when one ends. */
  private fill(): void {
    if (this.filling || !this.playlist || this.state !== 'auto') return;
    const gen = this.gen;
    this.filling = (async () => {
      while (gen === this.gen && this.state === 'auto' && this.queuedSeconds < this.opts.readAheadSeconds) {
        if (!this.reader) {
          // cleared first: advance() emits 'change' at once, and the listener above must not take it for
          // music added to an exhausted playlist and start a second loop on the next track
          this.exhausted = false;
          const entry = this.playlist!.advance();
          if (!entry) {
            this.exhausted = true;
            return;
          }
          this.reader = new TrackReader(entry, this.mount.format);
        }
        const reader = this.reader;
        let frames: Frame[] | null;
        try {
          frames = await reader.read();
        } catch (e) {
          if (gen !== this.gen) return;
          const err = e as NodeJS.ErrnoException;
          const why = err.code === 'ENOENT' ? 'the file is gone' : `read error (${err.code ?? err.message})`;
          this.log.warn(`${this.mount.path}: skipping ${reader.entry.track.path}: ${why}`);
          this.playlist!.markBroken(reader.entry.id, why);
          await reader.close();
          this.reader = null;
          continue;
        }
        if (gen !== this.gen) return;
        if (frames === null) {
          await reader.close();
          if (reader.framesRead === 0) {
            this.log.warn(`${this.mount.path}: skipping ${reader.entry.track.path}: no ${this.mount.format} audio in it`);
            this.playlist!.markBroken(reader.entry.id, `no ${this.mount.format} audio frames`);
          }
          this.reader = null;
          continue;
        }
        if (reader.framesRead === 0 && reader.garbage > 512 * 1024) {
          this.log.warn(`${this.mount.path}: skipping ${reader.entry.track.path}: corrupt (no audio frames in its first ${reader.garbage} bytes)`);
          this.playlist!.markBroken(reader.entry.id, 'corrupt: no audio frames');
          await reader.close();
          this.reader = null;
          continue;
        }
        for (let i = 0; i < frames.length; i++) {
          const q: Queued = { frame: frames[i] };
          if (i === 0 && reader.framesRead === frames.length) q.starts = reader.entry;
          this.queue.push(q);
          this.queuedSeconds += seconds(frames[i]);
        }
      }
    })().finally(() => {
      if (gen === this.gen) this.filling = null;
    });
  }
}

/**
 * A frame of a file whose own timing is not believed (see TrackInfo.pacingKbps), timed by its bytes: the
 * AutoDJ then waits only as long as the audio it actually sent, never on a claimed hour.
 */
function retimedByBytes(f: Frame, kbps: number): Frame {
  if (f.header || !f.sampleRate) return f;
  return { ...f, samples: Math.round(((f.data.length * 8) / (kbps * 1000)) * f.sampleRate) };
}

function seconds(f: Frame): number {
  return f.sampleRate ? f.samples / f.sampleRate : 0;
}
