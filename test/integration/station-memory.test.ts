// The station memory against a real engine: history, peaks and the AutoDJ position across a clean restart
// and across kill -9 in the middle of writes; 2000 listener visits from raw sockets, checked against what
// the client did; a damaged database moved aside while the station keeps playing.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { makeTrack } from '../helpers/audio.js';
import { repoRoot } from '../helpers/paths.js';
import { kill, sleep, startServer, waitFor, type TestServer } from '../helpers/server.js';
import { STATION_DB, type StationMemory } from '../../src-main/memory/station-memory.js';
import { closeDatabase, openDatabase } from '../../src-main/memory/sqlite.js';
import { prepareSchema } from '../../src-main/memory/store.js';
import { dayOf } from '../../src-main/memory/visitor-key.js';
import { StudioService } from '../../src-main/studio/service.js';

const tmp = (name: string): string => mkdtempSync(join(tmpdir(), `cycast-mem-${name}-`));

/** Three tracks: A is short, so B is on air within seconds; C follows B. */
function musicFolder(): string {
  const music = tmp('music');
  makeTrack(join(music, 'a.mp3'), { seconds: 2, title: 'Track A', artist: 'Memory' });
  makeTrack(join(music, 'b.mp3'), { seconds: 30, title: 'Track B', artist: 'Memory', freq: 550 });
  makeTrack(join(music, 'c.mp3'), { seconds: 30, title: 'Track C', artist: 'Memory', freq: 660 });
  return music;
}

interface Station {
  srv: TestServer;
  memory: StationMemory;
  stop(): Promise<void>;
}

/** Engine + station memory wired as the composition root does: the memory opens before the ports. */
async function startStation(dir: string, music: string | null, extra = ''): Promise<Station> {
  const srv = await startServer(extra, '', {
    dir,
    playlist: music ? `enabled = true\n  directory = "${music}"\n  shuffle = false` : 'enabled = false',
    memoryFlushMs: 100,
  });
  // the station closes its memory after the engine: the listeners' visits end, then they are written
  return { srv, memory: srv.station.memory, stop: () => srv.stop() };
}

async function status(srv: TestServer): Promise<{ mounts: { title: string; listener_peak: number; history: { title: string; origin: string }[] }[] }> {
  return (await fetch(srv.url('/api/status'))).json() as never;
}

const titleIs = (srv: TestServer, t: string) => async () => (await status(srv)).mounts[0].title === `Memory - ${t}`;

const stations: Station[] = [];
after(async () => {
  for (const s of stations) await s.stop().catch(() => {});
});

describe('station memory: history and AutoDJ across restarts', () => {
  it('after a clean restart the AutoDJ plays the track after the one on air, and history and peak are back', async () => {
    const dir = tmp('restart');
    const music = musicFolder();
    const first = await startStation(dir, music);
    stations.push(first);
    await waitFor(titleIs(first.srv, 'Track B'), 15_000, 'Track B on air');
    const listeners = [0, 1, 2].map(() => connect(first.srv.listenPort, '127.0.0.1'));
    for (const s of listeners) s.write('GET /stream HTTP/1.0\r\n\r\n');
    await waitFor(() => first.srv.engine.mounts.totalListeners === 3, 5000, 'three listeners');
    for (const s of listeners) s.destroy();
    await first.stop();

    const second = await startStation(dir, music);
    stations.push(second);
    await waitFor(async () => (await status(second.srv)).mounts[0].title !== '', 15_000, 'a title on air');
    const st = (await status(second.srv)).mounts[0];
    assert.equal(st.title, 'Memory - Track C', 'the track after B, not the top of the list');
    assert.deepEqual(st.history.slice(0, 3).map((h) => h.title), ['Memory - Track C', 'Memory - Track B', 'Memory - Track A']);
    assert.ok(st.history.every((h) => h.origin === 'auto'));
    assert.ok(st.listener_peak >= 3, `peak ${st.listener_peak} survives`);
    assert.ok(second.srv.logs.some((l) => l.includes('AutoDJ continues after Memory - Track B')));
    // the studio's hour graph starts from the samples kept before the restart
    const studio = new StudioService(second.srv.engine, join(dir, 'config.hcl'));
    studio.useStatsSource(second.memory);
    const graph = (await studio.snapshot()).mounts[0].listenerGraph;
    assert.ok(graph.some(([t, n]) => t < second.srv.engine.startedAt && n > 0), JSON.stringify(graph));
    await second.stop();
  });
});

