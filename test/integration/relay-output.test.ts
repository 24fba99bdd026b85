// Reaching past the LAN against a real icecast2 on loopback: push outputs (Icecast PUT, SHOUTcast v1), pull
// relays, and this server as the master of an icecast2 slave.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MpegFramer } from '../../src-main/engine/protocol/framing/mpeg.js';
import { decode, fixture, makeTrack } from '../helpers/audio.js';
import { ICE_ADMIN, ICE_SOURCE_PW, iceSources, startIcecast, type Icecast } from '../helpers/icecast.js';
import { ADMIN, basic, ffmpegSource, kill, listen, pacedSource, sleep, startServer, waitFor, type TestServer } from '../helpers/server.js';

function tmp(name: string): string {
  const d = join(tmpdir(), `cycast-link-${process.pid}-${name}`);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
  return d;
}

/** Decode errors of an MP3 capture, and how much of it is not whole MPEG frames. */
function checkMp3(audio: Buffer, name: string): { errorLines: string[]; skipped: number; seconds: number } {
  const framer = new MpegFramer();
  let seconds = 0;
  for (const f of framer.push(audio)) seconds += f.samples / f.sampleRate;
  const file = join(tmpdir(), `cycast-link-${process.pid}-${name}.mp3`);
  writeFileSync(file, audio);
  return { errorLines: decode(file).errors.split('\n').filter(Boolean), skipped: framer.skippedBytes, seconds };
}

const outputOf = (srv: TestServer, id: string) => srv.engine.links.outputReports().find((o) => o.id === id)!;
const relayOf = (srv: TestServer, path: string) => srv.engine.links.relayReports().find((r) => r.mount === path)!;

const cleanup: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
});

