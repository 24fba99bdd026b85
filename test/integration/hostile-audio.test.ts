// Hostile audio against a real engine: an Ogg source flooding resync candidates, live sources stuck in a
// claimed giant tag, Ogg files whose granules claim an hour, and a music folder with symlink loops.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fixture, makeTrack } from '../helpers/audio.js';
import { forgePage, mapGranules, oggPages } from '../helpers/ogg-pages.js';
import { basic, get, listen, pacedSource, PASSWORD, sleep, startServer, waitFor } from '../helpers/server.js';

function tmp(name: string): string {
  const d = join(tmpdir(), `cycast-hostile-${process.pid}-${name}`);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
  return d;
}

/** A raw Icecast source on `mount`, logged in; resolves once the server said 200. */
async function rawSource(port: number, mount: string, contentType: string): Promise<Socket> {
  const s = connect(port, '127.0.0.1');
  s.on('error', () => {});
  let reply = '';
  s.on('data', (d) => (reply += d));
  s.write(`SOURCE ${mount} HTTP/1.0\r\nAuthorization: ${basic('source', PASSWORD)}\r\nContent-Type: ${contentType}\r\n\r\n`);
  await waitFor(() => reply.includes('\r\n\r\n'), 3000, 'source accepted');
  assert.match(reply, /^HTTP\/1\.0 200/);
  return s;
}

const closed = (s: Socket): Promise<void> => new Promise((r) => (s.destroyed ? r() : s.once('close', () => r())));

