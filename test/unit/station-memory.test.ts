// The station memory's pure parts and its database file: player families, visitor keys and their daily
// salts, listeners per minute, the CSV, the report's medians, and the lock a killed process leaves.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, uptime as osUptime } from 'node:os';
import { join } from 'node:path';
import { playerFamily } from '../../src-main/memory/player-family.js';
import { dayOf, VisitorKeys, type SaltStore } from '../../src-main/memory/visitor-key.js';
import { Occupancy } from '../../src-main/memory/occupancy.js';
import { statsCsv } from '../../src-shared/stats-csv.js';
import { closeDatabase, DatabaseInUseError, openDatabase } from '../../src-main/memory/sqlite.js';
import { prepareSchema, StationStore } from '../../src-main/memory/store.js';
import { buildReport } from '../../src-main/memory/report.js';
import { addVisit, bucketOf, bucketRange, emptySummary, medianSeconds } from '../../src-main/memory/hour-summary.js';
import type { StatsReport } from '../../src-shared/studio-api.js';

describe('player families', () => {
  const cases: [string, string][] = [
    ['VLC/3.0.18 LibVLC/3.0.18', 'VLC'],
    ['mpv 0.35.1', 'mpv'],
    ['Lavf/59.27.100', 'ffmpeg'],
    ['iTunes/12.12 (Macintosh; OS X 13.1)', 'Apple (iTunes, Music)'],
    ['AppleCoreMedia/1.0.0.20G165 (iPhone; U; CPU OS 16_1 like Mac OS X)', 'Apple (iTunes, Music)'],
    ['WinampMPEG/5.66, Ultravox/2.1', 'Winamp'],
    ['foobar2000/1.6.16', 'foobar2000'],
    ['NSPlayer/12.00.19041.1', 'Windows Media Player'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0', 'Edge'],
    ['Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 OPR/111.0', 'Opera'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36', 'Chrome'],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Firefox'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15', 'Safari'],
    ['curl/7.88.1', 'curl'],
    ['', 'Unknown'],
    ['SomethingElse/1.0', 'Other'],
  ];
  for (const [ua, family] of cases) it(`${JSON.stringify(ua.slice(0, 40))} is ${family}`, () => assert.equal(playerFamily(ua), family));

  it('looks at a bounded prefix of a hostile header', () => {
    assert.equal(playerFamily('x'.repeat(1_000_000) + 'VLC/3'), 'Other');
  });
});

class MemorySalts implements SaltStore {
  readonly salts = new Map<number, Buffer>();
  load(day: number): Buffer | null {
    return this.salts.get(day) ?? null;
  }
  save(day: number, salt: Buffer): void {
    this.salts.set(day, salt);
  }
  forgetBefore(day: number): void {
    for (const d of this.salts.keys()) if (d < day) this.salts.delete(d);
  }
}

describe('visitor keys', () => {
  const noon = new Date(2026, 5, 10, 12).getTime();
  const nextNoon = new Date(2026, 5, 11, 12).getTime();

  it('are stable within a day, differ by address, player and day, and never contain the address', () => {
    const keys = new VisitorKeys(new MemorySalts());
    const a = keys.key(dayOf(noon), noon, '203.0.113.7', 'VLC/3');
    assert.match(a, /^[0-9a-f]{16}$/);
    assert.equal(keys.key(dayOf(noon), noon + 3600_000, '203.0.113.7', 'VLC/3'), a);
    assert.notEqual(keys.key(dayOf(noon), noon, '203.0.113.8', 'VLC/3'), a);
    assert.notEqual(keys.key(dayOf(noon), noon, '203.0.113.7', 'mpv'), a);
    assert.notEqual(keys.key(dayOf(nextNoon), nextNoon, '203.0.113.7', 'VLC/3'), a);
  });

  it('forget the salts of days before yesterday, so old keys cannot be recomputed', () => {
    const salts = new MemorySalts();
    const keys = new VisitorKeys(salts);
    keys.key(dayOf(noon), noon, '203.0.113.7', 'VLC/3');
    const later = noon + 3 * 86_400_000;
    keys.key(dayOf(later), later, '203.0.113.7', 'VLC/3');
    keys.rotate(later);
    assert.deepEqual([...salts.salts.keys()], [dayOf(later)]);
  });

  it('are salted per station: another station gets other keys for the same listener', () => {
    const a = new VisitorKeys(new MemorySalts()).key(dayOf(noon), noon, '203.0.113.7', 'VLC/3');
    const b = new VisitorKeys(new MemorySalts()).key(dayOf(noon), noon, '203.0.113.7', 'VLC/3');
    assert.notEqual(a, b);
  });
});

describe('listeners per minute', () => {
  it('averages listener-time over the minute and keeps its peak', () => {
    const t0 = 1_800_000_000_000 - (1_800_000_000_000 % 60_000);
    const o = new Occupancy(t0);
    o.change('/s', 1, t0); // one listener all minute
    o.change('/s', 1, t0 + 30_000); // a second for the last half
    o.change('/s', 1, t0 + 45_000);
    o.change('/s', -1, t0 + 50_000);
    const [s] = o.closeMinute(t0 + 60_000);
    assert.equal(s.minute, t0);
    assert.equal(s.peak, 3);
    assert.ok(Math.abs(s.avg - (60 + 30 + 5) / 60) < 1e-9, String(s.avg));
    const [next] = o.closeMinute(t0 + 120_000);
    assert.equal(next.avg, 2);
    assert.equal(next.peak, 2);
  });

  it('names the mounts that are gone, which are then no longer sampled', () => {
    const o = new Occupancy(0);
    o.change('/a', 1, 0);
    o.change('/b', 1, 0);
    assert.deepEqual(o.gone((m) => m === '/a'), ['/b']);
    o.forget('/b');
    assert.deepEqual(o.closeMinute(60_000).map((s) => s.mount), ['/a']);
  });

  it('never counts below zero, and the engine count corrects it', () => {
    const o = new Occupancy(0);
    o.change('/s', -1, 10);
    o.resync('/s', 4, 30_000);
    const [s] = o.closeMinute(60_000);
    assert.equal(s.peak, 4);
    assert.equal(s.avg, 2);
  });
});

describe('visit-length histogram', () => {
  it('has buckets that tile the lengths without gaps, each within its tier width', () => {
    let prevEnd = 0;
    for (let b = 0; b <= bucketOf(86_399); b++) {
      const [lo, hi] = bucketRange(b);
      assert.equal(lo, prevEnd, `bucket ${b}`);
      assert.equal(bucketOf(lo), b);
      assert.equal(bucketOf(hi - 0.001), b);
      prevEnd = hi;
    }
  });

  it('finds the median of many visits within half a bucket', () => {
    const s = emptySummary();
    const lengths = Array.from({ length: 999 }, (_, i) => 5 + ((i * 7919) % 1800));
    for (const sec of lengths) addVisit(s, sec * 1000, 'x');
    const exact = [...lengths].sort((a, b) => a - b)[499];
    assert.ok(Math.abs(medianSeconds(s) - exact) <= 15, `${medianSeconds(s)} vs ${exact}`);
  });
});

describe('stats CSV', () => {
  it('quotes separators and defuses spreadsheet formulas', () => {
    const r: StatsReport = {
      range: 'day', mount: '/s', from: 0, to: 60_000, bucketMs: 60_000,
      series: [{ time: 0, avg: 1.5, peak: 2 }],
      days: [{ day: '2026-06-10', visits: 3, uniques: 2, listeningHours: 0.5, medianSeconds: 60, peak: 2 }],
      totals: { visits: 3, listeningHours: 0.5, medianSeconds: 60, peak: 2, peakAt: 0, uniquesPerDay: 2 },
      players: [{ family: '=HYPERLINK("x")', visits: 1, listeningHours: 0.1 }, { family: 'a,b', visits: 2, listeningHours: 0.4 }],
      mounts: ['/s'],
    };
    const csv = statsCsv(r);
    assert.ok(csv.startsWith('time,mount,listeners_avg,listeners_peak\r\n1970-01-01T00:00:00.000Z,/s,1.500,2\r\n'));
    assert.match(csv, /\r\n"'=HYPERLINK\(""x""\)",\/s,1,0\.100\r\n/);
    assert.match(csv, /\r\n"a,b",\/s,2,0\.400\r\n/);
  });
});

const tmp = (): string => mkdtempSync(join(tmpdir(), 'cycast-mem-unit-'));

describe('the station database file', () => {
  it('reports medians and uniques per day from the visits', () => {
    const file = join(tmp(), 'station.db');
    const opened = openDatabase(file, prepareSchema);
    const store = new StationStore(opened.db);
    const now = Date.now();
    const start = now - 3600_000;
    const day = dayOf(start);
    const visits = [10, 20, 30, 40].map((s, i) => ({ mount: '/s', start: start + i, ms: s * 1000, bytes: 1, player: 'VLC', visitor: i < 3 ? 'a' : 'b', day, ip: null }));
    store.write({ visits, titles: [], positions: new Map(), minutes: [] });
    const r = buildReport(store, 'day', '/s', now);
    assert.equal(r.totals.visits, 4);
    // the histogram's 1-second buckets: within a second of the true median, 25 s
    assert.ok(Math.abs(r.totals.medianSeconds - 25) <= 1, String(r.totals.medianSeconds));
    assert.equal(r.days.length, 1);
    assert.equal(r.days[0].uniques, 2);
    assert.equal(r.days[0].medianSeconds, r.totals.medianSeconds);
    assert.deepEqual(r.players, [{ family: 'VLC', visits: 4, listeningHours: 100 / 3600 }]);
    assert.equal(r.totals.listeningHours, 100 / 3600);
    store.close();
    closeDatabase(opened);
  });

  it('leaves no statement holding a read lock after a write (the WAL can be checkpointed, VACUUM runs)', () => {
    const opened = openDatabase(join(tmp(), 'station.db'), prepareSchema);
    const store = new StationStore(opened.db);
    const start = Date.now() - 60_000;
    const v = { mount: '/s', start, ms: 1000, bytes: 1, player: 'VLC', visitor: 'a', day: dayOf(start), ip: null };
    // the second write merges into the hour row the first one made
    store.write({ visits: [v], titles: [], positions: new Map(), minutes: [] });
    store.write({ visits: [{ ...v, visitor: 'b' }], titles: [], positions: new Map(), minutes: [] });
    assert.equal((opened.db.get('PRAGMA wal_checkpoint(TRUNCATE)') as { busy: number }).busy, 0);
    opened.db.exec('VACUUM');
    assert.equal(buildReport(store, 'day', '/s', Date.now()).totals.visits, 2);
    store.close();
    closeDatabase(opened);
  });

  it('prunes visits past the retention a bounded number at a time', () => {
    const opened = openDatabase(join(tmp(), 'station.db'), prepareSchema);
    const store = new StationStore(opened.db);
    const now = Date.now();
    const old = now - 10 * 86_400_000;
    const visits = Array.from({ length: 12_000 }, (_, i) => ({ mount: '/s', start: old + i, ms: 1000, bytes: 1, player: 'VLC', visitor: `v${i % 50}`, day: dayOf(old), ip: null }));
    store.write({ visits: [...visits, { ...visits[0], start: now - 1000 }], titles: [], positions: new Map(), minutes: [] });
    const count = () => (opened.db.get('SELECT count(*) AS n FROM visit') as { n: number }).n;
    assert.equal(store.prune(now, 7), true);
    assert.equal(count(), 7001);
    assert.equal(store.prune(now, 7), true);
    assert.equal(store.prune(now, 7), false);
    assert.equal(count(), 1, 'the recent visit stays');
    store.close();
    closeDatabase(opened);
  });

  it('refuses a file another running process holds, and takes over one whose holder is gone', () => {
    const dir = tmp();
    const file = join(dir, 'station.db');
    mkdirSync(`${file}.lock`);
    // pid 1 (init) is running, and the note is from this boot
    writeFileSync(`${file}.owner`, JSON.stringify({ pid: 1, boot: Math.round((Date.now() - osUptime() * 1000) / 60_000) }));
    assert.throws(() => openDatabase(file, prepareSchema), DatabaseInUseError);
    // a pid that is not running: the lock is stale
    writeFileSync(`${file}.owner`, JSON.stringify({ pid: 2 ** 22 + 12345, boot: 0 }));
    const opened = openDatabase(file, prepareSchema);
    assert.ok(opened.notes.some((n) => /removed the lock of process \d+, which is gone/.test(n)), opened.notes.join('\n'));
    assert.throws(() => openDatabase(file, prepareSchema), /already open in this process/);
    closeDatabase(opened);
  });
});
