// The public side over HTTP: the listener page at /, the embed, /api/nowplaying with its ETag, covers from
// tags, the favicon, and the status page at /status. (In Chromium: test/ui/listener-page.test.ts.)

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkConfigText } from '../../src-main/config/load.js';
import { makeTrack } from '../helpers/audio.js';
import { get, pacedSource, PASSWORD, startServer, waitFor, type TestServer } from '../helpers/server.js';
import { repoRoot } from '../helpers/paths.js';
import { etagMatches } from '../../src-main/engine/http/public-pages.js';
import { sniffImage } from '../../src-main/engine/http/cover-art.js';
import type { NowPlayingDocument } from '../../src-main/engine/http/now-playing.js';

const COVER = join(repoRoot, 'assets/icons/64x64.png');

/** An MP3 with `image` as its ID3v2 front cover. */
function withCover(src: string, image: string, out: string): string {
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', src, '-i', image, '-map', '0:a', '-map', '1:v', '-c', 'copy', '-id3v2_version', '3', '-metadata:s:v', 'comment=Cover (front)', out]);
  return out;
}

async function nowPlaying(srv: TestServer): Promise<NowPlayingDocument> {
  return (await fetch(srv.url('/api/nowplaying'))).json() as Promise<NowPlayingDocument>;
}

