// The station memory: what the station remembers across restarts, in one SQLite file (station.db beside
// config.hcl). It listens to the engine's events (the engine never imports it): titles on air, the AutoDJ
// track, listener visits and listeners over time. An event only pushes onto an in-memory queue; a timer
// writes the queue in one transaction. On open it gives the engine back its title history, listener
// peaks and the track the AutoDJ continues after.

import { join } from 'node:path';
import { provideStatsHistory, type Engine, type Listener, type Logger, type Mount, type Playlist } from '../engine/index.js';
import type { StatsRange, StatsReport } from '../../src-shared/studio-api.js';
import { closeDatabase, DatabaseInUseError, isCorruption, moveAside, openDatabase, type OpenedDatabase } from './sqlite.js';
import { prepareSchema, StationStore, type MinuteRow, type TitleRow, type VisitRow } from './store.js';
import { Occupancy } from './occupancy.js';
import { playerFamily } from './player-family.js';
import { dayOf, VisitorKeys } from './visitor-key.js';
import { buildReport } from './report.js';

export const STATION_DB = 'station.db';

/** How often the queue is written, and the size that writes it at once. */
const FLUSH_MS = 5000;
const FLUSH_AT = 1000;
/** visits one flush writes at most: about 40 ms of work; more wait for the next one (scheduled at once) */
const MAX_BATCH = 1000;
/** The queue never holds more visits than this: a database that cannot be written costs bounded memory. */
const MAX_PENDING = 50_000;
/** titles given back to each mount's history on open (the mount keeps 50) */
const HISTORY_RESTORED = 50;
/** /api/stats' history is rebuilt at most this often, however often monitors poll */
const HISTORY_CACHE_MS = 30_000;

export interface StationMemoryOptions {
  /** the folder of config.hcl: station.db lives there */
  dataDir: string;
  engine: Engine;
  log: Logger;
  /** flush period, ms (tests shorten it) */
  flushMs?: number;
}

interface EndedVisit {
  mount: string;
  start: number;
  end: number;
  bytes: number;
  userAgent: string;
  ip: string;
}

export class StationMemory {
  readonly file: string;
  private opened: OpenedDatabase;
  private store: StationStore;
  private keys: VisitorKeys;
  private readonly occupancy: Occupancy;
  private visits: EndedVisit[] = [];
  private titles: TitleRow[] = [];
  private positions = new Map<string, { path: string; started: number }>();
  private minutes: MinuteRow[] = [];
  /** visits and seconds recorded so far, per mount (the database's totals plus what is queued) */
  private readonly totals = new Map<string, { visits: number; seconds: number }>();
  private readonly restored = new WeakSet<Mount>();
  private readonly resumed = new WeakSet<Playlist>();
  private readonly handlers: [string, (...a: never[]) => void][] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private minuteTimer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Immediate | null = null;
  private droppedVisits = 0;
  private lastPruneHour = -1;
  private lastWriteError = 0;
  private historyCache: { at: number; value: unknown } | null = null;
  private closed = false;

  constructor(private readonly opts: StationMemoryOptions) {
    this.file = join(opts.dataDir, STATION_DB);
    this.opened = this.openFile();
    this.store = new StationStore(this.opened.db);
    this.keys = new VisitorKeys(this.store);
    this.occupancy = new Occupancy(Date.now());
    for (const [mount, t] of this.store.totals()) this.totals.set(mount, { visits: t.visits, seconds: t.seconds });
    for (const m of opts.engine.mounts.values()) this.restore(m);
    this.listen();
    this.pruneIfDue(Date.now());
    this.flushTimer = setInterval(() => this.flush(), opts.flushMs ?? FLUSH_MS);
    this.flushTimer.unref();
    this.scheduleMinute();
    provideStatsHistory(opts.engine.mounts, { history: () => this.apiHistory(), visitTotals: () => this.visitTotals() });
  }

  private get engine(): Engine {
    return this.opts.engine;
  }