describe('push outputs to icecast2', () => {
  it('sends clean real-time MP3 with our titles, survives AutoDJ -> live -> AutoDJ and an icecast2 restart, and says when the password is wrong', async () => {
    const music = tmp('out');
    // long enough that no track change races the title checks at the end (the newest title wins)
    makeTrack(join(music, 'a.mp3'), { seconds: 30, title: 'Auto One', artist: 'AutoDJ' });
    makeTrack(join(music, 'b.mp3'), { seconds: 30, title: 'Auto Two', artist: 'AutoDJ' });
    let ice: Icecast = await startIcecast();
    cleanup.push(() => ice.stop());
    const srv = await startServer(
      `output "hosted" {\n  mount = "/stream"\n  url = "icecast://source:${ICE_SOURCE_PW}@127.0.0.1:${ice.port}/live"\n  name = "Cycast on Icecast"\n}\n` +
        `output "typo" {\n  mount = "/stream"\n  url = "icecast://source:wrong-pw@127.0.0.1:${ice.port}/other"\n}\n`,
      '',
      { playlist: `enabled = true\n  directory = "${music}"\n  shuffle = false\n  resume_delay = 0.5`, demoTracks: [] },
    );
    cleanup.push(() => srv.stop());
    await waitFor(() => outputOf(srv, 'hosted').state === 'on-air', 8000, 'output on air');
    await waitFor(() => outputOf(srv, 'typo').state === 'refused', 8000, 'wrong password refused');
    assert.match(outputOf(srv, 'typo').reason, /wrong user name or password/);
    assert.match(outputOf(srv, 'typo').lastAnswer, /^HTTP\/1\.[01] 401/);
    const status = (await (await fetch(srv.url('/api/status'))).json()) as { outputs: { name: string; state: string; target: string }[] };
    assert.equal(status.outputs.find((o) => o.name === 'hosted')?.state, 'on-air');
    assert.ok(!JSON.stringify(status.outputs).includes(ICE_SOURCE_PW), 'no password in /api/status');
    const metrics = await (await fetch(srv.url('/metrics'))).text();
    assert.match(metrics, /cycast_output_on_air\{output="hosted",mount="\/stream"\} 1/);

    const cap = await listen(ice.port, '/live', { icy: true });
    assert.match(cap.head, /^HTTP\/1\.[01] 200/);
    await sleep(2500);
    const dj = makeTrack(join(music, '..', `cycast-link-dj-${process.pid}.mp3`), { seconds: 30, tags: false, freq: 1000 });
    const src = ffmpegSource(srv.sourcePort, '/stream', dj, { contentType: 'audio/mpeg', format: 'mp3', name: 'DJ Night' });
    const m = srv.engine.mounts.get('/stream')!;
    await waitFor(() => m.source !== null, 8000, 'DJ on air');
    await sleep(3000);
    await kill(src.child);
    await waitFor(() => srv.engine.feederOf('/stream')!.state === 'auto', 6000, 'AutoDJ back');
    await sleep(2500);
    assert.equal(cap.isClosed, false, "icecast2's listener was never disconnected");
    cap.close();
    const seq = cap.titles.filter((t, i) => t !== cap.titles[i - 1]);
    assert.ok(seq.includes('DJ Night') && seq.some((t) => t.startsWith('AutoDJ - Auto')), `titles heard at icecast2: ${JSON.stringify(seq)}`);
    assert.ok(seq.indexOf('DJ Night') > seq.findIndex((t) => t.startsWith('AutoDJ')), 'AutoDJ title, then the DJ');
    const audio = cap.audio();
    const r = checkMp3(audio, 'out');
    assert.ok(r.errorLines.length <= 4, `decode errors:\n${r.errorLines.join('\n')}`);
    assert.ok(r.skipped < 2000, `${r.skipped} bytes of the capture are not MPEG frames`);
    // real time: about 8 s listened plus the 64 KiB burst (4 s at 128 kbit/s)
    assert.ok(r.seconds > 7 && r.seconds < 16, `${r.seconds.toFixed(1)} s of audio in ~8 s`);

    // icecast2 goes away and comes back on the same port: the output is back within its backoff
    await ice.stop();
    await waitFor(() => outputOf(srv, 'hosted').state === 'retrying', 5000, 'output retrying');
    const downAt = Date.now();
    await sleep(1500);
    ice = await startIcecast({ port: ice.port });
    await waitFor(() => outputOf(srv, 'hosted').state === 'on-air', 10_000, 'output back on air');
    const back = Date.now() - downAt;
    assert.ok(back < 10_000, `back after ${back} ms`);
    await waitFor(async () => (await iceSources(ice)).has('/live'), 3000, 'mount /live at icecast2 again');
    // a title set on our side reaches icecast2 as UTF-8
    const utf8 = 'Café – Ünïcode ♫';
    const r2 = await fetch(srv.url(`/admin/metadata?mount=/stream&mode=updinfo&song=${encodeURIComponent(utf8)}`), { headers: { Authorization: basic(ADMIN.user, ADMIN.password) } });
    assert.equal(r2.status, 200);
    // (icecast2's status-json writes characters past Latin-1 as XML character references)
    const unref = (t: unknown): string => String(t).replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)));
    await waitFor(async () => unref((await iceSources(ice)).get('/live')?.title) === utf8, 5000, 'UTF-8 title at icecast2');
  });

  it('pushes an Ogg mount that decodes for a late joiner at icecast2, and shows the Ogg source title in our status', async () => {
    const ice = await startIcecast();
    cleanup.push(() => ice.stop());
    const srv = await startServer(
      `mount "/radio.ogg" {\n  format = "ogg"\n}\noutput "ogg" {\n  mount = "/radio.ogg"\n  url = "icecast://source:${ICE_SOURCE_PW}@127.0.0.1:${ice.port}/radio.ogg"\n}\n`,
    );
    cleanup.push(() => srv.stop());
    const dir = tmp('ogg');
    const track = makeTrack(join(dir, 'live.ogg'), { seconds: 20, codec: 'ogg', title: 'Vorbis Song', artist: 'Ogg Band' });
    const src = ffmpegSource(srv.sourcePort, '/radio.ogg', track, { contentType: 'audio/ogg', format: 'ogg', name: 'Stream Name' });
    cleanup.push(() => kill(src.child));
    await waitFor(() => outputOf(srv, 'ogg').state === 'on-air', 8000, 'ogg output on air');
    const m = srv.engine.mounts.get('/radio.ogg')!;
    await waitFor(() => m.title === 'Ogg Band - Vorbis Song', 8000, 'title from the Vorbis comments');
    const st = (await (await fetch(srv.url('/status-json.xsl'))).json()) as { icestats: { source: { title: string } } };
    assert.equal(st.icestats.source.title, 'Ogg Band - Vorbis Song');
    await sleep(2000);
    const late = await listen(ice.port, '/radio.ogg');
    await sleep(3000);
    late.close();
    const file = join(dir, 'late.ogg');
    writeFileSync(file, late.audio());
    const d = decode(file);
    assert.equal(d.errors, '', 'the late joiner at icecast2 decodes');
    assert.ok(d.duration > 2, `${d.duration} s decoded`);
    // from the stream's own Vorbis comments: an Ogg output sends no updinfo (as libshout sends none for Ogg)
    await waitFor(async () => {
      const s = (await iceSources(ice)).get('/radio.ogg');
      return s?.title === 'Vorbis Song' && s?.artist === 'Ogg Band';
    }, 5000, 'icecast2 shows the title and artist from the Vorbis comments');
  });

  it('SHOUTcast v1 output into icecast2\'s shoutcast-mount carries audio and titles', async () => {
    const ice = await startIcecast({ shoutcastMount: '/sc' });
    cleanup.push(() => ice.stop());
    const srv = await startServer(`output "sc" {\n  mount = "/stream"\n  url = "shoutcast://:${ICE_SOURCE_PW}@127.0.0.1:${ice.port}"\n}\n`, '', {
      playlist: `enabled = true\n  directory = "${tmp('sc-empty')}"`,
      demoTracks: [makeTrack(join(tmp('sc'), 'sc.mp3'), { seconds: 20, title: 'Shout Title', artist: 'SC' })],
    });
    cleanup.push(() => srv.stop());
    await waitFor(() => outputOf(srv, 'sc').state === 'on-air', 8000, 'shoutcast output on air');
    assert.match(outputOf(srv, 'sc').lastAnswer, /^OK2/);
    const cap = await listen(ice.port, '/sc', { icy: true });
    await sleep(3000);
    cap.close();
    await waitFor(() => cap.titles.length > 0 || cap.isClosed, 100).catch(() => {});
    const r = checkMp3(cap.audio(), 'sc');
    assert.ok(r.seconds > 2, `${r.seconds} s of audio`);
    assert.deepEqual(r.errorLines, []);
    await waitFor(async () => (await iceSources(ice)).get('/sc')?.title === 'SC - Shout Title', 5000, 'title via admin.cgi');
  });
});

