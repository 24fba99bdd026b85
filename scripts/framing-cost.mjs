#!/usr/bin/env node
// CPU cost of framing hostile bytes against real audio: seconds of CPU per MB for the Ogg, MPEG and ADTS
// framers and for the track probe, and the longest single push (how long framing holds the event loop).
// Run after `npx tsc -b`. Real audio is made with ffmpeg in a temporary folder.
//
//   node scripts/framing-cost.mjs [--dist DIR] [--mb N]
//
// --dist picks another build (e.g. of an older commit, for before/after numbers); --mb the hostile input
// size (default 2). A run stops early after 20 s of CPU on one input and reports the rate so far.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const dist = resolve(opt('--dist', new URL('../dist', import.meta.url).pathname));
const hostileMb = Number(opt('--mb', '2'));
const CPU_CAP_S = 20;

const { createFramer } = await import(pathToFileURL(join(dist, 'src-main/engine/protocol/framing/index.js')).href);
const { probeTrack } = await import(pathToFileURL(join(dist, 'src-main/engine/autodj/track-probe.js')).href);

const tmp = mkdtempSync(join(tmpdir(), 'cycast-framing-cost-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

// pink noise: encodes at music-like bitrates (a sine tone compresses to almost nothing)
function ffmpeg(out, codecArgs, seconds = 120) {
  const path = join(tmp, out);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `anoisesrc=color=pink:amplitude=0.3:sample_rate=44100:duration=${seconds}`, '-ac', '2', ...codecArgs, path]);
  return path;
}

const real = {
  ogg: readFileSync(ffmpeg('real.ogg', ['-c:a', 'libvorbis', '-q:a', '4'])),
  mp3: readFileSync(ffmpeg('real.mp3', ['-c:a', 'libmp3lame', '-b:a', '128k'])),
  aac: readFileSync(ffmpeg('real.aac', ['-c:a', 'aac', '-b:a', '128k', '-f', 'adts'])),
};

/** `unit` repeated to `bytes`, after `prefix`. */
function repeat(prefix, unit, bytes) {
  const out = Buffer.alloc(prefix.length + bytes);
  prefix.copy(out);
  for (let p = prefix.length; p < out.length; p += unit.length) unit.copy(out, p, 0, Math.min(unit.length, out.length - p));
  return out;
}

const firstOggPage = (b) => b.subarray(0, 27 + b[26] + [...b.subarray(27, 27 + b[26])].reduce((x, y) => x + y, 0));
const size = Math.round(hostileMb * 1024 * 1024);

// The worst inputs found for each framer. Ogg: "OggS" candidates as dense as a page header allows, each
// claiming a long page and passing every check short of the CRC (version 0, no reserved flag bits): the
// reporter's 32-byte pattern (flags zeroed, ~58 KiB candidates), a 9-byte run (a candidate every 9 bytes,
// 255 lacing values each, ~32 KiB candidates), and the 32-byte one trickled. MPEG/ADTS: a plausible header
// every 4 bytes, each claiming the longest frame, pushed in small pieces (a source trickling bytes).
const reporterUnit = Buffer.concat([Buffer.from('OggS\0\0'), Buffer.alloc(26, 0xff)]);
const denseUnit = Buffer.from([0x4f, 0x67, 0x67, 0x53, 0, 0, 0xff, 0xff, 0xff]);
const hostile = {
  'ogg (OggS + 0xFF, 32 B)': { format: 'ogg', data: repeat(firstOggPage(real.ogg), reporterUnit, size), piece: 64 * 1024 },
  'ogg (OggS run, 9 B)': { format: 'ogg', data: repeat(firstOggPage(real.ogg), denseUnit, size), piece: 64 * 1024 },
  'ogg (trickled, 8 B pushes)': { format: 'ogg', data: repeat(firstOggPage(real.ogg), reporterUnit, size / 16), piece: 8 },
  // MPEG-1 Layer II, 384 kbit/s, 32 kHz, padded: 1,729-byte frames (the longest); none confirms the next
  'mp3 (trickled, 8 B pushes)': { format: 'mp3', data: repeat(real.mp3.subarray(0, 0), Buffer.from([0xff, 0xfd, 0xea, 0x00]), size / 16), piece: 8 },
  // ADTS with the largest frame length field (8191 bytes)
  'aac (trickled, 8 B pushes)': { format: 'aac', data: repeat(Buffer.alloc(0), Buffer.from([0xff, 0xf1, 0x50, 0x83, 0xff, 0xff, 0xfc]), size / 16), piece: 8 },
};

