// The recorder's pure parts (file names, cue sheets, byte ranges, retention plans, the record block) and its
// queue bound, against a disk that stops taking data: a FIFO nobody reads.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkConfigText } from '../../src-main/config/load.js';
import { createFramer } from '../../src-main/engine/protocol/framing/index.js';
import type { RecordingEntry } from '../../src-main/recording/library.js';
import { planRetention, validId } from '../../src-main/recording/library.js';
import { cueSheet, extensionFor, recordingBase, safeName } from '../../src-main/recording/names.js';
import { ShowWriter } from '../../src-main/recording/show-writer.js';
import { attachmentHeader, parseRange } from '../../src-main/web/file-range.js';
import { fixture } from '../helpers/audio.js';
import { waitFor } from '../helpers/server.js';

describe('recording file names', () => {
  it('makes stream names safe for every file system, never empty, never hidden', () => {
    assert.equal(safeName('Friday Night / Live: "Test"'), 'Friday Night _ Live_ _Test_');
    assert.equal(safeName('a\\b*c?d<e>f|g\u0000h\nnew'), 'a_b_c_d_e_f_g_h_new');
    assert.equal(safeName('..hidden.'), 'hidden');
    assert.equal(safeName('   '), 'Live');
    assert.equal(safeName('../../etc/passwd'), '_.._etc_passwd');
    assert.equal([...safeName('ü'.repeat(500))].length, 80);
    assert.equal(safeName('Björk 🎶 Live'), 'Björk 🎶 Live');
  });

  it('names a show by its local start time and stream name', () => {
    const t = new Date(2026, 11, 1, 20, 15, 42).getTime();
    assert.equal(recordingBase(t, 'Stream Name'), '2026-12-01 20-15 Stream Name');
    assert.equal(recordingBase(t, 'Stream Name', 2), '2026-12-01 20-15 Stream Name (2)');
    assert.equal(extensionFor('ogg', 'Opus'), '.opus');
    assert.equal(extensionFor('ogg', 'Vorbis'), '.ogg');
    assert.equal(extensionFor('aac', ''), '.aac');
  });

  it('accepts only plain file names as recording ids', () => {
    for (const bad of ['', '../x.mp3', 'a/b.mp3', '.hidden.mp3', 'a\\b.mp3', 'x\u0000.mp3', 'x'.repeat(256)]) assert.equal(validId(bad), false, JSON.stringify(bad));
    assert.equal(validId('2026-12-01 20-15 Stream Name.mp3'), true);
  });

  it('writes a cue sheet whose first track begins at 0, with quotes and line breaks defused', () => {
    const cue = cueSheet('show.mp3', 'mp3', 'My "Show"', [{ offset: 65.5, title: 'Song\r\nTRACK 99 AUDIO' }, { offset: 3600, title: 'Late' }]);
    assert.equal(cue, [
      `TITLE "My 'Show'"`, 'FILE "show.mp3" MP3',
      '  TRACK 01 AUDIO', `    TITLE "My 'Show'"`, '    INDEX 01 00:00:00',
      '  TRACK 02 AUDIO', `    TITLE "Song''TRACK 99 AUDIO"`, '    INDEX 01 01:05:38',
      '  TRACK 03 AUDIO', '    TITLE "Late"', '    INDEX 01 60:00:00', '',
    ].join('\r\n'));
  });
});

describe('byte ranges', () => {
  const size = 1000;
  it('gives one range, an open range, a suffix, or the whole file', () => {
    assert.equal(parseRange(undefined, size), 'whole');
    assert.deepEqual(parseRange('bytes=0-99', size), { start: 0, end: 99 });
    assert.deepEqual(parseRange('bytes=900-', size), { start: 900, end: 999 });
    assert.deepEqual(parseRange('bytes=990-5000', size), { start: 990, end: 999 });
    assert.deepEqual(parseRange('bytes=-100', size), { start: 900, end: 999 });
    assert.deepEqual(parseRange('bytes=-5000', size), { start: 0, end: 999 });
    assert.deepEqual(parseRange(' Bytes = 5 - 9 ', size), { start: 5, end: 9 });
    assert.equal(parseRange('bytes=0-1,5-6', size), 'whole', 'several ranges may be answered whole');
    assert.equal(parseRange('items=0-1', size), 'whole', 'another unit is ignored');
  });

  it('refuses what cannot be served', () => {
    for (const bad of ['bytes=1000-', 'bytes=5-2', 'bytes=-0', 'bytes=abc', 'bytes=', 'bytes=1e3-', 'bytes=0x10-', 'bytes=--5', 'bytes=1-2-3', 'bytes=9999999999999999-', 'garbage', 'bytes=٣-']) {
      assert.equal(parseRange(bad, size), 'unsatisfiable', bad);
    }
    assert.equal(parseRange('bytes=0-', 0), 'unsatisfiable', 'nothing in an empty file');
    assert.equal(parseRange('bytes=' + '1'.repeat(100000) + '-', size), 'unsatisfiable', 'a huge number is refused at once');
  });

  it('names a download in ASCII and UTF-8', () => {
    assert.equal(attachmentHeader('Björk "Live".mp3'), `attachment; filename="Bj_rk _Live_.mp3"; filename*=UTF-8''Bj%C3%B6rk%20%22Live%22.mp3`);
  });
});

function entry(id: string, startedAt: number, totalBytes: number): RecordingEntry {
  return { id, audioPath: `/r/${id}`, audioBytes: totalBytes, totalBytes, sidecar: { startedAt } as RecordingEntry['sidecar'] };
}