describe('pull relays from icecast2', () => {
  it('relays clean audio with the upstream titles, survives an upstream restart, and on_demand connects only while listened to', async () => {
    let ice = await startIcecast();
    cleanup.push(() => ice.stop());
    const tone = fixture('mp3', 30);
    let feed = ffmpegSource(ice.port, '/up', tone, { contentType: 'audio/mpeg', format: 'mp3', password: ICE_SOURCE_PW });
    cleanup.push(() => kill(feed.child));
    await waitFor(async () => (await iceSources(ice)).has('/up'), 8000, 'upstream on air');
    const setUpstreamTitle = (t: string) => fetch(ice.url(`/admin/metadata?mount=/up&mode=updinfo&song=${encodeURIComponent(t)}`), { headers: { Authorization: basic(ICE_ADMIN.user, ICE_ADMIN.password) } });
    await setUpstreamTitle('Upstream Song');
    const srv = await startServer(
      `relay "/news" {\n  url = "http://127.0.0.1:${ice.port}/up"\n}\nrelay "/lazy" {\n  url = "http://127.0.0.1:${ice.port}/up"\n  on_demand = true\n}\n`,
    );
    cleanup.push(() => srv.stop());
    await waitFor(() => relayOf(srv, '/news').state === 'on-air', 8000, 'relay on air');
    const cap = await listen(srv.listenPort, '/news', { icy: true });
    await waitFor(() => cap.titles.includes('Upstream Song'), 8000, 'upstream title at our listener');
    await setUpstreamTitle('Second Song');
    await waitFor(() => cap.titles.includes('Second Song'), 8000, 'second title');
    const st = (await (await fetch(srv.url('/api/status'))).json()) as { mounts: { mount: string; live: boolean; source: { protocol: string } | null }[]; relays: { mount: string; state: string }[] };
    assert.equal(st.mounts.find((x) => x.mount === '/news')?.source?.protocol, 'relay');
    assert.equal(st.relays.find((x) => x.mount === '/lazy')?.state, 'idle');

    // the upstream's source and then icecast2 itself restart: the relay comes back, the listener stays
    await kill(feed.child);
    await ice.stop();
    await waitFor(() => relayOf(srv, '/news').state === 'retrying', 12_000, 'relay retrying');
    ice = await startIcecast({ port: ice.port });
    feed = ffmpegSource(ice.port, '/up', tone, { contentType: 'audio/mpeg', format: 'mp3', password: ICE_SOURCE_PW });
    await waitFor(() => relayOf(srv, '/news').state === 'on-air', 15_000, 'relay back');
    await sleep(2000);
    assert.equal(cap.isClosed, false, 'our listener stayed through the upstream restart');
    cap.close();
    const r = checkMp3(cap.audio(), 'relay');
    assert.ok(r.errorLines.length <= 4, `decode errors:\n${r.errorLines.join('\n')}`);
    assert.ok(r.seconds > 4, `${r.seconds} s of audio`);

    // on demand: nothing at icecast2 until a listener tunes in to /lazy, and it hangs up after the last one left
    const upListeners = async (): Promise<number> => Number((await iceSources(ice)).get('/up')?.listeners ?? 0);
    await waitFor(async () => (await upListeners()) === 1, 5000, 'only /news listens upstream');
    const lazy = await listen(srv.listenPort, '/lazy');
    await waitFor(() => relayOf(srv, '/lazy').state === 'on-air', 8000, 'on-demand relay connected');
    await waitFor(async () => (await upListeners()) === 2, 5000, 'the on-demand relay listens upstream');
    await sleep(1000);
    assert.ok(lazy.received > 10_000, `the /lazy listener got ${lazy.received} bytes`);
    lazy.close();
    await waitFor(() => relayOf(srv, '/lazy').state === 'idle', 8000, 'on-demand relay idle again');
    await waitFor(async () => (await upListeners()) === 1, 5000, 'it hung up upstream');
  });
});

