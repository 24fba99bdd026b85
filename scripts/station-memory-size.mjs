#!/usr/bin/env node
// What the station memory costs on disk: generates DAYS days of a station with LISTENERS listeners on air
// all the time (visits of 30 s to 3 h, median about 20 minutes, from 4x as many distinct listeners a day),
// written through the memory's own store in the batches it uses, then pruned to RETENTION days. Prints the
// file size and how long the Stats view's reports take on it. Run after `npx tsc -b`:
//   node scripts/station-memory-size.mjs [DAYS=365] [LISTENERS=200] [RETENTION=365]

import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDatabase, openDatabase } from '../dist/src-main/memory/sqlite.js';
import { prepareSchema, StationStore } from '../dist/src-main/memory/store.js';
import { buildReport } from '../dist/src-main/memory/report.js';
import { dayOf } from '../dist/src-main/memory/visitor-key.js';

const DAYS = Number(process.argv[2] ?? 365);
const LISTENERS = Number(process.argv[3] ?? 200);
const RETENTION = Number(process.argv[4] ?? 365);
const PLAYERS = ['VLC', 'Chrome', 'Firefox', 'Apple (iTunes, Music)', 'Android app', 'Safari', 'ffmpeg', 'Winamp'];

// a fixed seed: the same file every run
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
/** log-uniform between 30 s and 3 h: median about 9.5 minutes, mean about 32 */
const visitMs = () => Math.round(30_000 * Math.exp(rnd() * Math.log(360)));

const file = join(mkdtempSync(join(tmpdir(), 'cycast-size-')), 'station.db');
const opened = openDatabase(file, prepareSchema);
const store = new StationStore(opened.db);
const end = Date.now() - (Date.now() % 60_000);
const start = end - DAYS * 86_400_000;
const t0 = performance.now();
let visits = 0;
// each listener slot is refilled when its visit ends; a batch is what the memory writes in one flush
let batch = [];
const slots = Array.from({ length: LISTENERS }, () => start - Math.floor(rnd() * 3_600_000));
const flush = (minutes) => {
  store.write({ visits: batch, titles: [], positions: new Map(), minutes });
  batch = [];
};
for (let minute = start; minute < end; minute += 60_000) {
  for (let i = 0; i < LISTENERS; i++) {
    while (slots[i] < minute) {
      const ms = visitMs();
      const s = slots[i];
      const day = dayOf(s);
      batch.push({ mount: '/stream', start: s, ms, bytes: Math.round(ms * 16), player: PLAYERS[Math.floor(rnd() * rnd() * PLAYERS.length)], visitor: `${day}-${Math.floor(rnd() * LISTENERS * 4)}`.padStart(16, '0'), day, ip: null });
      slots[i] = s + ms + Math.floor(rnd() * 5000);
      visits++;
    }
  }
  const keepMinute = minute >= end - 2 * 86_400_000;
  if (batch.length >= 1000 || keepMinute || minute % 3_600_000 === 0) flush([{ mount: '/stream', minute, avg: LISTENERS, peak: LISTENERS }].filter(() => keepMinute || minute % 3_600_000 === 0));
}
flush([]);
const genSeconds = (performance.now() - t0) / 1000;
while (store.prune(end, RETENTION));
opened.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
const rows = opened.db.get('SELECT count(*) AS n FROM visit').n;
opened.db.exec('VACUUM');
const size = statSync(file).size;
const timing = {};
for (const range of ['day', 'week', 'month']) {
  const t = performance.now();
  const r = buildReport(store, range, '/stream', end);
  timing[range] = `${Math.round(performance.now() - t)} ms (${r.totals.visits} visits)`;
}
store.close();
closeDatabase(opened);
console.log(JSON.stringify({ days: DAYS, listeners: LISTENERS, retentionDays: RETENTION, visitsGenerated: visits, visitsKept: rows, bytesPerVisit: Math.round(size / rows), fileMiB: Math.round((size / 1048576) * 10) / 10, generateSeconds: Math.round(genSeconds), report: timing, rssMiB: Math.round(process.memoryUsage().rss / 1048576) }));
