// Listener count over the last hour, as a small area chart. The SVG stretches to the card's width, so the
// labels are HTML around it (text inside a non-uniformly scaled SVG is stretched too).
export function Graph({ points, height = 90 }: { points: [number, number][]; height?: number }) {
  const width = 600;
  const now = Date.now();
  const from = now - 3600_000;
  const peak = Math.max(0, ...points.map((p) => p[1]));
  const max = Math.max(1, peak);
  const xy = points.filter((p) => p[0] >= from).map(([t, n]) => [((t - from) / 3600_000) * width, height - (n / max) * (height - 8)] as const);
  const line = xy.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
  const area = xy.length ? `${line} L${xy[xy.length - 1][0].toFixed(1)},${height} L${xy[0][0].toFixed(1)},${height} Z` : '';
  return (
    <figure className="graph-box">
      <div className="graph-top muted small">hour max {peak}</div>
      <svg className="graph" viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label="Listeners over the last hour">
        <path d={area} className="graph-area" />
        <path d={line} className="graph-line" />
      </svg>
      <figcaption className="graph-axis muted small">
        <span>−60 min</span>
        <span>now</span>
      </figcaption>
    </figure>
  );
}
