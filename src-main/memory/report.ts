// The Stats view's numbers for a period, computed in SQL over the visits and the listener series: a few
// grouped queries, each bounded by the period (an index on the visit start), whatever the station's age.

import type { StatsRange, StatsReport } from '../../src-shared/studio-api.js';
import type { Database } from './sqlite.js';
import { dayOf } from './visitor-key.js';

const SPAN: Record<StatsRange, { ms: number; bucket: number; table: 'minute' | 'hour' }> = {
  day: { ms: 86_400_000, bucket: 60_000, table: 'minute' },
  week: { ms: 7 * 86_400_000, bucket: 3_600_000, table: 'hour' },
  month: { ms: 30 * 86_400_000, bucket: 3_600_000, table: 'hour' },
};

/** hours to the millisecond's precision (a short test visit still counts) */
const hours = (ms: number): number => Math.round(ms) / 3_600_000;
const dayText = (d: number): string => `${Math.floor(d / 10000)}-${String(Math.floor(d / 100) % 100).padStart(2, '0')}-${String(d % 100).padStart(2, '0')}`;

type Row = Record<string, number | string | null>;

export function buildReport(db: Database, range: StatsRange, mount: string | null, now: number): StatsReport {
  const span = SPAN[range];
  const from = now - span.ms;
  // every query has the same filter: visits (or samples) in [from, now), on one mount or on all
  const where = mount === null ? '' : ' AND mount = ?';
  const args = (first: number): (number | string)[] => (mount === null ? [first, now] : [first, now, mount]);

  const series = (db.all(`SELECT t, sum(avg) AS avg, sum(peak) AS peak FROM ${span.table} WHERE t >= ? AND t < ?${where} GROUP BY t ORDER BY t`, args(from - (from % span.bucket))) as Row[]).map((r) => ({
    time: r.t as number,
    avg: Math.round((r.avg as number) * 100) / 100,
    peak: r.peak as number,
  }));

  const dayRows = db.all(`SELECT day, count(*) AS visits, count(DISTINCT visitor) AS uniques, sum(ms) AS ms FROM visit WHERE start >= ? AND start < ?${where} GROUP BY day ORDER BY day`, args(from)) as Row[];
  // medians per day with a window over the day's durations: one row back per day, not every visit
  const medianRows = db.all(
    `SELECT day, avg(ms) AS median FROM (SELECT day, ms, row_number() OVER (PARTITION BY day ORDER BY ms) AS n, count(*) OVER (PARTITION BY day) AS c FROM visit WHERE start >= ? AND start < ?${where}) WHERE n IN ((c + 1) / 2, (c + 2) / 2) GROUP BY day`,
    args(from),
  ) as Row[];
  const medians = new Map(medianRows.map((r) => [r.day as number, (r.median as number) / 1000]));
  const peakByDay = new Map<number, number>();
  let peak = 0;
  let peakAt: number | null = null;
  for (const p of series) {
    const d = dayOf(p.time);
    peakByDay.set(d, Math.max(peakByDay.get(d) ?? 0, p.peak));
    if (p.peak > peak) {
      peak = p.peak;
      peakAt = p.time;
    }
  }
  const days = dayRows.map((r) => ({
    day: dayText(r.day as number),
    visits: r.visits as number,
    uniques: r.uniques as number,
    listeningHours: hours(r.ms as number),
    medianSeconds: Math.round((medians.get(r.day as number) ?? 0) * 10) / 10,
    peak: peakByDay.get(r.day as number) ?? 0,
  }));

  const total = db.get(`SELECT count(*) AS n, coalesce(sum(ms), 0) AS ms FROM visit WHERE start >= ? AND start < ?${where}`, args(from)) as Row;
  const n = total.n as number;
  const median = n
    ? ((db.get(`SELECT avg(ms) AS m FROM (SELECT ms FROM visit WHERE start >= ? AND start < ?${where} ORDER BY ms LIMIT ${2 - (n % 2)} OFFSET ${Math.floor((n - 1) / 2)})`, args(from)) as Row).m as number) / 1000
    : 0;
  const players = (db.all(`SELECT player, count(*) AS visits, sum(ms) AS ms FROM visit WHERE start >= ? AND start < ?${where} GROUP BY player ORDER BY visits DESC, player`, args(from)) as Row[]).map((r) => ({
    family: r.player as string,
    visits: r.visits as number,
    listeningHours: hours(r.ms as number),
  }));
  const mounts = (db.all('SELECT mount FROM mount_total UNION SELECT DISTINCT mount FROM minute ORDER BY mount') as Row[]).map((r) => r.mount as string);
  return {
    range,
    mount,
    from,
    to: now,
    bucketMs: span.bucket,
    series,
    days,
    totals: {
      visits: n,
      listeningHours: hours(total.ms as number),
      medianSeconds: Math.round(median * 10) / 10,
      peak,
      peakAt,
      uniquesPerDay: days.length ? Math.round((days.reduce((s, d) => s + d.uniques, 0) / days.length) * 10) / 10 : 0,
    },
    players,
    mounts,
  };
}
