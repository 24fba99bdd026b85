// AutoDJ against a real engine and real listeners: pacing, gapless joins, live/AutoDJ switching with ffmpeg,
// the grace period, the kick ban, broken files, silence.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkConfigText } from '../../src-main/config/load.js';
import { Feeder } from '../../src-main/engine/autodj/feeder.js';
import { Playlist } from '../../src-main/engine/autodj/playlist.js';
import { Logger } from '../../src-main/engine/log/log.js';
import { Mount } from '../../src-main/engine/stream/mount.js';
import { decode, makeTrack } from '../helpers/audio.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { ADMIN, ffmpegSource, get, kill, listen, sleep, startServer, waitFor, type TestServer } from '../helpers/server.js';

/** The audio frames of an MP3 file as ffmpeg's muxer copies them: no ID3 tags, no LAME Info frame. */
function pureFrames(path: string): Buffer {
  return execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', path, '-c', 'copy', '-write_xing', '0', '-id3v2_version', '0', '-f', 'mp3', '-']);
}

async function autodjServer(music: string, opts: { extra?: string; playlist?: string } = {}): Promise<TestServer> {
  return startServer(opts.extra ?? '', '', {
    playlist: `enabled = true\n  directory = "${music}"\n  shuffle = false\n  ${opts.playlist ?? ''}`,
    demoTracks: [],
  });
}

function tmp(name: string): string {
  const d = join(tmpdir(), `cycast-fb-${process.pid}-${name}`);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
  return d;
}

