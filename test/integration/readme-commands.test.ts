// The commands the README gives a DJ, run as written (HOST, PASSWORD, the port and song.mp3 filled in):
// each must put a source on air, or set the title, on a real server.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixture } from '../helpers/audio.js';
import { repoRoot } from '../helpers/paths.js';
import { PASSWORD, startServer, waitFor, type TestServer } from '../helpers/server.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

/** The README's command that starts with `start` (inside backticks, in a table row or a code block). */
function command(start: string): string {
  const m = new RegExp('(?:`|^)(' + start.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '[^`\\n]*)', 'm').exec(readme);
  assert.ok(m, `the README shows a command starting with ${start}`);
  return m[1].trim();
}

describe('the README\'s DJ commands, as written', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer();
  });
  after(() => srv.stop());

  const fill = (cmd: string): string =>
    cmd.replaceAll('HOST', '127.0.0.1').replaceAll('PASSWORD', PASSWORD).replaceAll(':8000', `:${srv.sourcePort}`).replaceAll('-P 8000', `-P ${srv.sourcePort}`).replaceAll('song.mp3', fixture('mp3', 10));

  /** Runs a command line in its own process group, so that stopping it stops every program in it. */
  const shell = (cmd: string) => {
    const child = spawn('bash', ['-c', fill(cmd)], { stdio: 'ignore', detached: true });
    return { child, stop: () => process.kill(-child.pid!, 'SIGKILL') };
  };

  async function onAir(cmd: string): Promise<void> {
    const run = shell(cmd);
    try {
      await waitFor(() => srv.engine.mounts.get('/stream')?.source !== null, 8000, `on air with: ${cmd}`);
    } finally {
      run.stop();
      await waitFor(() => srv.engine.mounts.get('/stream')?.source === null, 5000, 'the source gone');
    }
  }

  it('ffmpeg', () => onAir(command('ffmpeg -re')));
  it('shout', async () => {
    await onAir(command('shout '));
    // libshout names an unnamed stream "no name": that is no name, and a stream's name is no song either
    const m = srv.engine.mounts.get('/stream')!;
    assert.notEqual(m.title, 'no name');
    assert.ok(!m.history.some((h) => h.title === 'no name'), JSON.stringify(m.history));
  });

  it('the title update with curl', async () => {
    const feed = shell(command('ffmpeg -re'));
    try {
      await waitFor(() => srv.engine.mounts.get('/stream')?.source !== null, 8000, 'on air');
      const curl = shell(command('curl -u source:'));
      const code = await new Promise((r) => curl.child.on('close', r));
      assert.equal(code, 0);
      await waitFor(() => srv.engine.mounts.get('/stream')?.title === 'Artist - Title', 3000, 'the title on air');
    } finally {
      feed.stop();
    }
  });
});
