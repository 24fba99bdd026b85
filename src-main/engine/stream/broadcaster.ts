// Sends a mount's stream buffer to its listeners. Event-driven: an appended chunk is written at once to every
// listener that is caught up; a listener whose socket is full waits for 'drain' and then gets everything it
// is owed in one corked write. Writes are views of the shared chunks, never copies. A listener that falls
// more than queue_size behind, or off the tail of the buffer, is disconnected so it never slows the others.

import type { Socket } from 'node:net';
import { EMPTY_ICY_BLOCK } from '../protocol/icy.js';
import type { StreamRing } from './ring.js';

export interface ListenerInfo {
  id: number;
  mount: string;
  ip: string;
  port: number;
  userAgent: string;
  connectedAt: number;
  bytesSent: number;
  icy: boolean;
}

export interface IcySource {
  /** the encoded metadata block for the current title */
  icyBlock: Buffer;
  /** changes whenever icyBlock does */
  icyVersion: number;
}

export type DropReason = 'slow' | 'closed' | 'kicked' | 'shutdown' | 'mount-gone';

/**
 * A live input (a source's socket) that can leave its bytes in the kernel between writes. Each wakeup of the
 * process costs about 0.1 ms here whatever it does; a source writing one MP3 frame per packet wakes it 38
 * times a second. Read at the write cadence instead, a mount costs one wakeup per write interval.
 */
export interface PacedInput {
  /** stop reading: new bytes wait in the kernel's buffer */
  pause(): void;
  /** read again: what waits is delivered at once */
  resume(): void;
}

export class Listener implements ListenerInfo {
  /** next chunk to send and the offset in it */
  seq = 0;
  offset = 0;
  /** audio bytes left before the next ICY block (0: ICY off) */
  untilMeta = 0;
  metaVersion = -1;
  blocked = false;
  bytesSent = 0;
  /** index in the broadcaster's array, for O(1) removal */
  slot = -1;
  /**
   * Set for an output (our stream pushed to another server through this socket): it gets exactly what
   * listeners get, but it is no listener — not counted, not listed — and its end is reported here.
   */
  output: ((reason: DropReason) => void) | null = null;
  readonly connectedAt = Date.now();
  readonly onDrain: () => void;

  constructor(
    readonly id: number,
    readonly socket: Socket,
    readonly mount: string,
    readonly ip: string,
    readonly port: number,
    readonly userAgent: string,
    /** ICY interval, 0 for none */
    readonly metaint: number,
    broadcaster: Broadcaster,
  ) {
    this.untilMeta = metaint;
    this.onDrain = () => {
      this.blocked = false;
      broadcaster.deliver(this);
    };
  }

  get icy(): boolean {
    return this.metaint > 0;
  }
}

/**
 * Milliseconds between writes when write_interval_ms is unset: the audience decides. A write costs about
 * 0.12 ms of wakeup and 0.015 ms per listener here (scripts/bench.mjs, perf); the interval is the shortest that
 * keeps that near 1 % of a core, between one MP3 frame (26 ms, p50 latency about 15 ms) and 100 ms:
 * 26 ms up to 9 listeners, 57 ms at 30, 100 ms from 59.
 */
export function adaptiveWriteInterval(listeners: number): number {
  return Math.min(100, Math.max(26, Math.round(12 + 1.5 * listeners)));
}

export class Broadcaster {
  private listeners: Listener[] = [];
  /** how many of `listeners` are outputs */
  private outputs = 0;
  /** total bytes written to listeners that have left, so totals survive departures */
  private bytesOfGone = 0;

  constructor(
    private readonly ring: StreamRing,
    private readonly icy: IcySource,
    private queueSize: number,
    private readonly onDrop: (l: Listener, reason: DropReason) => void,
  ) {}

  /** Listeners (outputs not included). */
  get count(): number {
    return this.listeners.length - this.outputs;
  }

  /** Everyone this broadcaster writes to, outputs included (no copy). */
  all(): readonly Listener[] {
    return this.listeners;
  }

  /** The listeners, outputs left out (a copy when there are outputs: for status documents, not the hot path). */
  audience(): readonly Listener[] {
    return this.outputs ? this.listeners.filter((l) => !l.output) : this.listeners;
  }

  get totalBytesSent(): number {
    let n = this.bytesOfGone;
    for (const l of this.listeners) n += l.bytesSent;
    return n;
  }

