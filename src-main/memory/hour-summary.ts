// One hour of one mount's visits, summed: count, listening time, players and a histogram of visit lengths.
// Reports add up at most 720 of these (a month) instead of reading every visit, so a report costs the same
// on a year-old station as on a new one. The histogram gives medians to within half a bucket: 0.5 s under
// a minute, 2.5 s under ten minutes, 15 s under an hour, 2.5 minutes beyond.

export interface HourSummary {
  visits: number;
  ms: number;
  /** bucket -> visits */
  hist: Map<number, number>;
  /** player family -> [visits, ms] */
  players: Map<string, [number, number]>;
}

/** Bucket edges in seconds: 1 s wide to 1 min, 5 s to 10 min, 30 s to 1 h, 5 min to 24 h, then one more. */
const TIERS: [upTo: number, width: number][] = [
  [60, 1],
  [600, 5],
  [3600, 30],
  [86_400, 300],
];

export function bucketOf(seconds: number): number {
  let base = 0;
  let from = 0;
  for (const [upTo, width] of TIERS) {
    if (seconds < upTo) return base + Math.floor((seconds - from) / width);
    base += (upTo - from) / width;
    from = upTo;
  }
  return base;
}

/** [start, end) of a bucket in seconds (the last one ends at 48 h: a day-long visit is rare). */
export function bucketRange(bucket: number): [number, number] {
  let base = 0;
  let from = 0;
  for (const [upTo, width] of TIERS) {
    const n = (upTo - from) / width;
    if (bucket < base + n) {
      const lo = from + (bucket - base) * width;
      return [lo, lo + width];
    }
    base += n;
    from = upTo;
  }
  return [86_400, 172_800];
}

export function emptySummary(): HourSummary {
  return { visits: 0, ms: 0, hist: new Map(), players: new Map() };
}

export function addVisit(s: HourSummary, ms: number, player: string): void {
  s.visits++;
  s.ms += ms;
  const b = bucketOf(ms / 1000);
  s.hist.set(b, (s.hist.get(b) ?? 0) + 1);
  const p = s.players.get(player);
  if (p) {
    p[0]++;
    p[1] += ms;
  } else s.players.set(player, [1, ms]);
}

export function merge(into: HourSummary, s: HourSummary): void {
  into.visits += s.visits;
  into.ms += s.ms;
  for (const [b, n] of s.hist) into.hist.set(b, (into.hist.get(b) ?? 0) + n);
  for (const [name, [v, ms]] of s.players) {
    const p = into.players.get(name);
    if (p) {
      p[0] += v;
      p[1] += ms;
    } else into.players.set(name, [v, ms]);
  }
}

/** The visit length at a 0-based rank, in seconds, spread evenly inside its bucket. */
function valueAt(sorted: [number, number][], rank: number): number {
  let seen = 0;
  for (const [b, n] of sorted) {
    if (seen + n > rank) {
      const [lo, hi] = bucketRange(b);
      return lo + ((rank - seen + 0.5) / n) * (hi - lo);
    }
    seen += n;
  }
  return 0;
}

/** The median visit length in seconds (the mean of the two middle ones for an even count); 0 without visits. */
export function medianSeconds(s: HourSummary): number {
  if (!s.visits) return 0;
  const sorted = [...s.hist].sort((x, y) => x[0] - y[0]);
  const mid = (s.visits - 1) / 2;
  return (valueAt(sorted, Math.floor(mid)) + valueAt(sorted, Math.ceil(mid))) / 2;
}

/** Stored as two short JSON texts: [[bucket, n], ...] and {player: [visits, ms]}. */
export function encodeSummary(s: HourSummary): { hist: string; players: string } {
  return { hist: JSON.stringify([...s.hist]), players: JSON.stringify(Object.fromEntries(s.players)) };
}

export function decodeSummary(visits: number, ms: number, hist: string, players: string): HourSummary {
  return { visits, ms, hist: new Map(JSON.parse(hist) as [number, number][]), players: new Map(Object.entries(JSON.parse(players) as Record<string, [number, number]>)) };
}
