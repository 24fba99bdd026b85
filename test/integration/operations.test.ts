// Running it as an operator does: first start in a fresh data folder, SIGHUP reloads, the log file,
// exit codes for an unreadable music folder, the systemd unit.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkConfigText } from '../../src-main/config/load.js';
import { RotatingLogFile } from '../../src-main/engine/log/log-file.js';
import { defaultDataDir, ensureDataDir, randomPassword } from '../../src-main/setup/first-run.js';
import { applyHclEdits } from '../../src-shared/config/hcl-edit.js';
import { freePort, freePortPair, listen, run, waitFor } from '../helpers/server.js';
import { repoRoot } from '../helpers/paths.js';

const BIN = join(repoRoot, 'bin/cycast.js');

/** Points a config at loopback ports (tests never bind 0.0.0.0). */
async function onLoopback(configPath: string): Promise<{ source: number; listen: number }> {
  const source = await freePortPair();
  const listenPort = await freePort();
  const text = applyHclEdits(readFileSync(configPath, 'utf8'), [
    { block: 'server', key: 'host', value: '127.0.0.1' },
    { block: 'server', key: 'source_port', value: source },
    { block: 'server', key: 'listen_port', value: listenPort },
  ]);
  writeFileSync(configPath, text);
  return { source, listen: listenPort };
}

function startHeadless(configPath: string) {
  const child = spawn('node', [BIN, '--headless', '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  return { child, exited, out: () => out };
}

describe('operations', () => {
  it('creates the data folder on first start: config from the default, random passwords, music folder', async () => {
    assert.equal(defaultDataDir({ CYCAST_HOME: '/x/y' }), '/x/y');
    assert.equal(defaultDataDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux'), '/cfg/cycast-studio');
    const a = randomPassword();
    assert.match(a, /^[A-Za-z0-9]{20}$/);
    assert.notEqual(a, randomPassword());
    const home = mkdtempSync(join(tmpdir(), 'cycast-home-'));
    const first = ensureDataDir(home);
    assert.equal(first.created, true);
    assert.ok(existsSync(join(home, 'music')));
    assert.equal(statSync(first.configPath).mode & 0o777, 0o600, 'passwords are readable by the owner only');
    const text = readFileSync(first.configPath, 'utf8');
    const cfg = (await checkConfigText(text)).config!;
    assert.equal(cfg.server.source_password, first.sourcePassword);
    assert.equal(cfg.admin.password, first.adminPassword);
    assert.notEqual(cfg.server.source_password, 'hackme');
    assert.notEqual(cfg.admin.password, cfg.server.source_password);
    assert.match(text, /# Port where sources \(Mixxx/, 'the documented default, comments and all');
    // the second start keeps it
    assert.equal(ensureDataDir(home).created, false);
    // and the engine starts on it (on loopback ports)
    await onLoopback(first.configPath);
    const h = startHeadless(first.configPath);
    try {
      await waitFor(() => h.out().includes('Press Ctrl+C'), 10_000, 'banner');
      assert.match(h.out(), /Log file +.*logs\/cycast\.log/);
      await waitFor(() => /playlist has/.test(h.out()), 5000, 'playlist loaded');
      h.child.kill('SIGTERM');
      assert.equal(await h.exited, 0);
      assert.match(readFileSync(join(home, 'logs', 'cycast.log'), 'utf8'), /INFO {2}.*playlist/);
    } finally {
      h.child.kill('SIGKILL');
    }
  });

  it('reloads config.hcl on SIGHUP without dropping listeners, and refuses an invalid one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycast-hup-'));
    const configPath = join(dir, 'config.hcl');
    writeFileSync(configPath, 'server {\n  source_password = "pw-hup"\n}\nmetadata {\n  station_name = "Before"\n}\n');
    const ports = await onLoopback(configPath);
    const h = startHeadless(configPath);
    try {
      await waitFor(() => h.out().includes('Press Ctrl+C'), 10_000, 'banner');
      const cap = await listen(ports.listen, '/stream');
      assert.equal(cap.headers.get('icy-name'), 'Before');
      writeFileSync(configPath, readFileSync(configPath, 'utf8').replace('"Before"', '"After"'));
      h.child.kill('SIGHUP');
      await waitFor(() => /SIGHUP: reloaded .*metadata\.station_name/.test(h.out()), 5000, 'reload logged');
      const cap2 = await listen(ports.listen, '/stream');
      assert.equal(cap2.headers.get('icy-name'), 'After');
      // an invalid file: refused, the running config stays
      const good = readFileSync(configPath, 'utf8');
      writeFileSync(configPath, good.replace('"After"', '"Broken'));
      h.child.kill('SIGHUP');
      await waitFor(() => /SIGHUP: .* not reloaded, the running config stays/.test(h.out()), 5000, 'refusal logged');
      assert.match(h.out(), /config\.hcl:\d+:\d+: error: this string is never closed/);
      const cap3 = await listen(ports.listen, '/stream');
      assert.equal(cap3.headers.get('icy-name'), 'After');
      assert.equal(cap.isClosed, false, 'the first listener is still connected');
      for (const c of [cap, cap2, cap3]) c.close();
      h.child.kill('SIGTERM');
      assert.equal(await h.exited, 0);
    } finally {
      h.child.kill('SIGKILL');
    }
  });

  it('exits 4 with a clear message when the music folder cannot be read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycast-music-'));
    writeFileSync(join(dir, 'not-a-folder'), 'x');
    const configPath = join(dir, 'config.hcl');
    writeFileSync(configPath, 'server {\n  source_password = "pw"\n}\nplaylist {\n  directory = "./not-a-folder"\n}\n');
    await onLoopback(configPath);
    const r = await run('node', [BIN, '--headless', '--config', configPath]).done;
    assert.equal(r.code, 4, r.output);
    assert.match(r.output, /cannot read the music folder .*not-a-folder \(not a folder, for \/stream\)/);
  });

  it('rotates the log file by size', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycast-logs-'));
    const f = new RotatingLogFile(dir, 2000, 2);
    for (let i = 0; i < 200; i++) f.write({ seq: i, time: Date.now(), level: 'info', message: `line ${i} ${'x'.repeat(40)}` });
    f.close();
    assert.ok(statSync(join(dir, 'cycast.log')).size <= 2000);
    assert.ok(existsSync(join(dir, 'cycast.log.1')) && existsSync(join(dir, 'cycast.log.2')));
    assert.ok(!existsSync(join(dir, 'cycast.log.3')), 'only `keep` old files');
    assert.match(readFileSync(join(dir, 'cycast.log'), 'utf8'), /line 199/);
  });

  const analyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));
  it('ships a systemd unit that systemd-analyze verifies', { skip: analyze ? false : 'systemd-analyze is not installed' }, () => {
    const unit = readFileSync(join(repoRoot, 'assets/systemd/cycast.service'), 'utf8');
    for (const line of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'Restart=on-failure', 'User=cycast', 'ReadWritePaths=/var/lib/cycast', 'ExecReload=/bin/kill -HUP $MAINPID']) {
      assert.ok(unit.includes(line), line);
    }
    // verify needs the ExecStart binary to exist: point it at this checkout's command
    const dir = mkdtempSync(join(tmpdir(), 'cycast-unit-'));
    mkdirSync(dir, { recursive: true });
    const copy = join(dir, 'cycast.service');
    writeFileSync(copy, unit.replace(/^ExecStart=cycast /m, `ExecStart=${BIN} `));
    execFileSync(analyze!, ['verify', copy], { stdio: 'pipe' });
  });
});
