// What a stranger on the internet can try against a public station, finding by finding (the security
// issue): password oracles, lockouts a stranger can trigger, phantom and unbounded mounts, connection
// floods, forged logs and documents, public leaks. A sentinel listener on another mount hears a live
// source in real time throughout; every case checks it kept the full rate.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MAX_LOG_LINE } from '../../src-main/engine/log/log.js';
import { fixture } from '../helpers/audio.js';
import { ADMIN, basic, exchange, listen, PASSWORD, pacedSource, rawExchange, sentinelWatch, sleep, startServer, waitFor, type Capture, type TestServer } from '../helpers/server.js';
import { startStudio } from '../helpers/studio.js';

const RATE = 16_000;
const statusOf = (text: string): number => Number(/^HTTP\/1\.[01] (\d{3}) /.exec(text)?.[1] ?? 0);

/** Runs `what` in bounded batches of `parallel`. */
async function inBatches<T>(n: number, parallel: number, what: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += parallel) out.push(...(await Promise.all(Array.from({ length: Math.min(parallel, n - i) }, (_, k) => what(i + k)))));
  return out;
}

describe('security: what a stranger can try against a public station', () => {
  let srv: TestServer;
  let source: Awaited<ReturnType<typeof pacedSource>>;
  let sentinel: Capture;
  const music = join(tmpdir(), `cycast-sec-music-${process.pid}`);

  before(async () => {
    mkdirSync(music, { recursive: true });
    writeFileSync(join(music, 'Track One.mp3'), readFileSync(fixture('mp3', 10)));
    srv = await startServer(
      `mount "/sentinel" {\n  playlist_enabled = false\n}\nmount "/auto" {\n  playlist_directory = "${music}"\n  playlist_enabled = true\n}\nlimits {\n  sources = 3\n}\n`,
      '',
      { playlist: 'enabled = false' },
    );
    source = await pacedSource(srv.sourcePort, '/sentinel', readFileSync(fixture('mp3', 10)), RATE);
    sentinel = await listen(srv.listenPort, '/sentinel');
  });
  after(async () => {
    sentinel.close();
    await source.stop();
    await srv.stop();
  });

  /** Runs a case and checks the sentinel kept the real-time rate and /api/status still answers. */
  const watching = <T>(what: () => Promise<T>): Promise<T> => sentinelWatch(sentinel, RATE, srv.url('/api/status'))(what);

  const cgi = (pass: string, from: string) => exchange(srv.listenPort, `GET /admin.cgi?pass=${encodeURIComponent(pass)}&mode=updinfo&song=x HTTP/1.0\r\n\r\n`, { from });

  it('admin.cgi is no password oracle: while slowed down, the right password gets the same 429 as a wrong one', async () => {
    await watching(async () => {
      const from = '127.0.1.1';
      for (let i = 0; i < 10; i++) assert.notEqual(statusOf((await cgi(`guess${i}`, from)).text), 200);
      const right = await cgi(ADMIN.password, from);
      assert.equal(statusOf(right.text), 429, right.text);
      assert.match(right.text, /Retry-After: \d+/);
    });
  });

  it('10,000 wrong guesses against admin.cgi, /admin/, the studio and source logins never produce a 200', async () => {
    await watching(async () => {
      const requests: [number, (i: number) => string][] = [
        [srv.listenPort, (i) => `GET /admin.cgi?pass=g${i}&mode=updinfo&song=x HTTP/1.0\r\n\r\n`],
        [srv.listenPort, (i) => `GET /admin/stats HTTP/1.0\r\nAuthorization: ${basic(ADMIN.user, `g${i}`)}\r\n\r\n`],
        [srv.listenPort, (i) => `GET /studio/api/snapshot HTTP/1.0\r\nAuthorization: ${basic(ADMIN.user, `g${i}`)}\r\n\r\n`],
        [srv.sourcePort, (i) => `SOURCE /stream HTTP/1.0\r\nAuthorization: ${basic('source', `g${i}`)}\r\nContent-Type: audio/mpeg\r\n\r\n`],
      ];
      const statuses = new Map<number, number>();
      for (const [port, req] of requests) {
        const got = await inBatches(2500, 50, (i) => exchange(port, req(i), { from: '127.0.1.2', ms: 5000 }));
        for (const g of got) statuses.set(statusOf(g.text), (statuses.get(statusOf(g.text)) ?? 0) + 1);
      }
      assert.equal(statuses.get(200) ?? 0, 0, JSON.stringify([...statuses]));
      assert.ok((statuses.get(429) ?? 0) > 9000, `most were slowed down: ${JSON.stringify([...statuses])}`);
    });
  });

  it('a page firing 100 wrong admin.cgi requests from the DJ\'s address does not keep the DJ off air, nor the admin out', async () => {
    await watching(async () => {
      const from = '127.0.1.3';
      await inBatches(100, 20, (i) => cgi(`wrong${i}`, from));
      // TLS hellos and binary first lines to the listen port (the SHOUTcast port by default) are no logins
      for (let i = 0; i < 10; i++) await exchange(srv.shoutcastPort, '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n', { from, ms: 1000 });
      for (let i = 0; i < 10; i++) await exchange(srv.shoutcastPort, '\x00\x01\x02\xff\xfe\n', { from, ms: 1000 });
      // libshout's ICY-protocol probe (VLC reconnecting per playlist item sends it every time)
      for (let i = 0; i < 11; i++) assert.match((await exchange(srv.shoutcastPort, '!POKE\nicy-name:libshout server poke request\n\n', { from, ms: 1000 })).text, /invalid password/);
      const t0 = Date.now();
      const dj = (await exchange(srv.sourcePort, `SOURCE /dj.mp3 HTTP/1.0\r\nAuthorization: ${basic('source', PASSWORD)}\r\nContent-Type: audio/mpeg\r\n\r\n`, { from, ms: 500 })).text;
      assert.match(dj, /^HTTP\/1\.0 200 OK/, 'the DJ goes on air');
      assert.ok(Date.now() - t0 < 1000);
      const studio = await exchange(srv.listenPort, `GET /studio/api/snapshot HTTP/1.0\r\nAuthorization: ${basic(ADMIN.user, ADMIN.password)}\r\n\r\n`, { from });
      assert.equal(statusOf(studio.text), 200, 'the admin still gets into the studio');
      assert.ok(srv.logs.some((l) => l.includes('127.0.1.3: ') && l.includes('admin.cgi password guesses are slowed down')), 'the slowed-down address is logged');
    });
  });

  it('ffmpeg on the same address as a page firing 100 wrong admin.cgi requests goes on air at once', async () => {
    await inBatches(100, 20, (i) => cgi(`x${i}`, '127.0.0.1'));
    const ff = spawn('ffmpeg', ['-v', 'error', '-re', '-i', fixture('mp3', 10), '-c', 'copy', '-content_type', 'audio/mpeg', '-f', 'mp3', `icecast://source:${PASSWORD}@127.0.0.1:${srv.sourcePort}/ff.mp3`], { stdio: 'ignore' });
    try {
      await waitFor(() => srv.engine.mounts.get('/ff.mp3')?.source !== null && srv.engine.mounts.has('/ff.mp3'), 5000, 'ffmpeg on air');
    } finally {
      ff.kill('SIGKILL');
    }
  });

  it('a source refused for its Transfer-Encoding leaves no mount behind', async () => {
    const r = await rawExchange(srv.sourcePort, `SOURCE /phantom.mp3 HTTP/1.0\r\nAuthorization: ${basic('source', PASSWORD)}\r\nContent-Type: audio/mpeg\r\nTransfer-Encoding: gzip\r\n\r\n`);
    assert.match(r, /^HTTP\/1\.0 501 /);
    assert.equal((await fetch(srv.url('/phantom.mp3'))).status, 404);
    assert.equal(srv.engine.mounts.has('/phantom.mp3'), false);
  });

  it('bounds live sources (limits.sources) and frees a dynamic mount\'s buffer when its source leaves', async () => {
    // a source that just hung up (the test before) is seen to go at the next read, within a write interval
    await waitFor(() => [...srv.engine.mounts.values()].filter((m) => m.source).length === 1, 3000, 'only the sentinel on air');
    await watching(async () => {
      const a = await pacedSource(srv.sourcePort, '/d1.mp3', readFileSync(fixture('mp3', 10)), RATE * 4);
      const m = srv.engine.mounts.get('/d1.mp3')!;
      await waitFor(() => m.ring.length > 0, 3000, 'audio in the dynamic mount');
      const b = await pacedSource(srv.sourcePort, '/d2.mp3', readFileSync(fixture('mp3', 10)), RATE);
      // the sentinel's source, d1 and d2 make three: the fourth is refused
      const c = await rawExchange(srv.sourcePort, `SOURCE /d3.mp3 HTTP/1.0\r\nAuthorization: ${basic('source', PASSWORD)}\r\nContent-Type: audio/mpeg\r\n\r\n`);
      assert.match(c, /^HTTP\/1\.0 503 [\s\S]*Too many sources connected \(3\)/);
      assert.equal(srv.engine.mounts.has('/d3.mp3'), false);
      await a.stop();
      await waitFor(() => !srv.engine.mounts.has('/d1.mp3'), 3000, 'd1 gone');
      assert.equal(m.ring.length, 0, 'its buffer is given back');
      await b.stop();
    });
  });

  it('logs one safe line per event: control characters escaped, bidi overrides neutralised, floods summarised', async () => {
    await watching(async () => {
      const forged = 'Song\n2026-12-01 10:00:00 ERROR forged\x1b]0;pwned\x07 \u202eevil';
      await fetch(srv.url(`/admin/metadata?mount=/sentinel&mode=updinfo&song=${encodeURIComponent(forged)}`), { headers: { Authorization: basic(ADMIN.user, ADMIN.password) } });
      const line = srv.logs.find((l) => l.includes('title on /sentinel: Song'))!;
      assert.ok(line, 'the title was logged');
      assert.ok(!/[\x00-\x1f\x7f\u202e]/.test(line), `no raw control or bidi characters: ${JSON.stringify(line)}`);
      assert.match(line, /Song\\x0a2026-12-01 10:00:00 ERROR forged\\x1b\]0;pwned\\x07 \\u202eevil/);
      assert.ok(!srv.logs.some((l) => /^\S+ \S+ ERROR forged/.test(l)), 'no forged ERROR line');
      // 1,500 listeners with a 15 KB User-Agent: lines are capped and the flood is summarised
      const before = srv.logs.length;
      const ua = 'A'.repeat(15_000);
      await inBatches(1500, 100, () => exchange(srv.listenPort, `GET /sentinel HTTP/1.0\r\nUser-Agent: ${ua}\r\n\r\n`, { ms: 200 }));
      await waitFor(() => srv.logs.slice(before).some((l) => /… and [\d,]+ more like it in \d+ s/.test(l)), 12_000, 'the flood summary');
      const flood = srv.logs.slice(before);
      assert.ok(flood.length < 100, `${flood.length} lines for 3000 events`);
      assert.ok(flood.every((l) => l.length < MAX_LOG_LINE + 100), 'every line capped');
    });
  });

  it('keeps /admin/listclients and /admin/stats valid XML and /stream.pls one entry, whatever a client or source sends', async () => {
    const l = await listen(srv.listenPort, '/sentinel', { headers: { 'User-Agent': 'bad\x01\x02agent\x0b' } });
    const s = connect(srv.sourcePort, '127.0.0.1');
    s.on('error', () => {});
    s.write(`SOURCE /cr.mp3 HTTP/1.0\r\nAuthorization: ${basic('source', PASSWORD)}\r\nContent-Type: audio/mpeg\r\nice-name: Name\rFile2=http://evil.example/x\r\nice-description: d\x01e\r\n\r\n`);
    try {
      await waitFor(() => srv.engine.mounts.has('/cr.mp3'), 3000, 'the source on air');
      const auth = { Authorization: basic(ADMIN.user, ADMIN.password) };
      for (const p of ['/admin/listclients?mount=/sentinel', '/admin/stats']) {
        const body = await (await fetch(srv.url(p), { headers: auth })).text();
        assert.ok(!/[\x00-\x08\x0b\x0c\x0e-\x1f]/.test(body), `${p} holds no character XML 1.0 forbids`);
      }
      const pls = await (await fetch(srv.url('/cr.mp3.pls'))).text();
      assert.equal(pls.match(/^File\d+=/gm)?.length, 1, pls);
      assert.ok(!pls.includes('\r'), 'no bare CR');
    } finally {
      l.close();
      s.destroy();
    }
  });

  it('public documents show no login names and no server paths', async () => {
    await waitFor(async () => ((await (await fetch(srv.url('/api/status'))).json()) as { mounts: { autodj: { now_playing: unknown } | null }[] }).mounts.some((m) => m.autodj?.now_playing), 8000, 'the AutoDJ playing');
    const status = await (await fetch(srv.url('/api/status'))).text();
    assert.ok(!status.includes(music), '/api/status names no server folder');
    assert.match(status, /"file": "Track One\.mp3"/);
    const ice = (await (await fetch(srv.url('/status-json.xsl'))).json()) as { icestats: { admin: string } };
    assert.equal(ice.icestats.admin, '', 'status-json.xsl shows no admin login name');
  });
});

