import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseM3u8, serializeM3u8 } from '../../src-main/engine/autodj/m3u8.js';
import { Playlist, type PlaylistOptions } from '../../src-main/engine/autodj/playlist.js';
import { probeTrack } from '../../src-main/engine/autodj/track-probe.js';
import { Logger, formatLogLine } from '../../src-main/engine/log/log.js';
import { makeTrack } from '../helpers/audio.js';

function seeded(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x80000000;
  };
}

function newPlaylist(dir: string, music: string, extra: Partial<PlaylistOptions> = {}) {
  const log = new Logger();
  const lines: string[] = [];
  log.subscribe((e) => lines.push(formatLogLine(e)));
  const p = new Playlist({
    mount: '/stream', format: 'mp3', directory: music, extensions: ['.mp3', '.ogg'], file: join(dir, 'playlist.m3u8'),
    shuffle: false, shuffleEachPass: false, repeat: true, fallbackFiles: [], log, ...extra,
  });
  return { p, lines };
}

describe('track probe', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cycast-probe-'));
  const good = makeTrack(join(dir, 'good.mp3'), { seconds: 4, title: 'Good Song', artist: 'Band' });

  it('reads tags and the true duration from the frames', async () => {
    const t = await probeTrack(good);
    assert.equal(t.problem, null);
    assert.equal(t.format, 'mp3');
    assert.equal(t.title, 'Good Song');
    assert.equal(t.artist, 'Band');
    assert.ok(Math.abs(t.duration - 4) < 0.1, `duration ${t.duration}`);
    assert.equal(t.sampleRate, 44100);
    assert.ok(t.bitrate >= 120 && t.bitrate <= 136, `bitrate ${t.bitrate}`);
  });

  it('reports the real duration of a truncated file', async () => {
    const data = readFileSync(good);
    const cut = join(dir, 'truncated.mp3');
    writeFileSync(cut, data.subarray(0, Math.floor(data.length / 2)));
    const t = await probeTrack(cut);
    assert.equal(t.problem, null);
    assert.ok(t.duration > 1.7 && t.duration < 2.3, `duration ${t.duration}`);
  });

  it('refuses empty, garbage, mislabelled and unsupported files with a reason', async () => {
    writeFileSync(join(dir, 'empty.mp3'), '');
    const rnd = seeded(7);
    writeFileSync(join(dir, 'garbage.mp3'), Buffer.from(Array.from({ length: 100_000 }, () => Math.floor(rnd() * 256))));
    makeTrack(join(dir, 'really-ogg.mp3'), { seconds: 1, codec: 'ogg' });
    writeFileSync(join(dir, 'notes.txt'), 'hello');
    assert.equal((await probeTrack(join(dir, 'empty.mp3'))).problem, 'empty file');
    assert.match((await probeTrack(join(dir, 'garbage.mp3'))).problem ?? '', /no MPEG audio frames|garbage|less than/);
    assert.match((await probeTrack(join(dir, 'really-ogg.mp3'))).problem ?? '', /no MPEG audio frames/);
    assert.match((await probeTrack(join(dir, 'notes.txt'))).problem ?? '', /unsupported file type \.txt/);
  });
});