describe('station memory: kill -9 in the middle of writes', () => {
  it('reopens the database, restores history and plays the next track, not the first', async () => {
    const dir = tmp('kill');
    const music = musicFolder();
    const script = join(repoRoot, 'dist/test/helpers/station-child.js');
    const child = spawn(process.execPath, [script, dir, music], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`child exited ${code}: ${stderr}`)));
      });
      const { listenPort } = JSON.parse(line) as { listenPort: number };
      const url = `http://127.0.0.1:${listenPort}/api/status`;
      await waitFor(async () => ((await (await fetch(url)).json()) as { mounts: { title: string }[] }).mounts[0].title === 'Memory - Track B', 15_000, 'Track B on air in the child');
      // visits are being written every 20 ms by now
      await sleep(700);
    } finally {
      await kill(child);
    }
    assert.ok(existsSync(join(dir, `${STATION_DB}.lock`)), 'kill -9 left the lock behind (this is what the next start must cope with)');

    const again = await startStation(dir, music);
    stations.push(again);
    assert.ok(again.srv.logs.some((l) => /removed the lock of process \d+, which is gone/.test(l)), again.srv.logs.join('\n'));
    await waitFor(async () => (await status(again.srv)).mounts[0].title !== '', 15_000, 'a title on air after the restart');
    const st = (await status(again.srv)).mounts[0];
    assert.equal(st.title, 'Memory - Track C', 'the next track after B, not Track A again');
    assert.deepEqual(st.history.slice(1, 3).map((h) => h.title), ['Memory - Track B', 'Memory - Track A']);
    const report = again.memory.report('day', '/stream');
    assert.ok(report.totals.visits > 20, `the child's visits are there: ${report.totals.visits}`);
    assert.ok(report.players.some((p) => p.family === 'VLC'));
    await again.stop();
    const check = openDatabase(join(dir, STATION_DB), prepareSchema);
    assert.equal((check.db.get('PRAGMA integrity_check') as { integrity_check: string }).integrity_check, 'ok');
    closeDatabase(check);
  });
});

interface ClientVisit {
  ip: string;
  family: string;
  start: number;
  ms: number;
}

const AGENTS: [string, string][] = [
  ['VLC/3.0.18 LibVLC/3.0.18', 'VLC'],
  ['mpv 0.35.1', 'mpv'],
  ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Firefox'],
  ['Lavf/59.27.100', 'ffmpeg'],
];

/**
 * One listener visit from a raw socket: tunes in from `ip`, and once the stream has begun (the server took it
 * as a listener) reads it for `holdMs`, then hangs up. Resolves with the visit's length as the client saw it,
 * from the server's answer to the hang-up.
 */
function visit(port: number, ip: string, ua: string, holdMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    // the server's visit begins when it answers (it takes the listener, then sends the head)
    let t0 = 0;
    const s = connect({ port, host: '127.0.0.1', localAddress: ip });
    let head = '';
    s.on('error', () => {});
    s.on('data', (d: Buffer) => {
      if (head.length >= 12) return;
      if (!t0) t0 = Date.now();
      head += d.toString('latin1');
      if (head.length < 12) return;
      if (!head.startsWith('HTTP/1.0 200')) reject(new Error(`not a listener: ${head.slice(0, 60)}`));
      setTimeout(() => s.destroy(), holdMs);
    });
    s.write(`GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: ${ua}\r\n\r\n`);
    s.once('close', () => resolve(Date.now() - t0));
  });
}

