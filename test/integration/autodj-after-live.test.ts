// The AutoDJ taking over from a live show, with tracks that were added to an exhausted playlist while the
// show was on: they play one after the other, each file read by one reader that is closed when it is done.
// (playlist.advance() emits 'change' synchronously; the feeder's listener once took that for "music added
// while idle" and started a second read loop on the next track: two tracks' frames interleaved on air, and
// the second reader's file handle was never closed; Node 22 reported it when the handle was collected.)

import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkConfigText } from '../../src-main/config/load.js';
import { Feeder } from '../../src-main/engine/autodj/feeder.js';
import { Playlist } from '../../src-main/engine/autodj/playlist.js';
import { Logger } from '../../src-main/engine/log/log.js';
import { Mount } from '../../src-main/engine/stream/mount.js';
import { makeTrack } from '../helpers/audio.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { waitFor } from '../helpers/server.js';

/** The files under `folder` this process holds open. */
function openFilesIn(folder: string): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(folder)) out.push(target);
    } catch {
      // closed between the listing and the look
    }
  }
  return out;
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

describe('AutoDJ after a live show', () => {
  it('plays the tracks added during the show one at a time, and closes every file it opened', async () => {
    const music = join(tmpdir(), `cycast-after-live-${process.pid}`);
    rmSync(music, { recursive: true, force: true });
    mkdirSync(music, { recursive: true });
    // longer than the read-ahead (3 s): a reader is still open on its file when the feeder stops
    const a = makeTrack(join(music, 'a.mp3'), { seconds: 6, title: 'Track A', freq: 440 });
    const b = makeTrack(join(music, 'b.mp3'), { seconds: 6, title: 'Track B', freq: 660 });
    const log = new Logger();
    const mount = new Mount((await checkConfigText('')).config!.mounts[0], 1 << 20, 8192, { onDrop: () => {}, onTitle: () => {} });
    // an empty, non-repeating playlist: the AutoDJ starts exhausted
    const playlist = new Playlist({ mount: '/stream', format: 'mp3', directory: join(music, 'none'), extensions: ['.mp3'], file: join(music, 'p.m3u8'), shuffle: false, shuffleEachPass: false, repeat: false, fallbackFiles: [], log });
    await playlist.load();
    const clock = new FakeClock();
    const feeder = new Feeder(mount, playlist, log, clock);
    try {
      feeder.start();
      await settle();
      // a DJ goes on air; tracks are added meanwhile (nothing to start: the AutoDJ is off air)
      feeder.goLive();
      await playlist.add([a, b]);
      feeder.liveEnded(0);
      const onAir: string[] = [];
      for (let step = 0; step < 30; step++) {
        clock.advance(40);
        await settle();
        const t = feeder.nowPlaying?.entry.track.title;
        if (t && t !== onAir[onAir.length - 1]) onAir.push(t);
      }
      assert.deepEqual(onAir, ['Track A'], 'the first added track, alone, for its first second');
      assert.deepEqual(openFilesIn(music), [a], 'only the track being read is open');
    } finally {
      feeder.stop();
      await settle();
      playlist.close();
    }
    // closing a file handle takes a trip to the thread pool: wait for it, but not forever
    await waitFor(() => openFilesIn(music).length === 0, 3000, 'no file left open').catch(() => {});
    assert.deepEqual(openFilesIn(music), [], 'no file left open');
    rmSync(music, { recursive: true, force: true });
  });
});
