#!/usr/bin/env node
// What the station memory costs the running station: idle RSS of a headless engine with and without it, and
// the server's CPU time for listener connect/hang-up cycles (raw sockets from this process) with and without
// it. Each server runs in a child process of its own; numbers come from /proc. Run after `npx tsc -b`:
//   node scripts/station-memory-cost.mjs [CYCLES=3000]

import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cpuTicks, freePort, rssMiB, sleep } from './proc.mjs';

const root = join(fileURLToPath(import.meta.url), '../..');

async function serve(withMemory) {
  const { checkConfigText } = await import(join(root, 'dist/src-main/config/load.js'));
  const { Engine } = await import(join(root, 'dist/src-main/engine/engine.js'));
  const { Logger } = await import(join(root, 'dist/src-main/engine/log/log.js'));
  const dir = mkdtempSync(join(tmpdir(), 'cycast-cost-'));
  const listen = await freePort();
  const source = await freePort();
  const r = await checkConfigText(`server {\n  host = "127.0.0.1"\n  listen_port = ${listen}\n  source_port = ${source}\n  shoutcast_port = 0\n  source_password = "x-cost"\n}\nplaylist {\n  enabled = false\n}\n`);
  const engine = new Engine(r.config, new Logger(false), { baseDir: dir });
  if (withMemory) {
    const { openStationMemory } = await import(join(root, 'dist/src-main/memory/station-memory.js'));
    openStationMemory({ dataDir: dir, engine, log: engine.log });
  }
  await engine.start();
  process.stdout.write(JSON.stringify({ port: listen }) + '\n');
}

function cycle(port) {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => {});
    s.once('data', () => s.destroy());
    s.once('close', resolve);
    s.write('GET /stream HTTP/1.0\r\nUser-Agent: VLC/3.0.18 LibVLC/3.0.18\r\n\r\n');
  });
}

async function measure(withMemory, cycles) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'serve', withMemory ? 'with' : 'without'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const { port } = JSON.parse(await new Promise((r) => createInterface({ input: child.stdout }).once('line', r)));
  await sleep(3000);
  const idle = rssMiB(child.pid);
  // warm-up, then the measured cycles, 20 at a time
  for (let i = 0; i < 200; i++) await cycle(port);
  await sleep(6000);
  const t0 = cpuTicks(child.pid);
  let next = 0;
  await Promise.all(Array.from({ length: 20 }, async () => {
    while (next++ < cycles) await cycle(port);
  }));
  // the memory's writes happen on its timer (5 s): they are part of what a cycle costs
  await sleep(6000);
  const ticks = cpuTicks(child.pid) - t0;
  const after = rssMiB(child.pid);
  child.kill('SIGKILL');
  return { memory: withMemory, idleRssMiB: Math.round(idle * 10) / 10, rssAfterMiB: Math.round(after * 10) / 10, serverCpuMsPer1000Cycles: Math.round(((ticks * 10) / cycles) * 1000) };
}

if (process.argv[2] === 'serve') await serve(process.argv[3] === 'with');
else {
  const cycles = Number(process.argv[2] ?? 3000);
  for (const m of [false, true, false, true]) console.log(JSON.stringify(await measure(m, cycles)));
}
