// The config check runs in a child process (src-main/config/checker.ts): hcl2-parser's Go runtime never
// loads into the station, a parse never stalls the stream, and a checker that cannot start, or a file that
// parses for too long, is a clear error while the station goes on.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkConfigText, ConfigChecker } from '../../src-main/config/load.js';
import { listen, startServer, waitFor, type Capture } from '../helpers/server.js';
import { repoRoot } from '../helpers/paths.js';

const BUNDLED = readFileSync(join(repoRoot, 'config/config.hcl'), 'utf8');

/** Valid HCL whose keys hcl2-parser takes seconds over (3000 settings: 2.5 to 7 s on the development machine). */
function slowToParse(settings: number): string {
  return `metadata {\n${Array.from({ length: settings }, (_, i) => `  setting_${i} = ${i}`).join('\n')}\n}\n`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The longest wait between two reads of a listener, from `since` until now (ms). */
function longestGap(cap: Capture, since: number): number {
  let gap = 0;
  let prev = since;
  for (const [, t] of cap.arrivals) {
    if (t < since) continue;
    gap = Math.max(gap, t - prev);
    prev = t;
  }
  return Math.max(gap, performance.now() - prev);
}

async function autodjStation(opts: { configChecker?: ConfigChecker } = {}) {
  const music = join(tmpdir(), `cycast-checker-music-${process.pid}`);
  mkdirSync(music, { recursive: true });
  // an empty folder: the bundled demo plays, a steady stream every write interval
  return startServer('', '', { playlist: `enabled = true\n  directory = "${music}"`, ...opts });
}

describe('config check in a child process', () => {
  it('never loads hcl2-parser into the station process', async () => {
    const r = await checkConfigText(BUNDLED);
    assert.deepEqual(r.errors, []);
    assert.equal(r.config?.server.listen_port, 8001);
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((p) => /[\\/]hcl2-parser[\\/]/.test(p));
    assert.deepEqual(loaded, [], 'hcl2-parser was loaded here: its Go runtime holds 30-50 MiB for the life of the process');
  });

  it('still reports every problem, each at its line and column', async () => {
    const syntax = await checkConfigText('server {\n  host = "0.0.0.0\n}\n');
    assert.deepEqual([syntax.errors[0].line, syntax.errors[0].column], [2, 10]);
    const broken = await checkConfigText('buffer {\n  size_mb = 5000\n}\nserver {\n  sorce_port = 8000\n}\n');
    assert.deepEqual(broken.errors.map((e) => e.line), [2, 5]);
  });

  it('lets the child go once it is idle, and starts another for the next check', async () => {
    const checker = new ConfigChecker({ lingerMs: 100 });
    assert.ok((await checkConfigText(BUNDLED, checker)).config);
    const first = checker.pid;
    assert.ok(first && alive(first), 'the child answered and lingers');
    await waitFor(() => !alive(first), 5000, 'the idle child to exit');
    assert.equal(checker.pid, null);
    assert.ok((await checkConfigText('server {\n  listen_port = 9000\n}\n', checker)).config);
    assert.notEqual(checker.pid, first);
    checker.release();
  });

  it('replaces an idle child that died since the last check', async () => {
    const checker = new ConfigChecker();
    assert.ok((await checkConfigText(BUNDLED, checker)).config);
    const first = checker.pid!;
    process.kill(first, 'SIGKILL');
    // asked at once, before this process has seen the child go
    const r = await checkConfigText(BUNDLED, checker);
    assert.deepEqual(r.errors, []);
    assert.notEqual(checker.pid, first);
    checker.release();
  });

  it('says so clearly when the checker cannot start', async () => {
    const noProgram = await checkConfigText(BUNDLED, new ConfigChecker({ execPath: '/nonexistent/node' }));
    assert.equal(noProgram.config, null);
    assert.match(noProgram.errors[0].message, /^the config could not be checked: the config checker \(\/nonexistent\/node .*\) could not start: spawn \/nonexistent\/node ENOENT$/);
    const noScript = await checkConfigText(BUNDLED, new ConfigChecker({ script: join(tmpdir(), 'no-such-config-checker.js') }));
    assert.equal(noScript.config, null);
    assert.match(noScript.errors[0].message, /^the config could not be checked: the config checker stopped before it answered \(exit code 1\): .*Cannot find module .*no-such-config-checker\.js/);
  });

  it('refuses a config larger than the limit without starting a parse', async () => {
    const r = await checkConfigText(`# ${'x'.repeat(300 * 1024)}\n`);
    assert.match(r.errors[0].message, /larger than 262144 characters/);
  });

  it('keeps a listener streaming, without a stall, across a studio check and a studio save', async () => {
    const srv = await autodjStation();
    const cap = await listen(srv.listenPort, '/stream');
    try {
      await waitFor(() => cap.received > 32_000, 10_000, 'the AutoDJ stream');
      const since = performance.now();
      // seconds of parsing: in this process that would hold every write (every 100 ms) until it is done
      const check = await srv.station.studio.configCheck(readFileSync(srv.station.studio.configPath, 'utf8') + slowToParse(3000));
      assert.equal(check.ok, false);
      assert.match(check.errors[0].message, /unknown setting "setting_0"/);
      const text = readFileSync(srv.station.studio.configPath, 'utf8') + 'metadata {\n  station_name = "Saved FM"\n}\n';
      const saved = await srv.station.studio.configSave(text, true);
      assert.deepEqual([saved.ok, saved.saved, saved.applied], [true, true, true], JSON.stringify(saved.errors));
      assert.equal(srv.engine.config.metadata.station_name, 'Saved FM');
      const heard = cap.received;
      await waitFor(() => cap.received > heard + 8000, 5000, 'audio after the save');
      assert.equal(cap.isClosed, false, 'the listener stayed');
      const gap = longestGap(cap, since);
      assert.ok(gap < 1000, `the stream stalled for ${Math.round(gap)} ms during the check and the save`);
    } finally {
      cap.close();
      await srv.stop();
    }
  });

  it('stops a check that takes too long, and the station and its listener go on', async () => {
    const checker = new ConfigChecker({ timeoutMs: 1500 });
    const srv = await autodjStation({ configChecker: checker });
    const cap = await listen(srv.listenPort, '/stream');
    try {
      await waitFor(() => cap.received > 32_000, 10_000, 'the AutoDJ stream');
      const before = readFileSync(srv.station.studio.configPath, 'utf8');
      // 9000 settings (under the size limit): about 10 s of hcl2-parser's time
      const slow = checker.check(before + slowToParse(9000));
      await waitFor(() => checker.pid !== null, 5000, 'the child to start');
      const child = checker.pid!;
      await assert.rejects(slow, /did not finish within 1\.5 s and was stopped/);
      const saved = await srv.station.studio.configSave(before + slowToParse(9000), true);
      assert.equal(saved.saved, false);
      assert.match(saved.errors[0].message, /^the config could not be checked: the config check did not finish within 1\.5 s and was stopped/);
      assert.equal(readFileSync(srv.station.studio.configPath, 'utf8'), before, 'nothing was written');
      await waitFor(() => !alive(child), 5000, 'the stopped child to be gone');
      const heard = cap.received;
      await waitFor(() => cap.received > heard + 8000, 5000, 'audio after the refusal');
      assert.equal(cap.isClosed, false);
      assert.equal((await fetch(srv.url('/api/status'))).status, 200);
    } finally {
      cap.close();
      await srv.stop();
    }
  });
});
