import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkConfigText } from '../../src-main/config/load.js';
import { applyOutputForm, composeOutputUrl, newOutputForm, outputFormOf, outputFormProblems, type OutputForm } from '../../src-shared/config/output-form.js';
import { parseOutputUrl } from '../../src-shared/config/schema.js';

const BASE = '# my station\nserver {\n  mount_point = "/stream" # the main one\n}\n\nmount "/b.ogg" {\n  format = "ogg"\n}\n';
const ctx = { mounts: ['/stream', '/b.ogg'], takenIds: ['hosted'], storedPassword: false };
const form = (over: Partial<OutputForm>): OutputForm => ({ ...newOutputForm('/stream'), id: 'new', host: 'radio.example.org', remoteMount: '/live', password: 'pw', ...over });

describe('the output form', () => {
  it('composes URLs that read back to the same fields, whatever the password holds', () => {
    const pw = 'p@ss:w/rd#?% é';
    const ice = composeOutputUrl(form({ user: 'dj one', remoteMount: 'live/ü-hq' }), pw);
    assert.equal(ice, 'icecast://dj%20one:p%40ss%3Aw%2Frd%23%3F%25%20%C3%A9@radio.example.org:8000/live/%C3%BC-hq');
    const t = parseOutputUrl(ice);
    assert.ok(typeof t !== 'string');
    assert.deepEqual(t, { protocol: 'icecast', host: 'radio.example.org', port: 8000, user: 'dj one', password: pw, mount: '/live/ü-hq' });
    const sc = composeOutputUrl(form({ kind: 'shoutcast', host: '::1', port: '8010' }), pw);
    assert.equal(sc, `shoutcast://:${encodeURIComponent(pw)}@[::1]:8010`);
    assert.deepEqual(parseOutputUrl(sc), { protocol: 'shoutcast', host: '::1', port: 8010, user: 'source', password: pw, mount: '' });
    // and back into the form, without the password
    const back = outputFormOf({ id: 'x', enabled: true, mount: '/stream', url: ice, name: '', description: '', genre: '', station_url: '', public: null, user_agent: '' });
    assert.deepEqual([back.kind, back.host, back.port, back.user, back.remoteMount, back.password], ['icecast', 'radio.example.org', '8000', 'dj one', '/live/ü-hq', '']);
  });

  it('names the field at fault', () => {
    assert.deepEqual(outputFormProblems(form({}), ctx), {});
    assert.deepEqual(outputFormProblems(form({ port: '70000' }), ctx), { port: 'must be from 1 to 65535, got 70000' });
    assert.deepEqual(outputFormProblems(form({ port: '80a' }), ctx), { port: 'must be a number from 1 to 65535' });
    assert.deepEqual(outputFormProblems(form({ kind: 'shoutcast', port: '65535' }), ctx), { port: 'must be below 65535: SHOUTcast sources log in on port + 1' });
    assert.deepEqual(outputFormProblems(form({ host: ' ' }), ctx), { host: "needs the remote server's host name or IP address" });
    assert.match(outputFormProblems(form({ host: 'http://radio.example.org' }), ctx).host!, /without the scheme/);
    assert.match(outputFormProblems(form({ host: 'radio.example.org:8000' }), ctx).host!, /Port field/);
    assert.match(outputFormProblems(form({ host: 'bad host' }), ctx).host!, /not a host name/);
    assert.deepEqual(outputFormProblems(form({ id: 'hosted' }), ctx), { id: 'an output named "hosted" already exists' });
    assert.match(outputFormProblems(form({ id: '-x' }), ctx).id!, /must start with a letter or digit/);
    assert.match(outputFormProblems(form({ id: '' }), ctx).id!, /needs a name/);
    assert.match(outputFormProblems(form({ mount: '/gone' }), ctx).mount!, /not a mount of this station/);
    assert.match(outputFormProblems(form({ remoteMount: '' }), ctx).remoteMount!, /like \/live/);
    assert.match(outputFormProblems(form({ password: '' }), ctx).password!, /source password/);
    assert.deepEqual(outputFormProblems(form({ password: '' }), { ...ctx, storedPassword: true }), {}, 'editing: empty keeps the stored one');
    assert.match(outputFormProblems(form({ user: 'a:b' }), ctx).user!, /":"/);
    assert.deepEqual(outputFormProblems(form({ kind: 'shoutcast', remoteMount: '', user: '' }), ctx), {}, 'SHOUTcast has no mount or user');
  });

  it('adds a block the check accepts, and leaves the rest of the file alone', async () => {
    const out = applyOutputForm(BASE, form({ genre: 'Jazz', public: true, enabled: false }), null);
    assert.ok(out.startsWith(BASE));
    assert.equal(out.slice(BASE.length), '\noutput "new" {\n  mount = "/stream"\n  url = "icecast://source:pw@radio.example.org:8000/live"\n  enabled = false\n  genre = "Jazz"\n  public = true\n}\n');
    const o = (await checkConfigText(out)).config!.outputs[0];
    assert.deepEqual([o.id, o.enabled, o.genre, o.public, o.name], ['new', false, 'Jazz', true, '']);
  });

  it('edits only what changed, keeps the stored password, removes cleared overrides, and renames', async () => {
    const text = `${BASE}\noutput "hosted" {\n  # where it goes\n  mount = "/stream"\n  url = "http://source:secret@a.example:8000/live" # hand-written\n  genre = "Jazz"\n}\n`;
    const original = (await checkConfigText(text)).config!.outputs[0];
    const f = outputFormOf(original);
    assert.equal(applyOutputForm(text, f, original), text, 'nothing changed: not a byte written');
    const edited = applyOutputForm(text, { ...f, genre: '', name: 'On the web', mount: '/b.ogg' }, original);
    assert.equal(edited, text.replace('  mount = "/stream"\n  url', '  mount = "/b.ogg"\n  url').replace('  genre = "Jazz"\n', '  name = "On the web"\n'));
    const moved = applyOutputForm(text, { ...f, port: '8100' }, original);
    assert.ok(moved.includes('  url = "icecast://source:secret@a.example:8100/live" # hand-written'), moved);
    const renamed = applyOutputForm(text, { ...f, id: 'renamed' }, original);
    assert.ok(renamed.startsWith(BASE) && !renamed.includes('"hosted"'));
    const r = (await checkConfigText(renamed)).config!.outputs;
    assert.deepEqual(r.map((o) => [o.id, o.url, o.genre]), [['renamed', 'icecast://source:secret@a.example:8000/live', 'Jazz']]);
  });
});