describe('playlist', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cycast-pl-'));
  const music = join(dir, 'music');
  mkdirSync(join(music, 'Sub Folder'), { recursive: true });
  const names = ['Björk – Jóga.mp3', '日本語のうた.mp3', "Guns N' Roses.mp3", 'Sub Folder/Ça va.mp3', 'zz-vorbis.ogg'];
  for (const [i, n] of names.entries()) {
    makeTrack(join(music, n), { seconds: 1, freq: 300 + i * 100, title: n.replace(/\..*$/, ''), codec: n.endsWith('.ogg') ? 'ogg' : 'mp3' });
  }

  it('builds from the music folder, marks what cannot play on the mount, and saves M3U8 with names intact', async () => {
    const { p, lines } = newPlaylist(dir, music);
    await p.load();
    assert.equal(p.list.length, 5);
    const ogg = p.list.find((e) => e.track.path.endsWith('.ogg'))!;
    assert.match(ogg.problem ?? '', /OGG cannot play on \/stream, which streams MP3/);
    assert.ok(lines.some((l) => l.includes('zz-vorbis.ogg') && l.includes('skipping')));
    const text = readFileSync(join(dir, 'playlist.m3u8'), 'utf8');
    assert.match(text, /^#EXTM3U\n/);
    for (const n of names) assert.ok(text.includes(`music/${n}`), n);
    assert.ok(text.includes('#EXTINF:1,Björk – Jóga'));
    const parsed = parseM3u8(text, dir);
    assert.deepEqual(parsed.map((e) => e.path), p.list.map((e) => e.track.path));
  });

  it('keeps a saved order across loads, with files from outside the music folder', async () => {
    const outside = makeTrack(join(dir, 'outside é.mp3'), { seconds: 1, title: 'Outside' });
    const a = newPlaylist(dir, music).p;
    await a.load();
    await a.add([outside], 0);
    const last = a.list[a.list.length - 1];
    a.move(last.id, 1);
    const order = a.list.map((e) => e.track.path);
    const b = newPlaylist(dir, music).p;
    await b.load();
    assert.deepEqual(b.list.map((e) => e.track.path), order);
    assert.equal(b.list[0].track.path, outside);
  });

  it('round-trips M3U8 text, relative and absolute paths, and #EXTINF titles', () => {
    const entries = [
      { path: join(dir, 'music/Ça va.mp3'), duration: 12.4, title: 'Ça va' },
      { path: '/elsewhere/日本.mp3', duration: -1, title: '' },
    ];
    const text = serializeM3u8(entries, dir);
    assert.equal(text, '#EXTM3U\n#EXTINF:12,Ça va\nmusic/Ça va.mp3\n#EXTINF:-1,\n/elsewhere/日本.mp3\n');
    const back = parseM3u8(text, dir);
    assert.deepEqual(back.map((e) => e.path), entries.map((e) => e.path));
    assert.equal(back[0].title, 'Ça va');
    // what other tools write: BOM, CRLF, file:// URLs, comments
    const foreign = parseM3u8('\ufeff#EXTM3U\r\n# a comment\r\nfile:///music/a%20b.mp3\r\n', dir);
    assert.deepEqual(foreign.map((e) => e.path), ['/music/a b.mp3']);
  });

  it('plays in order, honours play next, repeat, and skips what cannot play', async () => {
    const d2 = mkdtempSync(join(tmpdir(), 'cycast-pl2-'));
    const { p } = newPlaylist(d2, music);
    await p.load();
    const playable = p.list.filter((e) => !e.problem);
    const order: number[] = [];
    for (let i = 0; i < 2; i++) order.push(p.advance()!.id);
    assert.deepEqual(order, [playable[0].id, playable[1].id]);
    // play next: the last playable entry jumps right after the one on air
    const target = playable[playable.length - 1];
    assert.ok(p.playNext(target.id));
    assert.equal(p.list[p.list.indexOf(p.current!) + 1].id, target.id);
    assert.deepEqual(p.upcoming(1).map((e) => e.id), [target.id]);
    assert.equal(p.advance()!.id, target.id);
    // then the list goes on where it was
    assert.equal(p.advance()!.id, playable[2].id);
    // to the end, skipping the Ogg entry, and around again (repeat)
    const seen = new Set<number>();
    for (let i = 0; i < playable.length; i++) seen.add(p.advance()!.id);
    assert.equal(seen.size, playable.length);
    p.setRepeat(false);
    let n = 0;
    while (p.advance() && n < 20) n++;
    assert.ok(n < playable.length, 'stops at the end without repeat');
    assert.equal(p.advance(), null);
  });

  it('shuffles once (current track first) and on every pass when asked', async () => {
    const d3 = mkdtempSync(join(tmpdir(), 'cycast-pl3-'));
    const { p } = newPlaylist(d3, music, { random: seeded(42) });
    await p.load();
    const before = p.list.map((e) => e.id);
    const first = p.advance()!;
    p.shuffleNow();
    assert.equal(p.list[0].id, first.id);
    assert.notDeepEqual(p.list.map((e) => e.id), before);
    assert.deepEqual([...p.list.map((e) => e.id)].sort(), [...before].sort());
    p.setShuffleEachPass(true);
    const passes: number[][] = [];
    for (let pass = 0; pass < 3; pass++) {
      const ids: number[] = [];
      for (let i = 0; i < 4; i++) ids.push(p.advance()!.id);
      passes.push(ids);
    }
    assert.ok(passes.some((x, i) => i > 0 && JSON.stringify(x) !== JSON.stringify(passes[0])), 'a new order each pass');
  });

  it('follows the music folder: new and deleted files join and leave on rescan', async () => {
    const d4 = mkdtempSync(join(tmpdir(), 'cycast-pl4-'));
    const m4 = join(d4, 'music');
    mkdirSync(m4);
    makeTrack(join(m4, 'one.mp3'), { seconds: 1 });
    const { p } = newPlaylist(d4, m4);
    await p.load();
    assert.equal(p.list.length, 1);
    makeTrack(join(m4, 'two.mp3'), { seconds: 1 });
    const { rmSync } = await import('node:fs');
    rmSync(join(m4, 'one.mp3'));
    const r = await p.rescan();
    assert.deepEqual(r, { added: 1, removed: 1 });
    assert.deepEqual(p.list.map((e) => e.track.path), [join(m4, 'two.mp3')]);
    // and by watching it
    p.watchFolder();
    makeTrack(join(m4, 'three.mp3'), { seconds: 1 });
    const t0 = Date.now();
    while (p.list.length < 2 && Date.now() - t0 < 5000) await new Promise((r2) => setTimeout(r2, 50));
    p.close();
    assert.equal(p.list.length, 2);
  });

  it('lists a new file once when rescans overlap (the watcher\'s and a button\'s)', async () => {
    const d = mkdtempSync(join(tmpdir(), 'cycast-pl-overlap-'));
    const m = join(d, 'music');
    mkdirSync(m);
    makeTrack(join(m, 'one.mp3'), { seconds: 1 });
    const { p } = newPlaylist(d, m);
    await p.load();
    makeTrack(join(m, 'two.mp3'), { seconds: 1 });
    const results = await Promise.all([p.rescan(), p.rescan(), p.add([join(m, 'two.mp3')])]);
    assert.deepEqual(p.list.map((e) => e.track.path), [join(m, 'one.mp3'), join(m, 'two.mp3')]);
    assert.equal(results[0].added + results[1].added + results[2].length, 1, 'added once');
  });

  it('keeps a removed file out of loads and rescans, remembered beside the M3U8, until it is added back', async () => {
    const d = mkdtempSync(join(tmpdir(), 'cycast-pl-exclude-'));
    const m = join(d, 'music');
    mkdirSync(m);
    for (const n of ['a', 'b']) makeTrack(join(m, `${n}.mp3`), { seconds: 1, title: n.toUpperCase(), artist: 'X' });
    const first = newPlaylist(d, m).p;
    await first.load();
    assert.equal(first.remove([first.list.find((e) => e.track.title === 'B')!.id]), 1);
    assert.deepEqual((await first.rescan()), { added: 0, removed: 0 });
    assert.match(readFileSync(join(d, 'playlist.m3u8.excluded'), 'utf8'), /^#EXTM3U\n#EXTINF:1,X - B\nmusic\/b\.mp3\n$/);
    const again = newPlaylist(d, m).p;
    await again.load();
    assert.deepEqual(again.list.map((e) => e.track.title), ['A']);
    assert.deepEqual(again.excluded.map((e) => e.path), [join(m, 'b.mp3')]);
    await again.add([join(m, 'b.mp3')]);
    assert.deepEqual(again.excluded, []);
    const third = newPlaylist(d, m).p;
    await third.load();
    assert.deepEqual(third.list.map((e) => e.track.title), ['A', 'B']);
    assert.throws(() => third.deleteFile(join(d, 'playlist.m3u8')), /is not in the playlist/);
  });

  it('falls back to the given files when the music folder has nothing playable', async () => {
    const d5 = mkdtempSync(join(tmpdir(), 'cycast-pl5-'));
    const demo = makeTrack(join(d5, 'demo.mp3'), { seconds: 1, title: 'Demo' });
    const { p, lines } = newPlaylist(d5, join(d5, 'no-such-folder'), { fallbackFiles: [demo] });
    await p.load();
    assert.equal(p.usingFallbackFiles, true);
    assert.deepEqual(p.list.map((e) => e.track.path), [demo]);
    assert.ok(lines.some((l) => /no playable music/.test(l)));
    // the demo is not saved as part of the DJ's playlist, and leaves once real music arrives
    const real = makeTrack(join(d5, 'real.mp3'), { seconds: 1 });
    await p.add([real]);
    assert.deepEqual(p.list.map((e) => e.track.path), [real]);
  });
});
