import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeIcyBlock, parseIcyBlock } from '../../src-main/engine/protocol/icy.js';
import { StreamRing } from '../../src-main/engine/stream/ring.js';
import { findHeadEnd, HeadError, parseBasicAuth, parseHead, parseQuery } from '../../src-main/engine/protocol/http-head.js';

describe('ICY metadata blocks', () => {
  it('encodes a title as length byte + 16-byte blocks, zero padded', () => {
    const b = encodeIcyBlock('Artist - Song');
    const body = "StreamTitle='Artist - Song';";
    assert.equal(b[0], Math.ceil(body.length / 16));
    assert.equal(b.length, 1 + b[0] * 16);
    assert.equal(b.toString('utf8', 1, 1 + body.length), body);
    assert.ok(b.subarray(1 + body.length).every((x) => x === 0));
    assert.deepEqual(parseIcyBlock(b.subarray(1)), { StreamTitle: 'Artist - Song' });
  });

  it('keeps UTF-8 and quotes intact, and a title cannot end the field early', () => {
    assert.equal(parseIcyBlock(encodeIcyBlock("Guns N' Roses - Sweet Child O' Mine").subarray(1)).StreamTitle, "Guns N' Roses - Sweet Child O' Mine");
    assert.equal(parseIcyBlock(encodeIcyBlock('Sigur Rós – Hoppípolla ♫').subarray(1)).StreamTitle, 'Sigur Rós – Hoppípolla ♫');
    const tricky = parseIcyBlock(encodeIcyBlock("a';StreamUrl='http://evil';", 'http://station').subarray(1));
    assert.equal(tricky.StreamUrl, 'http://station');
    assert.ok(tricky.StreamTitle.startsWith('a'));
  });

  it('truncates at 4080 bytes without splitting a character', () => {
    const b = encodeIcyBlock('é'.repeat(5000));
    assert.equal(b[0], 255);
    assert.equal(b.length, 1 + 255 * 16);
    const t = parseIcyBlock(b.subarray(1)).StreamTitle;
    assert.ok(t.length > 1000 && !t.includes('\ufffd'));
  });
});

describe('stream ring', () => {
  it('keeps absolute positions and evicts whole chunks beyond capacity', () => {
    const r = new StreamRing(1000);
    const chunks = Array.from({ length: 10 }, (_, i) => Buffer.alloc(300, i));
    for (const c of chunks) r.append(c, 0.1);
    assert.equal(r.headPos, 3000);
    assert.ok(r.length <= 1000);
    assert.equal(r.size, 3);
    assert.equal(r.tailSeq, 7);
    assert.equal(r.tailPos, 2100);
    assert.equal(r.get(6), undefined);
    assert.equal(r.get(7)!.start, 2100);
    assert.equal(r.get(10), undefined);
    // eviction only drops references: a buffer handed out earlier is untouched
    assert.ok(chunks[0].every((x) => x === 0));
  });

  it('starts a burst on a chunk boundary within the burst size', () => {
    const r = new StreamRing(1 << 20);
    for (let i = 0; i < 10; i++) r.append(Buffer.alloc(100), 0);
    assert.equal(r.burstStart(250), 8); // chunks 8, 9: 200 bytes <= 250
    assert.equal(r.burstStart(0), 10); // nothing: wait for the next chunk
    assert.equal(r.burstStart(1e9), 0);
    assert.equal(r.burstStart(1e9, 450), 5); // not before a position (Ogg data start)
  });

  it('compacts its index over a long run', () => {
    const r = new StreamRing(1000);
    for (let i = 0; i < 100_000; i++) r.append(Buffer.alloc(10), 0);
    assert.equal(r.size, 100);
    assert.equal(r.get(99_999)!.start, 999_990);
  });
});

describe('request head parser', () => {
  const head = (s: string) => {
    const b = Buffer.from(s, 'latin1');
    return parseHead(b, findHeadEnd(b));
  };
  it('parses a source request with headers in any case', () => {
    const h = head('PUT /live.mp3?x=1 HTTP/1.1\r\nice-name: Test\r\nIce-Genre: Rock\r\nICE-NAME: again\r\n\r\nAUDIO');
    assert.equal(h.method, 'PUT');
    assert.equal(h.path, '/live.mp3');
    assert.equal(h.query, 'x=1');
    assert.equal(h.headers.get('ice-genre'), 'Rock');
    assert.equal(h.headers.get('ice-name'), 'Test, again');
    assert.equal(h.length, 'PUT /live.mp3?x=1 HTTP/1.1\r\nice-name: Test\r\nIce-Genre: Rock\r\nICE-NAME: again\r\n\r\n'.length);
  });
  it('accepts bare LF line ends and UTF-8 header values', () => {
    const h = head('SOURCE /s HTTP/1.0\nice-name: Caf\xc3\xa9 FM\n\n');
    assert.equal(h.headers.get('ice-name'), 'Café FM');
  });
  it('refuses malformed heads with a status', () => {
    for (const [s, status] of [['GARBAGE\r\n\r\n', 400], ['GET / HTTP/2.0\r\n\r\n', 505], ['GET / HTTP/1.1\r\nno colon\r\n\r\n', 400], ['GET / HTTP/1.1\r\n folded\r\n\r\n', 400], ['GET /%zz HTTP/1.1\r\n\r\n', 400]] as const) {
      assert.throws(() => head(s), (e: HeadError) => e.status === status, s);
    }
  });
  it('reads Basic auth and refuses malformed values', () => {
    assert.deepEqual(parseBasicAuth('Basic ' + Buffer.from('source:p:w').toString('base64')), { user: 'source', password: 'p:w' });
    assert.equal(parseBasicAuth('Basic !!!'), null);
    assert.equal(parseBasicAuth('Basic ' + Buffer.from('nocolon').toString('base64')), null);
    assert.equal(parseBasicAuth('Digest x'), null);
    assert.equal(parseBasicAuth(undefined), null);
  });
  it('decodes query values in UTF-8 or the given charset', () => {
    assert.equal(parseQuery('song=Caf%C3%A9+Tacuba').get('song'), 'Café Tacuba');
    assert.equal(parseQuery('song=Caf%E9&charset=ISO-8859-1').get('song'), 'Café');
    assert.equal(parseQuery('song=Caf%E9&charset=latin1').get('song'), 'Café');
    assert.equal(parseQuery('song=%zz').get('song'), '%zz');
  });
});