  setQueueSize(bytes: number): void {
    this.queueSize = bytes;
  }

  /** Adds a listener starting at chunk `startSeq` and sends it what is already there (the burst). */
  add(l: Listener, startSeq: number): void {
    l.seq = startSeq;
    l.offset = 0;
    l.slot = this.listeners.length;
    this.listeners.push(l);
    if (l.output) this.outputs++;
    l.socket.on('drain', l.onDrain);
    this.deliver(l);
  }

  /** Removes a listener; closes its socket unless it is already closed. */
  remove(l: Listener, reason: DropReason): void {
    if (l.slot < 0) return;
    const last = this.listeners.pop()!;
    if (last !== l) {
      this.listeners[l.slot] = last;
      last.slot = l.slot;
    }
    l.slot = -1;
    this.bytesOfGone += l.bytesSent;
    l.socket.off('drain', l.onDrain);
    if (!l.socket.destroyed) l.socket.destroy();
    if (l.output) {
      this.outputs--;
      l.output(reason);
    } else this.onDrop(l, reason);
  }

  /** write_interval_ms: null lets the audience decide (adaptiveWriteInterval) */
  private fixedInterval: number | null = 0;

  setWriteInterval(ms: number | null): void {
    this.fixedInterval = ms;
  }

  /**
   * Milliseconds new audio may wait so that several chunks go out in one write per listener: with a source
   * writing one MP3 frame (26 ms) at a time, most of the cost is one send() per listener per chunk.
   * 0: every chunk goes out at once (lowest latency).
   */
  get writeInterval(): number {
    return this.fixedInterval ?? adaptiveWriteInterval(this.listeners.length);
  }
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly flushNow = (): void => {
    this.flushTimer = null;
    this.flush();
  };

  /** Called after the ring got a new chunk: sends it now, or within writeInterval together with the next ones. */
  onAppend(): void {
    if (this.writeInterval <= 0) return this.flush();
    // a paced input's read is sent when it has all been fed (inputFed); anything else within writeInterval.
    // One timer per mount, armed only while there is something to send.
    if (this.input && this.feeding) return;
    this.flushTimer ??= setTimeout(this.flushNow, this.writeInterval);
  }

  private input: PacedInput | null = null;
  /** inside a paced input's read: appends wait for inputFed() */
  private feeding = false;
  private resumeTimer: NodeJS.Timeout | null = null;
  private readonly resumeInput = (): void => {
    this.resumeTimer = null;
    this.input?.resume();
  };

  /**
   * Reads `input` at the write cadence from now on (null: the input is gone). With writeInterval 0 the input
   * is read as bytes come, as any socket.
   */
  setInput(input: PacedInput | null): void {
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.resumeTimer = null;
    this.input?.resume();
    this.input = input;
  }

  /** The input left: it is read no more (another may have taken its place). */
  releaseInput(input: PacedInput): void {
    if (this.input === input) this.setInput(null);
  }

  /** when the paced input was last read (performance.now()) */
  private inputReadAt = 0;

  /** Runs `feed(data)` (an input's bytes into the ring) and sends what it appended at once, as one write. */
  fedFromInput<T>(feed: (data: T) => void, data: T): void {
    if (this.writeInterval <= 0 || !this.input) return feed(data);
    const from = this.ring.headSeq;
    this.feeding = true;
    try {
      feed(data);
    } finally {
      this.feeding = false;
    }
    const now = performance.now();
    const elapsedMs = now - this.inputReadAt;
    this.inputReadAt = now;
    this.flush();
    // an input ahead of real time (a burst at connect, a flood) is read on as fast as it comes: paused, it
    // would be held to what the kernel's receive buffer takes per write interval
    if (this.ring.secondsFrom(from) * 1000 > elapsedMs + this.writeInterval) return;
    // what the input sent since the last write is all here and sent: its next bytes wait in the kernel
    // until the next write is due
    this.input.pause();
    this.resumeTimer ??= setTimeout(this.resumeInput, this.writeInterval);
  }

  /** ring position up to which the last flush sent: listeners still there are caught up */
  private flushedSeq = 0;

