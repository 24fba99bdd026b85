#!/usr/bin/env node
// node scripts/relay-bench.mjs [-- --listeners 2000 --seconds 20 --ramp 500]
//
// Three tiers on loopback: this server as the master (one 128 kbit/s MP3 source, the C load generator's
// marker source) -> two icecast2 slaves (<master-server> pointed at it) -> N listeners on each slave, plus N
// on the master. Servers on CPU 0, load generators on CPU 1. Prints, per tier: listeners, stalled (nothing
// for 2 s), per-listener kbit/s p1/p50, source-to-listener latency p50/p99, CPU % and RSS of the server.
// The load generators on the slaves send their own source to a sink (loadgen always connects one); their
// listeners read the master's stream, so their latency is end to end through two tiers.

import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuTicks, freePort, rssMiB, sleep, writeIcecastConfig } from './proc.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const N = Number(arg('listeners', '2000'));
const seconds = Number(arg('seconds', '20'));
const ramp = Number(arg('ramp', '500'));
const HZ = 100;
const RELAY_PW = 'bench-relay';

const build = join(root, 'bench/.build');
mkdirSync(build, { recursive: true });
const loadgen = join(build, 'loadgen');
execFileSync('cc', ['-O2', '-Wall', '-o', loadgen, join(root, 'bench/loadgen.c')], { stdio: 'inherit' });

const children = [];
const cleanup = () => {
  for (const c of children) c.kill('SIGKILL');
};
process.on('exit', cleanup);

async function waitHttp(url, what) {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`${what} did not come up`);
}

async function startMaster(dir) {
  const port = await freePort();
  const cfg = join(dir, 'cycast.hcl');
  writeFileSync(cfg, `server {\n  host = "127.0.0.1"\n  source_port = ${port}\n  listen_port = ${port}\n  shoutcast_port = 0\n  source_password = "bench"\n}\nplaylist {\n  enabled = false\n}\nadmin {\n  relay_password = "${RELAY_PW}"\n}\nlimits {\n  clients = 20000\n}\n`);
  const child = spawn('taskset', ['-c', '0', process.execPath, join(root, 'bin/cycast.js'), '--headless', '--config', cfg], { stdio: 'ignore' });
  children.push(child);
  await waitHttp(`http://127.0.0.1:${port}/api/status`, 'cycast');
  return { name: 'master (cycast)', port, pid: child.pid };
}

async function startSlave(dir, masterPort, i) {
  const port = await freePort();
  const xml = writeIcecastConfig(
    join(dir, `slave${i}`),
    port,
    `<master-server>127.0.0.1</master-server><master-server-port>${masterPort}</master-server-port><master-update-interval>2</master-update-interval>
  <master-username>relay</master-username><master-password>${RELAY_PW}</master-password><relays-on-demand>0</relays-on-demand>`,
  );
  const child = spawn('taskset', ['-c', '0', 'icecast2', '-c', xml], { stdio: 'ignore' });
  children.push(child);
  await waitHttp(`http://127.0.0.1:${port}/status-json.xsl`, `icecast2 slave ${i}`);
  return { name: `slave ${i} (icecast2)`, port, pid: child.pid };
}

/** Accepts the slave-side load generators' own source and throws its audio away. */
async function sourceSink() {
  const srv = createServer((s) => {
    s.on('error', () => {});
    s.once('data', () => s.write('HTTP/1.0 200 OK\r\n\r\n'));
    s.resume();
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return { port: srv.address().port, close: () => srv.close() };
}

function startLoad(port, sourcePort, secs) {
  const lg = spawn('taskset', ['-c', '1', loadgen, '127.0.0.1', String(port), '/stream', String(sourcePort), 'bench', String(N), String(ramp), String(secs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(lg);
  let out = '';
  let err = '';
  lg.stdout.on('data', (d) => (out += d));
  lg.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => lg.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop())) : reject(new Error(`loadgen: ${err}`)))));
}

async function slaveRelays(slave) {
  for (let i = 0; i < 100; i++) {
    const text = await (await fetch(`http://127.0.0.1:${slave.port}/status-json.xsl`)).text();
    if (text.includes('/stream')) return;
    await sleep(200);
  }
  throw new Error(`${slave.name} never relayed /stream`);
}

const dir = mkdtempSync(join(tmpdir(), 'relay-bench-'));
chmodSync(dir, 0o755); // icecast2 runs as nobody and must reach its folder
const master = await startMaster(dir);
const sink = await sourceSink();
const idle = { master: rssMiB(master.pid) };
// the master's load generator is the station's source: it starts first and measures longest
const rampS = N / ramp;
const masterLoad = startLoad(master.port, master.port, seconds + rampS + 6);
const slaves = [await startSlave(dir, master.port, 1), await startSlave(dir, master.port, 2)];
await Promise.all(slaves.map(slaveRelays));
const slaveLoads = slaves.map((s) => startLoad(s.port, sink.port, seconds));
// sample every server over the window all three load generators measure in (ramp end + 2 s, `seconds`)
await sleep(rampS * 1000 + 2000 + 200);
const servers = [master, ...slaves];
const c0 = servers.map((s) => cpuTicks(s.pid));
const t0 = performance.now();
await sleep(seconds * 1000 - 400);
const elapsed = (performance.now() - t0) / 1000;
const cpu = servers.map((s, i) => Math.round(((cpuTicks(s.pid) - c0[i]) / HZ / elapsed) * 1000) / 10);
const rss = servers.map((s) => Math.round(rssMiB(s.pid) * 10) / 10);
const results = await Promise.all([masterLoad, ...slaveLoads]);
sink.close();
const rows = servers.map((s, i) => {
  const r = results[i];
  return {
    tier: s.name,
    listeners: `${r.connected}/${r.listeners}`,
    stalled: r.stalled,
    'refused/closed': `${r.refused}/${r.closed}`,
    'kbps p1/p50': `${r.kbps_p1}/${r.kbps_p50}`,
    'latency p50/p99 ms': `${r.latency_p50_ms}/${r.latency_p99_ms}`,
    'CPU %': cpu[i],
    'RSS MiB': rss[i],
  };
});
console.table(rows);
console.log(`master idle RSS ${Math.round(idle.master * 10) / 10} MiB; ${N} listeners per tier, ${seconds} s measured after a ${rampS} s ramp; servers on CPU 0, load generators on CPU 1`);
writeFileSync(join(root, 'bench/relay-results.json'), JSON.stringify({ date: new Date().toISOString(), N, seconds, ramp, rows, results }, null, 2) + '\n');
cleanup();
process.exit(0);
