// The headless install as the README gives it: `npm run pack:headless`, `npm install -g` of the
// tarball (here into a temporary --prefix), then `cycast --check` and a short `cycast --headless` run the
// way the systemd unit starts it: its PATH, its CYCAST_HOME, no home folder. And the unit's paths match
// where that install puts things. Needs `npm run build` first (npm test does it).

import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, freePortPair, waitFor } from '../helpers/server.js';
import { repoRoot } from '../helpers/paths.js';

/** systemd's PATH for services, and where it looks up an ExecStart given without a path */
const SYSTEMD_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const UNIT = join(repoRoot, 'assets/systemd/cycast.service');

function unitSettings(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of readFileSync(UNIT, 'utf8').split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1], [...(out.get(m[1]) ?? []), m[2]]);
  }
  return out;
}

describe('what a plain npm install pulls in', () => {
  it('has no package in the lock file that wants a newer Node than 20 (npm would warn EBADENGINE)', () => {
    const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string } }> };
    const tooNew = Object.entries(lock.packages)
      .filter(([, p]) => p.engines?.node !== undefined && !admitsNode20(p.engines.node))
      .map(([name, p]) => `${name} (${p.engines!.node})`);
    assert.deepEqual(tooNew, []);
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string>; scripts: Record<string, string> };
    assert.equal(pkg.devDependencies['electron-builder'], undefined, 'packaging tools live in packaging/');
  });

  it('npm start without Electron\'s binary says what to run instead', { skip: hasElectronBinary() ? 'Electron is installed here' : false }, () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.match(pkg.scripts.start, /node scripts\/start\.mjs$/);
    const r = spawnSync('node', [join(repoRoot, 'scripts/start.mjs')], { cwd: repoRoot, encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /needs Electron/);
    assert.match(r.stderr, /npm run headless/);
    assert.match(r.stderr, /\/studio\//);
  });
});

/** Whether an engines.node range admits Node 20.19 (the oldest 20 the tools support): ^20, >=X.Y up to 20.19, or no bound. */
function admitsNode20(range: string): boolean {
  return range.split('||').some((alt) => {
    const caret = /\^\s*v?(\d+)/.exec(alt);
    if (caret) return Number(caret[1]) === 20;
    const floor = />=\s*v?(\d+)(?:\.(\d+))?/.exec(alt);
    if (floor) return Number(floor[1]) * 100 + Number(floor[2] ?? 0) <= 2019;
    return !/[<>=~]/.test(alt) || /^\s*[<]/.test(alt);
  });
}

function hasElectronBinary(): boolean {
  try {
    return existsSync(createRequire(join(repoRoot, 'package.json'))('electron') as string);
  } catch {
    return false;
  }
}

