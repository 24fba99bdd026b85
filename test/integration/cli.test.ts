// The `cycast` command as a user runs it: --check, --help, --version, bad configs, the headless server's
// banner and log lines, and a clean stop on SIGINT/SIGTERM.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fixture } from '../helpers/audio.js';
import { freePort, freePortPair, listen, pacedSource, run, waitFor } from '../helpers/server.js';
import { repoRoot } from '../helpers/paths.js';

const BIN = join(repoRoot, 'bin/cycast.js');
const dir = mkdtempSync(join(tmpdir(), 'cycast-cli-'));

function writeConfig(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function loopbackConfig(extra = ''): Promise<{ path: string; source: number; listen: number }> {
  const source = await freePortPair();
  const listenPort = await freePort();
  const path = writeConfig(`ok-${source}.hcl`, `server {\n  host = "127.0.0.1"\n  source_port = ${source}\n  listen_port = ${listenPort}\n  source_password = "test-source-pw"\n}\n${extra}`);
  return { path, source, listen: listenPort };
}

describe('cycast command', () => {
  it('prints help and version', async () => {
    const help = await run('node', [BIN, '--help']).done;
    assert.equal(help.code, 0);
    assert.match(help.output, /cycast --headless \[--config FILE\]/);
    const version = await run('node', [BIN, '--version']).done;
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    assert.equal(version.output.trim(), `cycast ${pkg.version}`);
    const bad = await run('node', [BIN, '--frobnicate']).done;
    assert.equal(bad.code, 64);
    assert.match(bad.output, /unknown option --frobnicate/);
  });

  it('--check validates the bundled config and prints what would run', async () => {
    const r = await run('node', [BIN, '--check', '--config', join(repoRoot, 'config/config.hcl')]).done;
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /the configuration is valid/);
    assert.match(r.output, /Sources connect to .*:8000/);
    assert.match(r.output, /Listen at +http:\/\/.*:8001\/stream/);
  });

  it('--check and --headless exit 2 with every config error at file:line:column', async () => {
    const p = writeConfig('bad.hcl', 'server {\n  sorce_port = 8000\n}\nbuffer {\n  size_mb = 5000\n}\n');
    for (const mode of ['--check', '--headless']) {
      const r = await run('node', [BIN, mode, '--config', p]).done;
      assert.equal(r.code, 2, r.output);
      assert.ok(r.output.includes(`${p}:2:3: error: unknown setting "sorce_port" in the server block; did you mean "source_port"?`), r.output);
      assert.ok(r.output.includes(`${p}:5:3: error: buffer.size_mb must be between 1 and 1000, got 5000`), r.output);
    }
    const syntax = writeConfig('syntax.hcl', 'server {\n  host = "0.0.0.0\n}\n');
    const s = await run('node', [BIN, '--check', '--config', syntax]).done;
    assert.equal(s.code, 2);
    assert.ok(s.output.includes(`${syntax}:2:10: error: this string is never closed`), s.output);
    const missing = await run('node', [BIN, '--check', '--config', join(dir, 'nope.hcl')]).done;
    assert.equal(missing.code, 2);
    assert.match(missing.output, /cannot read the config file: no such file/);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`runs headless, logs connections, and stops on ${signal} within 2 s`, async () => {
      const cfg = await loopbackConfig();
      const child = spawn('node', [BIN, '--headless', '--config', cfg.path], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
      try {
        await waitFor(() => out.includes('Press Ctrl+C to stop'), 10_000, 'banner');
        assert.match(out, new RegExp(`Sources connect to +127\\.0\\.0\\.1:${cfg.source}`));
        assert.match(out, new RegExp(`Listen at +http://127\\.0\\.0\\.1:${cfg.listen}/stream`));
        assert.match(out, new RegExp(`Status page +http://127\\.0\\.0\\.1:${cfg.listen}/`));
        const src = await pacedSource(cfg.source, '/stream', readFileSync(fixture('mp3', 5)), 32_000);
        const cap = await listen(cfg.listen, '/stream');
        await waitFor(() => /listener #\d+ 127\.0\.0\.1 tuned in to \/stream/.test(out) && /source connected to \/stream/.test(out), 3000, 'log lines');
        const t0 = Date.now();
        child.kill(signal);
        const code = await exited;
        const took = Date.now() - t0;
        assert.equal(code, 0);
        assert.ok(took < 2000, `stopped in ${took} ms`);
        await cap.closed;
        await src.stop();
      } finally {
        child.kill('SIGKILL');
      }
    });
  }

  it('exits 3 with a clear message when a port is taken', async () => {
    const cfg = await loopbackConfig();
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(cfg.listen, '127.0.0.1', () => r()));
    try {
      const r = await run('node', [BIN, '--headless', '--config', cfg.path]).done;
      assert.equal(r.code, 3, r.output);
      assert.match(r.output, new RegExp(`port ${cfg.listen} on 127\\.0\\.0\\.1 is already in use`));
    } finally {
      blocker.close();
    }
  });
});
