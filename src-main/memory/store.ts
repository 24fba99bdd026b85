// The station memory's tables and every statement that reads or writes them. One writer (this process),
// batched: each flush is one transaction.

import type { Database } from './sqlite.js';
import { dayOf, type SaltStore } from './visitor-key.js';
import { addVisit, decodeSummary, emptySummary, encodeSummary, merge, type HourSummary } from './hour-summary.js';

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS salt (day INTEGER PRIMARY KEY, salt BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS title (id INTEGER PRIMARY KEY, mount TEXT NOT NULL, time INTEGER NOT NULL, title TEXT NOT NULL, origin TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS title_mount_time ON title (mount, time);
CREATE TABLE IF NOT EXISTS autodj_position (mount TEXT PRIMARY KEY, path TEXT NOT NULL, started INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS mount_total (mount TEXT PRIMARY KEY, visits INTEGER NOT NULL, seconds REAL NOT NULL, peak INTEGER NOT NULL, peak_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS visit (id INTEGER PRIMARY KEY, mount TEXT NOT NULL, start INTEGER NOT NULL, ms INTEGER NOT NULL, bytes INTEGER NOT NULL, player TEXT NOT NULL, visitor TEXT NOT NULL, day INTEGER NOT NULL, ip TEXT);
CREATE INDEX IF NOT EXISTS visit_start ON visit (start);
CREATE TABLE IF NOT EXISTS minute (mount TEXT NOT NULL, t INTEGER NOT NULL, avg REAL NOT NULL, peak INTEGER NOT NULL, PRIMARY KEY (mount, t)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hour (mount TEXT NOT NULL, t INTEGER NOT NULL, avg REAL NOT NULL, peak INTEGER NOT NULL, PRIMARY KEY (mount, t)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hour_visit (mount TEXT NOT NULL, t INTEGER NOT NULL, visits INTEGER NOT NULL, ms INTEGER NOT NULL, hist TEXT NOT NULL, players TEXT NOT NULL, PRIMARY KEY (mount, t)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS day_visitor (mount TEXT NOT NULL, day INTEGER NOT NULL, visitor TEXT NOT NULL, PRIMARY KEY (mount, day, visitor)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS day_unique (mount TEXT NOT NULL, day INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (mount, day)) WITHOUT ROWID;
`;

/** day_visitor and day_unique use this for "all mounts together" (a listener on two mounts is one) */
export const ALL_MOUNTS = '*';

/** Per-minute samples are kept two days (the day view needs 24 hours); everything else `retentionDays`. */
const MINUTE_KEEP_MS = 2 * 86_400_000;
/** titles kept per mount: the history lists show 20 to 50 */
const TITLES_KEPT = 200;
/** visitor keys remembered as counted, at most (about 8 MB); past that the cache starts again */
const COUNTED_KEPT = 100_000;
/** visits one prune deletes at most (about 20 ms of work); the rest go on the next minutes */
const PRUNE_VISITS = 5000;

export interface VisitRow {
  mount: string;
  start: number;
  ms: number;
  bytes: number;
  player: string;
  visitor: string;
  day: number;
  ip: string | null;
}

export interface TitleRow {
  mount: string;
  time: number;
  title: string;
  origin: 'live' | 'auto';
}

export interface MinuteRow {
  mount: string;
  minute: number;
  avg: number;
  peak: number;
}

export interface MountTotal {
  visits: number;
  seconds: number;
  peak: number;
  peakAt: number;
}

/** Reads the schema and makes what is missing; throws on a damaged file (openDatabase then moves it aside). */
export function prepareSchema(db: Database): void {
  db.exec(SCHEMA);
  const v = db.get('PRAGMA user_version') as { user_version: number } | null;
  if (!v || v.user_version > SCHEMA_VERSION) throw new Error(`schema version ${v?.user_version} is newer than this Cycast understands`);
  if (v.user_version < SCHEMA_VERSION) db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  // reads a page of every table, so a damaged file fails here (and is moved aside) rather than mid-broadcast
  for (const t of ['meta', 'salt', 'title', 'autodj_position', 'mount_total', 'visit', 'minute', 'hour', 'hour_visit', 'day_visitor', 'day_unique']) db.get(`SELECT count(*) AS n FROM (SELECT 1 FROM ${t} LIMIT 1)`);
}

type Stmt = ReturnType<Database['prepare']>;

export class StationStore implements SaltStore {
  private readonly stmts: Stmt[] = [];
  private readonly insVisit: Stmt;
  private readonly insTitle: Stmt;
  private readonly upPosition: Stmt;
  private readonly insMinute: Stmt;
  private readonly upHour: Stmt;
  private readonly upTotal: Stmt;
  private readonly getHourVisit: Stmt;
  private readonly upHourVisit: Stmt;
  private readonly insVisitor: Stmt;
  /** visitor keys known to be in day_visitor (a cache: the table decides) */
  private readonly counted = new Set<string>();
  private readonly upUnique: Stmt;

  constructor(readonly db: Database) {
    this.insVisit = this.prep('INSERT INTO visit (mount, start, ms, bytes, player, visitor, day, ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.insTitle = this.prep('INSERT INTO title (mount, time, title, origin) VALUES (?, ?, ?, ?)');
    this.upPosition = this.prep('INSERT OR REPLACE INTO autodj_position (mount, path, started) VALUES (?, ?, ?)');
    this.insMinute = this.prep('INSERT OR REPLACE INTO minute (mount, t, avg, peak) VALUES (?, ?, ?, ?)');
    // the hour row is recomputed from its minutes each minute: always current, and right after a restart
    this.upHour = this.prep(
      'INSERT OR REPLACE INTO hour (mount, t, avg, peak) SELECT mount, ?2, sum(avg) / 60.0, max(peak) FROM minute WHERE mount = ?1 AND t >= ?2 AND t < ?2 + 3600000 GROUP BY mount',
    );
    this.upTotal = this.prep(
      `INSERT INTO mount_total (mount, visits, seconds, peak, peak_at) VALUES (?1, ?2, ?3, ?4, ?5)
       ON CONFLICT (mount) DO UPDATE SET visits = visits + ?2, seconds = seconds + ?3,
         peak_at = CASE WHEN ?4 > peak THEN ?5 ELSE peak_at END, peak = max(peak, ?4)`,
    );
    this.getHourVisit = this.prep('SELECT visits, ms, hist, players FROM hour_visit WHERE mount = ? AND t = ?');
    this.upHourVisit = this.prep('INSERT OR REPLACE INTO hour_visit (mount, t, visits, ms, hist, players) VALUES (?, ?, ?, ?, ?, ?)');
    this.insVisitor = this.prep('INSERT OR IGNORE INTO day_visitor (mount, day, visitor) VALUES (?, ?, ?)');
    this.upUnique = this.prep('INSERT INTO day_unique (mount, day, n) VALUES (?1, ?2, 1) ON CONFLICT (mount, day) DO UPDATE SET n = n + 1');
  }

  /** Adds visits to the summaries of the hours they started in (read, merged, written back). */
  private summarise(visits: VisitRow[]): void {
    const hours = new Map<string, { mount: string; t: number; s: HourSummary }>();
    for (const v of visits) {
      const t = v.start - (v.start % 3_600_000);
      const key = `${v.mount}|${t}`;
      let h = hours.get(key);
      if (!h) hours.set(key, (h = { mount: v.mount, t, s: emptySummary() }));
      addVisit(h.s, v.ms, v.player);
      // unique listeners per day, on the mount and on all mounts together; a listener already counted
      // today (most reconnects) costs no statement at all
      for (const m of [v.mount, ALL_MOUNTS]) {
        const key = `${m}|${v.day}|${v.visitor}`;
        if (this.counted.has(key)) continue;
        if (this.counted.size >= COUNTED_KEPT) this.counted.clear();
        this.counted.add(key);
        if (this.insVisitor.run([m, v.day, v.visitor]).changes) this.upUnique.run([m, v.day]);
      }
    }
    for (const h of hours.values()) {
      // all(), not get(): a statement stepped to its end holds no read lock (one left open would keep the
      // WAL from being checkpointed)
      const old = this.getHourVisit.all([h.mount, h.t])[0] as { visits: number; ms: number; hist: string; players: string } | undefined;
      if (old) merge(h.s, decodeSummary(old.visits, old.ms, old.hist, old.players));
      const enc = encodeSummary(h.s);
      this.upHourVisit.run([h.mount, h.t, h.s.visits, h.s.ms, enc.hist, enc.players]);
    }
  }

  private prep(sql: string): Stmt {
    const s = this.db.prepare(sql);
    this.stmts.push(s);
    return s;
  }

  /** Writes one batch in one transaction (all or nothing). */
  write(batch: { visits: VisitRow[]; titles: TitleRow[]; positions: Map<string, { path: string; started: number }>; minutes: MinuteRow[] }): void {
    const db = this.db;
    db.exec('BEGIN');
    try {
      const totals = new Map<string, { visits: number; seconds: number; peak: number; peakAt: number }>();
      const total = (m: string) => totals.get(m) ?? (totals.set(m, { visits: 0, seconds: 0, peak: 0, peakAt: 0 }), totals.get(m)!);
      for (const v of batch.visits) {
        this.insVisit.run([v.mount, v.start, v.ms, v.bytes, v.player, v.visitor, v.day, v.ip]);
        const t = total(v.mount);
        t.visits++;
        t.seconds += v.ms / 1000;
      }
      if (batch.visits.length) this.summarise(batch.visits);
      for (const t of batch.titles) this.insTitle.run([t.mount, t.time, t.title, t.origin]);
      for (const [mount, p] of batch.positions) this.upPosition.run([mount, p.path, p.started]);
      for (const m of batch.minutes) {
        this.insMinute.run([m.mount, m.minute, m.avg, m.peak]);
        this.upHour.run([m.mount, m.minute - (m.minute % 3_600_000)]);
        const t = total(m.mount);
        if (m.peak > t.peak) {
          t.peak = m.peak;
          t.peakAt = m.minute;
        }
      }
      for (const [mount, t] of totals) this.upTotal.run([mount, t.visits, t.seconds, t.peak, t.peakAt]);
      db.exec('COMMIT');
    } catch (e) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw e;
    }
  }

  /**
   * Deletes what is older than the retention (and titles past the kept count), at most PRUNE_VISITS visits
   * at a time so a shortened retention never stalls the station. Returns whether old visits remain.
   */
  prune(now: number, retentionDays: number): boolean {
    const cutoff = now - retentionDays * 86_400_000;
    let more = false;
    this.db.exec('BEGIN');
    try {
      more = this.db.run(`DELETE FROM visit WHERE id IN (SELECT id FROM visit WHERE start < ? LIMIT ${PRUNE_VISITS})`, [cutoff]).changes === PRUNE_VISITS;
      this.db.run('DELETE FROM hour WHERE t < ?', [cutoff]);
      this.db.run('DELETE FROM hour_visit WHERE t < ?', [cutoff]);
      this.db.run('DELETE FROM day_unique WHERE day < ?', [dayOf(cutoff)]);
      // a day's visitor keys are needed while its visits can still end: today's and yesterday's
      this.db.run('DELETE FROM day_visitor WHERE day < ?', [dayOf(now - 2 * 86_400_000)]);
      this.db.run('DELETE FROM minute WHERE t < ?', [now - MINUTE_KEEP_MS]);
      this.db.run(`DELETE FROM title WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY mount ORDER BY time DESC, id DESC) AS n FROM title) WHERE n > ${TITLES_KEPT})`);
      this.db.exec('COMMIT');
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw e;
    }
    return more;
  }

  /** Titles of a mount, newest first. */
  titles(mount: string, limit: number): TitleRow[] {
    return this.db.all('SELECT mount, time, title, origin FROM title WHERE mount = ? ORDER BY time DESC, id DESC LIMIT ?', [mount, limit]) as unknown as TitleRow[];
  }

  position(mount: string): { path: string; started: number } | null {
    return (this.db.get('SELECT path, started FROM autodj_position WHERE mount = ?', [mount]) as { path: string; started: number } | null) ?? null;
  }

  totals(): Map<string, MountTotal> {
    const rows = this.db.all('SELECT mount, visits, seconds, peak, peak_at FROM mount_total') as { mount: string; visits: number; seconds: number; peak: number; peak_at: number }[];
    return new Map(rows.map((r) => [r.mount, { visits: r.visits, seconds: r.seconds, peak: r.peak, peakAt: r.peak_at }]));
  }

  /** Per-minute samples of a mount since `from`, oldest first. */
  minutes(mount: string, from: number): MinuteRow[] {
    return this.db.all('SELECT mount, t AS minute, avg, peak FROM minute WHERE mount = ? AND t >= ? ORDER BY t', [mount, from]) as unknown as MinuteRow[];
  }

  /** Hour summaries since `from`, per mount (or every mount's), oldest first. */
  hourSummaries(mount: string | null, from: number, to: number): { mount: string; t: number; s: HourSummary }[] {
    const rows = this.db.all(
      `SELECT mount, t, visits, ms, hist, players FROM hour_visit WHERE t >= ? AND t < ?${mount === null ? '' : ' AND mount = ?'} ORDER BY t`,
      mount === null ? [from, to] : [from, to, mount],
    ) as { mount: string; t: number; visits: number; ms: number; hist: string; players: string }[];
    return rows.map((r) => ({ mount: r.mount, t: r.t, s: decodeSummary(r.visits, r.ms, r.hist, r.players) }));
  }

  /** Unique listeners per day (YYYYMMDD -> n) from `fromDay`, on a mount or on all of them (ALL_MOUNTS). */
  uniques(mount: string, fromDay: number): Map<number, number> {
    const rows = this.db.all('SELECT day, n FROM day_unique WHERE mount = ? AND day >= ?', [mount, fromDay]) as { day: number; n: number }[];
    return new Map(rows.map((r) => [r.day, r.n]));
  }

  load(day: number): Buffer | null {
    const r = this.db.get('SELECT salt FROM salt WHERE day = ?', [day]) as { salt: Uint8Array } | null;
    return r ? Buffer.from(r.salt) : null;
  }

  save(day: number, salt: Buffer): void {
    this.db.run('INSERT OR REPLACE INTO salt (day, salt) VALUES (?, ?)', [day, salt]);
  }

  forgetBefore(day: number): void {
    this.db.run('DELETE FROM salt WHERE day < ?', [day]);
  }

  /** Finalises the statements (the WASM build does not garbage-collect them). */
  close(): void {
    for (const s of this.stmts) if (!s.isFinalized) s.finalize();
    this.stmts.length = 0;
  }
}
