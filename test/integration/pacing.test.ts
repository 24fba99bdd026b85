// A live source is read at the mount's write cadence, not once per packet its encoder sends: each wakeup of
// the process costs about 0.1 ms whatever it does, and an encoder writing a frame at a time woke it 38 times
// a second. Counted, not timed: the number of pieces the source's audio entered the buffer in.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fixture } from '../helpers/audio.js';
import { connect } from 'node:net';
import { basic, listen, PASSWORD, sleep, startServer, waitFor } from '../helpers/server.js';

const RATE = 16_000; // 128 kbit/s
const PIECE = 418; // one MP3 frame's worth, every 26 ms, as an encoder writes

/** A source that writes a frame's worth of `data` every 26 ms, as Mixxx, BUTT or ffmpeg -re do. */
async function frameSource(port: number, data: Buffer) {
  const s = connect(port, '127.0.0.1');
  s.on('error', () => {});
  let reply = '';
  s.on('data', (d) => (reply += d));
  s.write(`SOURCE /stream HTTP/1.0\r\nAuthorization: ${basic('source', PASSWORD)}\r\nContent-Type: audio/mpeg\r\n\r\n`);
  await waitFor(() => reply.includes('\r\n\r\n'), 3000, 'source accepted');
  const state = { sent: 0 };
  let pos = 0;
  const timer = setInterval(() => {
    const n = Math.min(PIECE, data.length - pos);
    s.write(data.subarray(pos, pos + n));
    state.sent += n;
    pos = (pos + n) % data.length;
  }, 26);
  return { state, stop: () => (clearInterval(timer), s.destroy()) };
}

/** Chunks appended to /stream's buffer per second while a source writes a frame's worth every 26 ms. */
async function chunksPerSecond(extra: string): Promise<{ perSecond: number; received: number; sent: number }> {
  const srv = await startServer(extra);
  try {
    const m = srv.engine.mounts.get('/stream')!;
    const l = await listen(srv.listenPort, '/stream');
    const src = await frameSource(srv.sourcePort, readFileSync(fixture('mp3', 10)));
    try {
      await waitFor(() => m.source !== null && m.ring.headSeq > 0, 3000, 'source on air');
      await sleep(500);
      const seq0 = m.ring.headSeq;
      const t0 = performance.now();
      await sleep(3000);
      const perSecond = ((m.ring.headSeq - seq0) * 1000) / (performance.now() - t0);
      await sleep(300);
      return { perSecond, received: l.received, sent: src.state.sent };
    } finally {
      src.stop();
      l.close();
    }
  } finally {
    await srv.stop();
  }
}

describe('source read pacing', () => {
  it('reads a source that writes a frame every 26 ms about once per write interval, and loses nothing', async () => {
    const r = await chunksPerSecond('broadcaster {\n  write_interval_ms = 100\n}\n');
    // about 10 reads a second; read as packets came, 38 or more
    assert.ok(r.perSecond < 20, `${r.perSecond.toFixed(1)} chunks a second`);
    // everything the source sent reached the listener, but for the last write interval and a partial frame
    assert.ok(r.received >= r.sent - RATE / 2, `the listener got ${r.received} of ${r.sent}`);
  });

  it('sends a handful of listeners every MP3 frame or so when write_interval_ms is unset', async () => {
    const r = await chunksPerSecond('');
    // one listener: adaptiveWriteInterval gives 26 ms, about 38 reads a second
    assert.ok(r.perSecond > 15 && r.perSecond < 45, `${r.perSecond.toFixed(1)} chunks a second`);
  });

  it('reads it as bytes come with write_interval_ms = 0 (lowest latency)', async () => {
    const r = await chunksPerSecond('broadcaster {\n  write_interval_ms = 0\n}\n');
    assert.ok(r.perSecond > 30, `${r.perSecond.toFixed(1)} chunks a second`);
  });
});
