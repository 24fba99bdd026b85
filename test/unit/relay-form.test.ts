import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkConfigText } from '../../src-main/config/load.js';
import { applyRelayForm, composeRelayUrl, newRelayForm, relayFormOf, relayFormProblems, relayHasPassword, type RelayForm } from '../../src-shared/config/relay-form.js';

const BASE = '# my station\nserver {\n  mount_point = "/stream"\n}\n';
const form = (over: Partial<RelayForm>): RelayForm => ({ ...newRelayForm(), path: '/news', url: 'http://other.example:8000/news', ...over });

describe('the relay form', () => {
  it('names the field at fault', () => {
    const ctx = { takenPaths: ['/taken'] };
    assert.deepEqual(relayFormProblems(form({}), ctx), {});
    assert.match(relayFormProblems(form({ path: '' }), ctx).path!, /needs the mount/);
    assert.match(relayFormProblems(form({ path: 'news' }), ctx).path!, /starting with "\/"/);
    assert.match(relayFormProblems(form({ path: '/admin' }), ctx).path!, /the server's own pages/);
    assert.equal(relayFormProblems(form({ path: '/taken' }), ctx).path, 'a relay on /taken already exists');
    assert.match(relayFormProblems(form({ url: '' }), ctx).url!, /needs the upstream/);
    assert.equal(relayFormProblems(form({ url: 'https://other.example/news' }), ctx).url, undefined, 'https:// is an upstream');
    assert.equal(relayFormProblems(form({ url: 'ftp://other.example/news' }), ctx).url, 'must be an http:// or https:// URL (got ftp://)');
    assert.match(relayFormProblems(form({ tls_ca_file: 'ca.pem' }), ctx).tls_ca_file!, /absolute file path/);
    assert.equal(relayFormProblems(form({ tls_ca_file: '/etc/ssl/ca.pem', format: null }), ctx).tls_ca_file, undefined);
    assert.match(relayFormProblems(form({ url: 'http://u:p@other.example/news' }), ctx).url!, /their own fields/);
    assert.match(relayFormProblems(form({ url: 'other example' }), ctx).url!, /must be a URL like/);
    assert.match(relayFormProblems(form({ user: 'a:b' }), ctx).user!, /":"/);
  });

  it('puts the credentials in percent-encoded, and takes them out again without the password', () => {
    const url = composeRelayUrl(form({ user: 'relay', password: 'p@ss:/' }), 'p@ss:/');
    assert.equal(url, 'http://relay:p%40ss%3A%2F@other.example:8000/news');
    const r = { path: '/news', url, on_demand: false, format: 'mp3' as const, tls_ca_file: '' };
    assert.deepEqual(relayFormOf(r), { path: '/news', url: 'http://other.example:8000/news', user: 'relay', password: '', on_demand: false, format: 'mp3', tls_ca_file: '' });
    assert.equal(relayHasPassword(r), true);
    assert.equal(composeRelayUrl(form({}), ''), 'http://other.example:8000/news');
  });

  it('adds, edits (keeping the stored password) and renames a block, leaving the rest alone', async () => {
    const added = applyRelayForm(BASE, form({ on_demand: true, user: 'relay', password: 'pw' }), null);
    // a new relay follows its upstream's format: no format key
    assert.equal(added, `${BASE}\nrelay "/news" {\n  url = "http://relay:pw@other.example:8000/news"\n  on_demand = true\n}\n`);
    const original = (await checkConfigText(added)).config!.relays[0];
    assert.equal(applyRelayForm(added, relayFormOf(original), original), added, 'nothing changed: not a byte written');
    const edited = applyRelayForm(added, { ...relayFormOf(original), url: 'https://b.example/n', format: 'ogg', tls_ca_file: '/etc/ssl/ca.pem' }, original);
    assert.equal(edited, added.replace('http://relay:pw@other.example:8000/news', 'https://relay:pw@b.example/n').replace('on_demand = true\n', 'on_demand = true\n  format = "ogg"\n  tls_ca_file = "/etc/ssl/ca.pem"\n'));
    const back = (await checkConfigText(edited)).config!.relays[0];
    assert.deepEqual([back.format, back.tls_ca_file], ['ogg', '/etc/ssl/ca.pem']);
    assert.equal(applyRelayForm(edited, { ...relayFormOf(back), format: null, tls_ca_file: '' }, back), added.replace('http://relay:pw@other.example:8000/news', 'https://relay:pw@b.example/n'), 'unset again: the keys go');
    const renamed = applyRelayForm(added, { ...relayFormOf(original), path: '/talk' }, original);
    assert.deepEqual((await checkConfigText(renamed)).config!.relays.map((r) => [r.path, r.url]), [['/talk', 'http://relay:pw@other.example:8000/news']]);
    assert.ok(renamed.startsWith(BASE));
  });
});
