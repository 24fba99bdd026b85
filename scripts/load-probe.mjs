#!/usr/bin/env node
// Quick load probe (not a test): starts the headless server in its own process, one 128 kbit/s MP3 source
// writing one frame at a time in real time, and N listeners, then prints the server's CPU and memory.
// Usage: node scripts/load-probe.mjs [N ...]   (default 100 1000 3000); run `npm run build` first.
// The listeners live in this process, so this measures the server, not a fair load generator (issue 6
// brings the real benchmark against icecast2).

import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuTicks, freePort, sleep } from './proc.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const levels = process.argv.slice(2).map(Number).filter((n) => n > 0);
if (!levels.length) levels.push(100, 1000, 3000);
const MEASURE_S = 10;

const dir = mkdtempSync(join(tmpdir(), 'cycast-probe-'));
const mp3 = join(dir, 'tone.mp3');
execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=30', '-ac', '2', '-ar', '44100', '-b:a', '128k', '-write_xing', '0', '-id3v2_version', '0', mp3]);
const audio = readFileSync(mp3);
const FRAME = 417; // 128 kbit/s at 44.1 kHz: 417 or 418 bytes per 26.12 ms frame
const FRAME_MS = 1152 / 44.1;

const sourcePort = await freePort();
const listenPort = await freePort();
const cfg = join(dir, 'config.hcl');
writeFileSync(cfg, `server {\n  host = "127.0.0.1"\n  source_port = ${sourcePort}\n  listen_port = ${listenPort}\n  shoutcast_port = 0\n  source_password = "probe"\n}\nplaylist {\n  enabled = false\n}\n`);
// PROBE_PROFILE=DIR writes a V8 CPU profile of the server there (open it in Chrome DevTools)
const profile = process.env.PROBE_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.PROBE_PROFILE] : [];
const server = spawn(process.execPath, [...profile, join(root, 'bin/cycast.js'), '--headless', '--config', cfg], { stdio: ['ignore', 'pipe', 'inherit'] });
let banner = '';
server.stdout.on('data', (d) => (banner += d));
while (!banner.includes('Press Ctrl+C')) await sleep(50);

function rssKiB(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
}
const HZ = 100;

// the source: one MP3 frame per write, paced against the clock
const src = connect(sourcePort, '127.0.0.1');
src.write(`SOURCE /stream HTTP/1.0\r\nAuthorization: Basic ${Buffer.from('source:probe').toString('base64')}\r\nContent-Type: audio/mpeg\r\n\r\n`);
src.on('data', () => {});
const t0 = performance.now();
let frames = 0;
let pos = 0;
const pace = setInterval(() => {
  const due = Math.floor((performance.now() - t0) / FRAME_MS);
  for (; frames < due; frames++) {
    // walk real frame boundaries of the file
    const b2 = audio[pos + 2];
    const len = FRAME + ((b2 >> 1) & 1);
    src.write(audio.subarray(pos, pos + len));
    pos += len;
    if (pos + 4 > audio.length || audio[pos] !== 0xff) pos = 0;
  }
}, 5);

const listeners = [];
function addListener() {
  return new Promise((res) => {
    const s = connect(listenPort, '127.0.0.1');
    const l = { s, bytes: 0, last: performance.now() };
    s.on('data', (d) => {
      l.bytes += d.length;
      l.last = performance.now();
    });
    s.on('error', () => {});
    s.once('connect', () => {
      s.write('GET /stream HTTP/1.0\r\n\r\n');
      res(l);
    });
  });
}

const rows = [];
const rss0 = rssKiB(server.pid);
for (const n of levels) {
  while (listeners.length < n) {
    const batch = Math.min(200, n - listeners.length);
    listeners.push(...(await Promise.all(Array.from({ length: batch }, addListener))));
    await sleep(100);
  }
  await sleep(2000);
  const b0 = listeners.map((l) => l.bytes);
  const c0 = cpuTicks(server.pid);
  const w0 = performance.now();
  await sleep(MEASURE_S * 1000);
  const secs = (performance.now() - w0) / 1000;
  const cpu = ((cpuTicks(server.pid) - c0) / HZ / secs) * 100;
  const rates = listeners.map((l, i) => ((l.bytes - b0[i]) * 8) / secs / 1000).sort((a, b) => a - b);
  const stalled = listeners.filter((l) => performance.now() - l.last > 2000).length;
  const rss = rssKiB(server.pid);
  rows.push({ listeners: n, cpu_pct: cpu.toFixed(1), rss_mib: (rss / 1024).toFixed(1), kib_per_listener: ((rss - rss0) / n).toFixed(2), kbps_p1: rates[Math.floor(rates.length * 0.01)].toFixed(1), kbps_p50: rates[Math.floor(rates.length / 2)].toFixed(1), stalled });
  console.log(JSON.stringify(rows[rows.length - 1]));
}
console.log(`\nserver idle RSS ${(rss0 / 1024).toFixed(1)} MiB (with the source connected)`);
console.table(rows);
clearInterval(pace);
for (const l of listeners) l.s.destroy();
src.destroy();
server.kill('SIGTERM');
await new Promise((r) => server.once('close', r));
