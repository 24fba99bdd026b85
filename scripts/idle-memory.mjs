#!/usr/bin/env node
// What the headless station holds resident, phase by phase. Starts `node bin/cycast.js --headless` as a child
// on two configs, reads VmRSS / RssAnon / RssFile from /proc/PID/status after each phase settles, and prints
// a table. Not a test: the numbers are for the README and for issue 14 (a Pi Zero 2 has 512 MB).
//
//   node scripts/idle-memory.mjs [--settle 10] [--configs bundled,bench]      (after `npx tsc -b`)
//
// Configs:  bundled  config/config.hcl as shipped (AutoDJ on the demo track, station memory, recorder), moved
//                    to free loopback ports; its music folder is an empty temporary one
//           bench    the config scripts/bench.mjs starts cycast with (AutoDJ off)
//           bundled-no-memory, bundled-no-autodj, bundled-no-record: the bundled one with that part off,
//                    to see what each part costs
// Then the config check of the bundled config.hcl: in the checker's child process (what the station does),
// cold and warm, with the child's peak RSS; and, in a fresh node of its own, in-process (hcl2-parser loaded
// into the process that asks, as before), with what that process keeps resident.
// Phases:   idle (settled after start), live (an ffmpeg source plus one listener), after (the source gone:
//           AutoDJ again where it is on), reload (after a SIGHUP reload of the same file). --idle-only: the
//           first phase only.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, sleep } from './proc.mjs';

const root = join(fileURLToPath(import.meta.url), '../..');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const settleMs = Number(arg('settle', '10')) * 1000;
const configs = arg('configs', 'bundled,bench').split(',');
const idleOnly = process.argv.includes('--idle-only');
/** the bundled config with one part switched off: [block, key] set to false */
const WITHOUT = { 'bundled-no-memory': ['stats', 'enabled'], 'bundled-no-autodj': ['playlist', 'enabled'], 'bundled-no-record': ['record', 'enabled'] };

async function writeConfig(kind, dir) {
  const port = await freePort();
  const file = join(dir, 'config.hcl');
  if (kind === 'bench') {
    // the text scripts/bench.mjs writes (startCycast), with its default write interval
    writeFileSync(file, `server {\n  host = "127.0.0.1"\n  source_port = ${port}\n  listen_port = ${port}\n  shoutcast_port = 0\n  source_password = "bench"\n}\nplaylist {\n  enabled = false\n}\n`);
  } else {
    const text = readFileSync(join(root, 'config/config.hcl'), 'utf8')
      .replace(/host = "0\.0\.0\.0"/, 'host = "127.0.0.1"')
      .replace(/source_port = 8000/, `source_port = ${port}`)
      .replace(/listen_port = 8001/, `listen_port = ${port}`)
      .replace(/shoutcast_port = -1/, 'shoutcast_port = 0');
    mkdirSync(join(dir, 'music'));
    const off = WITHOUT[kind];
    if (!off && kind !== 'bundled') throw new Error(`unknown config ${kind}: bundled, bench, ${Object.keys(WITHOUT).join(', ')}`);
    writeFileSync(file, off ? switchOff(text, ...off) : text);
  }
  return { file, port };
}

/** Sets `key = false` in the first `block { }` of config text. */
function switchOff(text, block, key) {
  const start = text.search(new RegExp(`^${block} \\{`, 'm'));
  const at = text.indexOf(`${key} = true`, start);
  if (start < 0 || at < 0) throw new Error(`config/config.hcl has no ${block}.${key} = true`);
  return text.slice(0, at) + `${key} = false` + text.slice(at + `${key} = true`.length);
}

function memory(pid) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)[1]);
  return { rss: kib('VmRSS') / 1024, anon: kib('RssAnon') / 1024, file: kib('RssFile') / 1024 };
}

function startStation(file) {
  const t0 = Date.now();
  const child = spawn(process.execPath, [join(root, 'bin/cycast.js'), '--headless', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      if (out.includes('Press Ctrl+C')) {
        clearInterval(poll);
        resolve({ child, startMs: Date.now() - t0, log: () => out });
      } else if (Date.now() - t0 > 20_000 || child.exitCode !== null) {
        clearInterval(poll);
        child.kill('SIGKILL');
        reject(new Error(`cycast did not start:\n${out}`));
      }
    }, 50);
  });
}

