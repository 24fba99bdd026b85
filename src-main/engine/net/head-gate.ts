// The head gate: bounds the connections still sending their request head, per address and in total, so a
// slowloris cannot take every descriptor. A head has a deadline (not an idle timer), and:
// - past CROWDED_PER_IP unfinished heads from one address, or past crowdedTotal in all, a new connection gets
//   CROWDED_HEAD_MS: a real client (a burst of listeners behind one NAT) sends its head within milliseconds
//   and is served, while a connection held open to hog the server is gone within a second;
// - past MAX_PENDING_PER_IP from one address, new connections from it are closed at once;
// - past maxTotal in all, the oldest unfinished head is closed to make room: the new connection is far more
//   likely to be a real client than one that has been dribbling bytes for seconds.

import type { Socket } from 'node:net';

export const CROWDED_PER_IP = 512;
export const CROWDED_HEAD_MS = 1000;
export const MAX_PENDING_PER_IP = 4096;

export interface PendingHead {
  readonly ip: string;
  readonly socket: Socket;
  /** the head's deadline in ms, shortened when crowded */
  readonly deadlineMs: number;
  readonly crowded: boolean;
}

export class HeadGate {
  private readonly perIp = new Map<string, number>();
  /** in arrival order: the first is the oldest */
  private readonly pending = new Set<PendingHead>();
  private readonly warned = new Map<string, number>();

  constructor(
    /** warns, at most once a minute per address */
    private readonly warn: (message: string) => void,
    public crowdedTotal = 1024,
    public maxTotal = 4096,
  ) {}

  get total(): number {
    return this.pending.size;
  }

  countOf(ip: string): number {
    return this.perIp.get(ip) ?? 0;
  }

  /** Admits a new connection's head, or returns null (the caller closes the socket). */
  admit(socket: Socket, ip: string, headTimeoutMs: number): PendingHead | null {
    const n = this.countOf(ip) + 1;
    if (n > MAX_PENDING_PER_IP) {
      this.warnOnce(ip, `${ip}: more than ${MAX_PENDING_PER_IP} connections still sending their request; new ones are closed at once`);
      return null;
    }
    if (this.pending.size >= this.maxTotal) {
      const oldest = this.pending.values().next().value!;
      this.warnOnce('*', `more than ${this.maxTotal} connections in all still sending their request; the oldest are closed to make room`);
      oldest.socket.destroy();
      this.release(oldest);
    }
    const crowdedIp = n > CROWDED_PER_IP;
    const crowded = crowdedIp || this.pending.size >= this.crowdedTotal;
    if (crowdedIp) this.warnOnce(ip, `${ip}: more than ${CROWDED_PER_IP} connections still sending their request; new ones get ${CROWDED_HEAD_MS} ms to send it`);
    else if (crowded) this.warnOnce('*', `more than ${this.crowdedTotal} connections in all still sending their request; new ones get ${CROWDED_HEAD_MS} ms to send it`);
    const h: PendingHead = { ip, socket, deadlineMs: crowded ? CROWDED_HEAD_MS : headTimeoutMs, crowded };
    this.perIp.set(ip, n);
    this.pending.add(h);
    return h;
  }

  /** The head is complete, or the connection is gone. Safe to call twice. */
  release(h: PendingHead): void {
    if (!this.pending.delete(h)) return;
    const left = this.countOf(h.ip) - 1;
    if (left > 0) this.perIp.set(h.ip, left);
    else this.perIp.delete(h.ip);
  }

  private warnOnce(key: string, message: string): void {
    const now = Date.now();
    if (now - (this.warned.get(key) ?? -Infinity) < 60_000) return;
    if (this.warned.size > 1000) this.warned.clear();
    this.warned.set(key, now);
    this.warn(message);
  }
}
