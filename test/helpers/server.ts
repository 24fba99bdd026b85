// Starts a real engine on free loopback ports and talks to it the way clients do.

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type Socket } from 'node:net';
import { checkConfigText, type ConfigChecker } from '../../src-main/config/load.js';
import type { Engine } from '../../src-main/engine/engine.js';
import type { Clock } from '../../src-main/engine/autodj/feeder.js';
import { Station } from '../../src-main/station.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger, formatLogLine } from '../../src-main/engine/log/log.js';
import { parseIcyBlock } from '../../src-main/engine/protocol/icy.js';

export const PASSWORD = 'test-source-pw';
export const ADMIN = { user: 'admin', password: 'test-admin-pw' };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Two consecutive free ports (for source_port and its SHOUTcast port + 1). */
export async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = await freePort();
    if (p >= 65535) continue;
    const ok = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(p + 1, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (ok) return p;
  }
  throw new Error('no two consecutive free ports');
}

export interface TestServer {
  station: Station;
  engine: Engine;
  /** the folder relative config paths resolve in */
  dir: string;
  listenPort: number;
  sourcePort: number;
  shoutcastPort: number;
  logs: string[];
  url(path: string): string;
  stop(): Promise<void>;
}

/**
 * Starts an engine with config text appended to a loopback server block. AutoDJ is off unless `playlist`
 * gives the body of a playlist block; relative paths resolve in a fresh temporary folder (`dir`).
 */
export async function startServer(extra = '', server = '', opts: { playlist?: string; clock?: Clock; demoTracks?: string[]; dir?: string; memoryFlushMs?: number; configChecker?: ConfigChecker } = {}): Promise<TestServer> {
  const sourcePort = await freePortPair();
  const listenPort = await freePort();
  const text = `server {
  host = "127.0.0.1"
  source_port = ${sourcePort}
  listen_port = ${listenPort}
  source_password = "${PASSWORD}"
  ${server}
}
admin {
  user = "${ADMIN.user}"
  password = "${ADMIN.password}"
}
playlist {
  ${opts.playlist ?? 'enabled = false'}
}
${extra}
`;
  const r = await checkConfigText(text);
  if (!r.config) throw new Error('test config invalid: ' + JSON.stringify(r.errors));
  const logs: string[] = [];
  const logger = new Logger(true);
  logger.subscribe((e) => logs.push(formatLogLine(e)));
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'cycast-srv-'));
  const configPath = join(dir, 'config.hcl');
  writeFileSync(configPath, text);
  // the same composition root as the CLI and the desktop app
  const station = new Station({ config: r.config, configPath, logger, clock: opts.clock, demoTracks: opts.demoTracks, memoryFlushMs: opts.memoryFlushMs, configChecker: opts.configChecker });
  const { engine } = station;
  // what is attached before the ports open (the station memory)
  const ports = await station.start();
  return {
    station,
    engine,
    dir,
    listenPort: ports.listen,
    sourcePort: ports.source,
    shoutcastPort: ports.shoutcast,
    logs,
    url: (p) => `http://127.0.0.1:${ports.listen}${p}`,
    stop: () => station.stop(),
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until `cond` is true; fails after `ms`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await sleep(25);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

export interface Exchange {
  /** everything received, as Latin-1 text */
  text: string;
  /** ms until the server closed the connection (or the timeout) */
  ms: number;
  /** the server closed it (rather than the timeout) */
  closed: boolean;
}

/** A raw HTTP exchange: sends `request` (from `from`, a loopback address), reads until the server closes or `ms` pass. */
export function exchange(port: number, request: string | Buffer, opts: { from?: string; ms?: number } = {}): Promise<Exchange> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = connect({ port, host: '127.0.0.1', localAddress: opts.from });
    const parts: Buffer[] = [];
    let closed = false;
    const finish = (): void => {
      clearTimeout(timer);
      s.destroy();
      resolve({ text: Buffer.concat(parts).toString('latin1'), ms: Date.now() - t0, closed });
    };
    const timer = setTimeout(finish, opts.ms ?? 3000);
    s.on('data', (d) => parts.push(d));
    s.on('error', () => {});
    s.on('close', () => {
      closed = true;
      finish();
    });
    s.write(request);
  });
}