describe('AutoDJ', () => {
  it('logs a track that follows itself once, not on every pass (a one-track playlist, the demo on repeat)', async () => {
    const music = tmp('once');
    makeTrack(join(music, 'ident.mp3'), { seconds: 1, title: 'Ident' });
    const srv = await autodjServer(music);
    try {
      await waitFor(() => (srv.engine.feederOf('/stream')?.nowPlaying?.startedAt ?? 0) > 0, 5000, 'playing');
      const first = srv.engine.feederOf('/stream')!.nowPlaying!.startedAt;
      await waitFor(() => (srv.engine.feederOf('/stream')?.nowPlaying?.startedAt ?? 0) > first + 1500, 8000, 'two more passes');
      assert.equal(srv.logs.filter((l) => / INFO .*AutoDJ playing "Ident"/.test(l)).length, 1, srv.logs.filter((l) => /AutoDJ playing/.test(l)).join('\n'));
    } finally {
      await srv.stop();
    }
  });

  it('paces in real time: sent audio tracks the clock (100 ms lead, within a tick or two) over 8 s', async () => {
    const music = tmp('pace');
    makeTrack(join(music, 'a.mp3'), { seconds: 5, title: 'A' });
    makeTrack(join(music, 'b.mp3'), { seconds: 5, title: 'B', freq: 660 });
    const srv = await autodjServer(music);
    try {
      const f = srv.engine.feederOf('/stream')!;
      await waitFor(() => f.nowPlaying !== null, 5000, 'first track');
      const cap = await listen(srv.listenPort, '/stream');
      const drifts: number[] = [];
      for (let i = 0; i < 16; i++) {
        await sleep(500);
        drifts.push(f.drift);
      }
      cap.close();
      // the feeder runs a constant lead (0.1 s) ahead of real time, give or take a timer tick (and, on a
      // busy machine, a late timer: the clock, not the timer, decides what is due, so it never accumulates)
      for (const d of drifts) assert.ok(d > -0.05 && d < 0.2, `drift ${d.toFixed(3)} s`);
      console.log(`# real clock: lead over 8 s between ${(Math.min(...drifts) * 1000).toFixed(0)} and ${(Math.max(...drifts) * 1000).toFixed(0)} ms`);
      // and the listener received audio at the real-time rate (128 kbit/s), after its burst
      const [b0, t0] = cap.arrivals[Math.floor(cap.arrivals.length / 4)];
      const [b1, t1] = cap.arrivals[cap.arrivals.length - 1];
      const kbps = ((b1 - b0) * 8) / ((t1 - t0) / 1000) / 1000;
      assert.ok(kbps > 115 && kbps < 145, `listener rate ${kbps.toFixed(1)} kbit/s`);
    } finally {
      await srv.stop();
    }
  });

  it('never drifts: 10 minutes on a fake clock end within 50 ms of it', async () => {
    const music = tmp('fake');
    makeTrack(join(music, 'loop.mp3'), { seconds: 7 });
    const log = new Logger();
    const cfg = (await checkConfigText('')).config!;
    const mount = new Mount(cfg.mounts[0], 1 << 20, 8192, { onDrop: () => {}, onTitle: () => {} });
    const playlist = new Playlist({ mount: '/stream', format: 'mp3', directory: music, extensions: ['.mp3'], file: join(music, 'p.m3u8'), shuffle: false, shuffleEachPass: false, repeat: true, fallbackFiles: [], log });
    await playlist.load();
    const clock = new FakeClock();
    const feeder = new Feeder(mount, playlist, log, clock);
    feeder.start();
    const maxDrift: number[] = [];
    for (let step = 0; step < 15_000; step++) {
      clock.advance(40);
      // let the file reads of the read-ahead complete
      if (step % 10 === 0) await new Promise((r) => setImmediate(r));
      if (step % 1500 === 0) maxDrift.push(feeder.drift);
    }
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    clock.advance(40);
    feeder.stop();
    const elapsed = clock.now() / 1000;
    assert.ok(elapsed >= 600);
    const drift = feeder.sentSeconds - elapsed;
    assert.ok(Math.abs(drift) <= 0.15, `drift after ${elapsed}s: ${(drift * 1000).toFixed(1)} ms`);
    // the constant 100 ms lead aside, the error is well under 50 ms
    assert.ok(Math.abs(drift - 0.1) <= 0.05, `pacing error ${((drift - 0.1) * 1000).toFixed(1)} ms`);
    console.log(`# fake clock: after ${elapsed.toFixed(0)} s, ${(drift * 1000).toFixed(1)} ms ahead (lead 100 ms)`);
    assert.ok(mount.secondsIn > 599, `${mount.secondsIn} s appended`);
  });

  it('joins tracks gaplessly: the listener gets A\'s frames then B\'s, byte for byte, tags removed', async () => {
    const music = tmp('gapless');
    // arrival times are measured here: every chunk goes out at once
    const srv = await autodjServer(music, { extra: 'broadcaster {\n  burst_size = 8192\n  write_interval_ms = 0\n}\n' });
    try {
      const f = srv.engine.feederOf('/stream')!;
      await waitFor(() => f.state === 'auto', 3000);
      const cap = await listen(srv.listenPort, '/stream');
      await sleep(300); // silence while the folder is empty
      const a = makeTrack(join(tmpdir(), `cycast-ga-${process.pid}.mp3`), { seconds: 3, title: 'Track A', artist: 'Test', freq: 440 });
      const b = makeTrack(join(tmpdir(), `cycast-gb-${process.pid}.mp3`), { seconds: 3, title: 'Track B', artist: 'Test', freq: 880 });
      const pl = srv.engine.playlistOf('/stream')!;
      pl.setRepeat(false);
      await pl.add([a, b]);
      await waitFor(() => cap.titles.length === 0 && f.nowPlaying?.entry.track.title === 'Track B', 8000, 'track B');
      await waitFor(() => f.nowPlaying === null, 6000, 'end of B');
      const pa = pureFrames(a);
      const pb = pureFrames(b);
      // the feeder is done with B, but its last bytes may still be on their way to this socket on a busy machine
      let got = cap.audio();
      let start = -1;
      await waitFor(() => {
        got = cap.audio();
        start = got.indexOf(pa.subarray(0, 4096));
        return start >= 0 && got.length >= start + pa.length + pb.length;
      }, 5000, 'A and B at the listener').catch(() => {});
      cap.close();
      assert.ok(start >= 0, 'track A found in the capture');
      assert.ok(got.length >= start + pa.length + pb.length, `${got.length - start} of ${pa.length + pb.length} bytes of A and B arrived`);
      const want = Buffer.concat([pa, pb]);
      const seen = got.subarray(start, start + want.length);
      let differs = 0;
      while (differs < want.length && seen[differs] === want[differs]) differs++;
      assert.equal(differs, want.length, `A then B, nothing between: the capture departs from them at byte ${differs} (A is ${pa.length} bytes)`);
      assert.equal(got.indexOf('ID3'), -1);
      assert.equal(got.indexOf('Info'), -1);
      // timestamps at the listener: B's first byte arrived one A-duration after A's first byte
      const at = (offset: number): number => cap.arrivals.find(([b0], i) => b0 <= offset && (cap.arrivals[i + 1]?.[0] ?? Infinity) > offset)![1];
      const aFile = join(tmpdir(), `cycast-pure-a-${process.pid}.mp3`);
      writeFileSync(aFile, pa);
      const gap = (at(start + pa.length) - at(start)) / 1000 - decode(aFile).duration;
      assert.ok(Math.abs(gap) < 0.1, `B started ${gap.toFixed(3)} s off A's length`);
      console.log(`# gapless: B's first frame reached the listener ${(gap * 1000).toFixed(1)} ms off A's length; no bytes between`);
      const file = join(tmpdir(), `cycast-gapless-${process.pid}.mp3`);
      writeFileSync(file, got);
      assert.equal(decode(file).errors, '');
    } finally {
      await srv.stop();
    }
  });

  it('switches to a live DJ and back without dropping the listener', async () => {
    const music = tmp('switch');
    makeTrack(join(music, 'auto1.mp3'), { seconds: 20, title: 'Auto One', artist: 'AutoDJ' });
    makeTrack(join(music, 'auto2.mp3'), { seconds: 20, title: 'Auto Two', artist: 'AutoDJ' });
    const srv = await autodjServer(music, { playlist: 'resume_delay = 1' });
    try {
      const f = srv.engine.feederOf('/stream')!;
      const m = srv.engine.mounts.get('/stream')!;
      await waitFor(() => f.nowPlaying !== null, 5000);
      const cap = await listen(srv.listenPort, '/stream', { icy: true });
      await sleep(2000);
      // the DJ streams 48 kHz, the playlist 44.1 kHz: the sample rate tells who is on air in the capture
      const dj = makeTrack(join(tmpdir(), `cycast-dj-${process.pid}.mp3`), { seconds: 30, sampleRate: 48000, tags: false, freq: 1000 });
      const tLive = performance.now();
      const src = ffmpegSource(srv.sourcePort, '/stream', dj, { contentType: 'audio/mpeg', format: 'mp3', name: 'DJ Night' });
      await waitFor(() => m.source !== null, 8000, 'DJ on air');
      assert.equal(f.state, 'live');
      await sleep(3000);
      await kill(src.child);
      const tGone = performance.now();
      await waitFor(() => f.state === 'auto' && f.nowPlaying !== null, 6000, 'AutoDJ back');
      const tBack = performance.now();
      await sleep(1500);
      assert.equal(cap.isClosed, false, 'the listener was never disconnected');
      cap.close();
      assert.ok(tBack - tGone >= 900, `AutoDJ resumed ${(tBack - tGone).toFixed(0)} ms after the DJ left (resume_delay 1 s)`);
      // titles heard: AutoDJ, then the DJ's stream name, then AutoDJ again (it moves on to the next track)
      const seq = cap.titles.filter((t, i) => t !== cap.titles[i - 1]);
      assert.deepEqual(seq.slice(0, 3), ['AutoDJ - Auto One', 'DJ Night', 'AutoDJ - Auto Two']);
      // the history holds songs: the DJ's stream name stood in as the title on air, but it is no song
      const hist = m.history.slice(0, 2).map((h) => `${h.origin}:${h.title}`).reverse();
      assert.deepEqual(hist, ['auto:AutoDJ - Auto One', 'auto:AutoDJ - Auto Two']);
      assert.ok(!m.history.some((h) => h.title === 'DJ Night'), 'no stream name in the history');
      // the capture decodes: at most a frame's worth of complaint at each switch
      const file = join(tmpdir(), `cycast-switch-${process.pid}.mp3`);
      writeFileSync(file, cap.audio());
      const { errors } = decode(file);
      const errLines = errors.split('\n').filter(Boolean);
      assert.ok(errLines.length <= 4, `decode errors:\n${errors}`);
      // when did the listener first hear the DJ? find the first 48 kHz frame
      const audio = cap.audio();
      let firstDj = -1;
      for (let i = 0; i + 4 < audio.length; i++) {
        if (audio[i] === 0xff && audio[i + 1] === 0xfb && ((audio[i + 2] >> 2) & 3) === 1 && (audio[i + 2] >> 4) !== 0 && (audio[i + 2] >> 4) !== 15) {
          firstDj = i;
          break;
        }
      }
      assert.ok(firstDj > 0, 'DJ audio in the capture');
      const heardAt = cap.arrivals.find(([b0], i) => (cap.arrivals[i + 1]?.[0] ?? Infinity) > firstDj && b0 <= firstDj)![1];
      const switchLatency = heardAt - tLive;
      // ffmpeg needs a moment to start and log in; the audio must then arrive at once, not after stale playlist audio
      assert.ok(switchLatency < 2500, `DJ reached the listener ${switchLatency.toFixed(0)} ms after ffmpeg started`);
      console.log(`# switch: DJ heard ${switchLatency.toFixed(0)} ms after ffmpeg was started; AutoDJ back ${(tBack - tGone).toFixed(0)} ms after the DJ left; ${errLines.length} decoder complaints`);
    } finally {
      await srv.stop();
    }
  });

  it('keeps a DJ whose connection blips within resume_delay on air without the playlist cutting in', async () => {
    const music = tmp('grace');
    makeTrack(join(music, 'auto.mp3'), { seconds: 20, title: 'Auto' });
    const srv = await autodjServer(music, { playlist: 'resume_delay = 3' });
    try {
      const f = srv.engine.feederOf('/stream')!;
      const m = srv.engine.mounts.get('/stream')!;
      await waitFor(() => f.nowPlaying !== null, 5000);
      const dj = makeTrack(join(tmpdir(), `cycast-dj2-${process.pid}.mp3`), { seconds: 30, tags: false });
      const cap = await listen(srv.listenPort, '/stream');
      const first = ffmpegSource(srv.sourcePort, '/stream', dj, { contentType: 'audio/mpeg', format: 'mp3', name: 'DJ' });
      await waitFor(() => m.source !== null, 8000);
      await sleep(1000);
      await kill(first.child);
      await waitFor(() => m.source === null, 3000);
      assert.equal(f.state, 'grace');
      const again = ffmpegSource(srv.sourcePort, '/stream', dj, { contentType: 'audio/mpeg', format: 'mp3', name: 'DJ' });
      await waitFor(() => m.source !== null, 8000, 'DJ back');
      assert.equal(f.state, 'live');
      // the playlist never came back in between: one AutoDJ song, and the title on air is the DJ's
      assert.equal(m.titleOrigin, 'live');
      assert.equal(m.history.filter((h) => h.origin === 'auto').length, 1);
      await kill(again.child);
      await waitFor(() => f.state === 'auto' && f.nowPlaying !== null, 6000, 'AutoDJ after the grace period');
      assert.equal(cap.isClosed, false);
      cap.close();
    } finally {
      await srv.stop();
    }
  });

  it('kicks a DJ from the admin API with a short ban; AutoDJ takes over, the listener stays', async () => {
    const music = tmp('kick');
    makeTrack(join(music, 'auto.mp3'), { seconds: 20, title: 'Auto' });
    const srv = await autodjServer(music, { playlist: 'resume_delay = 0', extra: 'advanced {\n  kick_ban = 2\n}\n' });
    try {
      const m = srv.engine.mounts.get('/stream')!;
      const f = srv.engine.feederOf('/stream')!;
      const dj = makeTrack(join(tmpdir(), `cycast-dj3-${process.pid}.mp3`), { seconds: 30, tags: false });
      const cap = await listen(srv.listenPort, '/stream');
      const src = ffmpegSource(srv.sourcePort, '/stream', dj, { contentType: 'audio/mpeg', format: 'mp3' });
      await waitFor(() => m.source !== null, 8000);
      const r = await get(srv.url('/admin/killsource?mount=/stream'), ADMIN);
      assert.equal(r.status, 200);
      await src.done;
      await waitFor(() => f.state === 'auto', 2000);
      const retry = ffmpegSource(srv.sourcePort, '/stream', dj, { contentType: 'audio/mpeg', format: 'mp3' });
      const out = await retry.done;
      assert.match(out.output, /403|Forbidden/i);
      assert.ok(srv.logs.some((l) => /kicked by an admin, may log in again in \ds/.test(l)));
      await sleep(2100);
      const later = ffmpegSource(srv.sourcePort, '/stream', dj, { contentType: 'audio/mpeg', format: 'mp3' });
      await waitFor(() => m.source !== null, 8000, 'allowed again after the ban');
      await kill(later.child);
      assert.equal(cap.isClosed, false);
      cap.close();
    } finally {
      await srv.stop();
    }
  });

  it('skips corrupt, truncated, empty, wrong-format and vanished files, naming each', async () => {
    const music = tmp('broken');
    makeTrack(join(music, '1-good.mp3'), { seconds: 2, title: 'Good One' });
    writeFileSync(join(music, '2-empty.mp3'), '');
    writeFileSync(join(music, '3-garbage.mp3'), Buffer.alloc(50_000, 0x5a));
    makeTrack(join(music, '4-really-ogg.mp3'), { seconds: 1, codec: 'ogg' });
    makeTrack(join(music, '5-vorbis.ogg'), { seconds: 1, codec: 'ogg' });
    const full = readFileSync(makeTrack(join(tmpdir(), `cycast-trunc-${process.pid}.mp3`), { seconds: 4, title: 'Truncated' }));
    writeFileSync(join(music, '6-truncated.mp3'), full.subarray(0, full.length / 2));
    makeTrack(join(music, '7-vanishes.mp3'), { seconds: 2, title: 'Vanishes' });
    makeTrack(join(music, '8-good.mp3'), { seconds: 2, title: 'Good Two' });
    const srv = await autodjServer(music, { playlist: 'repeat = false' });
    try {
      const f = srv.engine.feederOf('/stream')!;
      await waitFor(() => f.nowPlaying !== null, 5000);
      // the vanishing file goes away before its turn
      rmSync(join(music, '7-vanishes.mp3'));
      const cap = await listen(srv.listenPort, '/stream');
      const played: string[] = [];
      const t0 = performance.now();
      while (performance.now() - t0 < 12_000) {
        const t = f.nowPlaying?.entry.track.title;
        if (t && played[played.length - 1] !== t) played.push(t);
        if (played.includes('Good Two')) break;
        await sleep(50);
      }
      assert.deepEqual(played, ['Good One', 'Truncated', 'Good Two']);
      for (const name of ['2-empty.mp3', '3-garbage.mp3', '4-really-ogg.mp3', '5-vorbis.ogg', '7-vanishes.mp3']) {
        assert.ok(srv.logs.some((l) => l.includes(name) && /skipping|gone from disk/.test(l)), `${name} named in the log`);
      }
      // no audio gap: the listener received data all along (no pause over one second)
      let maxGap = 0;
      for (let i = 1; i < cap.arrivals.length; i++) maxGap = Math.max(maxGap, cap.arrivals[i][1] - cap.arrivals[i - 1][1]);
      assert.ok(maxGap < 1000, `longest pause ${maxGap.toFixed(0)} ms`);
      cap.close();
    } finally {
      await srv.stop();
    }
  });

  for (const fmt of ['mp3', 'aac', 'ogg'] as const) {
    it(`keeps listeners with ${fmt.toUpperCase()} silence when nothing is playable`, async () => {
      const music = tmp(`silence-${fmt}`);
      const srv = await startServer(`mount "/${fmt}" {\n  format = "${fmt}"\n}\n`, '', { playlist: `enabled = true\n  directory = "${music}"`, demoTracks: [] });
      try {
        const cap = await listen(srv.listenPort, `/${fmt}`);
        await sleep(2500);
        cap.close();
        const audio = cap.audio();
        assert.ok(audio.length > 1000, `${audio.length} bytes of silence`);
        const file = join(tmpdir(), `cycast-silence-${process.pid}.${fmt === 'aac' ? 'aac' : fmt}`);
        writeFileSync(file, audio);
        const { errors, duration } = decode(file, fmt === 'aac' ? 'aac' : undefined);
        assert.equal(errors, '');
        assert.ok(duration > 1, `decoded ${duration} s`);
        // it is silence: the decoded peak is zero
        const pcm = execFileSync('ffmpeg', ['-hide_banner', '-v', 'error', '-i', file, '-f', 's16le', '-ac', '1', '-']);
        let peak = 0;
        for (let i = 0; i + 1 < pcm.length; i += 2) peak = Math.max(peak, Math.abs(pcm.readInt16LE(i)));
        assert.ok(peak < 50, `peak ${peak}`);
      } finally {
        await srv.stop();
      }
    });
  }
});
