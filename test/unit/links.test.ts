// Pure parts of outputs and relays: the ICY reader, response heads, Ogg comment titles, output/relay
// config, the backoff sequence, redirect resolution.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { checkConfigText } from '../../src-main/config/load.js';
import { planConfigChange } from '../../src-main/engine/config-change.js';
import { Backoff } from '../../src-main/engine/net/backoff.js';
import { redactUrl } from '../../src-main/engine/net/links.js';
import { classifyIcecastRefusal } from '../../src-main/engine/net/output.js';
import { resolveLocation } from '../../src-main/engine/net/upstream.js';
import { OggFramer } from '../../src-main/engine/protocol/framing/ogg.js';
import { oggCommentTitle, parseCommentPacket } from '../../src-main/engine/protocol/framing/ogg-comments.js';
import { encodeIcyBlock } from '../../src-main/engine/protocol/icy.js';
import { IcyReader } from '../../src-main/engine/protocol/icy-reader.js';
import { MAX_RESPONSE_HEAD, parseResponseHead } from '../../src-main/engine/protocol/response-head.js';
import { parseOutputUrl } from '../../src-shared/config/schema.js';
import { makeTrack } from '../helpers/audio.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** An ICY stream: `audio` with a metadata block after every `metaint` bytes (titles in turn, then 0 bytes). */
function icyStream(audio: Buffer, metaint: number, titles: string[]): Buffer {
  const parts: Buffer[] = [];
  let t = 0;
  for (let p = 0; p < audio.length; p += metaint) {
    parts.push(audio.subarray(p, p + metaint));
    if (p + metaint <= audio.length) parts.push(t < titles.length ? encodeIcyBlock(titles[t++]) : Buffer.from([0]));
  }
  return Buffer.concat(parts);
}

describe('IcyReader', () => {
  const audio = Buffer.alloc(10_000);
  for (let i = 0; i < audio.length; i++) audio[i] = (i * 7) & 0xff;
  const stream = icyStream(audio, 1000, ['One', "It's Two", 'Drei – drei']);

  it('gives back the audio and each title, however the stream is split', () => {
    for (const piece of [1, 3, 999, 1000, 1001, 4096, stream.length]) {
      const got: Buffer[] = [];
      const titles: string[] = [];
      const r = new IcyReader(1000, (d) => got.push(Buffer.from(d)), (t) => titles.push(t));
      for (let p = 0; p < stream.length; p += piece) r.push(stream.subarray(p, p + piece));
      assert.deepEqual(Buffer.concat(got), audio, `piece ${piece}`);
      assert.deepEqual(titles, ['One', "It's Two", 'Drei – drei'], `piece ${piece}`);
    }
  });

  it('survives hostile blocks: full-size, unterminated, Latin-1, repeated', () => {
    const hostile = Buffer.concat([
      Buffer.alloc(16, 1),
      Buffer.from([255]), Buffer.alloc(255 * 16, 0x41), // 4080 bytes of "A", no field
      Buffer.alloc(16, 1),
      Buffer.from([2]), Buffer.concat([Buffer.from("StreamTitle='caf\xe9", 'latin1'), Buffer.alloc(32 - 17)]),
      Buffer.alloc(16, 1),
      Buffer.from([2]), Buffer.concat([Buffer.from("StreamTitle='caf\xe9", 'latin1'), Buffer.alloc(32 - 17)]),
      Buffer.alloc(16, 1),
    ]);
    const titles: string[] = [];
    let audioBytes = 0;
    const r = new IcyReader(16, (d) => (audioBytes += d.length), (t) => titles.push(t));
    r.push(hostile);
    assert.equal(audioBytes, 64);
    assert.deepEqual(titles, ['café'], 'an unterminated Latin-1 title, reported once');
  });
});