/** The text of a raw exchange (see `exchange`). */
export async function rawExchange(port: number, request: string | Buffer, ms = 3000): Promise<string> {
  return (await exchange(port, request, { ms })).text;
}

/** Runs a child process; `done` resolves with its exit code and output. */
export function run(cmd: string, args: string[], opts: { stdin?: string } = {}) {
  const child = spawn(cmd, args, { stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const done = new Promise<{ code: number | null; output: string }>((resolve) => child.on('close', (code) => resolve({ code, output })));
  return { child, done, output: () => output };
}

export function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('close', () => resolve());
    child.kill('SIGKILL');
  });
}

/** ffmpeg streaming a file in real time to an Icecast mount (HTTP PUT), looping it. */
export function ffmpegSource(port: number, mount: string, file: string, opts: { contentType: string; password?: string; format: string; name?: string; legacy?: boolean }) {
  return run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', file, '-c', 'copy',
    '-content_type', opts.contentType, ...(opts.name ? ['-ice_name', opts.name] : []),
    ...(opts.legacy ? ['-legacy_icecast', '1'] : []),
    '-f', opts.format, `icecast://source:${opts.password ?? PASSWORD}@127.0.0.1:${port}${mount}`,
  ]);
}

export interface Capture {
  socket: Socket;
  /** status line and headers */
  head: string;
  headers: Map<string, string>;
  /** stream bytes with ICY blocks removed */
  audio(): Buffer;
  /** titles from ICY blocks, in order */
  titles: string[];
  /** total bytes received after the head, ICY included */
  received: number;
  /** [audio bytes received before this read, time of the read (performance.now())] */
  arrivals: [number, number][];
  closed: Promise<void>;
  isClosed: boolean;
  close(): void;
}

/** A listener that records what it receives; with `icy`, parses and strips the metadata as a player does. */
export function listen(port: number, path: string, opts: { icy?: boolean; headers?: Record<string, string>; method?: string; from?: string } = {}): Promise<Capture> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', localAddress: opts.from });
    const extra = Object.entries({ ...(opts.icy ? { 'Icy-MetaData': '1' } : {}), ...opts.headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    s.write(`${opts.method ?? 'GET'} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: cycast-test\r\n${extra}\r\n`);
    let buf = Buffer.alloc(0);
    let headDone = false;
    const audio: Buffer[] = [];
    let metaint = 0;
    let untilMeta = 0;
    let metaLeft = -1; // -1: expecting audio; >=0: bytes of current meta block still to read
    let meta: Buffer[] = [];
    let closeResolve!: () => void;
    const cap: Capture = {
      socket: s,
      head: '',
      headers: new Map(),
      audio: () => Buffer.concat(audio),
      titles: [],
      received: 0,
      arrivals: [],
      closed: new Promise((r) => (closeResolve = r)),
      isClosed: false,
      close: () => s.destroy(),
    };
    let audioBytes = 0;
    const consume = (d: Buffer): void => {
      cap.received += d.length;
      cap.arrivals.push([audioBytes, performance.now()]);
      const before = audio.length;
      let p = 0;
      while (p < d.length) {
        if (!metaint) {
          audio.push(d.subarray(p));
          break;
        }
        if (metaLeft === -1) {
          const n = Math.min(untilMeta, d.length - p);
          audio.push(d.subarray(p, p + n));
          p += n;
          untilMeta -= n;
          if (untilMeta === 0) metaLeft = -2; // next byte is the length
        } else if (metaLeft === -2) {
          metaLeft = d[p++] * 16;
          meta = [];
          if (metaLeft === 0) {
            metaLeft = -1;
            untilMeta = metaint;
          }
        } else {
          const n = Math.min(metaLeft, d.length - p);
          meta.push(d.subarray(p, p + n));
          p += n;
          metaLeft -= n;
          if (metaLeft === 0) {
            const t = parseIcyBlock(Buffer.concat(meta)).StreamTitle;
            if (t !== undefined) cap.titles.push(t);
            metaLeft = -1;
            untilMeta = metaint;
          }
        }
      }
      for (let i = before; i < audio.length; i++) audioBytes += audio[i].length;
    };
    s.on('data', (d) => {
      if (headDone) return consume(d);
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      headDone = true;
      cap.head = buf.toString('latin1', 0, end);
      for (const line of cap.head.split('\r\n').slice(1)) {
        const c = line.indexOf(':');
        cap.headers.set(line.slice(0, c).toLowerCase(), line.slice(c + 1).trim());
      }
      metaint = Number(cap.headers.get('icy-metaint') ?? 0);
      untilMeta = metaint;
      resolve(cap);
      const rest = buf.subarray(end + 4);
      if (rest.length) consume(rest);
    });
    s.on('error', () => {});
    s.on('close', () => {
      cap.isClosed = true;
      closeResolve();
      if (!headDone) reject(new Error(`closed before a response head: ${buf.toString('latin1')}`));
    });
  });
}