describe('station memory: listener statistics', () => {
  it('records 2000 visits with churn as the client made them: counts, durations, uniques, players', async () => {
    const dir = tmp('visits');
    const music = tmp('one');
    makeTrack(join(music, 'loop.mp3'), { seconds: 20, title: 'Loop' });
    const st = await startStation(dir, music, 'stats {\n  store_addresses = true\n}\n');
    stations.push(st);
    const port = st.srv.listenPort;
    const TOTAL = 2000;
    const CONCURRENT = 50;
    const client: ClientVisit[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < TOTAL) {
        const i = next++;
        // 50 addresses x 4 players: 200 distinct listeners
        const ip = `127.0.1.${(i % 50) + 1}`;
        const [ua, family] = AGENTS[Math.floor(i / 50) % 4];
        const start = Date.now();
        const ms = await visit(port, ip, ua, 30 + ((i * 37) % 300));
        client.push({ ip, family, start, ms });
      }
    };
    const t0 = Date.now();
    await Promise.all(Array.from({ length: CONCURRENT }, worker));
    await waitFor(() => st.srv.engine.mounts.totalListeners === 0, 5000, 'every listener gone');
    const elapsed = Date.now() - t0;

    const report = st.memory.report('day', '/stream');
    assert.equal(report.totals.visits, TOTAL);
    const expectUniques = new Map<number, Set<string>>();
    for (const v of client) {
      const d = dayOf(v.start);
      if (!expectUniques.has(d)) expectUniques.set(d, new Set());
      expectUniques.get(d)!.add(`${v.ip}|${v.family}`);
    }
    assert.deepEqual(report.days.map((d) => d.uniques), [...expectUniques.values()].map((s) => s.size));
    assert.deepEqual(
      report.players.map((p) => [p.family, p.visits]).sort(),
      AGENTS.map(([, f]) => [f, TOTAL / 4]).sort(),
    );
    const clientSeconds = client.reduce((n, v) => n + v.ms, 0) / 1000;
    assert.ok(Math.abs(report.totals.listeningHours * 3600 - clientSeconds) < 0.01 * clientSeconds + 1, `listening ${report.totals.listeningHours * 3600} s vs client ${clientSeconds} s`);
    const sorted = client.map((v) => v.ms).sort((a, b) => a - b);
    const median = (sorted[TOTAL / 2 - 1] + sorted[TOTAL / 2]) / 2000;
    assert.ok(Math.abs(report.totals.medianSeconds - median) < 1, `median ${report.totals.medianSeconds} s vs client ${median} s`);
    assert.ok(report.totals.peak >= 1 && report.totals.peak <= CONCURRENT + 5, `peak ${report.totals.peak}`);

    // /api/stats carries the history; /metrics the counters
    const stats = (await (await fetch(st.srv.url('/api/stats'))).json()) as { history: { mounts: { mount: string; visits_total: number }[] } };
    assert.equal(stats.history.mounts.find((m) => m.mount === '/stream')?.visits_total, TOTAL);
    const metrics = await (await fetch(st.srv.url('/metrics'))).text();
    assert.match(metrics, new RegExp(`^cycast_listener_visits_total\\{mount="/stream"\\} ${TOTAL}$`, 'm'));
    assert.match(metrics, /^cycast_listening_seconds_total\{mount="\/stream"\} \d+(\.\d+)?$/m);
    await st.stop();

    // every visit, matched to the client's by listener and order: durations within 1 s
    const db = openDatabase(join(dir, STATION_DB), prepareSchema);
    const rows = db.db.all('SELECT ip, player, start, ms FROM visit ORDER BY start, id') as { ip: string; player: string; start: number; ms: number }[];
    closeDatabase(db);
    const byListener = (list: { ip: string; family: string; ms: number }[]) => {
      const m = new Map<string, number[]>();
      for (const v of list) m.set(`${v.ip}|${v.family}`, [...(m.get(`${v.ip}|${v.family}`) ?? []), v.ms]);
      return m;
    };
    const server = byListener(rows.map((r) => ({ ip: r.ip, family: r.player, ms: r.ms })));
    const seen = byListener([...client].sort((a, b) => a.start - b.start));
    let worst = 0;
    for (const [k, durations] of seen) {
      const got = server.get(k) ?? [];
      assert.equal(got.length, durations.length, `visits of ${k}`);
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - durations[i]));
    }
    assert.ok(worst < 1000, `worst duration difference ${worst} ms`);
    console.log(`# 2000 visits in ${elapsed} ms; worst per-visit duration difference ${worst} ms`);
  });
});

