// Recording live shows against real clients: an ffmpeg source on a recorded mount with titles sent through
// /admin/metadata, the file it makes (decoded by ffmpeg, walked frame by frame), its sidecar, a second show,
// the studio's range requests, delete and rebroadcast, and an Ogg show that starts with its header pages.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RecordingsView, PlaylistView } from '../../src-shared/studio-api.js';
import { decode, fixture } from '../helpers/audio.js';
import { ADMIN, basic, ffmpegSource, get, kill, listen, PASSWORD, run, sleep, waitFor } from '../helpers/server.js';
import { startRecordingStudio, walkFrames, type RecordingServer } from '../helpers/recording.js';

const BODY = `
playlist {
  enabled = true
  directory = "./music"
}
mount "/live.ogg" {
  format = "ogg"
  playlist_enabled = false
}
record {
  enabled = true
  folder = "./recordings"
  mounts = ["/stream", "/live.ogg"]
  max_total_mb = 0
  keep_days = 0
}
`;

const auth = { Authorization: basic(ADMIN.user, ADMIN.password) };

describe('recording live shows', () => {
  let srv: RecordingServer;
  let folder: string;
  before(async () => {
    srv = await startRecordingStudio(mkdtempSync(join(tmpdir(), 'cycast-rec-')), BODY);
    folder = srv.recorder.folder;
  });
  after(async () => {
    await srv?.stop();
  });

  const list = (): Promise<RecordingsView> => srv.call<RecordingsView>('recordingsList');
  const setTitle = async (song: string): Promise<void> => {
    const r = await get(srv.url(`/admin/metadata?mount=/stream&mode=updinfo&song=${encodeURIComponent(song)}`), { user: 'source', password: PASSWORD });
    assert.equal(r.status, 200);
  };

  let firstId = '';

  it('records a 20 s show with two titles: one file that decodes cleanly, its length and title offsets right', async () => {
    const listener = await listen(srv.listenPort, '/stream');
    let connectedAt = 0;
    let leftAt = 0;
    srv.engine.once('source-connect', () => (connectedAt = performance.now()));
    srv.engine.once('source-disconnect', () => (leftAt = performance.now()));
    const src = ffmpegSource(srv.sourcePort, '/stream', fixture('mp3', 10), { contentType: 'audio/mpeg', format: 'mp3', name: 'Friday Night / Live: "Test"' });
    try {
      await waitFor(() => connectedAt > 0, 10_000, 'the ffmpeg source');
      await sleep(6000);
      const t1 = (performance.now() - connectedAt) / 1000;
      await setTitle('First Song');
      await sleep(7000);
      const t2 = (performance.now() - connectedAt) / 1000;
      await setTitle("Second Song (it's live)");
      await sleep(Math.max(0, 20_000 - (performance.now() - connectedAt)));
      await kill(src.child);
      await waitFor(() => leftAt > 0, 15_000, 'the source to leave');
      await waitFor(async () => (await list()).recordings[0]?.state === 'complete', 5000, 'the recording to finish');
      const shown = (leftAt - connectedAt) / 1000;
      const v = await list();
      assert.equal(v.recordings.length, 1);
      const rec = v.recordings[0];
      firstId = rec.id;
      assert.match(rec.id, /^\d{4}-\d\d-\d\d \d\d-\d\d Friday Night _ Live_ _Test_\.mp3$/);
      assert.equal(rec.mount, '/stream');
      assert.equal(rec.name, 'Friday Night / Live: "Test"');
      const path = join(folder, rec.id);
      assert.equal(rec.bytes, statSync(path).size);
      // the show's length: what ffmpeg sent between connect and hang-up
      assert.ok(Math.abs(rec.duration - shown) < 1, `recorded ${rec.duration} s of a ${shown.toFixed(2)} s show`);
      const walk = await walkFrames(path, 'mp3');
      assert.equal(walk.skippedBytes, 0, 'nothing but frames');
      assert.equal(walk.tagBytes, 0);
      assert.equal(walk.trailing, 0, 'ends on a frame boundary');
      assert.equal(readFileSync(path)[0], 0xff, 'starts on a frame');
      assert.ok(Math.abs(walk.seconds - rec.duration) < 0.05, `frames ${walk.seconds} s, sidecar ${rec.duration} s`);
      const d = decode(path);
      assert.equal(d.errors, '', 'ffmpeg -v error prints nothing');
      assert.ok(Math.abs(d.duration - rec.duration) < 0.2, `ffprobe ${d.duration} s`);
      assert.deepEqual(rec.titles.map((t) => t.title), ['First Song', "Second Song (it's live)"]);
      assert.ok(Math.abs(rec.titles[0].offset - t1) < 1, `first title at ${rec.titles[0].offset} s, sent at ${t1.toFixed(2)} s`);
      assert.ok(Math.abs(rec.titles[1].offset - t2) < 1, `second title at ${rec.titles[1].offset} s, sent at ${t2.toFixed(2)} s`);
      const sidecar = JSON.parse(readFileSync(path.replace(/\.mp3$/, '.json'), 'utf8'));
      assert.equal(sidecar.file, rec.id);
      assert.equal(sidecar.state, 'complete');
      const cue = readFileSync(path.replace(/\.mp3$/, '.cue'), 'utf8');
      assert.match(cue, /TRACK 02 AUDIO\r\n    TITLE "First Song"\r\n    INDEX 01 \d\d:\d\d:\d\d/);
      assert.match(cue, new RegExp(`FILE "${rec.id.replace(/"/g, "'").replace(/[.()]/g, '\\$&')}" MP3`));
      assert.ok(!listener.isClosed, 'the listener stayed through the show');
      assert.ok(srv.logs.some((l) => l.includes(`recording of /stream finished: ${rec.id}`)), 'the log names the file');
      listener.close();
    } finally {
      await kill(src.child);
    }
  });

  it('makes a second file for a second show', async () => {
    let connected = false;
    srv.engine.once('source-connect', () => (connected = true));
    const src = ffmpegSource(srv.sourcePort, '/stream', fixture('mp3', 10), { contentType: 'audio/mpeg', format: 'mp3', name: 'Friday Night / Live: "Test"' });
    await waitFor(() => connected, 10_000, 'the second show');
    await sleep(3000);
    await kill(src.child);
    await waitFor(async () => {
      const v = await list();
      return v.recordings.length === 2 && v.recordings.every((r) => r.state === 'complete');
    }, 15_000, 'two finished recordings');
    const v = await list();
    const second = v.recordings[0];
    assert.notEqual(second.id, firstId);
    assert.equal(v.recordings[1].id, firstId, 'newest first');
    assert.ok(second.duration > 2 && second.duration < 5, `second show ${second.duration} s`);
    assert.equal(decode(join(folder, second.id)).errors, '');
    assert.equal(v.totalBytes > v.recordings[0].bytes + v.recordings[1].bytes, true, 'the total counts the sidecars too');
  });

  it('serves a recording with range requests behind the admin login; bad ranges get 416', async () => {
    const path = join(folder, firstId);
    const file = readFileSync(path);
    const url = srv.url(`/studio/recordings/${encodeURIComponent(firstId)}`);
    const whole = await fetch(url, { headers: auth });
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    assert.equal(whole.headers.get('content-type'), 'audio/mpeg');
    assert.ok(Buffer.from(await whole.arrayBuffer()).equals(file));
    const part = await fetch(url, { headers: { ...auth, Range: 'bytes=100-199' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 100-199/${file.length}`);
    assert.ok(Buffer.from(await part.arrayBuffer()).equals(file.subarray(100, 200)));
    const open = await fetch(url, { headers: { ...auth, Range: `bytes=${file.length - 10}-` } });
    assert.equal(open.status, 206);
    assert.ok(Buffer.from(await open.arrayBuffer()).equals(file.subarray(file.length - 10)));
    const suffix = await fetch(url, { headers: { ...auth, Range: 'bytes=-50' } });
    assert.equal(suffix.headers.get('content-range'), `bytes ${file.length - 50}-${file.length - 1}/${file.length}`);
    for (const bad of [`bytes=${file.length}-`, 'bytes=500-100', 'bytes=abc', 'bytes=-0', 'bytes=1e3-2000', 'bytes=99999999999999999999-']) {
      const r = await fetch(url, { headers: { ...auth, Range: bad } });
      assert.equal(r.status, 416, bad);
      assert.equal(r.headers.get('content-range'), `bytes */${file.length}`, bad);
      await r.arrayBuffer();
    }
    const head = await fetch(url, { method: 'HEAD', headers: auth });
    assert.equal(head.headers.get('content-length'), String(file.length));
    const dl = await fetch(`${url}?download=1`, { headers: auth });
    assert.match(dl.headers.get('content-disposition') ?? '', /^attachment; filename=".*\.mp3"; filename\*=UTF-8''/);
    await dl.arrayBuffer();
    assert.equal((await fetch(url)).status, 401, 'no login, no recording');
    for (const evil of ['..%2Fconfig.hcl', '%2E%2E%2Fconfig.hcl', 'nothing.mp3', encodeURIComponent(firstId.replace(/\.mp3$/, '.json')), '%E0%A4%A']) {
      const r = await fetch(srv.url(`/studio/recordings/${evil}`), { headers: auth });
      assert.ok(r.status === 404 || r.status === 400, `${evil}: ${r.status}`);
      await r.arrayBuffer();
    }
    // curl as a second opinion on the 206 (run asynchronously: the server is in this process)
    const { output, done } = run('curl', ['-s', '-D', '-', '-o', '/dev/null', '-u', `${ADMIN.user}:${ADMIN.password}`, '-r', '0-9', url]);
    assert.equal((await done).code, 0);
    const out = output();
    assert.match(out, /^HTTP\/1\.1 206/);
    assert.match(out, new RegExp(`Content-Range: bytes 0-9/${file.length}`, 'i'));
  });

  it('adds a recording to the playlist to rebroadcast it, and deletes one with its sidecars', async () => {
    const added = await srv.call<number>('recordingToPlaylist', firstId, '/stream');
    assert.equal(added, 1);
    const snap = await srv.service.snapshot();
    const pl = snap.playlists.find((p: PlaylistView) => p.mount === '/stream')!;
    assert.ok(pl.entries.some((e) => e.path === join(folder, firstId)));
    await assert.rejects(srv.call('recordingToPlaylist', firstId, '/live.ogg'), /mp3; \/live\.ogg plays ogg|has no AutoDJ/);
    const v = await list();
    const second = v.recordings[0].id;
    assert.equal(await srv.call<boolean>('recordingDelete', second), true);
    for (const ext of ['.mp3', '.json', '.cue']) assert.ok(!existsSync(join(folder, second.replace(/\.mp3$/, ext))), `${ext} deleted`);
    assert.equal(await srv.call<boolean>('recordingDelete', second), false);
    assert.equal(await srv.call<boolean>('recordingDelete', '../config.hcl'), false);
    assert.ok(existsSync(srv.configPath));
    assert.equal((await list()).recordings.length, 1);
  });

  it('records an Ogg Vorbis show starting with its header pages', async () => {
    let connected = false;
    srv.engine.once('source-connect', () => (connected = true));
    const mount = srv.engine.mounts.get('/live.ogg')!;
    const before = mount.secondsIn;
    const src = ffmpegSource(srv.sourcePort, '/live.ogg', fixture('ogg', 10), { contentType: 'audio/ogg', format: 'ogg', name: 'Ogg Show' });
    await waitFor(() => connected, 10_000, 'the Ogg source');
    await sleep(6000);
    await kill(src.child);
    await waitFor(async () => (await list()).recordings.some((r) => r.mount === '/live.ogg' && r.state === 'complete'), 15_000, 'the Ogg recording');
    const rec = (await list()).recordings.find((r) => r.mount === '/live.ogg')!;
    assert.match(rec.id, /Ogg Show\.ogg$/);
    assert.equal(rec.codec, 'Vorbis');
    const path = join(folder, rec.id);
    const head = readFileSync(path).subarray(0, 64);
    assert.equal(head.toString('latin1', 0, 4), 'OggS');
    assert.equal(head[5] & 0x02, 0x02, 'the first page begins the logical stream');
    assert.equal(head.toString('latin1', 29, 35), 'vorbis', 'identification header first');
    const walk = await walkFrames(path, 'ogg');
    assert.equal(walk.skippedBytes + walk.trailing, 0);
    assert.equal(decode(path).errors, '');
    // ffmpeg's Ogg muxer sends whole pages of about a second, late: compare with what entered the mount
    const live = mount.secondsIn - before;
    assert.ok(live > 2, `${live} s of Ogg went on air`);
    assert.ok(Math.abs(rec.duration - live) < 0.05, `recorded ${rec.duration} s, ${live} s went on air`);
    assert.ok(Math.abs(decode(path).duration - live) < 0.1);
  });
});