/** A listener that reads and discards the stream; returns how many bytes it has had. */
function listen(port) {
  const s = connect(port, '127.0.0.1');
  let bytes = 0;
  s.on('error', () => {});
  s.on('data', (d) => (bytes += d.length));
  s.write('GET /stream HTTP/1.0\r\nUser-Agent: idle-memory\r\n\r\n');
  return { bytes: () => bytes, close: () => s.destroy() };
}

function ffmpegSource(port, password) {
  return spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=600', '-ac', '2', '-c:a', 'libmp3lame', '-b:a', '128k', '-content_type', 'audio/mpeg', '-f', 'mp3', `icecast://source:${password}@127.0.0.1:${port}/stream`], { stdio: 'ignore' });
}

async function measure(kind) {
  const dir = mkdtempSync(join(tmpdir(), 'cycast-idle-memory-'));
  const { file, port } = await writeConfig(kind, dir);
  const { child, startMs, log } = await startStation(file);
  const rows = [];
  const phase = async (name) => {
    await sleep(settleMs);
    rows.push({ config: kind, phase: name, ...memory(child.pid) });
  };
  try {
    await phase('idle');
    if (idleOnly) return { rows, startMs };
    const source = ffmpegSource(port, kind === 'bench' ? 'bench' : 'hackme');
    const listener = listen(port);
    await phase('live (source + 1 listener)');
    const heard = listener.bytes();
    source.kill('SIGTERM');
    await phase('after (source gone)');
    listener.close();
    child.kill('SIGHUP');
    await phase('reload (SIGHUP, same file)');
    if (!/SIGHUP: reloaded/.test(log())) throw new Error(`the reload did not happen:\n${log()}`);
    if (heard < 16_000) throw new Error(`the listener heard only ${heard} bytes:\n${log()}`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows, startMs };
}

const f = (n) => n.toFixed(1).padStart(7);
console.log(`node ${process.version}, settle ${settleMs / 1000} s per phase; MiB from /proc/PID/status`);
console.log(`${'config'.padEnd(18)} ${'phase'.padEnd(28)}  VmRSS  RssAnon  RssFile`);
for (const kind of configs) {
  const { rows, startMs } = await measure(kind);
  for (const r of rows) console.log(`${r.config.padEnd(18)} ${r.phase.padEnd(28)} ${f(r.rss)} ${f(r.anon)}  ${f(r.file)}`);
  console.log(`${kind.padEnd(18)} start to "Press Ctrl+C": ${startMs} ms`);
}

/** Times the config check as the station does it (checker child) and as it was (in-process, its own node). */
async function configCheckCost() {
  const { ConfigChecker } = await import(join(root, 'dist/src-main/config/checker.js'));
  const text = readFileSync(join(root, 'config/config.hcl'), 'utf8');
  const checker = new ConfigChecker();
  for (const run of ['cold (child starts)', 'warm (child lingers)']) {
    const t0 = performance.now();
    const r = await checker.check(text);
    const ms = performance.now() - t0;
    const peak = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${checker.pid}/status`, 'utf8'))[1]) / 1024;
    console.log(`config check in the child, ${run.padEnd(22)} ${ms.toFixed(0).padStart(5)} ms  ok ${r.config !== null}  child peak RSS ${peak.toFixed(1)} MiB`);
  }
  checker.release();
  const inProcess = `
    import { readFileSync } from 'node:fs';
    const rss = () => Number(/VmRSS:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
    const { checkInThisProcess } = await import(${JSON.stringify(join(root, 'dist/src-main/config/check.js'))});
    const text = readFileSync(${JSON.stringify(join(root, 'config/config.hcl'))}, 'utf8');
    const before = rss();
    for (const run of ['cold', 'warm']) {
      const t0 = performance.now();
      checkInThisProcess(text);
      console.log('config check in-process, ' + run.padEnd(27) + (performance.now() - t0).toFixed(0).padStart(5) + ' ms  RSS ' + before.toFixed(1) + ' -> ' + rss().toFixed(1) + ' MiB, kept for the life of the process');
    }`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', inProcess], { stdio: ['ignore', 'inherit', 'inherit'] });
  await new Promise((r) => child.once('exit', r));
}

await configCheckCost();
