#!/usr/bin/env node
// npm run bench [-- --levels 100,1000,3000 --seconds 10 --ramp 500 --servers cycast,icecast2,floor --write-interval 0 --floor-interval 100]
//
// The same load against this server, icecast2 (started privately on loopback) and the C floor
// (bench/floor.c: one epoll thread, one send() per listener per --floor-interval ms), in one run:
// server pinned to CPU 0, the load generator (bench/loadgen.c, built here with cc) on CPU 1. One 128 kbit/s
// MP3 source writing one frame per write, N listeners ramped at --ramp per second. Prints one table and
// writes the JSON beside it (bench/results.json). Needs cc, taskset, icecast2.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuTicks, freePort, rssMiB, sleep, writeIcecastConfig } from './proc.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const levels = arg('levels', '100,1000,3000,5000,10000').split(',').map(Number);
const seconds = Number(arg('seconds', '10'));
const ramp = Number(arg('ramp', '500'));
const servers = arg('servers', 'cycast,icecast2,floor').split(',');
const floorInterval = Number(arg('floor-interval', '100'));
// cycast's broadcaster.write_interval_ms (default: the config default, 100); 0 is the low-latency setting
const writeInterval = arg('write-interval', null);
const HZ = 100;

// the load generator
const build = join(root, 'bench/.build');
mkdirSync(build, { recursive: true });
const loadgen = join(build, 'loadgen');
execFileSync('cc', ['-O2', '-Wall', '-o', loadgen, join(root, 'bench/loadgen.c')], { stdio: 'inherit' });
const floorBin = join(build, 'floor');
execFileSync('cc', ['-O2', '-Wall', '-o', floorBin, join(root, 'bench/floor.c')], { stdio: 'inherit' });

async function startFloor() {
  const port = await freePort();
  const child = spawn('taskset', ['-c', '0', floorBin, String(port), String(floorInterval)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  for (let i = 0; i < 50 && !out.includes('listening'); i++) await sleep(100);
  if (!out.includes('listening')) throw new Error('the C floor did not start');
  return { child, port, pid: child.pid };
}


async function startCycast(dir) {
  const port = await freePort();
  const cfg = join(dir, 'cycast.hcl');
  writeFileSync(cfg, `server {\n  host = "127.0.0.1"\n  source_port = ${port}\n  listen_port = ${port}\n  shoutcast_port = 0\n  source_password = "bench"\n}\nplaylist {\n  enabled = false\n}\n${writeInterval === null ? '' : `broadcaster {\n  write_interval_ms = ${Number(writeInterval)}\n}\n`}`);
  const child = spawn('taskset', ['-c', '0', process.execPath, join(root, 'bin/cycast.js'), '--headless', '--config', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  for (let i = 0; i < 100 && !out.includes('Press Ctrl+C'); i++) await sleep(100);
  if (!out.includes('Press Ctrl+C')) throw new Error(`cycast did not start:\n${out}`);
  return { child, port, pid: child.pid };
}

async function startIcecast(dir) {
  const port = await freePort();
  const xml = writeIcecastConfig(dir, port);
  const child = spawn('taskset', ['-c', '0', 'icecast2', '-c', xml], { stdio: ['ignore', 'pipe', 'pipe'] });
  for (let i = 0; i < 50; i++) {
    await sleep(100);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/status-json.xsl`);
      if (r.ok) break;
    } catch {
      // not up yet
    }
  }
  return { child, port, pid: child.pid };
}

async function runLevel(server, n) {
  const lg = spawn('taskset', ['-c', '1', loadgen, '127.0.0.1', String(server.port), '/stream', String(server.port), 'bench', String(n), String(ramp), String(seconds)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  lg.stdout.on('data', (d) => (out += d));
  lg.stderr.on('data', (d) => (err += d));
  // the load generator measures from ramp end + 2 s for `seconds`; sample the server over the same window
  await sleep((n / ramp) * 1000 + 2000 + 200);
  const c0 = cpuTicks(server.pid);
  const t0 = performance.now();
  await sleep(seconds * 1000 - 400);
  const cpu = ((cpuTicks(server.pid) - c0) / HZ / ((performance.now() - t0) / 1000)) * 100;
  const rss = rssMiB(server.pid);
  const code = await new Promise((r) => lg.on('close', r));
  if (code !== 0) throw new Error(`loadgen failed (${code}): ${err}`);
  return { n, cpu_pct: Math.round(cpu * 10) / 10, rss_mib: Math.round(rss * 10) / 10, ...JSON.parse(out.trim().split('\n').pop()) };
}

const results = {};
for (const name of servers) {
  if (name === 'icecast2' && !existsSync('/usr/bin/icecast2')) {
    console.error('bench: icecast2 is not installed (apt-get install icecast2); skipping it');
    continue;
  }
  const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  const server = name === 'cycast' ? await startCycast(dir) : name === 'floor' ? await startFloor() : await startIcecast(dir);
  const idle = rssMiB(server.pid);
  results[name] = { idle_rss_mib: Math.round(idle * 10) / 10, levels: [] };
  try {
    for (const n of levels) {
      const r = await runLevel(server, n);
      results[name].levels.push(r);
      console.error(`${name} ${n}: ${JSON.stringify(r)}`);
      await sleep(1500); // connections of the level close
    }
  } finally {
    server.child.kill('SIGTERM');
    await sleep(500);
    server.child.kill('SIGKILL');
  }
}

// one table, all servers, with ratios to icecast2 and to the floor
const rows = levels.map((n) => {
  const c = results.cycast?.levels.find((x) => x.n === n);
  const i = results.icecast2?.levels.find((x) => x.n === n);
  const fl = results.floor?.levels.find((x) => x.n === n);
  const f = (x, k) => (x ? x[k] : '–');
  const ratio = (a, b) => (a && b && b.cpu_pct > 0 ? (a.cpu_pct / b.cpu_pct).toFixed(2) : '–');
  return {
    N: n,
    'CPU% cycast': f(c, 'cpu_pct'), 'CPU% icecast': f(i, 'cpu_pct'), 'CPU% floor': f(fl, 'cpu_pct'),
    'ratio /icecast': ratio(c, i), 'ratio /floor': ratio(c, fl),
    'RSS c/i/f': `${f(c, 'rss_mib')}/${f(i, 'rss_mib')}/${f(fl, 'rss_mib')}`,
    'stalled c/i/f': `${f(c, 'stalled')}/${f(i, 'stalled')}/${f(fl, 'stalled')}`, 'refused+closed c/i/f': `${c ? c.refused + c.closed : '–'}/${i ? i.refused + i.closed : '–'}/${fl ? fl.refused + fl.closed : '–'}`,
    'lat p50 c/i/f': `${f(c, 'latency_p50_ms')}/${f(i, 'latency_p50_ms')}/${f(fl, 'latency_p50_ms')}`,
    'lat p99 c/i/f': `${f(c, 'latency_p99_ms')}/${f(i, 'latency_p99_ms')}/${f(fl, 'latency_p99_ms')}`,
  };
});
console.table(rows);
const out = join(root, 'bench/results.json');
writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), levels, seconds, ramp, floor_interval_ms: floorInterval, write_interval_ms: writeInterval === null ? 'default' : Number(writeInterval), results }, null, 2) + '\n');
console.log(`idle RSS: cycast ${results.cycast?.idle_rss_mib ?? '–'} MiB, icecast2 ${results.icecast2?.idle_rss_mib ?? '–'} MiB, floor ${results.floor?.idle_rss_mib ?? '–'} MiB; JSON in ${out}`);
