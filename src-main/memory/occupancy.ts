// Listeners over time, kept in memory between two minute marks: the average (listener-milliseconds over
// the minute) and the peak. A connect or a hang-up is a few additions; the minute tick reads and resets.

export interface MinuteSample {
  mount: string;
  /** the minute's start, ms */
  minute: number;
  /** average listeners over the part of the minute the station ran */
  avg: number;
  peak: number;
}

interface MountOccupancy {
  count: number;
  since: number;
  /** listener-ms since the minute began */
  area: number;
  peak: number;
}

export class Occupancy {
  private readonly mounts = new Map<string, MountOccupancy>();
  private minuteStart: number;

  constructor(now: number) {
    this.minuteStart = now - (now % 60_000);
  }

  private of(mount: string, now: number): MountOccupancy {
    let o = this.mounts.get(mount);
    if (!o) this.mounts.set(mount, (o = { count: 0, since: now, area: 0, peak: 0 }));
    return o;
  }

  change(mount: string, delta: 1 | -1, now: number): void {
    const o = this.of(mount, now);
    o.area += o.count * (now - o.since);
    o.since = now;
    o.count = Math.max(0, o.count + delta);
    if (o.count > o.peak) o.peak = o.count;
  }

  /** Corrects a count from the engine's own (a listener that left without an event is not counted forever). */
  resync(mount: string, count: number, now: number): void {
    const o = this.of(mount, now);
    o.area += o.count * (now - o.since);
    o.since = now;
    o.count = count;
    if (count > o.peak) o.peak = count;
  }

  /** Closes the minute(s) up to `now` and returns one sample per mount for the minute that ended. */
  closeMinute(now: number): MinuteSample[] {
    const end = now - (now % 60_000);
    if (end <= this.minuteStart) return [];
    const span = end - this.minuteStart;
    const out: MinuteSample[] = [];
    for (const [mount, o] of this.mounts) {
      o.area += o.count * (end - o.since);
      out.push({ mount, minute: this.minuteStart, avg: o.area / span, peak: Math.max(o.peak, o.count) });
      o.since = end;
      o.area = 0;
      o.peak = o.count;
    }
    this.minuteStart = end;
    return out;
  }

  /** The minute so far, without closing it: written when the station stops or a report is asked for. */
  partial(now: number): MinuteSample[] {
    const span = now - this.minuteStart;
    if (span <= 0) return [];
    return [...this.mounts].map(([mount, o]) => ({ mount, minute: this.minuteStart, avg: (o.area + o.count * (now - o.since)) / span, peak: Math.max(o.peak, o.count) }));
  }

  /** Mounts counted here that `alive` does not name (removed by a config change, or a source's that left). */
  gone(alive: (mount: string) => boolean): string[] {
    return [...this.mounts.keys()].filter((m) => !alive(m));
  }

  forget(mount: string): void {
    this.mounts.delete(mount);
  }
}