describe('master for icecast2 slaves', () => {
  it('a slave with <master-server> pointed at us lists and relays our mounts within one update interval, with titles', async () => {
    const music = tmp('master');
    makeTrack(join(music, 'm.mp3'), { seconds: 30, title: 'Master Track', artist: 'Cycast' });
    const srv = await startServer(`mount "/second" {\n  playlist_enabled = false\n}\n`, '', {
      playlist: `enabled = true\n  directory = "${music}"`,
      demoTracks: [],
    });
    cleanup.push(() => srv.stop());
    // relay credentials come with the config: apply them, as an operator would
    srv.engine.config.admin.relay_password = 'slave-pw';
    const interval = 2;
    const slave = await startIcecast({ master: { port: srv.listenPort, user: 'relay', password: 'slave-pw', interval } });
    cleanup.push(() => slave.stop());
    const t0 = Date.now();
    await waitFor(async () => (await iceSources(slave)).has('/stream'), (interval + 6) * 1000, 'slave relays /stream');
    const took = Date.now() - t0;
    const sources = await iceSources(slave);
    assert.ok(!sources.has('/second'), 'a mount with nothing on air is not listed');
    const cap = await listen(slave.port, '/stream', { icy: true });
    await waitFor(() => cap.titles.includes('Cycast - Master Track'), 8000, 'title through the slave');
    cap.close();
    assert.doesNotMatch(slave.errorLog(), /Master rejected streamlist request/);
    console.log(`# slave listed and relayed /stream ${took} ms after it started (update interval ${interval} s)`);
    // a wrong relay password is refused, and an empty one turns relaying off
    const bad = await fetch(srv.url('/admin/streamlist.txt'), { headers: { Authorization: basic('relay', 'nope') } });
    assert.equal(bad.status, 401);
    srv.engine.config.admin.relay_password = '';
    const off = await fetch(srv.url('/admin/streamlist.txt'), { headers: { Authorization: basic('relay', '') } });
    assert.equal(off.status, 403);
  });
});