describe('response heads', () => {
  it('reads HTTP/1.x and ICY status lines, waits for the end, refuses oversize and non-HTTP heads', () => {
    assert.equal(parseResponseHead(Buffer.from('HTTP/1.0 200 OK\r\nContent-Type: audio/mpeg\r\n')), null);
    const h = parseResponseHead(Buffer.from('ICY 200 OK\r\nicy-metaint:8192\r\nicy-name:X\r\n\r\naudio'));
    assert.ok(h && typeof h === 'object');
    assert.equal(h.status, 200);
    assert.equal(h.headers.get('icy-metaint'), '8192');
    assert.equal(h.length, 'ICY 200 OK\r\nicy-metaint:8192\r\nicy-name:X\r\n\r\n'.length);
    assert.match(String(parseResponseHead(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n'))), /not an HTTP response/);
    const huge = Buffer.from('HTTP/1.0 200 OK\r\n' + 'X-Pad: y\r\n'.repeat(MAX_RESPONSE_HEAD / 8));
    assert.match(String(parseResponseHead(huge)), /larger than 16384 bytes/);
  });
});

describe('Ogg comment titles', () => {
  const headersOf = (file: string): Buffer => {
    const frames = new OggFramer().push(readFileSync(file));
    return Buffer.concat(frames.filter((f) => f.header).map((f) => f.data));
  };

  it('reads "Artist - Title" from Vorbis and Opus comment headers', () => {
    const dir = tmpdir();
    const v = makeTrack(join(dir, `cycast-cmt-${process.pid}.ogg`), { seconds: 1, codec: 'ogg', title: 'Song', artist: 'Band' });
    const o = makeTrack(join(dir, `cycast-cmt-${process.pid}.opus`), { seconds: 1, codec: 'opus', title: 'Only Title' });
    assert.equal(oggCommentTitle(headersOf(v)), 'Band - Song');
    assert.equal(oggCommentTitle(headersOf(o)), 'Only Title');
    const untitled = makeTrack(join(dir, `cycast-cmt-${process.pid}-none.ogg`), { seconds: 1, codec: 'ogg' });
    assert.equal(oggCommentTitle(headersOf(untitled)), null);
  });

  it('does not believe lengths past the packet', () => {
    const p = Buffer.concat([Buffer.from('\x03vorbis', 'latin1'), Buffer.from([0, 0, 0, 0]), Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.from([0xff, 0xff, 0, 0]), Buffer.from('TITLE=x')]);
    assert.deepEqual(parseCommentPacket(p), new Map());
    assert.equal(parseCommentPacket(Buffer.from('\x03vorbis\xff\xff\xff\x7f', 'latin1')), null);
    assert.equal(oggCommentTitle(Buffer.from('OggS garbage')), null);
  });
});

describe('output and relay config', () => {
  const base = 'server {\n  source_password = "x"\n}\n';
  it('loads output and relay blocks with defaults', async () => {
    const r = await checkConfigText(`${base}output "hosted" {\n  mount = "/stream"\n  url = "icecast://source:p%40ss@radio.example.org:8000/live"\n}\nrelay "/news" {\n  url = "http://other.example:8000/news"\n  on_demand = true\n}\nadmin {\n  relay_password = "s"\n}\n`);
    assert.deepEqual(r.errors, []);
    const o = r.config!.outputs[0];
    assert.equal(o.id, 'hosted');
    assert.equal(o.enabled, true);
    assert.equal(o.public, null);
    // no format: the upstream's Content-Type decides; no tls_ca_file: the standard certificate authorities only
    assert.deepEqual(r.config!.relays, [{ path: '/news', url: 'http://other.example:8000/news', on_demand: true, format: null, tls_ca_file: '' }]);
    assert.equal(r.config!.admin.relay_user, 'relay');
    assert.deepEqual(parseOutputUrl(o.url), { protocol: 'icecast', host: 'radio.example.org', port: 8000, user: 'source', password: 'p@ss', mount: '/live' });
    assert.deepEqual(parseOutputUrl('shoutcast://:pw@10.0.0.1:8010'), { protocol: 'shoutcast', host: '10.0.0.1', port: 8010, user: 'source', password: 'pw', mount: '' });
  });

  it('says what is wrong, without repeating a password', async () => {
    const r = await checkConfigText(`${base}output "a" {\n  mount = "/nope"\n  url = "ftp://u:secret123@h/x"\n}\noutput "b" {\n  url = "icecast://source:pw@h:8000/"\n}\nrelay "/r" {\n  url = "ftp://x/y"\n}\nrelay "/admin" {\n  url = "http://x/y"\n}\nrelay "/ca" {\n  url = "https://x/y"\n  tls_ca_file = "ca.pem"\n}\n`);
    const msgs = r.errors.map((e) => e.message).join('\n');
    assert.match(msgs, /output "a".url has scheme "ftp"/);
    assert.match(msgs, /output "b" needs mount/);
    assert.match(msgs, /output "b".url has no usable mount/);
    assert.match(msgs, /relay "\/r".url must be an http:\/\/ or https:\/\/ URL \(got ftp:\/\/\)/);
    assert.match(msgs, /relay "\/ca".tls_ca_file must be an absolute file path/);
    assert.doesNotMatch(msgs, /relay "\/ca".url/, 'https:// is a relay URL');
    assert.match(msgs, /relay "\/admin": the mount path cannot be \/admin/);
    assert.doesNotMatch(msgs, /secret123/);
  });

  it('lists added, changed and removed outputs and relays in the apply preview, without their URLs', async () => {
    const a = (await checkConfigText(`${base}output "a" {\n  mount = "/stream"\n  url = "icecast://source:pw1@h:8000/x"\n}\noutput "gone" {\n  mount = "/stream"\n  url = "icecast://source:pw@h:8000/y"\n}\nrelay "/r" {\n  url = "http://u/r"\n}\n`)).config!;
    const b = (await checkConfigText(`${base}output "a" {\n  mount = "/stream"\n  url = "icecast://source:pw2@h:8000/x"\n}\nrelay "/r" {\n  url = "http://u/r"\n  format = "ogg"\n}\nrelay "/new" {\n  url = "http://u/n"\n}\n`)).config!;
    const changes = planConfigChange(a, b, (p) => (p === '/r' ? { listeners: 3, live: true } : undefined));
    const by = new Map(changes.map((c) => [c.path, c]));
    assert.match(by.get('output "a"')!.effect, /reconnects/);
    assert.equal(by.get('output "gone"')!.to, '"removed"');
    assert.equal(by.get('relay "/r".format')!.disconnectsListeners, 3);
    assert.equal(by.get('relay "/new"')!.to, '"added"');
    assert.doesNotMatch(JSON.stringify(changes), /pw1|pw2/);
  });

  it('a relay without format follows its upstream, one onto a mount block takes the mount\'s, and the preview says so', async () => {
    const r = await checkConfigText(`${base}mount "/m" {\n  format = "ogg"\n}\nrelay "/m" {\n  url = "https://u/m"\n}\nrelay "/free" {\n  url = "https://u/f"\n  tls_ca_file = "/etc/ssl/ca.pem"\n}\n`);
    assert.deepEqual(r.errors, []);
    assert.equal(r.config!.relays.find((x) => x.path === '/m')!.format, 'ogg');
    assert.equal(r.config!.relays.find((x) => x.path === '/free')!.format, null);
    assert.equal(r.config!.relays.find((x) => x.path === '/free')!.tls_ca_file, '/etc/ssl/ca.pem');
    const fixed = (await checkConfigText(`${base}relay "/free" {\n  url = "https://u/f"\n  format = "aac"\n}\n`)).config!;
    const changes = planConfigChange(r.config!, fixed, (p) => (p === '/free' ? { listeners: 2, live: true } : undefined));
    const c = changes.find((x) => x.path === 'relay "/free".format')!;
    assert.equal(c.disconnectsListeners, 2);
    assert.match(`${c.from} ${c.to}`, /the upstream's.*aac/);
  });

  it('hides passwords when showing URLs', () => {
    assert.equal(redactUrl('icecast://source:hunter2@h:8000/live'), 'icecast://source:***@h:8000/live');
    assert.equal(redactUrl('http://h:8000/live'), 'http://h:8000/live');
  });
});

describe('reconnect policy', () => {
  it('backs off 1 s doubling to 60 s, starts again after a minute connected, waits 60 s after a refusal', () => {
    const b = new Backoff();
    const seq = Array.from({ length: 8 }, () => b.failed(0));
    assert.deepEqual(seq, [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
    b.connected(0);
    assert.equal(b.failed(30_000), 60000, 'half a minute connected: no reset');
    b.connected(100_000);
    assert.equal(b.failed(160_000), 1000, 'a minute connected: reset');
    assert.equal(b.refused(), 60000);
  });

  it('tells a wrong password and a taken mount from other refusals', () => {
    assert.equal(classifyIcecastRefusal(401, 'HTTP/1.0 401 Authentication Required', 'You need to authenticate', true).kind, 'refused');
    assert.equal(classifyIcecastRefusal(403, 'HTTP/1.0 403 Forbidden', 'Mountpoint in use', true).kind, 'refused');
    assert.equal(classifyIcecastRefusal(405, 'HTTP/1.1 405 Method Not Allowed', '', true).kind, 'put-refused');
    assert.equal(classifyIcecastRefusal(405, 'HTTP/1.1 405 Method Not Allowed', '', false).kind, 'retry');
    assert.equal(classifyIcecastRefusal(503, 'HTTP/1.0 503 Service Unavailable', '', true).kind, 'retry');
  });

  it('resolves redirect locations', () => {
    assert.equal(resolveLocation('http://a:1/x', 'http://b:2/y'), 'http://b:2/y');
    assert.equal(resolveLocation('http://a:1/x?q', '/z'), 'http://a:1/z');
  });
});
