// Relays against what public upstreams do: the format comes from the upstream's Content-Type (and changes
// with it), an on-demand relay answers its first listener with the right type, and https:// upstreams with
// verified certificates. The upstream is a real icecast2 (listening with TLS for the https cases) fed by ffmpeg.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MpegFramer } from '../../src-main/engine/protocol/framing/mpeg.js';
import { decode, fixture } from '../helpers/audio.js';
import { ICE_ADMIN, ICE_SOURCE_PW, iceSources, startIcecast, type Icecast } from '../helpers/icecast.js';
import { basic, exchange, ffmpegSource, kill, listen, sleep, startServer, waitFor, type TestServer } from '../helpers/server.js';

function tmp(name: string): string {
  const d = join(tmpdir(), `cycast-upstream-${process.pid}-${name}`);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
  chmodSync(d, 0o755); // icecast2 reads certificates here as the user it changes to
  return d;
}

/** ffmpeg's errors decoding a capture (format forced), and the seconds it decoded. */
function decodeCapture(audio: Buffer, dir: string, name: string, format: 'mp3' | 'ogg'): { errors: string; duration: number } {
  const file = join(dir, `${name}.${format}`);
  writeFileSync(file, audio);
  return decode(file, format);
}

/**
 * A self-signed certificate for 127.0.0.1 (and the names in `san`), made by openssl: `cert` to trust, `pem`
 * (certificate then key) for icecast2. `expired`: valid for one day in 2020 only.
 */
function makeCert(dir: string, name: string, opts: { san?: string; expired?: boolean } = {}): { cert: string; pem: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  const san = `subjectAltName=${opts.san ?? 'IP:127.0.0.1'}`;
  const q = { stdio: 'pipe' as const };
  if (!opts.expired) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=cycast-test', '-addext', san], q);
  } else {
    // `openssl req` takes no past dates; `openssl ca -selfsign` does, with a throwaway CA database
    const ca = join(dir, `${name}-ca`);
    mkdirSync(ca, { recursive: true });
    writeFileSync(join(ca, 'index.txt'), '');
    writeFileSync(join(ca, 'serial'), '01\n');
    writeFileSync(join(ca, 'ca.cnf'), `[ca]\ndefault_ca = d\n[d]\ndir = ${ca}\ndatabase = ${ca}/index.txt\nnew_certs_dir = ${ca}\nserial = ${ca}/serial\ndefault_md = sha256\npolicy = p\ncopy_extensions = copy\n[p]\ncommonName = supplied\n`);
    const csr = join(ca, 'req.csr');
    execFileSync('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=cycast-test', '-addext', san], q);
    execFileSync('openssl', ['ca', '-batch', '-notext', '-config', join(ca, 'ca.cnf'), '-selfsign', '-keyfile', key, '-in', csr, '-out', cert, '-startdate', '20200101000000Z', '-enddate', '20200102000000Z'], q);
  }
  const pem = join(dir, `${name}.pem`);
  writeFileSync(pem, readFileSync(cert, 'utf8') + readFileSync(key, 'utf8'));
  return { cert, pem };
}

const relayOf = (srv: TestServer, path: string) => srv.engine.links.relayReports().find((r) => r.mount === path)!;

const cleanup: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
});

/** ffmpeg feeding icecast2's /up with `kind` audio (30 s, looped). */
function feedUpstream(ice: Icecast, kind: 'mp3' | 'ogg') {
  const feed = kind === 'ogg'
    ? ffmpegSource(ice.port, '/up', fixture('ogg', 30), { contentType: 'application/ogg', format: 'ogg', password: ICE_SOURCE_PW })
    : ffmpegSource(ice.port, '/up', fixture('mp3', 30), { contentType: 'audio/mpeg', format: 'mp3', password: ICE_SOURCE_PW });
  cleanup.push(() => kill(feed.child));
  return feed;
}

