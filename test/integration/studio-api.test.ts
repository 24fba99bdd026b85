// The StudioApi contract, run against every adapter that can run here: the service in-process (what the
// Electron IPC adapter forwards to) and HTTP + server-sent events. Plus the HTTP adapter's guards.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { STUDIO_ARGS, STUDIO_METHODS, checkStudioCall, type StudioApi, type StudioEvent } from '../../src-shared/studio-api.js';
import { makeTrack } from '../helpers/audio.js';
import { ADMIN, basic, exchange, listen, PASSWORD, waitFor } from '../helpers/server.js';

/** transports that ran the kick case so far (each kicks from an address of its own) */
let kickRuns = 0;
import { startStudio, type StudioServer } from '../helpers/studio.js';
import { repoRoot } from '../helpers/paths.js';

/** A StudioApi over HTTP, as the browser build uses it (fetch + an SSE stream read by hand). */
function httpApi(srv: StudioServer): StudioApi & { close(): void } {
  const auth = basic(ADMIN.user, ADMIN.password);
  const api: Record<string, unknown> = {};
  for (const m of STUDIO_METHODS) {
    api[m] = async (...args: unknown[]) => {
      const res = await fetch(srv.url('/studio/api/call'), { method: 'POST', headers: { Authorization: auth, 'Content-Type': 'application/json', 'X-Cycast-Studio': '1' }, body: JSON.stringify({ method: m, args }) });
      const body = (await res.json()) as { ok: boolean; result?: unknown; error?: string };
      if (!body.ok) throw new Error(body.error);
      return body.result;
    };
  }
  const controllers: AbortController[] = [];
  api.subscribe = (fn: (e: StudioEvent) => void) => {
    const ac = new AbortController();
    controllers.push(ac);
    void (async () => {
      const res = await fetch(srv.url('/studio/api/events'), { headers: { Authorization: auth }, signal: ac.signal });
      let buf = '';
      const dec = new TextDecoder();
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buf += dec.decode(chunk, { stream: true });
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            for (const line of block.split('\n')) if (line.startsWith('data: ')) fn(JSON.parse(line.slice(6)));
          }
        }
      } catch {
        // aborted
      }
    })();
    return () => ac.abort();
  };
  api.close = () => controllers.forEach((c) => c.abort());
  return api as unknown as StudioApi & { close(): void };
}

