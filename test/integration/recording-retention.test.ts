// Retention against real recordings: three shows against a 0.3 MB limit delete the oldest, logged; then an
// age limit clears what is older. Shows are sent by a raw SOURCE client at four times real time.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RecordingsView } from '../../src-shared/studio-api.js';
import { fixture } from '../helpers/audio.js';
import { pacedSource, sleep, waitFor } from '../helpers/server.js';
import { startRecordingStudio, type RecordingServer } from '../helpers/recording.js';

const BODY = `
playlist {
  enabled = false
}
record {
  enabled = true
  folder = "./recordings"
  mounts = ["/stream"]
  max_total_mb = 0.3
  keep_days = 0
}
`;

describe('recording retention', () => {
  let srv: RecordingServer;
  before(async () => {
    srv = await startRecordingStudio(mkdtempSync(join(tmpdir(), 'cycast-keep-')), BODY);
  });
  after(async () => {
    await srv?.stop();
  });

  const list = (): Promise<RecordingsView> => srv.call<RecordingsView>('recordingsList');

  /** One show of about 128 KB (8 s of 128 kbit/s sent in 2 s); resolves with its recording's id once finished. */
  async function show(): Promise<string> {
    const known = new Set((await list()).recordings.map((r) => r.id));
    const src = await pacedSource(srv.sourcePort, '/stream', readFileSync(fixture('mp3', 10)), 64_000);
    await sleep(2000);
    await src.stop();
    let id = '';
    await waitFor(async () => {
      const r = (await list()).recordings.find((x) => !known.has(x.id));
      id = r?.state === 'complete' ? r.id : '';
      return id !== '';
    }, 10_000, 'the show to be recorded');
    return id;
  }

  it('deletes the oldest recordings when all of them take more than max_total_mb', async () => {
    const a = await show();
    const b = await show();
    const both = await list();
    assert.deepEqual(both.recordings.map((r) => r.id), [b, a]);
    assert.ok(both.totalBytes < 0.3 * 1048576, `two shows take ${both.totalBytes} bytes`);
    const c = await show();
    await waitFor(async () => !(await list()).recordings.some((r) => r.id === a), 5000, 'the oldest to be deleted');
    const v = await list();
    assert.deepEqual(v.recordings.map((r) => r.id), [c, b]);
    assert.ok(v.totalBytes <= 0.3 * 1048576);
    for (const ext of ['.mp3', '.json', '.cue']) assert.ok(!existsSync(join(srv.recorder.folder, a.replace(/\.mp3$/, ext))));
    await waitFor(() => srv.logs.some((l) => l.includes(`recordings: deleted ${a}`) && l.includes('record.max_total_mb')), 2000, 'the deletion logged with its reason');
  });

  it('deletes recordings older than keep_days, and leaves files that are not recordings alone', async () => {
    const stranger = join(srv.recorder.folder, 'my own mix.mp3');
    writeFileSync(stranger, readFileSync(fixture('mp3', 2)));
    // two seconds, in days
    await srv.engine.applyConfig({ ...srv.engine.config, record: { ...srv.engine.config.record, max_total_mb: 0.001, keep_days: 2 / 86400 } });
    await sleep(2100);
    await srv.recorder.applyRetention();
    assert.equal((await list()).recordings.length, 0);
    assert.ok(srv.logs.some((l) => /recordings: deleted .*older than .* days \(record\.keep_days\)/.test(l)));
    assert.ok(existsSync(stranger), 'a file without our sidecar is never deleted');
  });
});