describe('a relay takes its format from the upstream', () => {
  it('follows the upstream from Ogg Vorbis to MP3 on the same mount: the Ogg listener is disconnected (logged), a new one gets clean MP3', async () => {
    const dir = tmp('follow');
    const ice = await startIcecast();
    cleanup.push(() => ice.stop());
    let feed = feedUpstream(ice, 'ogg');
    await waitFor(async () => (await iceSources(ice)).has('/up'), 8000, 'Ogg upstream on air');
    const srv = await startServer(`relay "/follow" {\n  url = "http://127.0.0.1:${ice.port}/up"\n}\nrelay "/fixed" {\n  url = "http://127.0.0.1:${ice.port}/up"\n  format = "mp3"\n}\n`);
    cleanup.push(() => srv.stop());
    await waitFor(() => relayOf(srv, '/follow').state === 'on-air', 8000, 'relay on air');
    // an explicit format is kept: another one is refused, with the way out
    await waitFor(() => relayOf(srv, '/fixed').state === 'refused', 8000, 'the fixed-format relay refuses Ogg');
    assert.equal(relayOf(srv, '/fixed').reason, 'the upstream sends application/ogg, the relay mount is mp3: set format = "ogg" on relay "/fixed", or leave format out to follow the upstream');
    const m = srv.engine.mounts.get('/follow')!;
    assert.equal(m.format, 'ogg');

    const ogg = await listen(srv.listenPort, '/follow');
    assert.equal(ogg.headers.get('content-type'), 'application/ogg');
    await sleep(3000);
    const o = decodeCapture(ogg.audio(), dir, 'ogg', 'ogg');
    assert.equal(o.errors, '', 'the Ogg listener decodes');
    assert.ok(o.duration > 1, `${o.duration} s of Vorbis decoded`);

    // the same upstream mount, now MP3: the relay reconnects and the mount follows
    await kill(feed.child);
    feed = feedUpstream(ice, 'mp3');
    await ogg.closed;
    await waitFor(() => relayOf(srv, '/follow').state === 'on-air' && m.format === 'mp3', 15_000, 'relay back on air in MP3');
    assert.equal(srv.engine.mounts.get('/follow'), m, 'the same mount (its stats and history stay)');
    assert.ok(srv.logs.some((l) => /relay \/follow: the upstream now sends audio\/mpeg \(the mount was application\/ogg\); the mount switches to mp3 and its 1 listener\(s\) are disconnected/.test(l)), `logged why:\n${srv.logs.filter((l) => l.includes('/follow')).join('\n')}`);

    const mp3 = await listen(srv.listenPort, '/follow', { icy: true });
    assert.equal(mp3.headers.get('content-type'), 'audio/mpeg');
    await fetch(ice.url(`/admin/metadata?mount=/up&mode=updinfo&song=${encodeURIComponent('After The Switch')}`), { headers: { Authorization: basic(ICE_ADMIN.user, ICE_ADMIN.password) } });
    await waitFor(() => mp3.titles.includes('After The Switch'), 8000, 'the upstream title after the switch');
    await sleep(2000);
    mp3.close();
    const audio = mp3.audio();
    const framer = new MpegFramer();
    framer.push(audio);
    assert.ok(framer.skippedBytes < 1000, `${framer.skippedBytes} bytes of the capture are not MPEG frames (Ogg left over?)`);
    const d = decodeCapture(audio, dir, 'mp3', 'mp3');
    assert.equal(d.errors, '', 'clean MP3 after the switch');
    assert.ok(d.duration > 2, `${d.duration} s of MP3 decoded`);
  });

  it('on demand: the first listener waits for the upstream and gets its Content-Type; with the upstream unreachable and no format known, a clear 503', async () => {
    const dir = tmp('lazy');
    const ice = await startIcecast();
    cleanup.push(() => ice.stop());
    feedUpstream(ice, 'ogg');
    await waitFor(async () => (await iceSources(ice)).has('/up'), 8000, 'Ogg upstream on air');
    const closed = await startIcecast(); // then stopped: a port where nothing listens
    await closed.stop();
    const srv = await startServer(
      `relay "/lazy" {\n  url = "http://127.0.0.1:${ice.port}/up"\n  on_demand = true\n}\n` +
        `relay "/gone" {\n  url = "http://127.0.0.1:${closed.port}/up"\n  on_demand = true\n}\n`,
    );
    cleanup.push(() => srv.stop());
    assert.equal(relayOf(srv, '/lazy').state, 'idle');
    assert.equal(Number((await iceSources(ice)).get('/up')?.listeners ?? 0), 0, 'nothing at the upstream before a listener');

    const first = await listen(srv.listenPort, '/lazy');
    assert.equal(first.headers.get('content-type'), 'application/ogg', 'answered with the upstream\'s type, not a guess');
    await sleep(3000);
    first.close();
    const d = decodeCapture(first.audio(), dir, 'first', 'ogg');
    assert.equal(d.errors, '', 'the first listener decodes');
    assert.ok(d.duration > 1, `${d.duration} s decoded`);
    await waitFor(() => relayOf(srv, '/lazy').state === 'idle', 8000, 'idle again after the last listener');

    const r = await exchange(srv.listenPort, 'GET /gone HTTP/1.0\r\n\r\n', { ms: 15_000 });
    assert.ok(r.closed, 'answered, not left hanging');
    assert.match(r.text, /^HTTP\/1\.0 503 /);
    assert.match(r.text, /has not reached its upstream yet/);
    assert.match(relayOf(srv, '/gone').reason, /cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });
});

/** A TCP server on loopback that takes connections and never answers; counts the open ones. */
async function blackHole(): Promise<{ port: number; open: () => number; close: () => Promise<void> }> {
  const open = new Set<Socket>();
  const srv = createServer((s) => {
    open.add(s);
    s.on('close', () => open.delete(s));
    s.on('error', () => {});
    s.resume(); // reads (and drops) the request, so a hang-up is seen
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as AddressInfo).port,
    open: () => open.size,
    close: () => new Promise((r) => {
      srv.close(() => r());
      for (const s of open) s.destroy();
    }),
  };
}

describe('held answers are bounded', () => {
  it('an upstream that never answers: the held listener gets a 503 within the hold; one who hangs up lets the on-demand relay hang up', async () => {
    const hole = await blackHole();
    cleanup.push(hole.close);
    const srv = await startServer(`relay "/hole" {\n  url = "http://127.0.0.1:${hole.port}/up"\n  on_demand = true\n}\n`);
    cleanup.push(() => srv.stop());
    const t0 = Date.now();
    const r = await exchange(srv.listenPort, 'GET /hole HTTP/1.0\r\n\r\n', { ms: 20_000 });
    const waited = Date.now() - t0;
    assert.ok(r.closed, 'answered, not left hanging');
    assert.match(r.text, /^HTTP\/1\.0 503 [^]*has not reached its upstream yet/);
    assert.ok(waited >= 9000 && waited < 15_000, `answered after ${waited} ms (the hold is 10 s)`);
    await waitFor(() => relayOf(srv, '/hole').state !== 'connecting', 3000, 'the attempt is over');

    // a held listener who hangs up: nobody is waiting, so the on-demand relay stops asking the upstream
    await waitFor(() => relayOf(srv, '/hole').state === 'idle' && hole.open() === 0, 5000, 'idle before the next listener');
    const quitter = connect({ port: srv.listenPort, host: '127.0.0.1' });
    quitter.on('error', () => {});
    quitter.write('GET /hole HTTP/1.0\r\n\r\n');
    await waitFor(() => relayOf(srv, '/hole').state === 'connecting' && hole.open() === 1, 3000, 'connecting for the held listener');
    assert.equal(srv.engine.mounts.get('/hole')!.broadcaster.count, 0, 'held, not yet a listener');
    await sleep(500);
    quitter.destroy();
    await waitFor(() => relayOf(srv, '/hole').state === 'idle' && hole.open() === 0, 5000, 'the relay hung up upstream after the held listener left');
  });
});

describe('an upstream of no stream format', () => {
  it('is refused with the reason, whether its Content-Type is unknown or missing; no listener is answered with a guess', async () => {
    const html = await answering('HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html>');
    const bare = await answering('ICY 200 OK\r\nicy-name: no type\r\n\r\n');
    cleanup.push(html.close, bare.close);
    const srv = await startServer(`relay "/html" {\n  url = "http://127.0.0.1:${html.port}/x"\n}\nrelay "/bare" {\n  url = "http://127.0.0.1:${bare.port}/x"\n}\n`);
    cleanup.push(() => srv.stop());
    await waitFor(() => relayOf(srv, '/html').state === 'refused' && relayOf(srv, '/bare').state === 'refused', 8000, 'both refused');
    assert.equal(relayOf(srv, '/html').reason, 'the upstream sends text/html; charset=utf-8, which is no format a mount carries (MP3, Ogg, AAC)');
    assert.match(relayOf(srv, '/bare').reason, /^the upstream sends no Content-Type, which is no format/);
    const r = await exchange(srv.listenPort, 'GET /html HTTP/1.0\r\n\r\n', { ms: 5000 });
    assert.match(r.text, /^HTTP\/1\.0 503 [^]*has not reached its upstream yet/);
  });
});

/** A TCP server on loopback that answers every request with `answer` and keeps the connection open. */
async function answering(answer: string): Promise<{ port: number; close: () => Promise<void> }> {
  const open = new Set<Socket>();
  const srv = createServer((s) => {
    open.add(s);
    s.on('close', () => open.delete(s));
    s.on('error', () => {});
    s.once('data', () => s.write(answer));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as AddressInfo).port,
    close: () => new Promise((r) => {
      srv.close(() => r());
      for (const s of open) s.destroy();
    }),
  };
}

/** A plain TCP server on loopback that redirects every request to `location`. */
async function redirector(location: string): Promise<{ port: number; close: () => Promise<void> }> {
  const open = new Set<Socket>();
  const srv = createServer((s) => {
    open.add(s);
    s.on('close', () => open.delete(s));
    s.on('error', () => {});
    s.once('data', () => s.end(`HTTP/1.0 302 Found\r\nLocation: ${location}\r\n\r\n`));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as AddressInfo).port,
    close: () => new Promise((r) => {
      srv.close(() => r());
      for (const s of open) s.destroy();
    }),
  };
}

describe('https upstreams', () => {
  it('relays clean audio and titles from icecast2 over TLS with a trusted self-signed certificate, follows http -> https, and says why a certificate is refused', async () => {
    const dir = tmp('tls');
    const good = makeCert(dir, 'good');
    const expired = makeCert(dir, 'expired', { expired: true });
    const ice = await startIcecast({ tlsPem: good.pem });
    cleanup.push(() => ice.stop());
    const old = await startIcecast({ tlsPem: expired.pem });
    cleanup.push(() => old.stop());
    feedUpstream(ice, 'mp3');
    await waitFor(async () => (await iceSources(ice)).has('/up'), 8000, 'upstream on air');
    const setTitle = (t: string) => fetch(ice.url(`/admin/metadata?mount=/up&mode=updinfo&song=${encodeURIComponent(t)}`), { headers: { Authorization: basic(ICE_ADMIN.user, ICE_ADMIN.password) } });
    await setTitle('Over TLS');
    const hop = await redirector(`https://127.0.0.1:${ice.tlsPort}/up`);
    cleanup.push(hop.close);
    const https = `https://127.0.0.1:${ice.tlsPort}/up`;
    const srv = await startServer(
      `relay "/secure" {\n  url = "${https}"\n  tls_ca_file = "${good.cert}"\n}\n` +
        `relay "/hop" {\n  url = "http://127.0.0.1:${hop.port}/start"\n  tls_ca_file = "${good.cert}"\n}\n` +
        `relay "/untrusted" {\n  url = "${https}"\n}\n` +
        `relay "/mismatch" {\n  url = "https://localhost:${ice.tlsPort}/up"\n  tls_ca_file = "${good.cert}"\n}\n` +
        `relay "/expired" {\n  url = "https://127.0.0.1:${old.tlsPort}/up"\n  tls_ca_file = "${expired.cert}"\n}\n` +
        `relay "/not-tls" {\n  url = "https://127.0.0.1:${hop.port}/up"\n}\n`,
    );
    cleanup.push(() => srv.stop());
    await waitFor(() => relayOf(srv, '/secure').state === 'on-air', 8000, 'https relay on air');
    await waitFor(() => relayOf(srv, '/hop').state === 'on-air', 8000, 'http -> https redirect followed');

    const cap = await listen(srv.listenPort, '/secure', { icy: true });
    assert.equal(cap.headers.get('content-type'), 'audio/mpeg');
    await waitFor(() => cap.titles.includes('Over TLS'), 8000, 'the upstream title over TLS');
    await setTitle('Second Over TLS');
    await waitFor(() => cap.titles.includes('Second Over TLS'), 8000, 'a title change over TLS');

    const refused = async (path: string, why: RegExp): Promise<void> => {
      await waitFor(() => relayOf(srv, path).state === 'refused', 8000, `${path} refused`);
      assert.match(relayOf(srv, path).reason, why);
      assert.ok(relayOf(srv, path).retryAt - Date.now() > 50_000, `${path}: a certificate problem is retried slowly`);
      const reason = relayOf(srv, path).reason;
      assert.ok(srv.logs.some((l) => l.includes(`relay ${path}: ${reason}; reconnecting in 60s`)), `${path}: logged`);
    };
    await refused('/untrusted', /^the certificate for 127\.0\.0\.1 is self-signed and not trusted \(trust it with tls_ca_file\)$/);
    await refused('/mismatch', /^hostname mismatch: localhost:\d+ sends a certificate for IP Address:127\.0\.0\.1, not for localhost$/);
    await refused('/expired', /^the certificate for 127\.0\.0\.1 has expired$/);
    // (the redirector answers the TLS hello with an HTTP redirect, as a plain http:// server would)
    await waitFor(() => /does not speak TLS \(an http:\/\/ server\? use http:\/\/ in the URL\)/.test(relayOf(srv, '/not-tls').reason), 8000, 'TLS to a plain port');

    // the station carries on: the secure listener still gets audio, the APIs answer
    const before = cap.received;
    await sleep(2000);
    assert.ok(cap.received - before > 20_000, `the /secure listener kept receiving (${cap.received - before} bytes in 2 s)`);
    const st = (await (await fetch(srv.url('/api/status'))).json()) as { relays: { mount: string; state: string; reason: string }[] };
    assert.match(st.relays.find((r) => r.mount === '/untrusted')!.reason, /self-signed/);
    cap.close();
    const d = decodeCapture(cap.audio(), dir, 'secure', 'mp3');
    assert.equal(d.errors, '', 'clean MP3 over TLS');
    assert.ok(d.duration > 2, `${d.duration} s decoded`);
  });
});