function contract(name: string, makeApi: (srv: StudioServer) => StudioApi & { close?(): void }) {
  describe(`StudioApi contract over ${name}`, () => {
    let srv: StudioServer;
    let api: StudioApi & { close?(): void };
    let music: string;
    before(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cycast-contract-'));
      music = join(dir, 'music');
      mkdirSync(music);
      for (const [i, t] of ['Alpha', 'Beta', 'Gamma'].entries()) makeTrack(join(music, `${i}-${t}.mp3`), { seconds: 30, title: t, artist: 'Band', freq: 300 + 100 * i });
      srv = await startStudio(dir, `playlist {\n  directory = "./music"\n  shuffle = false\n}\n`);
      api = makeApi(srv);
      await waitFor(() => srv.engine.feederOf('/stream')?.nowPlaying !== null, 5000, 'AutoDJ playing');
    });
    after(async () => {
      api.close?.();
      await srv.stop();
    });

    it('gives a snapshot of server, mounts, playlists, listeners and log', async () => {
      const s = await api.snapshot();
      assert.equal(s.server.ports.listen, srv.listenPort);
      assert.equal(s.mounts[0].path, '/stream');
      assert.equal(s.mounts[0].autodj?.state, 'auto');
      assert.equal(s.mounts[0].title, 'Band - Alpha');
      assert.deepEqual(s.playlists[0].entries.map((e) => e.title), ['Alpha', 'Beta', 'Gamma']);
      assert.ok(Array.isArray(s.listeners) && Array.isArray(s.log));
    });

    it('pushes events: a listener joining and leaving, and a skip changing the title', async () => {
      const events: StudioEvent[] = [];
      const off = api.subscribe((e) => events.push(e));
      await new Promise((r) => setTimeout(r, 300));
      const cap = await listen(srv.listenPort, '/stream');
      await waitFor(() => events.some((e) => e.type === 'listener-join'), 2000, 'listener-join');
      cap.close();
      await waitFor(() => events.some((e) => e.type === 'listener-leave'), 2000, 'listener-leave');
      assert.equal(await api.skip('/stream'), true);
      await waitFor(() => events.some((e) => e.type === 'mounts' && e.mounts[0].title === 'Band - Beta'), 3000, 'title event');
      off();
    });

    it('edits the playlist: add, move, play next, remove, repeat', async () => {
      const extra = makeTrack(join(tmpdir(), `cycast-extra-${process.pid}-${name.replace(/\W/g, '')}.mp3`), { seconds: 5, title: 'Delta', artist: 'Band' });
      assert.equal(await api.playlistAdd('/stream', [extra]), 1);
      let p = (await api.snapshot()).playlists[0];
      const delta = p.entries.find((e) => e.title === 'Delta')!;
      assert.equal(await api.playlistMove('/stream', delta.id, 0), true);
      p = (await api.snapshot()).playlists[0];
      assert.equal(p.entries[0].title, 'Delta');
      const gamma = p.entries.find((e) => e.title === 'Gamma')!;
      assert.equal(await api.playlistPlayNext('/stream', gamma.id), true);
      const s = await api.snapshot();
      assert.equal(s.mounts[0].autodj?.upNext[0].title, 'Band - Gamma');
      assert.equal(await api.playlistRemove('/stream', [delta.id]), 1);
      await api.playlistSetRepeat('/stream', false);
      assert.equal((await api.snapshot()).playlists[0].repeat, false);
      await api.playlistSetRepeat('/stream', true);
      await assert.rejects(api.playlistAdd('/nope', [extra]), /has no AutoDJ playlist/);
    });

    it('tells a DJ how to connect', async () => {
      const ci = await api.connectionInfo();
      assert.equal(ci.sourcePort, srv.sourcePort);
      assert.equal(ci.listenPort, srv.listenPort);
      assert.equal(ci.mount, '/stream');
      assert.equal(ci.user, 'source');
      assert.equal(ci.password, PASSWORD);
      assert.equal(ci.weakPassword, false);
      assert.deepEqual(ci.addresses, ['127.0.0.1']);
    });

    it('reads, checks and refuses configs; lists folders', async () => {
      const doc = await api.configRead();
      assert.equal(doc.path, srv.configPath);
      const bad = await api.configCheck(doc.text.replace('shuffle = false', 'shufle = false'));
      assert.equal(bad.ok, false);
      assert.match(bad.errors[0].message, /did you mean "shuffle"/);
      assert.ok(bad.errors[0].line! > 1);
      const r = await api.configSave('server {\n  listen_port = "x"\n}\n', true);
      assert.equal(r.saved, false);
      assert.equal(readFileSync(srv.configPath, 'utf8'), doc.text, 'nothing written');
      const good = await api.configCheck(doc.text.replace('shuffle = false', 'shuffle = false\n  resume_delay = 5'));
      assert.equal(good.ok, true);
      assert.deepEqual(good.changes.map((c) => c.path), ['playlist.resume_delay']);
      const listing = await api.listDirectory(music);
      assert.deepEqual(listing.entries.map((e) => e.name), ['0-Alpha.mp3', '1-Beta.mp3', '2-Gamma.mp3']);
      await assert.rejects(api.listDirectory('/definitely/not/here/at/all'), /is not a folder/);
    });

    it('browses only the allowed folders, through symlinks too', async () => {
      const top = await api.listDirectory(null);
      assert.equal(top.path, music);
      assert.equal(top.parent, null, 'nothing above the music folder');
      assert.equal(top.roots[0], music);
      await assert.rejects(api.listDirectory(dirname(music)), /outside the folders the studio may browse/);
      await assert.rejects(api.listDirectory('/'), /outside the folders the studio may browse/);
      await assert.rejects(api.listDirectory(join(music, '..', '..')), /outside the folders/);
      const escape = join(music, `link-out-${name.replace(/\W/g, '')}`);
      symlinkSync(dirname(music), escape);
      try {
        await assert.rejects(api.listDirectory(escape), /outside the folders/);
      } finally {
        (await import('node:fs')).rmSync(escape);
      }
    });

    it('remove keeps a track out across rescans until it is added back; the kick result says what happened', async () => {
      let p = (await api.snapshot()).playlists[0];
      const beta = p.entries.find((e) => e.title === 'Beta')!;
      assert.equal(await api.playlistRemove('/stream', [beta.id]), 1);
      assert.deepEqual(await api.playlistRescan('/stream'), { added: 0, removed: 0 });
      p = (await api.snapshot()).playlists[0];
      assert.ok(!p.entries.some((e) => e.path === beta.path), 'still out after a rescan');
      assert.ok(p.excluded.some((x) => x.path === beta.path && x.title === 'Band - Beta'), 'in the not-playing list');
      assert.ok(existsSync(beta.path), 'the file stays on disk');
      assert.match(readFileSync(`${p.file}.excluded`, 'utf8'), /^#EXTM3U\n[\s\S]*#EXTINF:30,Band - Beta\nmusic\/1-Beta\.mp3\n/);
      assert.equal(await api.playlistAdd('/stream', [beta.path]), 1);
      p = (await api.snapshot()).playlists[0];
      assert.ok(p.entries.some((e) => e.path === beta.path), 'added back');
      assert.ok(!p.excluded.some((x) => x.path === beta.path), 'no longer excluded');
      assert.deepEqual(await api.kickSource('/stream'), { kicked: false, banSeconds: 0 });
      // each transport's run kicks from an address of its own: the ban would hold back the next run
      const from = `127.0.3.${++kickRuns}`;
      const cap = await listen(srv.listenPort, '/stream', { headers: { 'User-Agent': 'KickMe/1' }, from });
      let id = -1;
      await waitFor(async () => (id = (await api.snapshot()).listeners.find((l) => l.userAgent.includes('KickMe/1'))?.id ?? -1) >= 0, 3000, 'listener listed');
      assert.deepEqual(await api.kickListener(id), { kicked: true, banSeconds: 10 });
      await cap.closed;
      const again = await exchange(srv.listenPort, 'GET /stream HTTP/1.0\r\n\r\n', { from });
      assert.match(again.text, /^HTTP\/1\.0 403 [\s\S]*Kicked from this mount; try again in \d+ seconds/, 'its reconnect is held back');
    });

    it('deletes a listed file from the music folder, and nothing outside it', async () => {
      const doomed = makeTrack(join(music, `9-Doomed-${name.replace(/\W/g, '')}.mp3`), { seconds: 3, title: 'Doomed', artist: 'Band' });
      const outsideDir = mkdtempSync(join(tmpdir(), 'cycast-outside-'));
      const outsideFile = makeTrack(join(outsideDir, 'kept.mp3'), { seconds: 3, title: 'Kept', artist: 'Band' });
      const linked = join(music, `linked-${name.replace(/\W/g, '')}`);
      symlinkSync(outsideDir, linked);
      await api.playlistRescan('/stream');
      let p = (await api.snapshot()).playlists[0];
      assert.ok(p.entries.some((e) => e.path === doomed));
      assert.ok(p.entries.some((e) => e.path === join(linked, 'kept.mp3')), 'the symlinked folder is scanned');
      await assert.rejects(api.playlistDeleteFile('/stream', join(linked, 'kept.mp3')), /not inside the music folder/);
      await assert.rejects(api.playlistDeleteFile('/stream', '/etc/passwd'), /is not in the playlist/);
      await assert.rejects(api.playlistDeleteFile('/stream', join(music, '..', 'config.hcl')), /is not in the playlist/);
      await api.playlistAdd('/stream', [outsideFile]);
      await assert.rejects(api.playlistDeleteFile('/stream', outsideFile), /not inside the music folder/);
      assert.ok(existsSync(outsideFile) && existsSync(srv.configPath), 'nothing outside deleted');
      await api.playlistDeleteFile('/stream', doomed);
      assert.ok(!existsSync(doomed), 'deleted from disk');
      p = (await api.snapshot()).playlists[0];
      assert.ok(!p.entries.some((e) => e.path === doomed) && !p.excluded.some((e) => e.path === doomed));
      (await import('node:fs')).rmSync(linked);
      await api.playlistRescan('/stream');
    });
  });
}