describe('retention plan', () => {
  const day = 86_400_000;
  const now = 100 * day;
  const all = [entry('c', now - 1 * day, 300), entry('a', now - 95 * day, 100), entry('b', now - 10 * day, 200), entry('d', now - 0.5 * day, 400)];

  it('deletes what is too old, then the oldest until the total fits, never a show being recorded', () => {
    const plan = planRetention(all, { maxBytes: 600, keepDays: 90, now, keep: new Set(['b']) });
    assert.deepEqual(plan.map((p) => p.entry.id), ['a', 'c']);
    assert.match(plan[0].why, /older than 90 days/);
    assert.match(plan[1].why, /more than/);
  });

  it('keeps everything with no limits, and stops at the limit', () => {
    assert.deepEqual(planRetention(all, { maxBytes: 0, keepDays: 0, now, keep: new Set() }), []);
    assert.deepEqual(planRetention(all, { maxBytes: 1000, keepDays: 0, now, keep: new Set() }), []);
    assert.deepEqual(planRetention(all, { maxBytes: 999, keepDays: 0, now, keep: new Set() }).map((p) => p.entry.id), ['a']);
  });
});

describe('the record block', () => {
  it('has defaults that record nothing, and checks its values', async () => {
    const plain = await checkConfigText('server {\n  source_password = "x"\n}\n');
    assert.deepEqual(plain.config!.record, { enabled: false, folder: './recordings', mounts: ['/stream'], max_total_mb: 20000, keep_days: 90 });
    const bad = await checkConfigText('record {\n  mounts = ["stream", "/ok"]\n  max_total_mb = -1\n  folder = ""\n}\n');
    const msgs = bad.errors.map((e) => e.message).join('\n');
    assert.match(msgs, /record\.mounts must be a list of mount paths like \["\/stream"\]: "stream" must be a URL path/);
    assert.match(msgs, /record\.max_total_mb must be between 0 and/);
    assert.match(msgs, /record\.folder must not be empty/);
  });

  it('is in the bundled config.hcl, recording /stream', async () => {
    const r = await checkConfigText(readFileSync(join(process.cwd(), 'config/config.hcl'), 'utf8'));
    assert.equal(r.config!.record.enabled, true);
    assert.deepEqual(r.config!.record.mounts, ['/stream']);
  });
});

describe('the show writer queue', () => {
  it('stops recording at the bound when the disk takes nothing, and lets go of the audio', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycast-queue-'));
    const fifo = join(dir, 'stuck');
    execFileSync('mkfifo', [fifo]);
    // a "disk" that never answers: opening a FIFO for writing waits for a reader
    const { open } = await import('node:fs/promises');
    const problems: string[] = [];
    const w = new ShowWriter(
      { mount: '/stream', name: 'Stuck', description: '', genre: '', url: '', source: { ip: '127.0.0.1', userAgent: '', protocol: 'icecast-put' }, format: 'mp3', contentType: 'audio/mpeg', codec: '', startedAt: Date.now() },
      () => 'MPEG-1 Layer 3',
      { folder: dir, maxQueueBytes: 64 * 1024, flushMs: 1000, prepare: async () => void (await open(fifo, 'w')).close(), onProblem: (_w, m) => problems.push(m) },
    );
    const frames = createFramer('mp3').push(readFileSync(fixture('mp3', 10)));
    let fed = 0;
    for (const f of frames) {
      w.onFrames([f]);
      fed += f.data.length;
      if (problems.length) break;
    }
    assert.equal(problems.length, 1);
    assert.match(problems[0], /the disk cannot keep up: 0\.1 MB of audio were waiting/);
    assert.ok(fed > 64 * 1024 && fed < 64 * 1024 + 2000, `stopped after ${fed} bytes`);
    assert.equal(w.bytes, 0, 'the queued audio is dropped at once');
    w.onFrames(frames.slice(0, 100));
    assert.equal(w.bytes, 0, 'nothing is taken after the stop');
    // let the stuck open finish so the test ends: a reader appears
    const reader = spawn('cat', [fifo], { stdio: 'ignore' });
    await w.end();
    await waitFor(() => reader.exitCode !== null, 5000, 'the reader');
  });
});

describe('the show writer sidecar', () => {
  it('keeps the codec of its show when the mount gets a fresh framer for the next source', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycast-codec-'));
    // the mount's framer, as Mount.resetFramer replaces it when the next source connects
    let framer = createFramer('mp3');
    const frames = framer.push(readFileSync(fixture('mp3', 2)));
    const w = new ShowWriter(
      { mount: '/stream', name: 'Codec Show', description: '', genre: '', url: '', source: { ip: '127.0.0.1', userAgent: '', protocol: 'icecast-put' }, format: 'mp3', contentType: 'audio/mpeg', codec: '', startedAt: Date.now() },
      () => framer.info?.codec ?? '',
      { folder: dir, maxQueueBytes: 1 << 20, flushMs: 1000, prepare: async () => undefined, onProblem: () => undefined },
    );
    w.onFrames(frames);
    await waitFor(() => w.state === 'recording', 2000, 'the file');
    for (let i = 0; i < 6000; i++) w.addTitle(`title ${i}`);
    framer = createFramer('mp3');
    await w.end();
    const sidecar = JSON.parse(readFileSync(join(dir, w.file!.replace(/\.mp3$/, '.json')), 'utf8'));
    assert.equal(sidecar.codec, 'MPEG-1 Layer III');
    assert.equal(sidecar.state, 'complete');
    assert.equal(sidecar.titles.length, 5000, 'a flood of titles is capped');
    assert.ok(Math.abs(sidecar.duration - 2) < 0.1, `${sidecar.duration} s`);
  });
});
