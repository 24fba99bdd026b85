// A server killed with SIGKILL while recording (the headless CLI in a child process, as it runs for real):
// each file plays up to the kill, within the one second of audio the recorder may still hold in memory,
// and the next start measures it, cuts any partial frame and marks the show interrupted.

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RecordingsView } from '../../src-shared/studio-api.js';
import { decode, fixture } from '../helpers/audio.js';
import { ADMIN, basic, ffmpegSource, freePort, freePortPair, kill, listen, PASSWORD, run, sleep, waitFor } from '../helpers/server.js';
import { walkFrames } from '../helpers/recording.js';
import { repoRoot } from '../helpers/paths.js';

const BIN = join(repoRoot, 'bin/cycast.js');

async function config(dir: string): Promise<{ path: string; source: number; listen: number }> {
  const source = await freePortPair();
  const listenPort = await freePort();
  const path = join(dir, 'config.hcl');
  writeFileSync(path, `server {
  host = "127.0.0.1"
  source_port = ${source}
  listen_port = ${listenPort}
  source_password = "${PASSWORD}"
}
admin {
  user = "${ADMIN.user}"
  password = "${ADMIN.password}"
}
playlist {
  enabled = false
}
mount "/live.ogg" {
  format = "ogg"
}
record {
  enabled = true
  folder = "./recordings"
  mounts = ["/stream", "/live.ogg"]
}
`);
  return { path, source, listen: listenPort };
}

function startCli(configPath: string) {
  const p = run('node', [BIN, '--headless', '--config', configPath]);
  return { ...p, up: waitFor(() => p.output().includes('Press Ctrl+C'), 15_000, 'the headless server') };
}

describe('recording through a crash', () => {
  it('keeps everything up to a kill -9, and the next start finishes the sidecars', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'cycast-crash-'));
    const cfg = await config(dir);
    const server = startCli(cfg.path);
    const sources: ReturnType<typeof run>[] = [];
    try {
      await server.up;
      const mp3Listener = await listen(cfg.listen, '/stream');
      const oggListener = await listen(cfg.listen, '/live.ogg');
      sources.push(ffmpegSource(cfg.source, '/stream', fixture('mp3', 10), { contentType: 'audio/mpeg', format: 'mp3', name: 'Crash Show' }));
      sources.push(ffmpegSource(cfg.source, '/live.ogg', fixture('ogg', 10), { contentType: 'audio/ogg', format: 'ogg', name: 'Crash Ogg' }));
      await waitFor(() => (server.output().match(/recording the live show/g) ?? []).length === 2, 15_000, 'both shows recording');
      await sleep(8000);
      await kill(server.child);
      await Promise.all([mp3Listener.closed, oggListener.closed]);
      for (const s of sources) await kill(s.child);

      const folder = join(dir, 'recordings');
      const files = readdirSync(folder).sort();
      const mp3 = files.find((f) => f.endsWith('Crash Show.mp3'))!;
      const ogg = files.find((f) => f.endsWith('Crash Ogg.ogg'))!;
      assert.ok(mp3 && ogg, `recordings: ${files.join(', ')}`);
      for (const [file, listener, format] of [[mp3, mp3Listener, 'mp3'], [ogg, oggListener, 'ogg']] as const) {
        const path = join(folder, file);
        const heard = join(dir, `heard.${format}`);
        writeFileSync(heard, listener.audio());
        const played = (await walkFrames(heard, format)).seconds;
        const walk = await walkFrames(path, format);
        assert.equal(walk.skippedBytes, 0, `${file}: only frames`);
        assert.equal(decode(path).errors, '', `${file} decodes cleanly as the kill left it`);
        // the listener heard the show up to the kill; the file may lack at most the last flush interval
        t.diagnostic(`${format}: ${walk.seconds.toFixed(2)} s on disk after the kill, ${played.toFixed(2)} s heard by a listener`);
        assert.ok(walk.seconds <= played + 0.1 && walk.seconds >= played - 1.5, `${file}: ${walk.seconds.toFixed(2)} s on disk, ${played.toFixed(2)} s heard`);
        assert.ok(walk.seconds > 4, `${file}: ${walk.seconds} s`);
      }

      // the next start: both shows measured and marked interrupted, partial frames cut
      const again = startCli(cfg.path);
      try {
        await again.up;
        await waitFor(() => (again.output().match(/was not finished/g) ?? []).length === 2, 10_000, 'the interrupted shows noticed');
        const res = await fetch(`http://127.0.0.1:${cfg.listen}/studio/api/call`, {
          method: 'POST',
          headers: { Authorization: basic(ADMIN.user, ADMIN.password), 'Content-Type': 'application/json', 'X-Cycast-Studio': '1' },
          body: JSON.stringify({ method: 'recordingsList', args: [] }),
        });
        const view = ((await res.json()) as { result: RecordingsView }).result;
        assert.equal(view.recordings.length, 2);
        for (const r of view.recordings) {
          assert.equal(r.state, 'interrupted');
          const walk = await walkFrames(join(folder, r.id), r.format);
          assert.equal(walk.trailing, 0, `${r.id} ends on a whole ${r.format === 'ogg' ? 'page' : 'frame'}`);
          assert.ok(Math.abs(r.duration - walk.seconds) < 0.05, `${r.id}: sidecar ${r.duration} s, file ${walk.seconds} s`);
        }
      } finally {
        await kill(again.child);
      }
    } finally {
      for (const s of sources) await kill(s.child);
      await kill(server.child);
    }
  });
});
