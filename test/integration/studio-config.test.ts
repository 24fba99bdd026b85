// Config apply and save edge cases, and browser uploads (findings of a review of the studio, each
// reproduced here).

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkConfigText } from '../../src-main/config/load.js';
import { applyHclEdits } from '../../src-shared/config/hcl-edit.js';
import { fixture } from '../helpers/audio.js';
import { ADMIN, basic, freePort, listen } from '../helpers/server.js';
import { startStudio } from '../helpers/studio.js';

const AUTH = { Authorization: basic(ADMIN.user, ADMIN.password), 'X-Cycast-Studio': '1' };

describe('studio config apply and uploads', () => {
  it('uploads music from the browser into the music folder, never overwriting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycast-up-'));
    const srv = await startStudio(dir, 'playlist {\n  directory = "./music"\n}\n');
    try {
      const body = readFileSync(fixture('mp3', 2));
      const put = (name: string) => fetch(srv.url(`/studio/api/upload?mount=/stream&name=${encodeURIComponent(name)}`), { method: 'PUT', headers: AUTH, body });
      const [a, b] = await Promise.all([put('Song é.mp3'), put('Song é.mp3')]);
      assert.equal(a.status, 200, await a.clone().text());
      assert.equal(b.status, 200);
      const files = readdirSync(join(dir, 'music')).sort();
      assert.deepEqual(files, ['Song é (2).mp3', 'Song é.mp3'], 'both kept, no temporary files left');
      assert.equal(srv.engine.playlistOf('/stream')!.list.length, 2);
      assert.equal((await put('notes.txt')).status, 415);
      assert.equal((await put('../../escape.mp3')).status, 200, 'the name is reduced to its last part');
      assert.ok(existsSync(join(dir, 'music', 'escape.mp3')));
      // a source login on /studio is not a thing
      assert.equal(srv.engine.counters.failedSourceLogins, 0);
      // a name the playlist cannot hold is refused before anything is written (it used to answer 500 and
      // leave the file for the folder watcher to add anyway)
      const before = readdirSync(join(dir, 'music')).sort();
      const bad = await put('a\nb.mp3');
      assert.equal(bad.status, 400, await bad.clone().text());
      assert.deepEqual(readdirSync(join(dir, 'music')).sort(), before, 'no file left behind');
      // uploads race the folder watcher: each file is listed once
      const many = await Promise.all(['r1.mp3', 'r2.mp3', 'r3.mp3', 'r4.mp3'].map((n) => put(n)));
      assert.ok(many.every((r) => r.status === 200));
      await srv.engine.playlistOf('/stream')!.rescan();
      const paths = srv.engine.playlistOf('/stream')!.list.map((e) => e.track.path);
      assert.equal(new Set(paths).size, paths.length, `no file twice: ${paths.join(', ')}`);
    } finally {
      await srv.stop();
    }
  });

  it('applies nothing, and saves nothing, when a new port cannot be opened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycast-port-'));
    const srv = await startStudio(dir, 'playlist {\n  enabled = false\n}\n');
    const busy = await freePort();
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(busy, '127.0.0.1', () => r()));
    try {
      const before = readFileSync(srv.configPath, 'utf8');
      const text = applyHclEdits(before, [{ block: 'server', key: 'listen_port', value: busy }, { block: 'metadata', key: 'station_name', value: 'Changed' }]);
      const r = await srv.service.configSave(text, true);
      assert.equal(r.saved, false);
      assert.match(r.errors[0].message, new RegExp(`not applied, and not saved: port ${busy} on 127\\.0\\.0\\.1 is already in use`));
      assert.equal(readFileSync(srv.configPath, 'utf8'), before);
      assert.notEqual(srv.engine.config.metadata.station_name, 'Changed');
      // still serving on the old ports, and a good change afterwards applies
      const cap = await listen(srv.listenPort, '/stream');
      cap.close();
      const port2 = await freePort();
      const ok = await srv.service.configSave(applyHclEdits(before, [{ block: 'server', key: 'listen_port', value: port2 }]), true);
      assert.equal(ok.saved, true);
      assert.equal(srv.engine.ports.listen, port2);
      assert.equal((await fetch(`http://127.0.0.1:${port2}/api/status`)).status, 200);
    } finally {
      blocker.close();
      await srv.stop();
    }
  });

  it('runs concurrent saves one after another: the file, the config and the open port agree', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycast-race-'));
    const srv = await startStudio(dir, 'playlist {\n  enabled = false\n}\n');
    try {
      const base = readFileSync(srv.configPath, 'utf8');
      const [p1, p2] = [await freePort(), await freePort()];
      await Promise.all([
        srv.service.configSave(applyHclEdits(base, [{ block: 'server', key: 'listen_port', value: p1 }]), true),
        srv.service.configSave(applyHclEdits(base, [{ block: 'server', key: 'listen_port', value: p2 }]), true),
      ]);
      const onDisk = (await checkConfigText(readFileSync(srv.configPath, 'utf8'))).config!.server.listen_port;
      assert.equal(onDisk, p2);
      assert.equal(srv.engine.config.server.listen_port, p2);
      assert.equal(srv.engine.ports.listen, p2);
      assert.equal((await fetch(`http://127.0.0.1:${p2}/api/status`)).status, 200);
    } finally {
      await srv.stop();
    }
  });

  it('ends an event stream opened with an admin password that a new config changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycast-sse-'));
    const srv = await startStudio(dir, 'playlist {\n  enabled = false\n}\n');
    try {
      const res = await fetch(srv.url('/studio/api/events'), { headers: { Authorization: basic(ADMIN.user, ADMIN.password) } });
      assert.equal(res.status, 200);
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      const text = applyHclEdits(readFileSync(srv.configPath, 'utf8'), [{ block: 'admin', key: 'password', value: 'a-new-admin-password' }]);
      assert.equal((await srv.service.configSave(text, true)).saved, true);
      const end = Date.now() + 3000;
      let done = false;
      while (!done && Date.now() < end) done = (await reader.read()).done;
      assert.equal(done, true, 'the stream ended');
    } finally {
      await srv.stop();
    }
  });

  it('refuses to overwrite a config.hcl that changed since it was read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycast-ver-'));
    const srv = await startStudio(dir, 'playlist {\n  enabled = false\n}\n');
    try {
      const doc = await srv.service.configRead();
      const { writeFileSync } = await import('node:fs');
      const elsewhere = doc.text.replace('# studio test config', '# edited in another editor');
      writeFileSync(srv.configPath, elsewhere);
      const r = await srv.service.configSave(doc.text.replace('enabled = false', 'enabled = false\n  repeat = false'), false, doc.version);
      assert.equal(r.saved, false);
      assert.match(r.errors[0].message, /changed on disk .* since you opened it; nothing was written/);
      assert.equal(readFileSync(srv.configPath, 'utf8'), elsewhere);
      const fresh = await srv.service.configRead();
      assert.equal((await srv.service.configSave(fresh.text, false, fresh.version)).saved, true);
    } finally {
      await srv.stop();
    }
  });

  it('previews a format change with the listeners it drops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycast-fmt-'));
    const srv = await startStudio(dir, 'playlist {\n  enabled = false\n}\n');
    try {
      const cap = await listen(srv.listenPort, '/stream');
      const text = applyHclEdits(readFileSync(srv.configPath, 'utf8'), [{ block: 'server', key: 'format', value: 'ogg' }]);
      const r = await srv.service.configCheck(text);
      const c = r.changes.find((x) => x.path === 'server.format')!;
      assert.equal(c.disconnectsListeners, 1);
      assert.match(c.effect, /restarts in the new format: its 1 listener\(s\) are disconnected/);
      assert.equal(r.changes.length, 1, 'listed once');
      cap.close();
    } finally {
      await srv.stop();
    }
  });

  it('keeps paths, file names and secrets safe', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycast-safe-'));
    const srv = await startStudio(dir, 'playlist {\n  directory = "./music"\n}\n');
    try {
      await assert.rejects(srv.service.playlistAdd('/stream', ['/tmp/x\necho PWNED']), /not an absolute file path/);
      await assert.rejects(srv.service.playlistAdd('/stream', ['relative.mp3']), /not an absolute file path/);
      const bad = await checkConfigText('playlist {\n  file = "/home/user/.bashrc"\n}\n');
      assert.match(bad.errors[0].message, /must be a file name ending in \.m3u8/);
      const secret = await checkConfigText('server {\n  source_password = 12345678\n}\n');
      assert.ok(!secret.errors[0].message.includes('12345678'), secret.errors[0].message);
      const bare = await checkConfigText('server {\n  source_password = Secret\n}\n');
      assert.match(bare.errors[0].message, /Secret is not a value; put text in double quotes/);
      assert.deepEqual([bare.errors[0].line, bare.errors[0].column], [2, 21]);
      for (const pw of ['pw${x y}', 'ab$${cd', '%{if}', 'q"uote\\']) {
        const t = applyHclEdits('server {\n  source_password = "x"\n}\n', [{ block: 'server', key: 'source_password', value: pw }]);
        assert.equal((await checkConfigText(t)).config?.server.source_password, pw, pw);
      }
      assert.match((await srv.service.configSave('x'.repeat(300_000), false)).errors[0].message, /larger than/);
    } finally {
      await srv.stop();
    }
  });
});