describe('headless install from npm pack', { skip: existsSync(join(repoRoot, 'dist/renderer/index.html')) ? false : 'not built: run npm run build' }, () => {
  let work: string;
  let prefix: string;
  let pkgDir: string;

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'cycast-install-'));
    prefix = join(work, 'prefix');
    // the build is there already (npm test builds first): the headless package as `npm run pack:headless` makes it
    const tgz = execFileSync(process.execPath, [join(repoRoot, 'scripts/pack-headless.mjs'), work], { cwd: repoRoot, timeout: 120_000 }).toString().trim();
    // ELECTRON_SKIP_BINARY_DOWNLOAD lets an Electron install succeed here: were Electron in the package, it would stay
    execFileSync('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', tgz], { cwd: work, timeout: 300_000, stdio: 'pipe', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', npm_config_loglevel: 'error' } });
    pkgDir = join(prefix, 'lib/node_modules/cycast-studio');
  });
  after(() => {
    // the temporary prefix is left in the temp folder; it holds nothing but the install
  });

  it('installs a copy of the package (not a link to a checkout) and a cycast command in PREFIX/bin', () => {
    assert.ok(lstatSync(pkgDir).isDirectory() && !lstatSync(pkgDir).isSymbolicLink(), 'a real folder: a unit with ProtectHome=yes can read it');
    const cmd = join(prefix, 'bin/cycast');
    assert.ok(existsSync(cmd), 'PREFIX/bin/cycast');
    assert.equal(relative(prefix, realpathSync(cmd)), 'lib/node_modules/cycast-studio/bin/cycast.js');
    for (const f of ['dist/src-main/cli.js', 'dist/renderer/index.html', 'config/config.hcl', 'assets/demo/cycast-demo.mp3', 'assets/web/player.js', 'assets/icons/favicon.ico', 'assets/systemd/cycast.service']) {
      assert.ok(existsSync(join(pkgDir, f)), f);
    }
    const deps = readdirSync(join(pkgDir, 'node_modules'));
    assert.ok(deps.includes('music-metadata') && deps.includes('hcl2-parser'));
    assert.ok(!deps.includes('electron'), 'no Electron in a headless install');
    assert.ok(!existsSync(join(pkgDir, 'src-main')) && !existsSync(join(pkgDir, 'test')), 'no sources or tests');
  });

  it('matches the systemd unit: command, search path, state folder', (t) => {
    const u = unitSettings();
    const exec = u.get('ExecStart')?.[0] ?? '';
    const [command, ...args] = exec.split(/\s+/);
    assert.deepEqual(args, ['--headless']);
    // a bare name: systemd finds it in /usr/local/bin (npm's prefix with Debian's nodejs) or /usr/bin
    // (NodeSource's), where `npm install -g` puts PREFIX/bin/cycast
    assert.equal(command, 'cycast');
    assert.ok(existsSync(join(prefix, 'bin', command)));
    const globalPrefix = execFileSync('npm', ['prefix', '-g']).toString().trim();
    // a system-wide Node (Debian's, NodeSource's: what the unit is for) has npm's global bin there; a Node
    // unpacked elsewhere (nvm, a second Node to run this suite under) keeps its global prefix beside itself
    if (SYSTEMD_PATH.includes(dirname(process.execPath))) {
      assert.ok(SYSTEMD_PATH.includes(join(globalPrefix, 'bin')), `npm's global bin ${globalPrefix}/bin is on systemd's search path`);
    } else {
      t.diagnostic(`not checked: this Node (${process.execPath}) is not installed system-wide, so its npm's global bin (${globalPrefix}/bin) is none of systemd's`);
    }
    const state = `/var/lib/${u.get('StateDirectory')?.[0]}`;
    assert.ok(u.get('Environment')?.includes(`CYCAST_HOME=${state}`), 'CYCAST_HOME is the state folder');
    assert.ok(u.get('ReadWritePaths')?.includes(state));
    assert.deepEqual(u.get('ProtectHome'), ['yes']);
  });

  it('runs cycast --check and a short --headless start as the unit does', async () => {
    const env = { PATH: SYSTEMD_PATH.join(':'), HOME: '/nonexistent', NODE_ENV: 'production' };
    const check = execFileSync(join(prefix, 'bin/cycast'), ['--check'], { env, cwd: '/' }).toString();
    assert.match(check, /the configuration is valid/);
    // the state folder with a config on free loopback ports (the first start would write one on 8000/8001)
    const home = join(work, 'state');
    mkdirSync(home);
    const source = await freePortPair();
    const listen = await freePort();
    writeFileSync(join(home, 'config.hcl'), `server {\n  host = "127.0.0.1"\n  source_port = ${source}\n  listen_port = ${listen}\n  source_password = "install-test"\n}\nadmin {\n  password = "install-admin"\n}\n`);
    const child = spawn(join(prefix, 'bin/cycast'), ['--headless'], { env: { ...env, CYCAST_HOME: home }, cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await waitFor(() => out.includes('Press Ctrl+C to stop.'), 15_000, `the start banner (output: ${out})`);
      assert.match(out, new RegExp(`Config\\s+${home}/config.hcl`));
      const page = await fetch(`http://127.0.0.1:${listen}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<body class="listener">/);
      const np = (await (await fetch(`http://127.0.0.1:${listen}/api/nowplaying`)).json()) as { mounts: { mount: string }[] };
      assert.equal(np.mounts[0].mount, '/stream');
      const studio = await fetch(`http://127.0.0.1:${listen}/studio/`);
      assert.equal(studio.status, 401, 'the browser studio is served, behind the admin login');
      assert.ok(existsSync(join(home, 'logs')), 'logs beside the config, in the state folder');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, `a clean stop on SIGTERM (output: ${out})`);
  });
});