describe('security: connection bounds, proxies and the studio', () => {
  it('holds descriptors for the DJ and the admin when slow heads and listeners fill limits.clients', async () => {
    const srv = await startServer('limits {\n  clients = 300\n}\n', '', {});
    const held: Socket[] = [];
    try {
      // 400 slow heads from 8 addresses, under every per-address threshold
      for (let i = 0; i < 400; i++) {
        const s = connect({ port: srv.listenPort, host: '127.0.0.1', localAddress: `127.0.2.${1 + (i % 8)}` });
        s.on('error', () => {});
        s.write('GET /stream HTTP/1.1\r\n');
        held.push(s);
      }
      await sleep(300);
      assert.ok(srv.engine.gate.total <= 75, `${srv.engine.gate.total} unfinished heads held (the oldest are closed past the bound)`);
      const src = await rawExchange(srv.sourcePort, `SOURCE /stream HTTP/1.0\r\nAuthorization: ${basic('source', PASSWORD)}\r\nContent-Type: audio/mpeg\r\n\r\n`);
      assert.match(src, /^HTTP\/1\.0 200 /, 'the DJ gets in');
      assert.equal((await fetch(srv.url('/admin/stats'), { headers: { Authorization: basic(ADMIN.user, ADMIN.password) } })).status, 200, 'the admin gets in');
      for (const s of held) s.destroy();
      held.length = 0;
      // listeners stop 32 below clients, so the DJ, the admin and the status page still get in
      const listeners = await inBatches(270, 30, () => listen(srv.listenPort, '/stream').catch(() => null));
      const full = await exchange(srv.listenPort, 'GET /stream HTTP/1.0\r\n\r\n', { ms: 2000 });
      assert.match(full.text, /^HTTP\/1\.0 503 [\s\S]*Server full/);
      assert.equal(srv.engine.mounts.totalListeners, 268);
      assert.equal((await fetch(srv.url('/api/status'))).status, 200);
      for (const l of listeners) l?.close();
    } finally {
      for (const s of held) s.destroy();
      await srv.stop();
    }
  });

  it('believes X-Forwarded-For only from a trusted proxy', async () => {
    const srv = await startServer('advanced {\n  trusted_proxies = ["127.0.0.1"]\n}\n');
    try {
      const a = await listen(srv.listenPort, '/stream', { headers: { 'X-Forwarded-For': '198.51.100.7, 127.0.0.1' } });
      const b = await listen(srv.listenPort, '/stream', { headers: { 'X-Forwarded-For': '198.51.100.8' }, from: '127.0.0.2' });
      const xml = await (await fetch(srv.url('/admin/listclients?mount=/stream'), { headers: { Authorization: basic(ADMIN.user, ADMIN.password) } })).text();
      assert.match(xml, /<IP>198\.51\.100\.7<\/IP>/, 'the proxy\'s client');
      assert.match(xml, /<IP>127\.0\.0\.2<\/IP>/, 'an untrusted peer is itself');
      assert.ok(!xml.includes('198.51.100.8'));
      a.close();
      b.close();
    } finally {
      await srv.stop();
    }
  });

  it('caps studio event streams and refuses a Host it does not serve (DNS rebinding)', async () => {
    const srv = await startStudio(join(tmpdir(), `cycast-sec-studio-${process.pid}`), 'playlist {\n  enabled = false\n}\nlimits {\n  event_streams = 3\n}\n');
    const open: AbortController[] = [];
    try {
      const auth = { Authorization: basic(ADMIN.user, ADMIN.password) };
      for (let i = 0; i < 3; i++) {
        const c = new AbortController();
        open.push(c);
        assert.equal((await fetch(srv.url('/studio/api/events'), { headers: auth, signal: c.signal })).status, 200);
      }
      const fourth = await fetch(srv.url('/studio/api/events'), { headers: auth });
      assert.equal(fourth.status, 503);
      const rebind = await exchange(srv.listenPort, `GET /studio/api/snapshot HTTP/1.1\r\nHost: evil.example:${srv.listenPort}\r\nAuthorization: ${basic(ADMIN.user, ADMIN.password)}\r\nConnection: close\r\n\r\n`);
      assert.equal(statusOf(rebind.text), 403, rebind.text);
      assert.match(rebind.text, /not a name this server answers to/);
      const own = await exchange(srv.listenPort, `GET /studio/api/snapshot HTTP/1.1\r\nHost: localhost:${srv.listenPort}\r\nAuthorization: ${basic(ADMIN.user, ADMIN.password)}\r\nConnection: close\r\n\r\n`);
      assert.equal(statusOf(own.text), 200);
    } finally {
      for (const c of open) c.abort();
      await srv.stop();
    }
  });
});
