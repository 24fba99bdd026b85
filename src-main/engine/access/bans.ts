// Kick bans: a source an admin kicked may not log in to that mount again for a while, so its automatic
// reconnect does not put it straight back on air; a kicked listener may not tune in again for a while.

export class KickBans {
  /** `mount|ip` -> until when (ms) */
  private readonly until = new Map<string, number>();

  constructor(private readonly maxEntries = 10_000) {}

  ban(mount: string, ip: string, seconds: number, now = Date.now()): void {
    if (seconds <= 0) return;
    if (this.until.size >= this.maxEntries) this.until.delete(this.until.keys().next().value!);
    this.until.set(`${mount}|${ip}`, now + seconds * 1000);
  }

  /** Seconds a source from `ip` must still wait before it may log in to `mount` (0: it may). */
  remaining(mount: string, ip: string, now = Date.now()): number {
    const key = `${mount}|${ip}`;
    const until = this.until.get(key);
    if (until === undefined) return 0;
    if (until <= now) {
      this.until.delete(key);
      return 0;
    }
    return Math.ceil((until - now) / 1000);
  }
}

/** The ban key of listeners on `mount` (kept apart from the mount's source bans). */
export function listenerBanKey(mount: string): string {
  return `listen ${mount}`;
}