contract('the service (in-process, as IPC forwards it)', (srv) => srv.service);
contract('HTTP + server-sent events', httpApi);

describe('playlist exclusions across restarts and folder changes', () => {
  it('keeps a removed track out after an engine restart and a new music folder, until it is added back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycast-exclude-'));
    const music = join(dir, 'music');
    mkdirSync(join(music, 'a'), { recursive: true });
    for (const t of ['One', 'Two', 'Three']) makeTrack(join(music, 'a', `${t}.mp3`), { seconds: 5, title: t, artist: 'X' });
    let srv = await startStudio(dir, `playlist {\n  directory = "./music/a"\n  shuffle = false\n}\n`);
    try {
      await waitFor(() => (srv.engine.playlistOf('/stream')?.list.length ?? 0) === 3, 5000, 'playlist loaded');
      const two = srv.engine.playlistOf('/stream')!.list.find((e) => e.track.title === 'Two')!;
      assert.equal(await srv.service.playlistRemove('/stream', [two.id]), 1);
      await srv.stop();
      srv = await startStudio(dir, '', true);
      const titles = async (): Promise<string[]> => (await srv.service.snapshot()).playlists[0].entries.map((e) => e.title);
      await waitFor(async () => (await titles()).length === 2, 5000, 'reloaded');
      assert.deepEqual(await titles(), ['One', 'Three'], 'still out after a restart');
      // a new music folder that holds the same file
      const text = readFileSync(srv.configPath, 'utf8').replace('directory = "./music/a"', 'directory = "./music"');
      assert.equal((await srv.service.configSave(text, true)).applied, true);
      await waitFor(async () => (await titles()).length === 2 && srv.engine.playlistOf('/stream')!.opts.directory === music, 5000, 'new folder loaded');
      assert.deepEqual((await titles()).sort(), ['One', 'Three']);
      assert.deepEqual((await srv.service.snapshot()).playlists[0].excluded.map((e) => e.title), ['X - Two']);
      await srv.service.playlistAdd('/stream', [join(music, 'a')]);
      assert.deepEqual((await titles()).sort(), ['One', 'Three', 'Two'], 'adding its folder brings it back');
      await srv.stop();
      srv = await startStudio(dir, '', true);
      await waitFor(async () => (await titles()).length === 3, 5000, 'reloaded with all three');
      assert.deepEqual((await srv.service.snapshot()).playlists[0].excluded, []);
    } finally {
      await srv.stop();
    }
  });
});

