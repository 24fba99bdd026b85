// The JSON, XML and text APIs, the status page, admin authentication, and bad requests.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fixture } from '../helpers/audio.js';
import { checkConfigText } from '../../src-main/config/load.js';
import { Engine } from '../../src-main/engine/engine.js';
import { ADMIN, freePort, get, listen, pacedSource, PASSWORD, rawExchange, sleep, startServer, waitFor, type TestServer } from '../helpers/server.js';

describe('APIs', () => {
  let srv: TestServer;
  let src: Awaited<ReturnType<typeof pacedSource>>;
  before(async () => {
    srv = await startServer('metadata {\n  station_name = "API FM"\n}\nmount "/second.ogg" { format = "ogg" }\n');
    src = await pacedSource(srv.sourcePort, '/stream', readFileSync(fixture('mp3', 10)), 32_000);
    await waitFor(() => srv.engine.mounts.get('/stream')!.ring.length > 8000, 3000);
  });
  after(async () => {
    await src.stop();
    await srv.stop();
  });

  it('serves Cycast\'s /api/status fields', async () => {
    const cap = await listen(srv.listenPort, '/stream');
    srv.engine.mounts.get('/stream')!.setTitle('Artist Name - Song Name');
    const s = (await (await fetch(srv.url('/api/status'))).json()) as Record<string, any>;
    cap.close();
    assert.equal(s.source_connected, true);
    assert.equal(s.source_status, 'Connected');
    assert.deepEqual(s.metadata, { artist: 'Artist Name', title: 'Song Name', song: 'Artist Name - Song Name' });
    assert.equal(s.listeners, 1);
    assert.equal(typeof s.uptime_seconds, 'number');
    assert.match(s.uptime_formatted, /^\d+h \d+m$/);
    assert.equal(s.station_name, 'API FM');
    assert.equal(s.station_genre, 'Various');
    assert.equal(s.mounts.length, 2);
    assert.equal(s.mounts[0].source.protocol, 'icecast-source');
    assert.equal('ip' in s.mounts[0].source, false, 'no DJ address in the public status');
    assert.equal(s.mounts[1].live, false);
  });

  it('serves Cycast\'s /api/stats fields', async () => {
    const cap = await listen(srv.listenPort, '/stream');
    await waitFor(() => cap.received > 1000, 2000);
    const s = (await (await fetch(srv.url('/api/stats'))).json()) as Record<string, any>;
    cap.close();
    assert.equal(s.total_listeners, 1);
    assert.ok(s.total_bytes_sent > 1000);
    assert.deepEqual(Object.keys(s.listeners[0]).slice(0, 2), ['id', 'mount']);
    // public: no listener addresses or players here (the admin API has them)
    assert.equal('ip' in s.listeners[0], false);
    assert.ok(s.listeners[0].bytes_sent > 1000);
    assert.equal(typeof s.listeners[0].connected_seconds, 'number');
    assert.equal(s.listeners[0].active, true);
    assert.deepEqual(Object.keys(s.buffer), ['available', 'space', 'fill_percentage']);
    // the buffer a mount keeps: queue_size (512 KiB) and 1 MiB for what arrives between writes, under size_mb
    assert.equal(s.buffer.available + s.buffer.space, 512 * 1024 + 1024 * 1024);
  });

  it('serves /status-json.xsl in Icecast\'s icestats shape', async () => {
    const j = (await (await fetch(srv.url('/status-json.xsl'))).json()) as { icestats: Record<string, any> };
    const ice = j.icestats;
    for (const k of ['admin', 'host', 'location', 'server_id', 'server_start', 'server_start_iso8601']) assert.ok(k in ice, k);
    // one live mount: `source` is an object, as Icecast gives it
    const s = ice.source;
    assert.equal(Array.isArray(s), false);
    assert.equal(s.listenurl, `http://127.0.0.1:${srv.listenPort}/stream`);
    assert.equal(s.server_name, 'Paced');
    assert.equal(s.server_type, 'audio/mpeg');
    assert.equal(s.bitrate, 128);
    assert.equal(s.samplerate, 44100);
    assert.ok('listeners' in s && 'listener_peak' in s && 'stream_start_iso8601' in s && 'title' in s);
  });

  it('keeps the admin endpoints behind the admin credentials', async () => {
    for (const p of ['/admin/stats', '/admin/listclients?mount=/stream', '/admin/listmounts', '/admin/killsource?mount=/second.ogg']) {
      assert.equal((await fetch(srv.url(p))).status, 401, p);
      assert.equal((await get(srv.url(p), { user: 'admin', password: 'wrong' })).status, 401, p);
    }
    const stats = await get(srv.url('/admin/stats'), ADMIN);
    assert.equal(stats.status, 200);
    const xml = await stats.text();
    assert.match(xml, /^<\?xml version="1\.0"\?>\n<icestats>/);
    assert.match(xml, /<source mount="\/stream">[\s\S]*<server_name>Paced<\/server_name>/);
    assert.match(xml, /<source mount="\/second\.ogg">/);
    // source credentials may update metadata but not read admin stats
    assert.equal((await get(srv.url('/admin/stats'), { user: 'source', password: 'test-source-pw' })).status, 401);
    const poke = await rawExchange(srv.sourcePort, 'GET /admin/!POKE HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(poke, /^HTTP\/1\.1 400 /);
  });

  it('kills a source from /admin/killsource; its listeners stay connected', async () => {
    const extra = await pacedSource(srv.sourcePort, '/second.ogg', readFileSync(fixture('ogg', 5)), 32_000, 'application/ogg');
    const m = srv.engine.mounts.get('/second.ogg')!;
    await waitFor(() => m.source !== null, 2000);
    const cap = await listen(srv.listenPort, '/second.ogg');
    const r = await get(srv.url('/admin/killsource?mount=/second.ogg'), ADMIN);
    assert.equal(r.status, 200);
    assert.match(await r.text(), /Source Removed/);
    await waitFor(() => extra.socket.destroyed, 2000, 'source socket closed');
    assert.equal(m.source, null);
    await sleep(100);
    assert.equal(cap.isClosed, false, 'listener kept');
    cap.close();
    assert.equal((await get(srv.url('/admin/killsource?mount=/second.ogg'), ADMIN)).status, 400);
    await extra.stop();
  });

  it('exports Prometheus metrics', async () => {
    const res = await fetch(srv.url('/metrics'));
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.match(text, /^# HELP cycast_up /m);
    assert.match(text, /^# TYPE cycast_listeners gauge$/m);
    assert.match(text, /^cycast_source_connected\{mount="\/stream"\} 1$/m);
    assert.match(text, /^cycast_received_bytes_total\{mount="\/stream"\} \d+$/m);
    assert.match(text, /^process_resident_memory_bytes \d+$/m);
    for (const line of text.trim().split('\n')) assert.match(line, /^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? -?\d+(\.\d+)?)$/, line);
  });

  it('serves a status page that shows the station and refreshes itself', async () => {
    const res = await fetch(srv.url('/status'));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    const html = await res.text();
    assert.match(html, /<h1 id="station">API FM<\/h1>/);
    assert.match(html, /LIVE/);
    assert.match(html, /fetch\('\/api\/status'/);
    srv.engine.mounts.get('/stream')!.setTitle('<script>alert(1)</script>');
    const escaped = await (await fetch(srv.url('/status'))).text();
    assert.doesNotMatch(escaped, /<script>alert/);
    assert.match(escaped, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });

  it('answers malformed, oversized and too slow requests with a status, and keeps serving', async () => {
    assert.match(await rawExchange(srv.listenPort, 'HELLO\r\n\r\n'), /^HTTP\/1\.0 400 Bad Request/);
    assert.match(await rawExchange(srv.listenPort, 'GET / HTTP/3.0\r\n\r\n'), /^HTTP\/1\.0 505 /);
    assert.match(await rawExchange(srv.listenPort, `GET /stream HTTP/1.1\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`), /^HTTP\/1\.0 431 /);
    const quiet = await startServer('advanced { header_timeout = 1 }');
    try {
      const t0 = Date.now();
      const reply = await rawExchange(quiet.listenPort, 'GET /stream HTTP/1.1\r\n', 4000);
      assert.match(reply, /^HTTP\/1\.0 408 /);
      assert.ok(Date.now() - t0 < 2500);
    } finally {
      await quiet.stop();
    }
    assert.equal((await fetch(srv.url('/api/status'))).status, 200);
    assert.equal((await fetch(srv.url('/api/status'), { method: 'POST' })).status, 405);
  });

  it('serves sources and listeners on one port when source_port == listen_port', async () => {
    const port = await freePort();
    const cfg = (await checkConfigText(`server {\n  host = "127.0.0.1"\n  source_port = ${port}\n  listen_port = ${port}\n  shoutcast_port = 0\n  source_password = "${PASSWORD}"\n}\n`)).config!;
    const shared = new Engine(cfg);
    await shared.start();
    try {
      assert.deepEqual(shared.ports, { listen: port, source: port, shoutcast: 0 });
      const s = await pacedSource(port, '/stream', readFileSync(fixture('mp3', 5)), 32_000);
      const cap = await listen(port, '/stream');
      await waitFor(() => cap.received > 8000, 3000);
      assert.equal((await fetch(`http://127.0.0.1:${port}/api/status`)).status, 200);
      cap.close();
      await s.stop();
    } finally {
      await shared.stop();
    }
  });
});
