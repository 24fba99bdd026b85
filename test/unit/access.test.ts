import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { clientAddress } from '../../src-main/engine/access/client-address.js';
import { FREE_FAILURES, LoginGuard, MAX_DELAY_MS } from '../../src-main/engine/access/login-guard.js';
import { HeadGate, MAX_PENDING_PER_IP } from '../../src-main/engine/net/head-gate.js';
import { REFUSALS, refusal } from '../../src-main/engine/protocol/refusals.js';
import { lineSafe, logSafe, xmlEscape } from '../../src-main/engine/protocol/untrusted.js';
import { repoRoot } from '../helpers/paths.js';

describe('login guard', () => {
  it('gives free failures, then delays that double up to a minute; a right password clears it', () => {
    const g = new LoginGuard();
    let t = 1_000_000;
    for (let i = 0; i < FREE_FAILURES; i++) assert.equal(g.fail('source', 'a', 'x', t), null);
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) {
      const s = g.fail('source', 'a', 'x', t)!;
      waits.push(s.wait);
      assert.equal(s.first, i === 0, 'announced once');
      assert.ok(g.waitFor('source', 'a', t) > 0);
      t += s.wait * 1000;
      assert.equal(g.waitFor('source', 'a', t), 0, 'may try again once the delay is over');
    }
    assert.deepEqual(waits, [1, 2, 4, 8, 16, 32, 60, 60, 60, 60].map((w) => Math.min(w, MAX_DELAY_MS / 1000)));
    g.succeed('source', 'a');
    assert.equal(g.waitFor('source', 'a', t), 0);
    assert.equal(g.fail('source', 'a', 'x', t), null, 'free failures again after a success');
  });

  it('keeps kinds and addresses apart, and forgets the oldest past its bound', () => {
    const g = new LoginGuard(2);
    for (let i = 0; i <= FREE_FAILURES; i++) g.fail('admin-cgi', 'a', 'x', 0);
    assert.ok(g.waitFor('admin-cgi', 'a', 0) > 0);
    assert.equal(g.waitFor('source', 'a', 0), 0, 'admin.cgi failures do not slow source logins');
    assert.equal(g.waitFor('admin', 'a', 0), 0, 'nor admin logins');
    assert.equal(g.waitFor('admin-cgi', 'b', 0), 0, 'nor another address');
    g.fail('source', 'b', 'x', 0);
    g.fail('source', 'c', 'x', 0);
    assert.equal(g.waitFor('admin-cgi', 'a', 0), 0, 'the oldest record is forgotten past maxAddresses');
  });
});

describe('head gate', () => {
  it('closes the oldest unfinished head past its total, and refuses an address past its own ceiling', () => {
    const gate = new HeadGate(() => {}, 2, 3);
    const sockets = Array.from({ length: 4 }, () => new Socket());
    const heads = sockets.map((s, i) => gate.admit(s, `10.0.0.${i}`, 5000)!);
    assert.equal(gate.total, 3, 'never more than maxTotal');
    assert.equal(sockets[0].destroyed, true, 'the oldest was closed to make room');
    assert.equal(heads[3].crowded, true, 'a crowded gate gives new heads the short deadline');
    gate.release(heads[1]);
    gate.release(heads[1]);
    assert.equal(gate.total, 2, 'release is idempotent');
    const big = new HeadGate(() => {}, 1e9, 1e9);
    let refused = 0;
    for (let i = 0; i <= MAX_PENDING_PER_IP; i++) if (!big.admit(new Socket(), 'x', 5000)) refused++;
    assert.equal(refused, 1, 'closed at once past the per-address ceiling');
  });
});

describe('client address', () => {
  const h = (xff?: string, fwd?: string) => (n: string) => (n === 'x-forwarded-for' ? xff : n === 'forwarded' ? fwd : undefined);
  it('believes forwarded addresses only from trusted proxies', () => {
    const trusted = new Set(['127.0.0.1', '10.0.0.2']);
    assert.equal(clientAddress('::ffff:127.0.0.1', h('203.0.113.9'), trusted), '203.0.113.9');
    assert.equal(clientAddress('127.0.0.1', h('198.51.100.1, 203.0.113.9, 10.0.0.2'), trusted), '203.0.113.9', 'the first untrusted hop from the right');
    assert.equal(clientAddress('127.0.0.1', h(undefined, 'for="[2001:db8::1]:4711";proto=https'), trusted), '2001:db8::1');
    assert.equal(clientAddress('192.0.2.5', h('203.0.113.9'), trusted), '192.0.2.5', 'an untrusted peer cannot claim another address');
    assert.equal(clientAddress('127.0.0.1', h('not-an-ip'), trusted), '127.0.0.1', 'garbage is ignored');
    assert.equal(clientAddress('127.0.0.1', h('203.0.113.9'), new Set()), '127.0.0.1', 'no trusted proxies: the header means nothing');
  });
});

describe('untrusted text', () => {
  it('makes log lines, header lines and XML safe', () => {
    assert.equal(logSafe('a\nb\r\x1b[31m\u202eZ\x00'), 'a\\x0ab\\x0d\\x1b[31m\\u202eZ\\x00');
    assert.ok(logSafe('x'.repeat(5000), 100).length < 140);
    assert.equal(lineSafe('Name\rFile2=http://evil'), 'Name File2=http://evil');
    assert.equal(xmlEscape('a\x01<b>\ud800'), 'a\ufffd&lt;b&gt;\ufffd');
  });
});

describe('refusal catalogue', () => {
  it('fills placeholders and adds Retry-After to 429s', () => {
    const r = refusal('login.slowed', { wait: 7 });
    assert.equal(r.status, 429);
    assert.equal(r.reason, 'Too Many Requests');
    assert.match(r.text, /in 7 seconds/);
    assert.equal(r.headers['Retry-After'], '7');
    assert.equal(refusal('source.in-use').shoutcast, 'Stream in use');
  });

  it('documents every refusal in the README', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Refusals'));
    const missing = Object.entries(REFUSALS).filter(([id, spec]) => !new RegExp(`\\| \`${id.replace('.', '\\.')}\` \\| ${spec.status} \\|`).test(section));
    assert.deepEqual(missing.map(([id]) => id), [], 'every id has a row "| `id` | status |" in the README\'s Refusals section');
  });
});
