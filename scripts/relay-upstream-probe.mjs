#!/usr/bin/env node
// node scripts/relay-upstream-probe.mjs [--rounds 10]   (after npx tsc -b)
//
// What a relay's upstream handling costs a listener, against a private icecast2 (plain and TLS ports) fed by
// ffmpeg on loopback. Prints medians over the rounds:
//  - an on-demand relay's first listener: ms to the response head and to the first audio byte, with format
//    unset (the answer waits for the upstream's Content-Type) and with format = "mp3" (answered at once);
//  - the upstream request (net/upstream.ts): ms to the 200 head, http:// against https:// (TLS, certificate verified).

import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { rootCertificates } from 'node:tls';
import { join } from 'node:path';
import { fixture } from '../dist/test/helpers/audio.js';
import { ICE_SOURCE_PW, iceSources, startIcecast } from '../dist/test/helpers/icecast.js';
import { ffmpegSource, kill, sleep, startServer, waitFor } from '../dist/test/helpers/server.js';
import { requestUpstream } from '../dist/src-main/engine/net/upstream.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const rounds = Number(arg('rounds', '10'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = mkdtempSync(join(tmpdir(), 'cycast-upstream-probe-'));
chmodSync(dir, 0o755);
const key = join(dir, 'k.pem');
const cert = join(dir, 'c.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=probe', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
const pem = join(dir, 'both.pem');
writeFileSync(pem, readFileSync(cert, 'utf8') + readFileSync(key, 'utf8'));

const ice = await startIcecast({ tlsPem: pem });
const feed = ffmpegSource(ice.port, '/up', fixture('mp3', 30), { contentType: 'audio/mpeg', format: 'mp3', password: ICE_SOURCE_PW });
try {
  await waitFor(async () => (await iceSources(ice)).has('/up'), 8000, 'upstream on air');

  /** ms to the head and to the first byte after it, for one listener on `path`. */
  const firstListener = (port, path) =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      const s = connect({ port, host: '127.0.0.1' });
      s.on('error', reject);
      s.write(`GET ${path} HTTP/1.0\r\n\r\n`);
      let head = 0;
      let got = Buffer.alloc(0);
      s.on('data', (d) => {
        got = Buffer.concat([got, d]);
        const end = got.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!head) head = performance.now() - t0;
        if (got.length > end + 4) {
          s.destroy();
          resolve({ head, audio: performance.now() - t0, type: /content-type: ([^\r]+)/i.exec(got.toString('latin1', 0, end))?.[1] });
        }
      });
    });

  for (const format of [null, 'mp3']) {
    const heads = [];
    const firsts = [];
    let type = '';
    for (let i = 0; i < rounds; i++) {
      const srv = await startServer(`relay "/lazy" {\n  url = "http://127.0.0.1:${ice.port}/up"\n  on_demand = true\n${format ? `  format = "${format}"\n` : ''}}\n`);
      const r = await firstListener(srv.listenPort, '/lazy');
      heads.push(r.head);
      firsts.push(r.audio);
      type = r.type;
      await srv.stop();
    }
    console.log(`on-demand first listener, format ${format ? `"${format}"` : 'unset'}: head ${median(heads).toFixed(1)} ms, first audio ${median(firsts).toFixed(1)} ms (median of ${rounds}; ${type})`);
  }

  const ca = [...rootCertificates, readFileSync(cert, 'utf8')];
  for (const scheme of ['http', 'https']) {
    const times = [];
    for (let i = 0; i < rounds; i++) {
      const url = scheme === 'http' ? `http://127.0.0.1:${ice.port}/up` : `https://127.0.0.1:${ice.tlsPort}/up`;
      const t0 = performance.now();
      await new Promise((resolve, reject) =>
        requestUpstream(url, { ca, userAgent: 'probe' }, {
          answered: () => {},
          ok: (a) => {
            times.push(performance.now() - t0);
            a.socket.destroy();
            resolve();
          },
          failed: (why) => reject(new Error(why)),
        }),
      );
      await sleep(50);
    }
    console.log(`upstream request to its 200 head, ${scheme}://: ${median(times).toFixed(1)} ms (median of ${rounds}; connect${scheme === 'https' ? ', TLS handshake with the certificate verified' : ''}, GET, head)`);
  }
} finally {
  await kill(feed.child);
  await ice.stop();
}