/** Basic auth header value. */
export function basic(user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
}

/** GET with fetch and Basic auth. */
export async function get(url: string, auth?: { user: string; password: string }): Promise<Response> {
  return fetch(url, { headers: auth ? { Authorization: basic(auth.user, auth.password) } : {} });
}

/**
 * A raw Icecast SOURCE client that writes `data` in 4 KiB pieces at `bytesPerSecond`, looping, until stopped.
 * `sent` counts the audio bytes written.
 */
export async function pacedSource(port: number, mount: string, data: Buffer, bytesPerSecond: number, contentType = 'audio/mpeg', iceName = 'Paced') {
  const s = connect(port, '127.0.0.1');
  s.on('error', () => {});
  let reply = '';
  s.on('data', (d) => (reply += d));
  s.write(`SOURCE ${mount} HTTP/1.0\r\nAuthorization: ${basic('source', PASSWORD)}\r\nContent-Type: ${contentType}\r\nice-name: ${iceName}\r\n\r\n`);
  await waitFor(() => reply.includes('\r\n\r\n'), 3000, 'source accepted');
  if (!reply.startsWith('HTTP/1.0 200')) throw new Error(`source refused: ${reply}`);
  const piece = 4096;
  const state = { sent: 0, stopped: false };
  const t0 = Date.now();
  let pos = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((Date.now() - t0) / 1000) * bytesPerSecond);
    while (state.sent < due && !s.destroyed) {
      const n = Math.min(piece, data.length - pos);
      s.write(data.subarray(pos, pos + n));
      state.sent += n;
      pos = (pos + n) % data.length;
    }
  }, 10);
  return {
    state,
    socket: s,
    stop: (): Promise<void> =>
      new Promise((resolve) => {
        clearInterval(timer);
        state.stopped = true;
        if (s.destroyed) return resolve();
        s.once('close', () => resolve());
        s.end();
      }),
  };
}

/**
 * A case runner that watches a sentinel listener: after each case it is still connected, it received at
 * least 80 % of `rate` bytes/s if the case took a second or more (each such rate is pushed to `rates`), and
 * `statusUrl` still answers.
 */
export function sentinelWatch(sentinel: Capture, rate: number, statusUrl: string, rates: number[] = []) {
  return async <T>(what: () => Promise<T>): Promise<T> => {
    const b0 = sentinel.received;
    const t0 = performance.now();
    const r = await what();
    const secs = (performance.now() - t0) / 1000;
    if (sentinel.isClosed) throw new Error('the sentinel listener was disconnected');
    if (secs >= 1) {
      const got = (sentinel.received - b0) / secs;
      if (got <= rate * 0.8) throw new Error(`the sentinel received ${(got / 1000).toFixed(1)} kB/s during the case (source: ${rate / 1000} kB/s)`);
      rates.push(got);
    }
    const status = (await fetch(statusUrl)).status;
    if (status !== 200) throw new Error(`${statusUrl} answered ${status}`);
    return r;
  };
}