describe('hostile audio', () => {
  it('an Ogg source flooding resync candidates never stalls another mount, and is dropped for sending no audio', async () => {
    const srv = await startServer('advanced {\n  source_timeout = 2\n}\n');
    const live = await pacedSource(srv.sourcePort, '/stream', readFileSync(fixture('mp3', 20)), 16000);
    try {
      await waitFor(() => srv.engine.mounts.get('/stream')!.source !== null, 3000, 'live source');
      const cap = await listen(srv.listenPort, '/stream');
      await waitFor(() => cap.received > 16000, 3000, 'listener audio');
      // one valid page, then 4 MiB of "OggS" candidates each claiming a ~58 KiB page (version 0, flags 0)
      const firstPage = oggPages(readFileSync(fixture('ogg', 2)))[0];
      const unit = Buffer.concat([Buffer.from('OggS\0\0'), Buffer.alloc(26, 0xff)]);
      const flood = Buffer.alloc(4 << 20);
      for (let p = 0; p < flood.length; p += unit.length) unit.copy(flood, p);
      const attacker = await rawSource(srv.sourcePort, '/x.ogg', 'audio/ogg');
      const from = cap.arrivals.length;
      // the burst, then more at 256 KB/s (for at most 8 s) so the socket never times out
      attacker.write(Buffer.concat([firstPage, flood]));
      // measured from here: the engine framing the flood, not this test building and writing it
      const loopDelay = monitorEventLoopDelay({ resolution: 5 });
      loopDelay.enable();
      const t0 = performance.now();
      const more = setInterval(() => {
        if (performance.now() - t0 < 8000 && !attacker.destroyed) attacker.write(flood.subarray(0, 64 * 1024));
      }, 250);
      await sleep(3000);
      loopDelay.disable();
      // printed, not asserted (this machine is shared): how long framing the flood held the event loop
      console.log(`# event loop delay during the flood: max ${(loopDelay.max / 1e6).toFixed(1)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms`);
      // the listener of the other mount kept receiving all along (before the fix: nothing for ~28 s)
      const times = [t0, ...cap.arrivals.slice(from).map(([, t]) => t), performance.now()];
      let gap = 0;
      for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i] - times[i - 1]);
      assert.ok(gap < 1500, `the /stream listener got nothing for ${gap.toFixed(0)} ms`);
      const status = await get(srv.url('/status-json.xsl'));
      assert.equal(status.status, 200);
      await waitFor(() => srv.logs.some((l) => /source on \/x\.ogg .*no playable ogg audio for 2s/.test(l)), 5000, 'the flooding source dropped');
      await closed(attacker);
      clearInterval(more);
      cap.close();
    } finally {
      await live.stop();
      await srv.stop();
    }
  });

  const id3Huge = Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0x7f, 0x7f, 0x7f, 0x7f]);
  const apeHuge = Buffer.alloc(32);
  apeHuge.write('APETAGEX', 0, 'latin1');
  apeHuge.writeUInt32LE(2000, 8);
  apeHuge.writeUInt32LE(0xfffffff0, 12);
  apeHuge.writeUInt32LE(0xa0000000, 20);
  for (const [name, tag] of [['an ID3v2 tag claiming 256 MiB', id3Huge], ['an APE tag claiming 4 GiB', apeHuge]] as const) {
    it(`a live source stuck in ${name} is dropped after source_timeout`, async () => {
      const srv = await startServer('advanced {\n  source_timeout = 2\n}\n');
      const s = await rawSource(srv.sourcePort, '/tag.mp3', 'audio/mpeg');
      let timer: NodeJS.Timeout | null = null;
      try {
        const mp3 = readFileSync(fixture('mp3', 4));
        s.write(mp3.subarray(0, 32 * 1024));
        await waitFor(() => (srv.engine.mounts.get('/tag.mp3')?.secondsIn ?? 0) > 1, 3000, 'audio on air');
        s.write(tag);
        // then a steady trickle of bytes (they keep the socket timeout at bay) for at most 8 s
        const t0 = Date.now();
        timer = setInterval(() => {
          if (Date.now() - t0 < 8000 && !s.destroyed) s.write(Buffer.alloc(2048));
        }, 50);
        await Promise.race([closed(s), sleep(8000)]);
        assert.ok(s.destroyed, 'the source is still on air after 8 s');
        const line = srv.logs.find((l) => /source on \/tag\.mp3 .*dropped: no playable mp3 audio for 2s/.test(l));
        assert.ok(line, srv.logs.filter((l) => l.includes('/tag.mp3')).join('\n'));
        assert.ok(Date.now() - t0 < 6000, `dropped after ${Date.now() - t0} ms`);
      } finally {
        if (timer) clearInterval(timer);
        s.destroy();
        await srv.stop();
      }
    });
  }

  it('AutoDJ plays Ogg files whose granules claim an hour for as long as their audio, then moves on', async () => {
    const music = tmp('granules');
    // a 3 s piece cut from a live recording: granules start at 1 h
    const cutFrom = makeTrack(join(music, 'src.tmp'), { seconds: 3, codec: 'ogg', title: 'Cut' });
    writeFileSync(join(music, 'a-cut.ogg'), mapGranules(readFileSync(cutFrom), (g) => g + 3600n * 44100n));
    // real Vorbis headers, then 150 pages of 255 empty packets each claiming 255 long blocks (~15 min)
    const pages = oggPages(readFileSync(makeTrack(join(music, 'hdr.tmp'), { seconds: 1, codec: 'ogg', title: 'Empty' })));
    const serial = pages[0].readUInt32LE(14);
    const forged = Array.from({ length: 150 }, (_, i) => forgePage(serial, 3 + i, BigInt((i + 1) * 255 * 1024), new Array(255).fill(0)));
    writeFileSync(join(music, 'b-empty.ogg'), Buffer.concat([...pages.filter((p) => p.readBigInt64LE(6) === 0n).slice(0, 3), ...forged]));
    makeTrack(join(music, 'c-after.ogg'), { seconds: 5, codec: 'ogg', title: 'After' });
    rmSync(cutFrom);
    rmSync(join(music, 'hdr.tmp'));
    const srv = await startServer('mount "/ogg" {\n  format = "ogg"\n}\n', '', { playlist: `enabled = true\n  directory = "${music}"\n  shuffle = false`, demoTracks: [] });
    try {
      const f = srv.engine.feederOf('/ogg')!;
      await waitFor(() => f.nowPlaying !== null, 5000, 'first track');
      const list = f.playlist!.list.filter((e) => !e.problem);
      assert.deepEqual(list.map((e) => e.track.path.split('/').pop()), ['a-cut.ogg', 'b-empty.ogg', 'c-after.ogg']);
      assert.ok(list[0].track.duration < 4, `the cut file is ${list[0].track.duration} s long`);
      assert.ok(list[1].track.duration < 10, `the empty-packet file is ${list[1].track.duration} s long`);
      // 3 s of audio and a few seconds of bytes (before the fix: an hour, then a quarter of one)
      await waitFor(() => f.nowPlaying?.entry.track.title === 'After', 20000, '"After" on air');
    } finally {
      await srv.stop();
    }
  });

  it('a music folder with symlink loops is walked once: each file listed once, and the AutoDJ plays', async () => {
    const music = tmp('loops');
    makeTrack(join(music, 'a.mp3'), { seconds: 3, title: 'A' });
    mkdirSync(join(music, 'sub'));
    makeTrack(join(music, 'sub', 'b.mp3'), { seconds: 3, title: 'B' });
    symlinkSync('.', join(music, 'l1'));
    symlinkSync('.', join(music, 'l2'));
    symlinkSync('..', join(music, 'sub', 'up'));
    symlinkSync('../a.mp3', join(music, 'sub', 'same-as-a.mp3'));
    const srv = await startServer('', '', { playlist: `enabled = true\n  directory = "${music}"\n  shuffle = false`, demoTracks: [] });
    try {
      const f = srv.engine.feederOf('/stream')!;
      // before the fix: 2^16 paths through the loops, 50,000 probes of the same two files
      await waitFor(() => f.summary().tracks > 0, 10000, 'the playlist loaded');
      assert.deepEqual(f.playlist!.list.map((e) => e.track.path).sort(), [join(music, 'a.mp3'), join(music, 'sub', 'b.mp3')]);
      await waitFor(() => f.nowPlaying !== null, 5000, 'a track on air');
      const cap = await listen(srv.listenPort, '/stream');
      await waitFor(() => cap.received > 8000, 5000, 'listener audio');
      cap.close();
    } finally {
      await srv.stop();
    }
  });
});