/** CPU seconds per MB of pushing `data` in `piece`-byte pushes, and the longest push in ms. */
function measure(format, data, piece) {
  const framer = createFramer(format);
  const t0 = process.cpuUsage();
  let worstPushMs = 0;
  let done = 0;
  let frames = 0;
  while (done < data.length) {
    const slice = data.subarray(done, Math.min(data.length, done + piece));
    const p0 = performance.now();
    frames += framer.push(slice).length;
    const ms = performance.now() - p0;
    if (ms > worstPushMs) worstPushMs = ms;
    done += slice.length;
    if ((done & 0xffff) < piece) {
      const u = process.cpuUsage(t0);
      if ((u.user + u.system) / 1e6 > CPU_CAP_S) break;
    }
  }
  const u = process.cpuUsage(t0);
  const cpu = (u.user + u.system) / 1e6;
  return { perMb: cpu / (done / 1048576), worstPushMs, mb: done / 1048576, frames, crcPerByte: framer.checksummedBytes === undefined ? null : framer.checksummedBytes / done };
}

// warm the JIT on every path first, so the numbers are steady-state costs, not compilation
for (const [f, data] of Object.entries(real)) for (const piece of [8, 64 * 1024]) measure(f, data.subarray(0, 256 * 1024), piece);
for (const h of Object.values(hostile)) measure(h.format, h.data.subarray(0, 128 * 1024), h.piece);

const fmt = (n, d = 3) => (n < 0.001 ? n.toExponential(1) : n.toFixed(d));
console.log(`framing cost, ${dist}`);
console.log('input'.padEnd(34) + 'CPU s/MB'.padStart(10) + 'worst push ms'.padStart(15) + 'MB run'.padStart(8) + 'CRC bytes/byte'.padStart(16));
const rows = [
  ...Object.entries(real).map(([f, data]) => [`${f} real (ffmpeg, 64 KiB pushes)`, f, data, 64 * 1024]),
  ...Object.entries(real).map(([f, data]) => [`${f} real (trickled, 8 B pushes)`, f, data, 8]),
  ...Object.entries(hostile).map(([name, h]) => [`${name} hostile`, h.format, h.data, h.piece]),
];
for (const [name, format, data, piece] of rows) {
  const r = measure(format, data, piece);
  console.log(name.padEnd(34) + fmt(r.perMb).padStart(10) + fmt(r.worstPushMs, 2).padStart(15) + r.mb.toFixed(2).padStart(8) + (r.crcPerByte === null ? '-' : r.crcPerByte.toFixed(3)).padStart(16));
}

// The probe reads files in its own pieces; a hostile file is the Ogg pattern above (the reporter's 3 MB file).
const files = {
  'probe ogg real': ['real.ogg', real.ogg],
  'probe mp3 real': ['real.mp3', real.mp3],
  'probe aac real': ['real.aac', real.aac],
  'probe ogg hostile (32 B)': ['hostile.ogg', hostile['ogg (OggS + 0xFF, 32 B)'].data],
  'probe ogg hostile (9 B run)': ['hostile9.ogg', hostile['ogg (OggS run, 9 B)'].data],
  'probe mp3 hostile': ['hostile.mp3', repeat(Buffer.alloc(0), Buffer.from([0xff, 0xfb, 0x90, 0x00]), size)],
};
console.log('\n' + 'file'.padEnd(34) + 'CPU s/MB'.padStart(10) + 'MB'.padStart(8) + '  probe result');
for (const [name, [file, data]] of Object.entries(files)) {
  const path = join(tmp, file);
  writeFileSync(path, data);
  const t0 = process.cpuUsage();
  const t = await probeTrack(path);
  const u = process.cpuUsage(t0);
  const cpu = (u.user + u.system) / 1e6;
  console.log(name.padEnd(34) + fmt(cpu / (data.length / 1048576)).padStart(10) + (data.length / 1048576).toFixed(2).padStart(8) + `  ${t.problem ?? `${t.duration.toFixed(1)} s ${t.codec}`}`);
}

// How long one 64 KiB push of the worst Ogg input holds the event loop in a process that has never framed
// anything (the JIT cold: what an attacker's first bytes meet), then warm.
const coldCode = `
const { createFramer } = await import(${JSON.stringify(pathToFileURL(join(dist, 'src-main/engine/protocol/framing/index.js')).href)});
const unit = Buffer.from(${JSON.stringify([...denseUnit])});
const flood = Buffer.alloc(2 << 20);
for (let p = 0; p < flood.length; p += unit.length) unit.copy(flood, p, 0, Math.min(unit.length, flood.length - p));
const f = createFramer('ogg');
const ms = [];
for (let p = 0; p < flood.length; p += 65536) {
  const t = performance.now();
  f.push(flood.subarray(p, p + 65536));
  ms.push(performance.now() - t);
}
console.log(JSON.stringify(ms));`;
const pushMs = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', coldCode]).toString());
const warm = pushMs.slice(8).sort((a, b) => a - b);
console.log(
  `\nogg 9 B run, 64 KiB pushes in a fresh process: first pushes ${pushMs.slice(0, 4).map((m) => m.toFixed(1)).join(', ')} ms (JIT cold); ` +
    `after 8: median ${warm[warm.length >> 1].toFixed(1)} ms, max ${warm[warm.length - 1].toFixed(1)} ms`,
);