describe('studio HTTP adapter guards', () => {
  let srv: StudioServer;
  before(async () => {
    srv = await startStudio(mkdtempSync(join(tmpdir(), 'cycast-guard-')), 'playlist {\n  enabled = false\n}\n');
  });
  after(() => srv.stop());

  it('refuses unauthenticated and wrongly authenticated requests', async () => {
    for (const p of ['/studio/', '/studio/index.html', '/studio/api/snapshot', '/studio/api/events']) {
      const r = await fetch(srv.url(p));
      assert.equal(r.status, 401, p);
      assert.match(r.headers.get('www-authenticate') ?? '', /^Basic realm="Cycast Studio"/);
      assert.equal((await fetch(srv.url(p), { headers: { Authorization: basic(ADMIN.user, 'wrong') } })).status, 401);
    }
    const call = await fetch(srv.url('/studio/api/call'), { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Cycast-Studio': '1' }, body: '{"method":"skip","args":["/stream"]}' });
    assert.equal(call.status, 401);
  });

  it('refuses cross-site state changes and malformed calls', async () => {
    const auth = basic(ADMIN.user, ADMIN.password);
    const post = (headers: Record<string, string>, body: string) => fetch(srv.url('/studio/api/call'), { method: 'POST', headers: { Authorization: auth, 'Content-Type': 'application/json', ...headers }, body });
    assert.equal((await post({}, '{"method":"snapshot","args":[]}')).status, 403, 'no same-origin header');
    assert.equal((await post({ 'X-Cycast-Studio': '1', Origin: 'http://evil.example' }, '{"method":"snapshot","args":[]}')).status, 403, 'foreign origin');
    assert.equal((await post({ 'X-Cycast-Studio': '1', Origin: `http://127.0.0.1:${srv.listenPort}` }, '{"method":"snapshot","args":[]}')).status, 200);
    const bad = await post({ 'X-Cycast-Studio': '1' }, '{"method":"configSave","args":[1]}');
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /takes 2 to 3 argument\(s\), got 1/);
    assert.equal((await post({ 'X-Cycast-Studio': '1' }, '{"method":"constructor","args":[]}')).status, 400);
    assert.equal((await post({ 'X-Cycast-Studio': '1' }, 'not json')).status, 400);
    assert.equal(checkStudioCall('playlistAdd', ['/stream', ['a'], 3]), null);
    assert.match(checkStudioCall('playlistAdd', ['/stream', 'a']) ?? '', /argument 2 must be string\[\]/);
  });

  it('serves the built UI with a strict CSP, and no file outside it', async () => {
    const auth = { Authorization: basic(ADMIN.user, ADMIN.password) };
    const index = await fetch(srv.url('/studio/'), { headers: auth });
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.match(await index.text(), /<div id="root">/);
    for (const p of ['/studio/../package.json', '/studio/%2e%2e/%2e%2e/package.json', '/studio/..%2f..%2fpackage.json']) {
      const r = await fetch(srv.url(p), { headers: auth });
      assert.notEqual(r.status, 200, p);
    }
  });

  const preloadBuilt = existsSync(join(repoRoot, 'dist/src-main/electron/preload.cjs'));
  it('gives the preload the shared contract\'s method list (no second copy)', { skip: preloadBuilt ? false : 'Electron is not installed, so the desktop shell is not built' }, () => {
    const preload = readFileSync(join(repoRoot, 'dist/src-main/electron/preload.cjs'), 'utf8');
    assert.match(preload, /sendSync\('studio:methods'\)/, 'the preload asks the main process');
    assert.doesNotMatch(preload, /'snapshot'|'playlistAdd'/, 'and lists no method itself');
    const main = readFileSync(join(repoRoot, 'dist/src-main/electron/main.js'), 'utf8');
    assert.match(main, /ipcMain\.on\('studio:methods'[\s\S]{0,200}STUDIO_METHODS/, 'which answers with STUDIO_METHODS');
    assert.deepEqual([...STUDIO_METHODS].sort(), Object.keys(STUDIO_ARGS).sort());
  });
});