  private openFile(): OpenedDatabase {
    let opened: OpenedDatabase;
    try {
      opened = openDatabase(this.file, prepareSchema);
    } catch (e) {
      if (!(e instanceof DatabaseInUseError)) throw e;
      // another station owns the file: this one still remembers, until it stops
      this.opts.log.error(`station memory: ${e.message}; keeping statistics in memory until the next start`);
      opened = openDatabase(':memory:', prepareSchema);
    }
    for (const n of opened.notes) this.opts.log.warn(`station memory: ${n}`);
    return opened;
  }

  private on<A extends unknown[]>(name: string, fn: (...a: A) => void): void {
    this.engine.on(name as 'title', fn as unknown as () => void);
    this.handlers.push([name, fn as unknown as (...a: never[]) => void]);
  }

  /** Per event: arithmetic and a push; no database, no hashing, no timer. */
  private listen(): void {
    this.on('listener-connect', (m: Mount) => this.occupancy.change(m.path, 1, Date.now()));
    this.on('listener-disconnect', (m: Mount, l: Listener) => {
      const now = Date.now();
      this.occupancy.change(m.path, -1, now);
      if (!this.engine.config.stats.enabled) return;
      if (this.visits.length >= MAX_PENDING) {
        this.droppedVisits++;
        return;
      }
      this.visits.push({ mount: m.path, start: l.connectedAt, end: now, bytes: l.bytesSent, userAgent: l.userAgent, ip: l.ip });
      if (this.visits.length === FLUSH_AT) this.flushSoon();
    });
    this.on('title', (m: Mount) => this.titleChanged(m));
    this.on('autodj-state', (m: Mount) => this.restore(m));
    // a mount made by a source (or by a config change) gets its history when it first goes on air
    this.on('source-connect', (m: Mount) => this.restore(m));
  }

  /** Gives a mount its history and peak from before the restart (once per mount object), and its AutoDJ position. */
  private restore(m: Mount): void {
    if (this.restored.has(m)) return this.resume(m);
    this.restored.add(m);
    // runs inside the engine's events: a database failure is logged here and goes no further
    this.guarded('restore', () => {
      const saved = this.store.titles(m.path, HISTORY_RESTORED);
      // titles that went on air since the mount was created are newer than any saved one
      const oldest = m.history.length ? m.history[m.history.length - 1].time : Infinity;
      for (const t of saved) if (t.time < oldest && m.history.length < HISTORY_RESTORED) m.history.push({ time: t.time, title: t.title, origin: t.origin });
      const peak = this.store.totals().get(m.path)?.peak ?? 0;
      if (peak > m.listenerPeak) m.listenerPeak = peak;
    });
    this.resume(m);
  }

  /** The AutoDJ continues after the track that was on air when the station stopped. */
  private resume(m: Mount): void {
    const p = this.engine.playlistOf(m.path);
    if (!p || this.resumed.has(p)) return;
    this.resumed.add(p);
    this.guarded('resume', () => {
      const pos = this.store.position(m.path);
      if (pos) p.resumeAfter(pos.path);
    });
  }

  private titleChanged(m: Mount): void {
    this.restore(m);
    if (!m.title) return;
    this.titles.push({ mount: m.path, time: m.titleChangedAt, title: m.title, origin: m.titleOrigin });
    const np = m.titleOrigin === 'auto' ? this.engine.feederOf(m.path)?.nowPlaying : null;
    if (np && !np.entry.fallback) this.positions.set(m.path, { path: np.entry.track.path, started: np.startedAt });
    // a title is rare and the AutoDJ position must survive a crash a moment later: write it now
    this.flushSoon();
  }

  private flushSoon(): void {
    if (this.soon || this.closed) return;
    this.soon = setImmediate(() => {
      this.soon = null;
      this.flush();
    });
  }

  private scheduleMinute(): void {
    const now = Date.now();
    this.minuteTimer = setTimeout(() => this.minuteTick(), 60_000 - (now % 60_000) + 20);
    this.minuteTimer.unref();
  }

