// The disk fails under a recording: a 2 MB tmpfs that fills up mid-show, then a recordings folder deleted
// mid-show. Each time the recording stops with a reason in the log and the studio, and the stream, its
// source and its listeners carry on as if nothing happened.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RecordingsView, StudioEvent } from '../../src-shared/studio-api.js';
import { decode, fixture } from '../helpers/audio.js';
import { ffmpegSource, kill, listen, sleep, waitFor } from '../helpers/server.js';
import { startRecordingStudio, walkFrames, type RecordingServer } from '../helpers/recording.js';

const BODY = `
playlist {
  enabled = false
}
record {
  enabled = true
  folder = "./recordings"
  mounts = ["/stream"]
}
`;

/** Mounts a 2 MB tmpfs on `dir`; the reason it cannot, or null. */
function mountTmpfs(dir: string): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (e) {
    return `mount -t tmpfs is not permitted here (${String((e as { stderr?: Buffer }).stderr ?? e).trim()})`;
  }
}

describe('recording when the disk fails', () => {
  let srv: RecordingServer;
  let folder: string;
  let skip: string | null = null;
  const notices: string[] = [];
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycast-disk-'));
    folder = join(dir, 'recordings');
    mkdirSync(folder);
    skip = mountTmpfs(folder);
    srv = await startRecordingStudio(dir, BODY);
    srv.service.subscribe((e: StudioEvent) => {
      if (e.type === 'notice') notices.push(e.message);
    });
  });
  after(async () => {
    await srv?.stop();
    if (!skip) execFileSync('umount', ['-l', folder]);
  });

  /** A show with a listener: runs `during` while it is on air, then checks nobody on air noticed. */
  async function showWithListener(name: string, during: () => Promise<void>): Promise<void> {
    const listener = await listen(srv.listenPort, '/stream');
    let connected = false;
    srv.engine.once('source-connect', () => (connected = true));
    const src = ffmpegSource(srv.sourcePort, '/stream', fixture('mp3', 10), { contentType: 'audio/mpeg', format: 'mp3', name });
    try {
      await waitFor(() => connected, 10_000, 'the source');
      await during();
      // after the recording stopped: the source is still on air and the listener still gets audio
      const before = listener.received;
      await sleep(2500);
      assert.ok(srv.engine.mounts.get('/stream')!.source, 'the source is still live');
      assert.ok(!listener.isClosed, 'the listener is still there');
      assert.ok(listener.received - before > 30_000, `the listener got ${listener.received - before} bytes in 2.5 s`);
      const heard = join(tmpdir(), `cycast-heard-${process.pid}.mp3`);
      writeFileSync(heard, listener.audio());
      assert.equal(decode(heard).errors, '', 'what the listener heard decodes cleanly');
      rmSync(heard);
    } finally {
      listener.close();
      await kill(src.child);
    }
  }

  it('stops recording with a reason when the disk fills up; the stream and its listener carry on', async (t) => {
    if (skip) return t.skip(skip);
    // leave about 150 KB: ten seconds of 128 kbit/s
    const free = Number(statfsSync(folder).bavail) * Number(statfsSync(folder).bsize);
    writeFileSync(join(folder, 'filler.bin'), Buffer.alloc(free - 150 * 1024));
    await showWithListener('Full Disk Show', async () => {
      await waitFor(() => srv.recorder.problems.length > 0, 30_000, 'the recording to stop');
    });
    const p = srv.recorder.problems[0];
    assert.match(p.message, /the disk is full/);
    assert.ok(srv.logs.some((l) => /WARN.*recording of \/stream stopped: the disk is full .*the stream goes on/.test(l)), srv.logs.filter((l) => /record/.test(l)).join('\n'));
    assert.ok(notices.some((n) => /Recording of \/stream stopped: the disk is full/.test(n)), `studio notices: ${notices.join(' | ')}`);
    const view = await srv.call<RecordingsView>('recordingsList');
    assert.match(view.problems[0].message, /the disk is full/);
    // what was written is cut at the last whole frame and plays
    rmSync(join(folder, 'filler.bin'));
    const rec = view.recordings.find((r) => r.name === 'Full Disk Show');
    const file = join(folder, rec?.id ?? readdirSync(folder).find((f) => f.endsWith('.mp3'))!);
    const walk = await walkFrames(file, 'mp3');
    assert.equal(walk.trailing + walk.skippedBytes, 0);
    assert.ok(walk.seconds > 3, `${walk.seconds} s were kept`);
    assert.equal(decode(file).errors, '');
  });

  it('stops recording with a reason when the recordings folder is deleted mid-show', async () => {
    // an ordinary folder this time (a mount point cannot be removed); the recorder takes it at the next show
    const elsewhere = join(srv.engine.baseDir, 'elsewhere');
    await srv.engine.applyConfig({ ...srv.engine.config, record: { ...srv.engine.config.record, folder: './elsewhere' } });
    const problems = srv.recorder.problems.length;
    await showWithListener('Vanishing Folder', async () => {
      await waitFor(async () => (await srv.recorder.list()).recordings.some((r) => r.state === 'recording'), 10_000, 'the recording');
      await sleep(2000);
      rmSync(elsewhere, { recursive: true });
      await waitFor(() => srv.recorder.problems.length > problems, 5000, 'the recording to stop');
    });
    assert.match(srv.recorder.problems[0].message, /Vanishing Folder\.mp3 or its folder .*elsewhere was removed/);
    assert.ok(srv.logs.some((l) => /WARN.*recording of \/stream stopped: the recording .* was removed; the stream goes on/.test(l)));
  });
});