describe('station memory: privacy settings', () => {
  it('stores no addresses by default, and no visits at all with stats.enabled = false', async () => {
    const dir = tmp('private');
    const st = await startStation(dir, null);
    stations.push(st);
    await visit(st.srv.listenPort, '127.0.1.9', 'mpv 0.35', 20);
    await waitFor(() => st.srv.engine.mounts.totalListeners === 0, 3000, 'listener gone');
    await st.stop();
    const db = openDatabase(join(dir, STATION_DB), prepareSchema);
    const rows = db.db.all('SELECT ip, visitor FROM visit') as { ip: string | null; visitor: string }[];
    closeDatabase(db);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].ip, null);
    assert.match(rows[0].visitor, /^[0-9a-f]{16}$/);

    const off = await startStation(tmp('off'), null, 'stats {\n  enabled = false\n}\n');
    stations.push(off);
    await visit(off.srv.listenPort, '127.0.1.9', 'mpv 0.35', 20);
    await waitFor(() => off.srv.engine.mounts.totalListeners === 0, 3000, 'listener gone');
    assert.equal(off.memory.report('day', null).totals.visits, 0);
    await off.stop();
  });
});

describe('station memory: a file another station holds', () => {
  it('keeps the second station playing, with its memory in RAM and a log line saying why', async () => {
    const dir = tmp('twice');
    const first = await startStation(dir, null);
    stations.push(first);
    const second = await startStation(dir, null);
    stations.push(second);
    assert.ok(second.srv.logs.some((l) => /station memory: .*station\.db is already open in this process; keeping statistics in memory/.test(l)), second.srv.logs.join('\n'));
    await visit(second.srv.listenPort, '127.0.0.1', 'mpv 0.35', 20);
    await waitFor(() => second.srv.engine.mounts.totalListeners === 0, 3000, 'listener gone');
    assert.equal(second.memory.report('day', null).totals.visits, 1);
    await second.stop();
    await first.stop();
  });
});

describe('station memory: a damaged database', () => {
  it('moves a file that is not a database aside, logs it, and starts a fresh one', async () => {
    const dir = tmp('garbage');
    writeFileSync(join(dir, STATION_DB), Buffer.alloc(64 * 1024, 'not a database '));
    const st = await startStation(dir, null);
    stations.push(st);
    assert.ok(st.srv.logs.some((l) => /station memory: .*station\.db could not be used .* moved it aside to .*corrupt-/.test(l)), st.srv.logs.join('\n'));
    assert.equal(readdirSync(dir).filter((f) => f.includes('.corrupt-')).length, 1);
    assert.equal(st.memory.report('day', null).totals.visits, 0);
    await st.stop();
  });

  it('moves aside a file whose pages are damaged after the header', async () => {
    const dir = tmp('pages');
    const st = await startStation(dir, null);
    stations.push(st);
    const port = st.srv.listenPort;
    for (let i = 0; i < 40; i++) await visit(port, '127.0.0.1', 'mpv 0.35', 5);
    await st.stop();
    const file = join(dir, STATION_DB);
    const bytes = readFileSync(file);
    assert.ok(bytes.length > 8192);
    // everything after the first page (the header and the schema) becomes garbage
    for (let i = 4096; i < bytes.length; i++) bytes[i] = (i * 131) & 0xff;
    writeFileSync(file, bytes);
    const again = await startStation(dir, null);
    stations.push(again);
    assert.ok(again.srv.logs.some((l) => /moved it aside/.test(l)), again.srv.logs.join('\n'));
    await visit(again.srv.listenPort, '127.0.0.1', 'mpv 0.35', 5);
    await waitFor(() => again.srv.engine.mounts.totalListeners === 0, 3000, 'listener gone');
    assert.equal(again.memory.report('day', null).totals.visits, 1, 'the fresh file records');
    // and the station played on: the status page answers
    assert.equal((await fetch(again.srv.url('/api/status'))).status, 200);
    await again.stop();
  });
});
