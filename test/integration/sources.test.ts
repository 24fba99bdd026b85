// Real source clients against a real engine on loopback: ffmpeg (PUT and legacy SOURCE), libshout's `shout`,
// a SHOUTcast v1 login, wrong passwords, a mount in use, a wrong content type, the source timeout.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decode, ffprobeStreams, fixture } from '../helpers/audio.js';
import { ffmpegSource, kill, listen, PASSWORD, rawExchange, run, sleep, startServer, waitFor, type TestServer } from '../helpers/server.js';

const MOUNTS = `
mount "/live.ogg" { format = "ogg" }
mount "/live.opus" { format = "ogg" }
mount "/live.aac" { format = "aac" }
advanced { source_timeout = 2 }
`;

describe('sources', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer(MOUNTS);
  });
  after(() => srv.stop());

  /** Records `ms` of a mount from a listener and decodes it with ffmpeg. */
  async function recordAndDecode(mount: string, ms: number, ext: string) {
    const cap = await listen(srv.listenPort, mount);
    await sleep(ms);
    cap.close();
    const file = join(tmpdir(), `cycast-cap-${process.pid}-${mount.replace(/\W/g, '')}.${ext}`);
    writeFileSync(file, cap.audio());
    return { cap, file, ...decode(file) };
  }

  const cases = [
    { name: 'MP3', mount: '/stream', file: () => fixture('mp3', 10), type: 'audio/mpeg', format: 'mp3', ext: 'mp3', codec: 'mp3' },
    { name: 'Ogg Vorbis', mount: '/live.ogg', file: () => fixture('ogg', 10), type: 'application/ogg', format: 'ogg', ext: 'ogg', codec: 'vorbis' },
    { name: 'Opus', mount: '/live.opus', file: () => fixture('opus', 10), type: 'audio/ogg', format: 'ogg', ext: 'opus', codec: 'opus' },
    { name: 'AAC', mount: '/live.aac', file: () => fixture('aac', 10), type: 'audio/aac', format: 'adts', ext: 'aac', codec: 'aac' },
  ];
  for (const c of cases) {
    it(`takes ${c.name} from ffmpeg (HTTP PUT) and a listener decodes it`, async () => {
      const src = ffmpegSource(srv.sourcePort, c.mount, c.file(), { contentType: c.type, format: c.format, name: `${c.name} test` });
      try {
        // ffmpeg's Ogg muxer sends a page about every second: wait for some audio, which the burst then replays
        await waitFor(() => srv.engine.mounts.get(c.mount)?.source !== null && (srv.engine.mounts.get(c.mount)?.secondsIn ?? 0) >= 2, 8000, 'source on air');
        const m = srv.engine.mounts.get(c.mount)!;
        assert.equal(m.source!.protocol, 'icecast-put');
        const r = await recordAndDecode(c.mount, 2500, c.ext);
        assert.equal(r.cap.headers.get('icy-name'), `${c.name} test`);
        assert.equal(r.errors, '', `decode errors: ${r.errors}`);
        assert.ok(r.duration >= 2, `decoded ${r.duration}s`);
        assert.equal(ffprobeStreams(r.file)[0].codec_name, c.codec);
      } finally {
        await kill(src.child);
      }
      await waitFor(() => srv.engine.mounts.get(c.mount)!.source === null, 3000, 'source gone');
    });
  }

  it('takes MP3 from ffmpeg in legacy SOURCE mode', async () => {
    const src = ffmpegSource(srv.sourcePort, '/stream', fixture('mp3', 10), { contentType: 'audio/mpeg', format: 'mp3', legacy: true });
    try {
      await waitFor(() => srv.engine.mounts.get('/stream')!.source?.protocol === 'icecast-source', 8000, 'legacy source');
      const r = await recordAndDecode('/stream', 1500, 'mp3');
      assert.equal(r.errors, '');
    } finally {
      await kill(src.child);
    }
    await waitFor(() => srv.engine.mounts.get('/stream')!.source === null, 3000);
  });

  for (const format of ['mp3', 'ogg'] as const) {
    it(`takes ${format} from libshout's shout (OPTIONS, !POKE, credential-less probe, login)`, async () => {
      const mount = format === 'mp3' ? '/stream' : '/live.ogg';
      const file = fixture(format, 10);
      const before = srv.engine.counters.failedSourceLogins;
      const shout = run('sh', ['-c', `exec shout --usage audio --format ${format} -H 127.0.0.1 -P ${srv.sourcePort} --mount ${mount} --user source --pass ${PASSWORD} --station-name "Shout ${format}" < ${file}`]);
      try {
        await waitFor(() => (srv.engine.mounts.get(mount)!.ring.size > 0 && srv.engine.mounts.get(mount)!.source !== null) || shout.child.exitCode !== null, 8000, 'shout on air');
        assert.equal(shout.child.exitCode, null, `shout exited: ${shout.output()}`);
        const m = srv.engine.mounts.get(mount)!;
        assert.equal(m.source!.protocol, 'icecast-source');
        assert.match(m.source!.userAgent, /libshout/);
        const r = await recordAndDecode(mount, 1500, format);
        assert.equal(r.errors, '');
        // the credential-less probe is not a failed login
        assert.equal(srv.engine.counters.failedSourceLogins, before);
      } finally {
        await kill(shout.child);
      }
      await waitFor(() => srv.engine.mounts.get(mount)!.source === null, 3000);
    });
  }

  it('takes a SHOUTcast v1 source on source_port + 1', async () => {
    assert.equal(srv.shoutcastPort, srv.sourcePort + 1);
    const audio = readFileSync(fixture('mp3', 10));
    const s = connect(srv.shoutcastPort, '127.0.0.1');
    s.on('error', () => {});
    let reply = '';
    s.on('data', (d) => (reply += d));
    s.write(`${PASSWORD}\r\n`);
    await waitFor(() => reply.includes('\r\n\r\n'), 3000, 'OK2');
    assert.match(reply, /^OK2\r\nicy-caps:11\r\n\r\n/);
    s.write('icy-name:SC Test\r\nicy-genre:Jazz\r\nicy-pub:1\r\nicy-br:128\r\ncontent-type:audio/mpeg\r\n\r\n');
    // about 2 s of audio, faster than real time
    s.write(audio.subarray(0, 32_000));
    try {
      await waitFor(() => srv.engine.mounts.get('/stream')!.source?.protocol === 'shoutcast', 3000, 'shoutcast on air');
      const m = srv.engine.mounts.get('/stream')!;
      assert.equal(m.description.name, 'SC Test');
      assert.equal(m.description.genre, 'Jazz');
      assert.equal(m.description.public, true);
      await waitFor(() => m.ring.length > 20_000, 3000);
    } finally {
      s.destroy();
    }
    await waitFor(() => srv.engine.mounts.get('/stream')!.source === null, 3000);
    const bad = await rawExchange(srv.shoutcastPort, 'wrong-password\r\n');
    assert.match(bad, /invalid password/);
  });

  it('refuses a wrong password with 401 and counts it', async () => {
    const before = srv.engine.counters.failedSourceLogins;
    const src = ffmpegSource(srv.sourcePort, '/stream', fixture('mp3', 10), { contentType: 'audio/mpeg', format: 'mp3', password: 'wrong' });
    const { output } = await src.done;
    assert.match(output, /401|Unauthorized|authoriz/i);
    assert.equal(srv.engine.mounts.get('/stream')!.source, null);
    assert.equal(srv.engine.counters.failedSourceLogins, before + 1);
    const raw = await rawExchange(srv.sourcePort, `SOURCE /stream HTTP/1.0\r\nAuthorization: Basic ${Buffer.from('source:nope').toString('base64')}\r\nContent-Type: audio/mpeg\r\n\r\n`);
    assert.match(raw, /^HTTP\/1\.0 401 /);
    assert.match(raw, /WWW-Authenticate: Basic realm=/);
  });

  it('refuses a second source on a live mount with 403 and leaves the first on air', async () => {
    const first = ffmpegSource(srv.sourcePort, '/stream', fixture('mp3', 10), { contentType: 'audio/mpeg', format: 'mp3', name: 'First DJ' });
    try {
      await waitFor(() => srv.engine.mounts.get('/stream')!.source !== null, 8000);
      const m = srv.engine.mounts.get('/stream')!;
      const firstInfo = m.source!;
      const cap = await listen(srv.listenPort, '/stream');
      const second = ffmpegSource(srv.sourcePort, '/stream', fixture('mp3', 10), { contentType: 'audio/mpeg', format: 'mp3', name: 'Second DJ' });
      const { output } = await second.done;
      assert.match(output, /403|Forbidden/i);
      const raw = await rawExchange(srv.sourcePort, `SOURCE /stream HTTP/1.0\r\nAuthorization: Basic ${Buffer.from(`source:${PASSWORD}`).toString('base64')}\r\nContent-Type: audio/mpeg\r\n\r\n`);
      assert.match(raw, /^HTTP\/1\.0 403 Forbidden[\s\S]*Mountpoint in use/);
      assert.equal(m.source, firstInfo, 'the first source is still on air');
      const got = cap.received;
      await sleep(1000);
      assert.ok(cap.received - got > 10_000, 'the listener still receives the first source');
      assert.equal(cap.isClosed, false);
      cap.close();
    } finally {
      await kill(first.child);
    }
    await waitFor(() => srv.engine.mounts.get('/stream')!.source === null, 3000);
  });

  it('refuses a content type that is not the mount\'s format with 415', async () => {
    const auth = `Authorization: Basic ${Buffer.from(`source:${PASSWORD}`).toString('base64')}\r\n`;
    const raw = await rawExchange(srv.sourcePort, `PUT /stream HTTP/1.1\r\n${auth}Content-Type: audio/ogg\r\nExpect: 100-continue\r\n\r\n`);
    assert.match(raw, /^HTTP\/1\.0 415 /);
    assert.doesNotMatch(raw, /100 Continue/);
    const unknown = await rawExchange(srv.sourcePort, `PUT /new-mount HTTP/1.1\r\n${auth}Content-Type: video/x-matroska\r\n\r\n`);
    assert.match(unknown, /^HTTP\/1\.0 415 /);
  });

  it('answers 100-continue before 200 and drops a silent source after source_timeout', async () => {
    const s = connect(srv.sourcePort, '127.0.0.1');
    let reply = '';
    s.on('data', (d) => (reply += d));
    const closed = new Promise<number>((r) => s.on('close', () => r(Date.now())));
    s.write(`PUT /stream HTTP/1.1\r\nAuthorization: Basic ${Buffer.from(`source:${PASSWORD}`).toString('base64')}\r\nContent-Type: audio/mpeg\r\nExpect: 100-continue\r\n\r\n`);
    await waitFor(() => reply.includes('200 OK'), 3000);
    assert.match(reply, /^HTTP\/1\.1 100 Continue\r\n[\s\S]*\r\n\r\nHTTP\/1\.0 200 OK\r\n/);
    const t0 = Date.now();
    const t1 = await closed;
    // source_timeout = 2 in this config
    assert.ok(t1 - t0 >= 1500 && t1 - t0 < 4000, `dropped after ${t1 - t0} ms`);
    await waitFor(() => srv.logs.some((l) => /timed out: nothing received for 2s/.test(l)), 2000);
  });

  it('creates a mount for a source on an unconfigured path and removes it when the source leaves', async () => {
    const src = ffmpegSource(srv.sourcePort, '/pop-up.ogg', fixture('ogg', 10), { contentType: 'audio/ogg', format: 'ogg' });
    try {
      await waitFor(() => (srv.engine.mounts.get('/pop-up.ogg')?.ring.size ?? 0) > 0, 8000, 'dynamic mount');
      assert.equal(srv.engine.mounts.get('/pop-up.ogg')!.format, 'ogg');
    } finally {
      await kill(src.child);
    }
    await waitFor(() => !srv.engine.mounts.has('/pop-up.ogg'), 3000, 'dynamic mount removed');
    const res = await fetch(srv.url('/pop-up.ogg'));
    assert.equal(res.status, 404);
  });

  it('drops a source that sends no audio of the mount\'s format', async () => {
    const headBefore = srv.engine.mounts.get('/stream')!.ring.headPos;
    const s = connect(srv.sourcePort, '127.0.0.1');
    s.on('error', () => {});
    s.resume(); // read the answer, so the hang-up is seen
    const closed = new Promise<void>((r) => s.on('close', () => r()));
    s.write(`SOURCE /stream HTTP/1.0\r\nAuthorization: Basic ${Buffer.from(`source:${PASSWORD}`).toString('base64')}\r\nContent-Type: audio/mpeg\r\n\r\n`);
    const junk = Buffer.alloc(64 * 1024, 0x41);
    for (let i = 0; i < 6 && !s.destroyed; i++) {
      s.write(junk);
      await sleep(50);
    }
    await closed;
    await waitFor(() => srv.logs.some((l) => /without one mp3 frame/.test(l)), 2000);
    // none of it reached the listeners' buffer
    assert.equal(srv.engine.mounts.get('/stream')!.ring.headPos, headBefore);
  });
});
