// What a stranger or a broken client can send, and what the server answers (findings of a review, each
// reproduced here before it was fixed).

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkConfigText } from '../../src-main/config/load.js';
import { CROWDED_HEAD_MS, CROWDED_PER_IP, MAX_PENDING_PER_IP } from '../../src-main/engine/net/head-gate.js';
import { encodeIcyBlock, parseIcyBlock } from '../../src-main/engine/protocol/icy.js';
import { decode, fixture } from '../helpers/audio.js';
import { ADMIN, basic, exchange, listen, PASSWORD, rawExchange, run, sleep, startServer, waitFor, type TestServer } from '../helpers/server.js';

describe('hardening', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer('advanced { header_timeout = 1 }');
  });
  after(() => srv.stop());

  it('answers admin paths named like object properties with 400 and keeps running', async () => {
    for (const p of ['__proto__', 'constructor', 'hasOwnProperty', 'valueOf', 'toString']) {
      const r = await fetch(srv.url(`/admin/${p}`));
      assert.equal(r.status, 400, p);
    }
    assert.equal((await fetch(srv.url('/api/status'))).status, 200);
  });

  it('reports, never throws on, hostile config text', async () => {
    const cases: [string, RegExp][] = [
      ['metadata {\n  station_name = "\\UFFFFFFFF"\n}\n', /not a valid Unicode character/],
      ['server = [null]\n', /"server" is a block/],
      ['mount = { "/x" = [null] }\n', /mount/],
      [`a = ${'['.repeat(20000)}${']'.repeat(20000)}\n`, /nested more than 64 levels|could not be read/],
      ['server {\n  host = "a"\n  host = "b"\n}\n', /"host" is set twice in this block \(first at line 2\)/],
      ['server {\n  source_password = ""\n}\n', /source_password must not be empty/],
      ['broadcaster {\n  burst_size = 65536\n  queue_size = 16384\n}\n', /burst_size \(65536\) must be smaller than queue_size \(16384\)/],
      ['server {\n  mount_point = "/admin/x"\n}\n', /server's own pages use that path/],
      ['server {\n  mount_point = "/a%20b"\n}\n', /must be a URL path/],
    ];
    for (const [text, re] of cases) {
      const r = await checkConfigText(text);
      assert.equal(r.config, null, text.slice(0, 40));
      assert.match(r.errors.map((e) => e.message).join('\n'), re, text.slice(0, 40));
    }
    const dup = (await checkConfigText('server {\n  host = "a"\n  host = "b"\n}\n')).errors[0];
    assert.deepEqual([dup.line, dup.column], [3, 3]);
  });

  it('keeps an ICY block whole whatever the StreamUrl length', () => {
    const b = encodeIcyBlock('Title', 'http://x/' + 'u'.repeat(5000));
    assert.ok(b[0] > 0 && b[0] <= 255);
    assert.equal(b.length, 1 + b[0] * 16);
    assert.equal(parseIcyBlock(b.subarray(1)).StreamTitle, 'Title');
  });

  it('decodes a chunked PUT body (curl -T -) instead of streaming the chunk lines', async () => {
    const file = fixture('mp3', 4);
    const cap = await listen(srv.listenPort, '/stream');
    const curl = run('sh', ['-c', `curl -sS -T - -H 'Content-Type: audio/mpeg' -u source:${PASSWORD} http://127.0.0.1:${srv.sourcePort}/stream < ${file}`]);
    const out = await curl.done;
    await waitFor(() => srv.logs.some((l) => /finished \(last chunk\)/.test(l)), 3000, out.output);
    await sleep(200);
    cap.close();
    const path = join(tmpdir(), `cycast-chunked-${process.pid}.mp3`);
    writeFileSync(path, cap.audio());
    const { errors, duration } = decode(path);
    assert.equal(errors, '');
    assert.ok(duration > 3.5, `decoded ${duration} s`);
    assert.equal(cap.audio().indexOf('\r\n'), -1, 'no chunk framing in the audio');
  });

  it('treats a listener that shuts its side as gone, as Icecast does (no ghost listeners on idle mounts)', async () => {
    const s = connect(srv.listenPort, '127.0.0.1');
    s.on('error', () => {});
    s.resume();
    s.end('GET /stream HTTP/1.0\r\n\r\n'); // request, then FIN
    await waitFor(() => srv.engine.mounts.totalListeners === 0 && srv.logs.some((l) => /tuned in to \/stream/.test(l)), 2000, 'listener gone');
    s.destroy();
  });

  it('closes a request head sent a byte at a time at the header deadline', async () => {
    const s = connect(srv.listenPort, '127.0.0.1');
    s.on('error', () => {});
    let reply = '';
    s.on('data', (d) => (reply += d));
    const closed = new Promise<number>((r) => s.on('close', () => r(Date.now())));
    const t0 = Date.now();
    const drip = setInterval(() => s.write('X'), 300);
    s.write('GET /stream HTTP/1.1\r\n');
    const t1 = await closed;
    clearInterval(drip);
    assert.ok(t1 - t0 < 2500, `closed after ${t1 - t0} ms (deadline 1 s)`);
    assert.match(reply, /^HTTP\/1\.0 408 /);
  });

  it(`gives connections beyond ${CROWDED_PER_IP} unfinished requests per address ${CROWDED_HEAD_MS} ms, and closes those beyond ${MAX_PENDING_PER_IP} at once`, async () => {
    const own = await startServer('advanced { header_timeout = 10 }');
    const from = '127.0.0.4';
    const idle: { s: Socket; closedAt: number; reply: string }[] = [];
    try {
      const t0 = Date.now();
      for (let i = 0; i < CROWDED_PER_IP + 50; i++) {
        const c = { s: connect({ port: own.listenPort, host: '127.0.0.1', localAddress: from }), closedAt: 0, reply: '' };
        c.s.on('error', () => {});
        c.s.on('data', (d) => (c.reply += d));
        c.s.on('close', () => (c.closedAt = Date.now()));
        idle.push(c);
      }
      // a real client from the crowded address sends its request at once and is served
      await waitFor(() => (own.engine.gate.countOf(from)) >= CROWDED_PER_IP, 3000, 'the address crowded');
      const real = await exchange(own.listenPort, 'GET /api/status HTTP/1.0\r\n\r\n', { from });
      assert.match(real.text, /^HTTP\/1\.1 200 /);
      await sleep(CROWDED_HEAD_MS + 800);
      const closed = idle.filter((c) => c.closedAt > 0);
      assert.ok(closed.length >= 50 && closed.length < idle.length, `${closed.length} of ${idle.length} closed after ${Date.now() - t0} ms`);
      assert.ok(closed.every((c) => /^HTTP\/1\.0 408 /.test(c.reply)), 'told 408');
      assert.ok(own.logs.some((l) => new RegExp(`${from}: more than ${CROWDED_PER_IP} connections still sending`).test(l)), 'logged once');
      assert.equal((await fetch(own.url('/api/status'))).status, 200);
    } finally {
      for (const c of idle) c.s.destroy();
      await own.stop();
    }
  });

  it('closes refusals a client never reads or closes (SHOUTcast wrong password)', async () => {
    const s = connect(srv.shoutcastPort, '127.0.0.1');
    s.on('error', () => {});
    s.pause();
    const closed = new Promise<void>((r) => s.on('close', () => r()));
    s.write('wrong\r\n');
    s.resume();
    await Promise.race([closed, sleep(7000).then(() => assert.fail('socket still open'))]);
  });

  it('slows down an address after 5 wrong source passwords (429 even to the right one), without touching its admin logins', async () => {
    const own = await startServer();
    try {
      const wrong = `SOURCE /stream HTTP/1.0\r\nAuthorization: ${basic('source', 'nope')}\r\nContent-Type: audio/mpeg\r\n\r\n`;
      for (let i = 0; i < 5; i++) assert.match(await rawExchange(own.sourcePort, wrong), /^HTTP\/1\.0 401 /);
      assert.match(await rawExchange(own.sourcePort, wrong), /^HTTP\/1\.0 401 /, 'the sixth is still looked at, and starts the slow-down');
      // the right password does not help while the address is held back
      const right = await rawExchange(own.sourcePort, `SOURCE /stream HTTP/1.0\r\nAuthorization: ${basic('source', PASSWORD)}\r\nContent-Type: audio/mpeg\r\n\r\n`);
      assert.match(right, /^HTTP\/1\.0 429 Too Many Requests[\s\S]*Retry-After: \d+/);
      // another kind of login from the same address is not affected
      const admin = await fetch(own.url('/admin/stats'), { headers: { Authorization: basic(ADMIN.user, ADMIN.password) } });
      assert.equal(admin.status, 200);
      assert.equal((await fetch(own.url('/api/status'))).status, 200);
      assert.equal(own.logs.filter((l) => /wrong passwords .* source logins are slowed down/.test(l)).length, 1, 'logged once');
    } finally {
      await own.stop();
    }
  });

  it('does not let a source create a mount on the server\'s own paths', async () => {
    for (const p of ['/admin/metadata', '/', '/api/status', '/x.m3u']) {
      const r = await rawExchange(srv.sourcePort, `PUT ${p} HTTP/1.1\r\nAuthorization: ${basic('source', PASSWORD)}\r\nContent-Type: audio/mpeg\r\n\r\n`);
      assert.match(r, /^HTTP\/1\.0 403 /, p);
    }
    // the studio's prefix is a page: its PUTs are uploads (answered by the studio), never a source
    const studio = await rawExchange(srv.sourcePort, `PUT /studio/x HTTP/1.1\r\nAuthorization: ${basic('source', PASSWORD)}\r\nContent-Type: audio/mpeg\r\n\r\n`);
    assert.doesNotMatch(studio, /^HTTP\/1\.[01] 200 /);
    assert.equal(srv.engine.mounts.has('/studio/x'), false);
    assert.equal((await fetch(srv.url('/api/status'))).headers.get('content-type'), 'application/json; charset=utf-8');
  });
});