describe('public pages', () => {
  let srv: TestServer;
  let music: string;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycast-public-'));
    music = join(dir, 'music');
    mkdirSync(music);
    const plain = makeTrack(join(dir, 'a.mp3'), { seconds: 30, title: 'Covered Song', artist: 'The Pictures' });
    withCover(plain, COVER, join(music, '1 covered.mp3'));
    makeTrack(join(music, '2 bare.mp3'), { seconds: 30, title: 'Bare Song', artist: 'No Picture' });
    makeTrack(join(music, '3 untagged.mp3'), { seconds: 30 });
    srv = await startServer(
      'metadata {\n  station_name = "Public FM"\n  station_description = "Songs & <stories>"\n  station_genre = "Jazz"\n}\nmount "/second" {\n  format = "mp3"\n  playlist_enabled = false\n}\n',
      '',
      { playlist: `enabled = true\n  directory = "${music}"\n  shuffle = false\n  resume_delay = 0` },
    );
    await waitFor(() => srv.engine.feederOf('/stream')?.nowPlaying !== null, 8000, 'the AutoDJ on air');
  });
  after(() => srv?.stop());

  it('serves the listener page at / with the station, the title on air, player links and a strict CSP', async () => {
    const res = await fetch(srv.url('/'));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    const html = await res.text();
    assert.match(html, /<h1>Public FM<\/h1>/);
    assert.match(html, /Songs &amp; &lt;stories&gt;/);
    assert.match(html, />Jazz</);
    assert.match(html, /class="title" id="m0-title">Covered Song<\/h3>\s*<p class="artist">The Pictures</);
    assert.match(html, /class="badge autodj">AutoDJ</);
    for (const href of ['/stream', '/stream.m3u', '/stream.pls', '/second', '/second.m3u', '/second.pls']) {
      assert.match(html, new RegExp(`href="http://127\\.0\\.0\\.1:${srv.listenPort}${href.replace('.', '\\.')}"`), href);
    }
    // readable without script: a native player, the embed snippet, no inline script or style
    assert.match(html, /<noscript><audio controls preload="none" src="\/stream"><\/audio><\/noscript>/);
    assert.match(html, /&lt;iframe src=&quot;http:\/\/127\.0\.0\.1:\d+\/embed\?mount=\/stream&quot;/);
    assert.doesNotMatch(html, /<script>|<style>| style="| on[a-z]+="/);
    assert.doesNotMatch(html, /Playlist Fallback|Connected|undefined|null/);
    assert.ok(!html.includes(music), 'no server path');
  });

  it('shows the station name for a mount whose source sends no title, and never the internal words', async () => {
    const src = await pacedSource(srv.sourcePort, '/second', readFileSync(join(music, '2 bare.mp3')), 16000);
    try {
      await waitFor(() => srv.engine.mounts.get('/second')!.source !== null, 3000, 'source on /second');
      const html = await (await fetch(srv.url('/'))).text();
      // the source names its stream "Paced" (ice-name), which goes on air as the title until it sends one
      assert.match(html, /class="title" id="m1-title">Paced</);
      assert.match(html, /class="badge live">Live</);
      assert.doesNotMatch(html, /Playlist Fallback|Connected/);
      srv.engine.mounts.get('/second')!.setTitle(''); // a source that sends an empty title
      const doc = await nowPlaying(srv);
      const second = doc.mounts.find((m) => m.mount === '/second')!;
      assert.equal(second.on_air, 'live');
      assert.equal(second.now.song, '');
      assert.equal(second.now.display, 'Paced');
      assert.deepEqual(second.next, [], 'nothing announced while a DJ is live');
    } finally {
      await src.stop();
    }
  });

  it('gives /api/nowplaying an ETag and max-age, answers 304 to If-None-Match, and a new ETag after a title change', async () => {
    const r1 = await fetch(srv.url('/api/nowplaying'));
    assert.equal(r1.status, 200);
    assert.equal(r1.headers.get('cache-control'), 'public, max-age=1');
    assert.equal(r1.headers.get('access-control-allow-origin'), '*');
    let etag = r1.headers.get('etag');
    assert.match(etag ?? '', /^"[A-Za-z0-9_-]+"$/);
    await r1.text();
    // the AutoDJ or a listener leaving may change the document between two requests (a new ETag then):
    // asked again with the ETag it just gave, the server answers 304
    let r2 = await fetch(srv.url('/api/nowplaying'), { headers: { 'If-None-Match': etag! } });
    for (let i = 0; i < 3 && r2.status === 200; i++) {
      assert.notEqual(r2.headers.get('etag'), etag, 'a 200 to If-None-Match comes with a new ETag');
      etag = r2.headers.get('etag');
      await r2.text();
      r2 = await fetch(srv.url('/api/nowplaying'), { headers: { 'If-None-Match': etag! } });
    }
    assert.equal(r2.status, 304);
    assert.equal(await r2.text(), '');
    assert.equal((await fetch(srv.url('/api/nowplaying'), { headers: { 'If-None-Match': `"other", W/${etag}` } })).status, 304, 'a list with a weak tag');
    assert.equal((await fetch(srv.url('/api/nowplaying'), { headers: { 'If-None-Match': '"other"' } })).status, 200);
    const upd = await get(srv.url('/admin/metadata?mount=/second&mode=updinfo&song=' + encodeURIComponent('Ann - New Title')), { user: 'source', password: PASSWORD });
    assert.equal(upd.status, 200);
    const r3 = await fetch(srv.url('/api/nowplaying'), { headers: { 'If-None-Match': etag! } });
    assert.equal(r3.status, 200, 'the title changed: a new document at once');
    assert.notEqual(r3.headers.get('etag'), etag);
    const second = ((await r3.json()) as NowPlayingDocument).mounts.find((m) => m.mount === '/second')!;
    assert.deepEqual({ song: second.now.song, title: second.now.title, artist: second.now.artist }, { song: 'Ann - New Title', title: 'New Title', artist: 'Ann' });
  });

  it('reports current, next, history and listeners per mount, with file names at most, never server paths', async () => {
    const doc = await nowPlaying(srv);
    assert.deepEqual(doc.station, { name: 'Public FM', description: 'Songs & <stories>', genre: 'Jazz', url: '' });
    const main = doc.mounts[0];
    assert.equal(main.mount, '/stream');
    assert.equal(main.listen_url, `http://127.0.0.1:${srv.listenPort}/stream`);
    assert.equal(main.now.title, 'Covered Song');
    assert.equal(main.now.artist, 'The Pictures');
    assert.equal(main.now.duration, 30);
    assert.deepEqual(main.next.map((s) => s.song), ['No Picture - Bare Song', '3 untagged', 'The Pictures - Covered Song']);
    assert.equal(main.listeners, 0);
    assert.ok(!JSON.stringify(doc).includes(music), 'no server path');
    srv.engine.skip('/stream');
    await waitFor(async () => (await nowPlaying(srv)).mounts[0].now.title === 'Bare Song', 5000, 'next track');
    const after = (await nowPlaying(srv)).mounts[0];
    assert.equal(after.history[0].song, 'The Pictures - Covered Song');
    assert.ok(!Number.isNaN(Date.parse(after.history[0].played_at)));
    // history: the last 10 titles, newest first
    const m = srv.engine.mounts.get('/second')!;
    for (let i = 1; i <= 14; i++) m.setTitle(`Song ${i}`);
    await waitFor(async () => (await nowPlaying(srv)).mounts[1].now.song === 'Song 14', 3000, 'titles');
    const hist = (await nowPlaying(srv)).mounts[1].history.map((h) => h.song);
    assert.deepEqual(hist, ['Song 13', 'Song 12', 'Song 11', 'Song 10', 'Song 9', 'Song 8', 'Song 7', 'Song 6', 'Song 5', 'Song 4']);
  });

  it('serves the cover from the on-air track\'s tags, and none for a track without one', async () => {
    srv.engine.skip('/stream'); // past "Bare Song", "3 untagged" plays
    srv.engine.skip('/stream'); // "Covered Song" again
    let cover: string | null = null;
    await waitFor(async () => {
      const np = (await nowPlaying(srv)).mounts[0];
      cover = np.now.title === 'Covered Song' ? np.now.cover_url : null;
      return cover !== null;
    }, 5000, 'a cover URL');
    const res = await fetch(srv.url(cover!));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    assert.match(res.headers.get('cache-control') ?? '', /immutable/);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), readFileSync(COVER));
    assert.equal((await fetch(srv.url('/api/cover?mount=/stream&v=wrong'))).status, 404);
    assert.equal((await fetch(srv.url('/api/cover?mount=/nope'))).status, 404);
    srv.engine.skip('/stream');
    await waitFor(async () => (await nowPlaying(srv)).mounts[0].now.title === 'Bare Song', 5000, 'the track without a cover');
    assert.equal((await nowPlaying(srv)).mounts[0].now.cover_url, null);
    assert.equal((await fetch(srv.url(cover!))).status, 404, 'the old cover is not served once its track is off air');
  });

  it('serves the embed framable from anywhere, the other pages from nowhere', async () => {
    const res = await fetch(srv.url('/embed?mount=/second'));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors \*/);
    assert.equal(res.headers.get('x-frame-options'), null);
    const html = await res.text();
    assert.match(html, /<body class="embed">/);
    assert.match(html, /data-mount="\/second"/);
    assert.equal((await fetch(srv.url('/embed?mount=/nope'))).status, 404);
    assert.equal((await fetch(srv.url('/embed'))).status, 200, 'the main mount by default');
  });

  it('serves the favicon, the script and the style sheet from assets, with ETags', async () => {
    const ico = await fetch(srv.url('/favicon.ico'));
    assert.equal(ico.status, 200);
    assert.equal(ico.headers.get('content-type'), 'image/x-icon');
    assert.deepEqual(Buffer.from(await ico.arrayBuffer()), readFileSync(join(repoRoot, 'assets/icons/favicon.ico')));
    const html = await (await fetch(srv.url('/'))).text();
    const js = /<script src="(\/static\/player\.js\?v=[\w-]+)" defer><\/script>/.exec(html)?.[1];
    const css = /<link rel="stylesheet" href="(\/static\/player\.css\?v=[\w-]+)">/.exec(html)?.[1];
    assert.ok(js && css, 'versioned asset URLs');
    const r = await fetch(srv.url(js));
    assert.equal(r.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.match(r.headers.get('cache-control') ?? '', /immutable/);
    assert.equal(await r.text(), readFileSync(join(repoRoot, 'assets/web/player.js'), 'utf8'));
    assert.equal((await fetch(srv.url(css), { headers: { 'If-None-Match': r.headers.get('etag')! } })).status, 200, 'another file\'s tag');
    assert.equal((await fetch(srv.url(js), { headers: { 'If-None-Match': r.headers.get('etag')! } })).status, 304);
  });

  it('moves the status table to /status, which links the listener page', async () => {
    for (const p of ['/status', '/status.xsl']) {
      const html = await (await fetch(srv.url(p))).text();
      assert.match(html, /<table>/, p);
      assert.match(html, /<a href="\/">Listener page<\/a>/, p);
    }
  });

  it('hides the listener count when metadata.show_listeners is false', async () => {
    const quiet = await startServer('metadata {\n  show_listeners = false\n}\n');
    try {
      const doc = await nowPlaying(quiet);
      assert.equal(doc.mounts[0].listeners, null);
      const html = await (await fetch(quiet.url('/'))).text();
      assert.match(html, /<span class="listeners"><\/span>/);
      assert.doesNotMatch(html, /listeners?</);
    } finally {
      await quiet.stop();
    }
  });

  it('keeps mounts off the public pages\' paths', async () => {
    for (const p of ['/status', '/embed', '/favicon.ico', '/static/player.js']) {
      const r = await checkConfigText(`mount "${p}" {\n  format = "mp3"\n}\n`);
      assert.equal(r.config, null, p);
      assert.match(JSON.stringify(r.errors), /server's own pages/, p);
    }
  });

  it('matches If-None-Match lists and sniffs image types by their bytes', () => {
    assert.equal(etagMatches(undefined, '"a"'), false);
    assert.equal(etagMatches('*', '"a"'), true);
    assert.equal(etagMatches('"b", W/"a"', '"a"'), true);
    assert.equal(etagMatches('"ab"', '"a"'), false);
    assert.equal(sniffImage(readFileSync(COVER)), 'image/png');
    assert.equal(sniffImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')), null, 'no SVG (script) as a cover');
    assert.equal(sniffImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0])), 'image/jpeg');
    assert.equal(sniffImage(Buffer.from('RIFF....WAVEfmt ')), null, 'a RIFF that is not WebP');
  });
});