/** A TCP server on loopback that answers each connection with `onConn`; counts connections. */
async function peer(onConn: (s: Socket, head: string) => void): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let n = 0;
  const open = new Set<Socket>();
  const srv = createServer((s) => {
    n++;
    open.add(s);
    s.on('close', () => open.delete(s));
    s.on('error', () => {});
    let head = '';
    const onData = (d: Buffer): void => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      s.off('data', onData);
      onConn(s, head);
    };
    s.on('data', onData);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as AddressInfo).port,
    connections: () => n,
    close: () => new Promise((r) => {
      srv.close(() => r());
      for (const s of open) s.destroy();
    }),
  };
}

describe('hostile or unusual peers', () => {
  it('a relay follows at most 5 redirects and refuses an oversize head', async () => {
    const loop = await peer((s) => s.end('HTTP/1.0 302 Found\r\nLocation: /again\r\n\r\n'));
    const huge = await peer((s) => s.write('HTTP/1.0 200 OK\r\n' + 'X-Pad: yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n'.repeat(1000)));
    cleanup.push(loop.close, huge.close);
    const srv = await startServer(`relay "/loop" {\n  url = "http://127.0.0.1:${loop.port}/start"\n}\nrelay "/huge" {\n  url = "http://127.0.0.1:${huge.port}/x"\n}\n`);
    cleanup.push(() => srv.stop());
    await waitFor(() => relayOf(srv, '/loop').state === 'refused', 5000, 'redirect loop refused');
    assert.match(relayOf(srv, '/loop').reason, /more than 5 redirects/);
    assert.equal(loop.connections(), 6, 'the first request and five redirects');
    await waitFor(() => relayOf(srv, '/huge').state === 'retrying', 5000, 'oversize head refused');
    assert.match(relayOf(srv, '/huge').reason, /larger than 16384 bytes/);
    assert.ok(srv.engine.mounts.has('/loop') && srv.engine.mounts.has('/huge'), 'relay mounts exist while their upstream is away');
  });

  it('a relay whose upstream sends no audio frames is dropped, and ICY blocks at their largest do not break it', async () => {
    // 100 blocks of 4080 bytes of metadata between 16-byte pieces of zeros: never one MPEG frame
    const junk = Buffer.concat(Array.from({ length: 100 }, () => Buffer.concat([Buffer.alloc(16), Buffer.from([255]), Buffer.alloc(4080, 0x41)])));
    // then 16-byte pieces of zeros, each followed by an empty block: 340 KB more without a frame
    const zeros = Buffer.concat(Array.from({ length: 4000 }, () => Buffer.concat([Buffer.alloc(16), Buffer.from([0])])));
    const up = await peer((s) => {
      s.write('ICY 200 OK\r\nicy-metaint: 16\r\nContent-Type: audio/mpeg\r\n\r\n');
      s.write(junk);
      for (let i = 0; i < 5; i++) s.write(zeros);
    });
    cleanup.push(up.close);
    const srv = await startServer(`relay "/junk" {\n  url = "http://127.0.0.1:${up.port}/x"\n}\n`);
    cleanup.push(() => srv.stop());
    await waitFor(() => /without one mp3 frame/.test(relayOf(srv, '/junk').reason), 10_000, 'junk upstream dropped');
    assert.equal(relayOf(srv, '/junk').state, 'retrying');
  });

  it('falls back to SOURCE for a server that refuses PUT', async () => {
    const methods: string[] = [];
    const old = await peer((s, head) => {
      methods.push(head.split(' ')[0]);
      if (head.startsWith('PUT')) s.end('HTTP/1.0 405 Method Not Allowed\r\n\r\n');
      else s.write('HTTP/1.0 200 OK\r\n\r\n');
    });
    cleanup.push(old.close);
    const srv = await startServer(`output "old" {\n  mount = "/stream"\n  url = "icecast://source:pw@127.0.0.1:${old.port}/live"\n}\n`, '', { playlist: `enabled = true\n  directory = "${tmp('old-empty')}"` });
    cleanup.push(() => srv.stop());
    await waitFor(() => outputOf(srv, 'old').state === 'on-air', 8000, 'on air with SOURCE');
    assert.deepEqual(methods, ['PUT', 'SOURCE']);
  });

  it('a stalled remote is dropped at queue_size and reconnected, and never slows a local listener', async () => {
    let accepted = 0;
    const stall = await peer((s) => {
      accepted++;
      s.write('HTTP/1.0 200 OK\r\n\r\n');
      s.pause(); // and never read again
    });
    cleanup.push(stall.close);
    const srv = await startServer(`output "stall" {\n  mount = "/stream"\n  url = "icecast://source:pw@127.0.0.1:${stall.port}/live"\n}\nbroadcaster {\n  queue_size = 65536\n  burst_size = 16384\n  write_interval_ms = 0\n}\n`);
    cleanup.push(() => srv.stop());
    const src = await pacedSource(srv.sourcePort, '/stream', readFileSync(fixture('mp3', 10)), 1_500_000);
    cleanup.push(() => src.stop());
    const local = await listen(srv.listenPort, '/stream');
    await waitFor(() => outputOf(srv, 'stall').state === 'on-air', 5000, 'stall output on air');
    await waitFor(() => outputOf(srv, 'stall').state === 'retrying', 15_000, 'dropped as too slow');
    assert.match(outputOf(srv, 'stall').reason, /fell more than queue_size \(65536 bytes\) behind/);
    await waitFor(() => accepted >= 2, 5000, 'reconnected after its backoff');
    const before = local.received;
    await sleep(500);
    assert.ok(local.received - before > 100_000, `the local listener kept receiving (${local.received - before} bytes in 0.5 s)`);
    assert.equal(local.isClosed, false);
    local.close();
  });

  it('a taken mount at icecast2 is reported as such', async () => {
    const ice = await startIcecast();
    cleanup.push(() => ice.stop());
    const feed = ffmpegSource(ice.port, '/busy', fixture('mp3', 30), { contentType: 'audio/mpeg', format: 'mp3', password: ICE_SOURCE_PW });
    cleanup.push(() => kill(feed.child));
    await waitFor(async () => (await iceSources(ice)).has('/busy'), 8000, 'someone else on /busy');
    const srv = await startServer(`output "busy" {\n  mount = "/stream"\n  url = "icecast://source:${ICE_SOURCE_PW}@127.0.0.1:${ice.port}/busy"\n}\n`, '', { playlist: `enabled = true\n  directory = "${tmp('busy-empty')}"` });
    cleanup.push(() => srv.stop());
    await waitFor(() => outputOf(srv, 'busy').state === 'refused', 8000, 'refused');
    assert.match(outputOf(srv, 'busy').reason, /mount in use/);
    assert.ok(outputOf(srv, 'busy').retryAt - Date.now() > 50_000, 'retried slowly');
  });
});
