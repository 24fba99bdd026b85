// Listener statistics from the station memory: listeners over a day, a week or a month, per mount or all,
// with the totals, the days and the players, and a CSV download of what is shown. Self-contained (its own
// stylesheet, fluid widths), so it fits a 390 px phone screen without scrolling sideways.

import { useCallback, useEffect, useState } from 'react';
import type { StatsRange, StatsReport } from '../../src-shared/studio-api.js';
import { STATS_RANGES } from '../../src-shared/studio-api.js';
import { statsCsv } from '../../src-shared/stats-csv.js';
import { studio } from '../api.js';
import { duration } from '../format.js';
import { useStudio } from '../store.js';
import './StatsPanel.css';

const RANGE_LABEL: Record<StatsRange, string> = { day: 'Day', week: 'Week', month: 'Month' };
const REFRESH_MS = 60_000;

function hoursText(h: number): string {
  return h >= 100 ? h.toFixed(0) : h >= 10 ? h.toFixed(1) : h.toFixed(2);
}

/** Listeners over the period: the average as an area, the peak as a line. */
function SeriesChart({ report }: { report: StatsReport }) {
  const width = 600;
  const height = 140;
  const span = Math.max(1, report.to - report.from);
  const max = Math.max(1, ...report.series.map((p) => p.peak));
  const x = (t: number): number => ((t - report.from) / span) * width;
  const y = (n: number): number => height - (n / max) * (height - 14);
  const pts = report.series.filter((p) => p.time >= report.from - report.bucketMs);
  const path = (f: (p: StatsReport['series'][number]) => number): string => pts.map((p, i) => `${i ? 'L' : 'M'}${x(p.time).toFixed(1)},${y(f(p)).toFixed(1)}`).join(' ');
  const avg = path((p) => p.avg);
  const area = pts.length ? `${avg} L${x(pts[pts.length - 1].time).toFixed(1)},${height} L${x(pts[0].time).toFixed(1)},${height} Z` : '';
  const fmt = (t: number): string => new Date(t).toLocaleString([], report.range === 'day' ? { hour: '2-digit', minute: '2-digit' } : { month: 'short', day: 'numeric' });
  // the SVG stretches to the card's width, so its labels are HTML around it (SVG text would stretch too)
  return (
    <figure className="graph-box">
      <div className="graph-top muted small">peak {max}</div>
      <svg className="stats-chart" viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={`Listeners over the last ${report.range}`} data-testid="stats-chart">
        <path d={area} className="stats-area" />
        <path d={path((p) => p.peak)} className="stats-peak" />
      </svg>
      <figcaption className="graph-axis muted small">
        <span>{fmt(report.from)}</span>
        <span>now</span>
      </figcaption>
    </figure>
  );
}

function Figures({ report }: { report: StatsReport }) {
  const t = report.totals;
  const items: [string, string, string][] = [
    ['visits', 'Visits', String(t.visits)],
    ['uniques', 'Unique listeners / day', String(t.uniquesPerDay)],
    ['hours', 'Listening hours', hoursText(t.listeningHours)],
    ['median', 'Median visit', duration(t.medianSeconds)],
    ['peak', 'Peak listeners', String(t.peak)],
  ];
  return (
    <div className="stats-figures">
      {items.map(([id, label, value]) => (
        <div className="stats-figure" key={id} data-testid={`stats-${id}`}>
          <div className="stats-value">{value}</div>
          <div className="muted small">{label}</div>
        </div>
      ))}
    </div>
  );
}

function Players({ report }: { report: StatsReport }) {
  const most = Math.max(1, ...report.players.map((p) => p.visits));
  if (!report.players.length) return null;
  return (
    <section className="card stats-section">
      <h3>Players</h3>
      {report.players.map((p) => (
        <div className="stats-bar-row" key={p.family}>
          <span className="stats-bar-name" title={p.family}>{p.family}</span>
          <span className="stats-bar"><span style={{ width: `${(p.visits / most) * 100}%` }} /></span>
          <span className="stats-bar-num">{p.visits}</span>
        </div>
      ))}
    </section>
  );
}

function Days({ report }: { report: StatsReport }) {
  if (!report.days.length) return null;
  return (
    <section className="card stats-section">
      <h3>Days</h3>
      <table className="stats-days">
        <thead>
          <tr><th>Day</th><th>Visits</th><th>Unique</th><th>Hours</th><th className="stats-wide">Median</th><th className="stats-wide">Peak</th></tr>
        </thead>
        <tbody>
          {[...report.days].reverse().map((d) => (
            <tr key={d.day}>
              <td>{d.day.slice(5)}</td><td>{d.visits}</td><td>{d.uniques}</td><td>{hoursText(d.listeningHours)}</td>
              <td className="stats-wide">{duration(d.medianSeconds)}</td><td className="stats-wide">{d.peak}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function download(report: StatsReport): void {
  const blob = new Blob([statsCsv(report)], { type: 'text/csv;charset=utf-8' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `cycast-stats-${report.range}-${(report.mount ?? 'all').replace(/[^A-Za-z0-9._-]+/g, '_')}-${new Date(report.to).toISOString().slice(0, 10)}.csv`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

export function StatsPanel() {
  const mounts = useStudio((s) => s.mounts);
  const [range, setRange] = useState<StatsRange>('day');
  const [mount, setMount] = useState<string | null>(null);
  const [report, setReport] = useState<StatsReport | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    studio.stats(range, mount).then(
      (r) => {
        setReport(r);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  }, [range, mount]);

  useEffect(() => {
    load();
    const t = setInterval(load, REFRESH_MS);
    return () => clearInterval(t);
  }, [load]);

  const choices = [...new Set([...mounts.map((m) => m.path), ...(report?.mounts ?? [])])];
  return (
    <div className="stats">
      <div className="stats-toolbar">
        <div className="stats-ranges" role="group" aria-label="Period">
          {STATS_RANGES.map((r) => (
            <button key={r} className={range === r ? 'active' : ''} onClick={() => setRange(r)}>
              {RANGE_LABEL[r]}
            </button>
          ))}
        </div>
        <select value={mount ?? ''} onChange={(e) => setMount(e.target.value || null)} aria-label="Mount for statistics">
          <option value="">All mounts</option>
          {choices.map((p) => (
            <option key={p} value={p}>{p}</option>
          ))}
        </select>
        <button onClick={() => report && download(report)} disabled={!report} data-testid="stats-csv">
          Export CSV
        </button>
      </div>
      {error && <p className="error">Statistics: {error}</p>}
      {report && (
        <>
          <Figures report={report} />
          <section className="card stats-section">
            <h3>Listeners {report.range === 'day' ? 'over the last 24 hours' : `over the last ${report.range === 'week' ? '7' : '30'} days`}</h3>
            <SeriesChart report={report} />
            <p className="muted small">Shaded: average listeners per {report.bucketMs === 60_000 ? 'minute' : 'hour'}; line: the most at once.</p>
          </section>
          <div className="stats-columns">
            <Players report={report} />
            <Days report={report} />
          </div>
          {report.totals.visits === 0 && <p className="muted">No listener visits recorded in this period yet. A visit is counted when the listener leaves.</p>}
        </>
      )}
    </div>
  );
}