  /** Closes the minute's listener samples (counts checked against the engine's own), then writes. */
  private minuteTick(): void {
    const now = Date.now();
    for (const m of this.engine.mounts.values()) this.occupancy.resync(m.path, m.broadcaster.count, now);
    // a mount that is gone has no listeners: its last minute is written, then it is no longer sampled
    const gone = this.occupancy.gone((path) => this.engine.mounts.has(path));
    for (const path of gone) this.occupancy.resync(path, 0, now);
    this.minutes.push(...this.occupancy.closeMinute(now));
    for (const path of gone) this.occupancy.forget(path);
    this.flush();
    this.pruneIfDue(now);
    this.scheduleMinute();
  }

  private pruneIfDue(now: number): void {
    const hour = Math.floor(now / 3_600_000);
    if (hour === this.lastPruneHour) return;
    this.lastPruneHour = hour;
    this.guarded('prune', () => {
      // old visits left over: the next minute goes on with them
      if (this.store.prune(now, this.engine.config.stats.retention_days)) this.lastPruneHour = -1;
      this.keys.rotate(now);
    });
  }

  private toRow(v: EndedVisit, now: number): VisitRow {
    const day = dayOf(v.start);
    return {
      mount: v.mount,
      start: v.start,
      ms: Math.max(0, v.end - v.start),
      bytes: v.bytes,
      player: playerFamily(v.userAgent),
      visitor: this.keys.key(day, now, v.ip, v.userAgent),
      day,
      ip: this.engine.config.stats.store_addresses ? v.ip : null,
    };
  }

  private pendingCount(): number {
    return this.visits.length + this.titles.length + this.positions.size + this.minutes.length;
  }

  /** Writes everything queued in one transaction. Nothing is lost when it fails: the queue is kept. */
  flush(): void {
    if (this.closed || this.pendingCount() === 0) return;
    const now = Date.now();
    const visits = this.visits.length > MAX_BATCH ? this.visits.slice(0, MAX_BATCH) : this.visits;
    const batch = { visits: [] as VisitRow[], titles: this.titles, positions: this.positions, minutes: this.minutes };
    this.visits = visits === this.visits ? [] : this.visits.slice(MAX_BATCH);
    this.titles = [];
    this.positions = new Map();
    this.minutes = [];
    const ok = this.guarded('write', () => {
      batch.visits = visits.map((v) => this.toRow(v, now));
      this.store.write(batch);
    });
    if (!ok) {
      // put it back in front of anything queued meanwhile, within the bound
      this.visits = visits.concat(this.visits).slice(-MAX_PENDING);
      this.titles = batch.titles.concat(this.titles);
      for (const [k, v] of batch.positions) if (!this.positions.has(k)) this.positions.set(k, v);
      this.minutes = batch.minutes.concat(this.minutes);
      return;
    }
    for (const v of visits) {
      const t = this.totals.get(v.mount) ?? { visits: 0, seconds: 0 };
      t.visits++;
      t.seconds += Math.max(0, v.end - v.start) / 1000;
      this.totals.set(v.mount, t);
    }
    if (this.visits.length) this.flushSoon();
    if (this.droppedVisits) {
      this.opts.log.warn(`station memory: ${this.droppedVisits} listener visits were not recorded (the queue was full while the database could not be written)`);
      this.droppedVisits = 0;
    }
  }

  /**
   * Runs a database step. A damaged file is moved aside and a fresh one opened (the step is retried once);
   * any other failure is logged at most once a minute. Returns whether the step succeeded.
   */
  private guarded(what: string, step: () => void): boolean {
    try {
      step();
      return true;
    } catch (e) {
      if (isCorruption(e) && this.opened.file !== ':memory:') {
        this.opts.log.error(`station memory: ${this.file} is damaged (${(e as Error).message}); moving it aside and starting a fresh one`);
        this.reopenFresh();
        try {
          step();
          return true;
        } catch (again) {
          e = again;
        }
      }
      if (Date.now() - this.lastWriteError > 60_000) {
        this.lastWriteError = Date.now();
        this.opts.log.error(`station memory: ${what} failed: ${(e as Error).message}`);
      }
      return false;
    }
  }

