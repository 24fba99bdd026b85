// The Stats view's numbers for a period, from the summaries: listener samples (per minute or per hour),
// hour summaries of the visits and unique listeners per day. At most a few thousand small rows, whatever
// the station's age: a report never reads the visits themselves.

import type { StatsRange, StatsReport } from '../../src-shared/studio-api.js';
import { emptySummary, medianSeconds, merge, type HourSummary } from './hour-summary.js';
import { ALL_MOUNTS, type StationStore } from './store.js';
import { dayOf } from './visitor-key.js';

const SPAN: Record<StatsRange, { ms: number; bucket: number; table: 'minute' | 'hour' }> = {
  day: { ms: 86_400_000, bucket: 60_000, table: 'minute' },
  week: { ms: 7 * 86_400_000, bucket: 3_600_000, table: 'hour' },
  month: { ms: 30 * 86_400_000, bucket: 3_600_000, table: 'hour' },
};

/** hours to the millisecond's precision (a short test visit still counts) */
const hours = (ms: number): number => Math.round(ms) / 3_600_000;
const tenths = (x: number): number => Math.round(x * 10) / 10;
const dayText = (d: number): string => `${Math.floor(d / 10000)}-${String(Math.floor(d / 100) % 100).padStart(2, '0')}-${String(d % 100).padStart(2, '0')}`;

type Row = Record<string, number | string | null>;

function listenerSeries(store: StationStore, table: 'minute' | 'hour', mount: string | null, from: number, to: number) {
  const where = mount === null ? '' : ' AND mount = ?';
  const rows = store.db.all(`SELECT t, sum(avg) AS avg, sum(peak) AS peak FROM ${table} WHERE t >= ? AND t < ?${where} GROUP BY t ORDER BY t`, mount === null ? [from, to] : [from, to, mount]) as Row[];
  return rows.map((r) => ({ time: r.t as number, avg: Math.round((r.avg as number) * 100) / 100, peak: r.peak as number }));
}

export function buildReport(store: StationStore, range: StatsRange, mount: string | null, now: number): StatsReport {
  const span = SPAN[range];
  const from = now - span.ms;
  const series = listenerSeries(store, span.table, mount, from - (from % span.bucket), now);
  // visits by the hour they started in; the first hour is counted whole
  const total = emptySummary();
  const byDay = new Map<number, HourSummary>();
  for (const h of store.hourSummaries(mount, from - (from % 3_600_000), now)) {
    merge(total, h.s);
    const d = dayOf(h.t);
    if (!byDay.has(d)) byDay.set(d, emptySummary());
    merge(byDay.get(d)!, h.s);
  }
  const uniques = store.uniques(mount ?? ALL_MOUNTS, dayOf(from));
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
  const days = [...byDay]
    .sort(([a], [b]) => a - b)
    .map(([d, s]) => ({ day: dayText(d), visits: s.visits, uniques: uniques.get(d) ?? 0, listeningHours: hours(s.ms), medianSeconds: tenths(medianSeconds(s)), peak: peakByDay.get(d) ?? 0 }));
  const players = [...total.players]
    .map(([family, [visits, ms]]) => ({ family, visits, listeningHours: hours(ms) }))
    .sort((a, b) => b.visits - a.visits || a.family.localeCompare(b.family));
  const mounts = (store.db.all('SELECT mount FROM mount_total UNION SELECT DISTINCT mount FROM minute ORDER BY mount') as Row[]).map((r) => r.mount as string);
  return {
    range,
    mount,
    from,
    to: now,
    bucketMs: span.bucket,
    series,
    days,
    totals: {
      visits: total.visits,
      listeningHours: hours(total.ms),
      medianSeconds: tenths(medianSeconds(total)),
      peak,
      peakAt,
      uniquesPerDay: days.length ? tenths(days.reduce((n, d) => n + d.uniques, 0) / days.length) : 0,
    },
    players,
    mounts,
  };
}
