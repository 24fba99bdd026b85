// A StatsReport as CSV (RFC 4180, comma-separated, one header row per section), for spreadsheets. Pure, so
// the studio builds the download itself and tests check the text.

import type { StatsReport } from './studio-api.js';

function cell(v: string | number): string {
  const s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : v;
  // a leading = + - @ would be run as a formula by spreadsheets: quote it with an apostrophe
  const safe = /^[=+\-@\t\r]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const row = (cells: (string | number)[]): string => cells.map(cell).join(',');

/** Three sections, separated by a blank line: listeners over time, days, players. */
export function statsCsv(r: StatsReport): string {
  const mount = r.mount ?? 'all';
  const lines = [row(['time', 'mount', 'listeners_avg', 'listeners_peak'])];
  for (const p of r.series) lines.push(row([new Date(p.time).toISOString(), mount, p.avg, p.peak]));
  lines.push('', row(['day', 'mount', 'visits', 'unique_listeners', 'listening_hours', 'median_visit_seconds', 'peak']));
  for (const d of r.days) lines.push(row([d.day, mount, d.visits, d.uniques, d.listeningHours, d.medianSeconds, d.peak]));
  lines.push('', row(['player', 'mount', 'visits', 'listening_hours']));
  for (const p of r.players) lines.push(row([p.family, mount, p.visits, p.listeningHours]));
  return lines.join('\r\n') + '\r\n';
}
