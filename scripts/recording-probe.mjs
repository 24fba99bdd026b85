// Measures what recording costs the stream: the same in-process engine with 200 listeners and one raw
// SOURCE client sending a 320 kbit/s MP3 at 10x real time (400 KB/s), once without and once with recording.
// Prints the event-loop delay (what listeners would wait), the recorder's file against what went on air,
// and memory. Run after a build:  node scripts/recording-probe.mjs [seconds]

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { checkConfigText } from '../dist/src-main/config/load.js';
import { Engine } from '../dist/src-main/engine/engine.js';
import { Logger } from '../dist/src-main/engine/log/log.js';
import { startRecorder } from '../dist/src-main/recording/recorder.js';
import { freePort, sleep } from './proc.mjs';

const SECONDS = Number(process.argv[2] ?? 15);
const LISTENERS = 200;
const RATE = 400_000;
const dir = mkdtempSync(join(tmpdir(), 'cycast-rec-probe-'));
const mp3 = join(dir, 'tone.mp3');
execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=60', '-ac', '2', '-c:a', 'libmp3lame', '-b:a', '320k', '-write_xing', '0', '-id3v2_version', '0', mp3]);
const audio = readFileSync(mp3);

async function run(recording) {
  const source = await freePort();
  const listen = await freePort();
  const cfg = (await checkConfigText(`server {\n host = "127.0.0.1"\n source_port = ${source}\n listen_port = ${listen}\n shoutcast_port = 0\n source_password = "pw"\n}\nplaylist {\n enabled = false\n}\nbuffer {\n size_mb = 50\n}\nrecord {\n enabled = ${recording}\n folder = "./rec-${recording}"\n}\n`)).config;
  const engine = new Engine(cfg, new Logger(false), { baseDir: dir });
  await engine.start();
  const recorder = startRecorder({ engine });
  await recorder.ready;
  const sockets = [];
  let received = 0;
  for (let i = 0; i < LISTENERS; i++) {
    const s = connect(listen, '127.0.0.1');
    s.on('data', (d) => (received += d.length));
    s.on('error', () => {});
    s.write('GET /stream HTTP/1.0\r\n\r\n');
    sockets.push(s);
  }
  const src = connect(source, '127.0.0.1');
  src.on('error', () => {});
  src.write(`SOURCE /stream HTTP/1.0\r\nAuthorization: Basic ${Buffer.from('source:pw').toString('base64')}\r\nContent-Type: audio/mpeg\r\nice-name: Probe\r\n\r\n`);
  await sleep(300);
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const t0 = Date.now();
  let sent = 0;
  while (Date.now() - t0 < SECONDS * 1000) {
    const due = Math.floor(((Date.now() - t0) / 1000) * RATE);
    while (sent < due) {
      const n = Math.min(4096, due - sent);
      const p = sent % audio.length;
      src.write(audio.subarray(p, Math.min(audio.length, p + n)));
      sent += Math.min(n, audio.length - p);
    }
    await sleep(10);
  }
  delay.disable();
  const onAir = engine.mounts.get('/stream').secondsIn;
  const rss = process.memoryUsage().rss / 1048576;
  src.destroy();
  await sleep(500);
  await recorder.close();
  const folder = join(dir, `rec-${recording}`);
  let file = '';
  try {
    file = readdirSync(folder).find((f) => f.endsWith('.mp3')) ?? '';
  } catch {}
  const sidecar = file ? JSON.parse(readFileSync(join(folder, file.replace(/\.mp3$/, '.json')), 'utf8')) : null;
  for (const s of sockets) s.destroy();
  await engine.stop();
  const ms = (ns) => (ns / 1e6).toFixed(2);
  console.log(
    `recording ${recording ? 'on ' : 'off'}: event-loop delay p50 ${ms(delay.percentile(50))} ms, p99 ${ms(delay.percentile(99))} ms, max ${ms(delay.max)} ms; ` +
      `${(sent / 1048576).toFixed(1)} MB sent, ${onAir.toFixed(1)} s on air, listeners got ${(received / 1048576).toFixed(0)} MB; rss ${rss.toFixed(0)} MB` +
      (sidecar ? `; file ${(statSync(join(folder, file)).size / 1048576).toFixed(1)} MB, ${sidecar.duration} s, state ${sidecar.state}` : ''),
  );
}

await run(false);
await run(true);
