// Listeners against a real engine: response heads, ICY on request only, titles from updinfo in a real
// capture, Ogg late joiners, identical bytes for many listeners, slow-listener disconnect, limits.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decode, ffprobeStreams, fixture } from '../helpers/audio.js';
import { ADMIN, ffmpegSource, get, kill, listen, pacedSource, PASSWORD, rawExchange, run, sleep, startServer, waitFor, type TestServer } from '../helpers/server.js';

function saveCapture(name: string, data: Buffer): string {
  const file = join(tmpdir(), `cycast-${process.pid}-${name}`);
  writeFileSync(file, data);
  return file;
}

describe('listeners', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer(`
metadata {
  station_name = "Test Station"
  station_genre = "Testing"
  icy_metaint = 8192
}
mount "/live.ogg" {
  format = "ogg"
  burst_size = 8192
}
mount "/small" {
  max_listeners = 2
  burst_size = 0
}
`);
  });
  after(() => srv.stop());

  it('answers with an Icecast-style head: HTTP/1.0, no chunking, icy-* headers, CORS', async () => {
    const cap = await listen(srv.listenPort, '/stream');
    cap.close();
    assert.match(cap.head, /^HTTP\/1\.0 200 OK\r\n/);
    const h = cap.headers;
    assert.equal(h.get('content-type'), 'audio/mpeg');
    assert.equal(h.get('icy-name'), 'Test Station');
    assert.equal(h.get('icy-genre'), 'Testing');
    assert.equal(h.get('cache-control'), 'no-cache, no-store');
    assert.equal(h.get('access-control-allow-origin'), '*');
    assert.match(h.get('access-control-expose-headers') ?? '', /icy-metaint/);
    assert.match(h.get('access-control-allow-headers') ?? '', /Icy-MetaData/);
    assert.equal(h.get('transfer-encoding'), undefined);
    assert.equal(h.get('content-length'), undefined);
    assert.equal(h.get('icy-metaint'), undefined, 'no ICY unless asked');
    const headOnly = await rawExchange(srv.listenPort, 'HEAD /stream HTTP/1.1\r\nIcy-MetaData: 1\r\n\r\n');
    assert.match(headOnly, /^HTTP\/1\.0 200 OK[\s\S]*icy-metaint: 8192\r\n[\s\S]*\r\n\r\n$/);
    const preflight = await fetch(srv.url('/stream'), { method: 'OPTIONS', headers: { Origin: 'http://player.example', 'Access-Control-Request-Headers': 'icy-metadata' } });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Icy-MetaData/);
  });

  it('answers 404 for an unknown mount and serves .m3u and .pls', async () => {
    assert.equal((await fetch(srv.url('/nothing'))).status, 404);
    const m3u = await fetch(srv.url('/stream.m3u'));
    assert.equal(m3u.headers.get('content-type'), 'audio/x-mpegurl');
    assert.equal((await m3u.text()).trim(), `http://127.0.0.1:${srv.listenPort}/stream`);
    const pls = await (await fetch(srv.url('/live.ogg.pls'))).text();
    assert.match(pls, /^\[playlist\]\nNumberOfEntries=1\nFile1=http:\/\/127\.0\.0\.1:\d+\/live\.ogg\n/);
  });

  it('sends ICY titles set by updinfo (UTF-8 and charset=) inside a capture that still decodes', async () => {
    const src = await pacedSource(srv.sourcePort, '/stream', readFileSync(fixture('mp3', 10)), 16_000 * 4);
    try {
      await waitFor(() => srv.engine.mounts.get('/stream')!.ring.length > 20_000, 3000);
      const cap = await listen(srv.listenPort, '/stream', { icy: true });
      assert.equal(cap.headers.get('icy-metaint'), '8192');
      const r1 = await get(srv.url('/admin/metadata?mount=/stream&mode=updinfo&song=' + encodeURIComponent("Björk - It's Oh So Quiet")), { user: 'source', password: PASSWORD });
      assert.equal(r1.status, 200);
      assert.match(await r1.text(), /<message>Metadata update successful<\/message><return>1<\/return>/);
      await waitFor(() => cap.titles.includes("Björk - It's Oh So Quiet"), 4000, 'first title');
      // SHOUTcast style, Latin-1 bytes declared with charset=
      const r2 = await fetch(srv.url(`/admin.cgi?pass=${PASSWORD}&mode=updinfo&song=Caf%E9%20Tacuba&charset=ISO-8859-1`));
      assert.equal(r2.status, 200);
      await waitFor(() => cap.titles.includes('Café Tacuba'), 4000, 'second title');
      cap.close();
      // a 0-length block follows while the title is unchanged; the audio with blocks removed is clean MP3
      const file = saveCapture('icy.mp3', cap.audio());
      const { errors } = decode(file);
      assert.equal(errors, '');
      assert.equal(cap.audio().indexOf('StreamTitle'), -1);
      const status = (await (await fetch(srv.url('/api/status'))).json()) as { metadata: { song: string } };
      assert.equal(status.metadata.song, 'Café Tacuba');
      // wrong credentials change nothing
      const r3 = await get(srv.url('/admin/metadata?mount=/stream&mode=updinfo&song=hacked'), { user: 'source', password: 'nope' });
      assert.equal(r3.status, 401);
      assert.equal((await fetch(srv.url('/admin.cgi?pass=nope&mode=updinfo&song=hacked'))).status, 401);
      assert.equal(srv.engine.mounts.get('/stream')!.title, 'Café Tacuba');
    } finally {
      await src.stop();
    }
  });

  it('shows the updinfo title in mpv, a real player', async () => {
    const src = ffmpegSource(srv.sourcePort, '/stream', fixture('mp3', 10), { contentType: 'audio/mpeg', format: 'mp3' });
    try {
      await waitFor(() => srv.engine.mounts.get('/stream')!.source !== null, 8000, 'source');
      const set = await get(srv.url('/admin/metadata?mount=/stream&mode=updinfo&song=' + encodeURIComponent('Nina Simone - Feeling Good')), ADMIN);
      assert.equal(set.status, 200);
      const mpv = run('mpv', ['--no-config', '--ao=null', '--vo=null', '--length=2', srv.url('/stream')]);
      const { code, output } = await mpv.done;
      assert.equal(code, 0, output);
      assert.match(output, /icy-title: Nina Simone - Feeling Good/);
    } finally {
      await kill(src.child);
    }
    await waitFor(() => srv.engine.mounts.get('/stream')!.source === null, 3000);
  });

  it('sends no ICY blocks to a listener that did not ask', async () => {
    const src = await pacedSource(srv.sourcePort, '/stream', readFileSync(fixture('mp3', 10)), 16_000 * 8);
    try {
      srv.engine.mounts.get('/stream')!.setTitle('Should Not Appear');
      const cap = await listen(srv.listenPort, '/stream', { headers: { 'Icy-MetaData': '0' } });
      await waitFor(() => cap.received > 100_000, 5000);
      cap.close();
      assert.equal(cap.headers.get('icy-metaint'), undefined);
      assert.equal(cap.audio().indexOf('StreamTitle'), -1);
      assert.equal(decode(saveCapture('plain.mp3', cap.audio())).errors, '');
    } finally {
      await src.stop();
    }
  });

  it('gives a late joiner on an Ogg mount the stream headers first, so it decodes', async () => {
    const src = ffmpegSource(srv.sourcePort, '/live.ogg', fixture('ogg', 10), { contentType: 'application/ogg', format: 'ogg' });
    try {
      const m = srv.engine.mounts.get('/live.ogg')!;
      // join well after the headers went by, and after more than a burst of data
      await waitFor(() => m.secondsIn > 4 && m.ring.headPos > m.config.burst_size + 20_000, 15_000, 'a few seconds of Ogg');
      assert.ok(m.oggHeaders && m.oggHeaders.length > 0);
      const cap = await listen(srv.listenPort, '/live.ogg');
      await sleep(1500);
      cap.close();
      const audio = cap.audio();
      assert.equal(audio.toString('latin1', 0, 4), 'OggS');
      assert.ok(audio[5] & 0x02, 'starts with a BOS page');
      const file = saveCapture('late.ogg', audio);
      const streams = ffprobeStreams(file);
      assert.equal(streams[0].codec_name, 'vorbis');
      const { errors, duration } = decode(file);
      assert.equal(errors, '');
      assert.ok(duration > 0.5, `decoded ${duration}s`);
    } finally {
      await kill(src.child);
    }
  });

  it('sends 30 listeners identical bytes', async () => {
    const m = srv.engine.mounts.get('/stream')!;
    const listeners = await Promise.all(Array.from({ length: 30 }, () => listen(srv.listenPort, '/stream')));
    const startSeq = m.ring.headSeq;
    // everyone is positioned before the source writes a byte of this run
    const src = await pacedSource(srv.sourcePort, '/stream', readFileSync(fixture('mp3', 10)), 16_000 * 8);
    try {
      await waitFor(() => m.ring.headSeq - startSeq > 20, 5000);
    } finally {
      await src.stop();
    }
    await waitFor(() => listeners.every((l) => l.received >= listeners[0].received), 3000);
    await sleep(200);
    const total = m.ring.headPos;
    for (const l of listeners) l.close();
    const first = listeners[0].audio();
    assert.ok(first.length > 50_000, `${first.length} bytes`);
    // each got its burst of the earlier tests' audio, then the same stream: compare from the run's start
    const runStart = (a: Buffer): Buffer => a.subarray(a.length - (total - m.ring.get(startSeq)!.start));
    const ref = runStart(first);
    for (const l of listeners.slice(1)) assert.ok(runStart(l.audio()).equals(ref), 'identical bytes');
  });

  it('drops a listener that stops reading once it is queue_size behind; the others keep full rate', async () => {
    const slowSrv = await startServer('broadcaster {\n  queue_size = 65536\n  burst_size = 0\n}\n');
    try {
      const fast = await Promise.all(Array.from({ length: 5 }, () => listen(slowSrv.listenPort, '/stream')));
      const stalled = await listen(slowSrv.listenPort, '/stream');
      stalled.socket.pause(); // stops reading: the kernel buffers fill, then the server's queue
      const rate = 2_000_000; // far faster than real time, so the kernel buffers fill quickly
      const src = await pacedSource(slowSrv.sourcePort, '/stream', readFileSync(fixture('mp3', 10)), rate);
      try {
        await waitFor(() => slowSrv.engine.counters.slowListenerDrops === 1, 20_000, 'the stalled listener dropped');
        const sentAtDrop = src.state.sent;
        await sleep(1000);
        const sent = src.state.sent;
        // the others are all still here and received (almost) everything the source sent
        for (const f of fast) {
          assert.equal(f.isClosed, false);
          assert.ok(f.received >= sent - 256 * 1024, `fast listener got ${f.received} of ${sent}`);
        }
        assert.ok(sent - sentAtDrop > rate / 2, 'the source kept streaming');
      } finally {
        await src.stop();
      }
      const m = slowSrv.engine.mounts.get('/stream')!;
      assert.equal(m.broadcaster.count, 5);
      assert.ok(slowSrv.logs.some((l) => /dropped from \/stream: more than 65536 bytes behind/.test(l)));
      for (const f of fast) f.close();
      stalled.close();
    } finally {
      await slowSrv.stop();
    }
  });

  it('sends a listener that stalls and resumes within queue_size exactly the bytes a fast one gets', async () => {
    const m = srv.engine.mounts.get('/stream')!;
    const fast = await listen(srv.listenPort, '/stream');
    const stalling = await listen(srv.listenPort, '/stream');
    const startSeq = m.ring.headSeq;
    stalling.socket.pause();
    const src = await pacedSource(srv.sourcePort, '/stream', readFileSync(fixture('mp3', 10)), 64_000);
    try {
      await sleep(1500);
      stalling.socket.resume();
      await waitFor(() => m.ring.headSeq - startSeq > 30, 5000);
    } finally {
      await src.stop();
    }
    await waitFor(() => stalling.received === fast.received, 3000, 'the stalled listener caught up');
    fast.close();
    stalling.close();
    assert.ok(stalling.audio().equals(fast.audio()));
  });

  it('refuses listeners over a mount\'s max_listeners with 503, and over the server limit', async () => {
    const a = await listen(srv.listenPort, '/small');
    const b = await listen(srv.listenPort, '/small');
    const c = await rawExchange(srv.listenPort, 'GET /small HTTP/1.0\r\n\r\n');
    assert.match(c, /^HTTP\/1\.0 503 Service Unavailable/);
    a.close();
    await waitFor(() => srv.engine.mounts.get('/small')!.broadcaster.count === 1, 2000);
    const d = await listen(srv.listenPort, '/small');
    assert.match(d.head, /^HTTP\/1\.0 200/);
    b.close();
    d.close();
    const full = await startServer('advanced { max_listeners = 1 }');
    try {
      const x = await listen(full.listenPort, '/stream');
      const y = await rawExchange(full.listenPort, 'GET /stream HTTP/1.0\r\n\r\n');
      assert.match(y, /^HTTP\/1\.0 503 [\s\S]*Server full/);
      x.close();
    } finally {
      await full.stop();
    }
  });

  it('lets an admin list and kick listeners; the kicked socket closes', async () => {
    const cap = await listen(srv.listenPort, '/stream', { headers: { 'User-Agent': 'KickMe/1.0' } });
    const list = await (await get(srv.url('/admin/listclients?mount=/stream'), ADMIN)).text();
    const id = /<listener id="(\d+)"><IP>127\.0\.0\.1<\/IP><UserAgent>cycast-test/.exec(list)?.[1] ?? /<listener id="(\d+)">/.exec(list)?.[1];
    assert.ok(id, list);
    const mine = srv.engine.mounts.get('/stream')!.broadcaster.all().find((l) => l.socket.remotePort === cap.socket.localPort)!;
    const kicked = await get(srv.url(`/admin/killclient?mount=/stream&id=${mine.id}`), ADMIN);
    assert.equal(kicked.status, 200);
    assert.match(await kicked.text(), /Client \d+ removed/);
    await Promise.race([cap.closed, sleep(2000).then(() => assert.fail('socket not closed'))]);
    assert.equal((await get(srv.url('/admin/killclient?mount=/stream&id=999999'), ADMIN)).status, 400);
    assert.equal((await fetch(srv.url(`/admin/killclient?mount=/stream&id=${mine.id}`))).status, 401);
  });
});