  /**
   * Sends what the ring holds to every listener; checks the lag of the blocked ones. The audio appended since
   * the last flush is joined once (a view, when it is one chunk) and each caught-up listener, nearly all of
   * them, gets it in a single write: one copy per flush for the mount instead of a corked multi-buffer write
   * per listener.
   */
  flush(): void {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    const from = this.flushedSeq;
    const to = this.ring.headSeq;
    this.flushedSeq = to;
    const list = this.listeners;
    const batch = list.length && from < to && from >= this.ring.tailSeq ? this.joined(from, to) : null;
    // iterate backwards: remove() moves the last listener into the freed slot
    for (let i = list.length - 1; i >= 0; i--) {
      const l = list[i];
      if (i >= list.length || list[i] !== l) continue;
      if (l.blocked) this.checkLag(l);
      else if (batch && l.seq === from && l.offset === 0) this.sendBatch(l, batch, to);
      else this.deliver(l);
    }
  }

  private joined(from: number, to: number): Buffer {
    if (to - from === 1) return this.ring.get(from)!.data;
    const parts: Buffer[] = [];
    for (let q = from; q < to; q++) parts.push(this.ring.get(q)!.data);
    return Buffer.concat(parts);
  }

  private sendBatch(l: Listener, batch: Buffer, to: number): void {
    const s = l.socket;
    let ok: boolean;
    if (l.metaint) {
      s.cork();
      ok = this.writeWithMeta(l, batch);
      s.uncork();
    } else ok = s.write(batch);
    l.bytesSent += batch.length;
    l.seq = to;
    if (!ok || s.writableNeedDrain) {
      l.blocked = true;
      if (s.writableLength > this.queueSize) this.remove(l, 'slow');
    }
  }

  /** Bytes between the listener's cursor and the live point, including what its socket still buffers. */
  lagOf(l: Listener): number {
    const c = this.ring.get(l.seq);
    const cursor = c ? c.start + l.offset : this.ring.headPos;
    return this.ring.headPos - cursor + l.socket.writableLength;
  }

  private checkLag(l: Listener): boolean {
    if (l.seq < this.ring.tailSeq || this.lagOf(l) > this.queueSize) {
      this.remove(l, 'slow');
      return false;
    }
    return true;
  }

  /** Writes everything the listener is owed, corked into one syscall. */
  deliver(l: Listener): void {
    if (l.slot < 0 || l.blocked) return;
    // a listener that is not blocked is as far behind as audio waiting for the next write: only falling
    // off the ring counts here; queue_size is judged by what its socket could not take
    if (l.seq < this.ring.tailSeq) {
      this.remove(l, 'slow');
      return;
    }
    let chunk = this.ring.get(l.seq);
    if (!chunk) return;
    const s = l.socket;
    let more = this.ring.get(l.seq + 1) !== undefined;
    if (more || l.metaint) s.cork();
    let ok = true;
    while (chunk) {
      const data = l.offset ? chunk.data.subarray(l.offset) : chunk.data;
      ok = l.metaint ? this.writeWithMeta(l, data) : s.write(data);
      l.bytesSent += data.length;
      l.seq++;
      l.offset = 0;
      chunk = this.ring.get(l.seq);
      if (chunk && !more) {
        more = true;
        s.cork();
      }
    }
    if (more || l.metaint) s.uncork();
    if (!ok || s.writableNeedDrain) {
      l.blocked = true;
      if (s.writableLength > this.queueSize) this.remove(l, 'slow');
    }
  }

  private writeWithMeta(l: Listener, data: Buffer): boolean {
    const s = l.socket;
    let ok = true;
    let p = 0;
    while (data.length - p >= l.untilMeta) {
      ok = s.write(p === 0 && l.untilMeta === data.length ? data : data.subarray(p, p + l.untilMeta));
      p += l.untilMeta;
      let block: Buffer = EMPTY_ICY_BLOCK;
      if (l.metaVersion !== this.icy.icyVersion) {
        l.metaVersion = this.icy.icyVersion;
        block = this.icy.icyBlock;
      }
      ok = s.write(block);
      l.bytesSent += block.length;
      l.untilMeta = l.metaint;
    }
    if (p < data.length) {
      ok = s.write(p === 0 ? data : data.subarray(p));
      l.untilMeta -= data.length - p;
    }
    return ok;
  }

  /** Disconnects everyone (mount removed, shutdown). */
  closeAll(reason: DropReason): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.setInput(null);
    while (this.listeners.length) this.remove(this.listeners[this.listeners.length - 1], reason);
  }
}