  private reopenFresh(): void {
    this.store.close();
    try {
      closeDatabase(this.opened);
    } catch {
      // a damaged file may not close cleanly; its lock is removed with it
    }
    try {
      this.opts.log.warn(`station memory: the damaged file is now ${moveAside(this.file)}`);
    } catch (e) {
      this.opts.log.warn(`station memory: could not move ${this.file} aside: ${(e as Error).message}`);
    }
    this.opened = this.openFile();
    this.store = new StationStore(this.opened.db);
    this.keys = new VisitorKeys(this.store);
  }

  /** Listener statistics for the Stats view (what is queued is written first, so it counts). */
  report(range: StatsRange, mount: string | null): StatsReport {
    this.minutes.push(...this.occupancy.partial(Date.now()));
    this.flush();
    return buildReport(this.store, range, mount, Date.now());
  }

  /**
   * Listener samples of the last `ms` for a mount's graph in the studio: [time, most at once that minute],
   * oldest first (the graph's own samples are counts at an instant; a minute's average would hide a peak).
   */
  listenerGraph(mount: string, ms = 3_600_000): [number, number][] {
    return this.store.minutes(mount, Date.now() - ms).map((r) => [r.minute, r.peak]);
  }

  /** Lifetime visit totals per mount, including what is queued. */
  visitTotals(): Map<string, { visits: number; seconds: number }> {
    const out = new Map([...this.totals].map(([k, v]) => [k, { ...v }]));
    for (const v of this.visits) {
      const t = out.get(v.mount) ?? { visits: 0, seconds: 0 };
      t.visits++;
      t.seconds += Math.max(0, v.end - v.start) / 1000;
      out.set(v.mount, t);
    }
    for (const m of this.engine.mounts.values()) if (!out.has(m.path)) out.set(m.path, { visits: 0, seconds: 0 });
    return out;
  }

  /** /api/stats' `history`: the last 24 hours per minute and 30 days per day, all mounts, and totals. */
  private apiHistory(): unknown {
    const now = Date.now();
    if (this.historyCache && now - this.historyCache.at < HISTORY_CACHE_MS) return this.historyCache.value;
    let day: StatsReport;
    let month: StatsReport;
    try {
      day = this.report('day', null);
      month = this.report('month', null);
    } catch (e) {
      return { error: `the station memory cannot be read: ${(e as Error).message}` };
    }
    const value = {
      listeners_per_minute: day.series.map((p) => ({ time: new Date(p.time).toISOString(), avg: p.avg, peak: p.peak })),
      days: month.days.map((d) => ({ day: d.day, visits: d.visits, unique_listeners: d.uniques, listening_hours: d.listeningHours, median_visit_seconds: d.medianSeconds, peak: d.peak })),
      last_30_days: { visits: month.totals.visits, listening_hours: month.totals.listeningHours, median_visit_seconds: month.totals.medianSeconds, peak: month.totals.peak, unique_listeners_per_day: month.totals.uniquesPerDay },
      players: month.players.map((p) => ({ player: p.family, visits: p.visits, listening_hours: p.listeningHours })),
      mounts: [...this.visitTotals()].map(([mount, t]) => ({ mount, visits_total: t.visits, listening_seconds_total: Math.round(t.seconds) })),
    };
    this.historyCache = { at: now, value };
    return value;
  }

  /** Writes what is queued and closes the file. */
  close(): void {
    if (this.closed) return;
    if (this.soon) clearImmediate(this.soon);
    this.soon = null;
    const now = Date.now();
    this.minutes.push(...this.occupancy.closeMinute(now), ...this.occupancy.partial(now));
    // everything queued, batch after batch (a failed write leaves the queue as it was: stop then)
    for (let left = this.visits.length + 1; left > 0 && this.pendingCount() > 0; left -= MAX_BATCH) this.flush();
    if (this.soon) clearImmediate(this.soon);
    this.closed = true;
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.minuteTimer) clearTimeout(this.minuteTimer);
    for (const [name, fn] of this.handlers) this.engine.off(name as 'title', fn as unknown as () => void);
    provideStatsHistory(this.engine.mounts, null);
    this.store.close();
    closeDatabase(this.opened);
  }
}

/** Opens the station memory for an engine: call before engine.start() so the AutoDJ resumes where it was. */
export function openStationMemory(opts: StationMemoryOptions): StationMemory {
  return new StationMemory(opts);
}
