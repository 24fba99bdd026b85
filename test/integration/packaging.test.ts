// The offline packing (scripts/pack.mjs): what goes into app.asar, where the resources land, the .deb.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { repoRoot } from '../helpers/paths.js';

type Asar = { listPackage(p: string): string[]; extractAll(p: string, dest: string): void };
/** electron-builder's asar module, from packaging/ (where scripts/pack.mjs installs the packaging tools) */
const loadAsar = (): Asar => createRequire(join(repoRoot, 'packaging/package.json'))('@electron/asar') as Asar;
let asar: Asar;
const release = join(repoRoot, 'release');
const unpacked = join(release, 'linux-unpacked');
const appAsar = join(unpacked, 'resources/app.asar');

const shellBuilt = existsSync(join(repoRoot, 'dist/src-main/electron/main.js'));

describe('packaging (scripts/pack.mjs)', { skip: shellBuilt ? false : 'Electron is not installed, so the desktop shell is not built' }, () => {
  let files: string[];
  before(() => {
    execFileSync('node', [join(repoRoot, 'scripts/pack.mjs')], { cwd: repoRoot, stdio: 'pipe', timeout: 240_000 });
    asar = loadAsar();
    files = asar.listPackage(appAsar).map((f) => f.replace(/\\/g, '/'));
  });

  it('puts the built app and its production dependencies in app.asar, and nothing else', () => {
    for (const f of ['/package.json', '/bin/cycast.js', '/dist/src-main/electron/main.js', '/dist/src-main/electron/preload.cjs', '/dist/src-main/cli.js', '/dist/renderer/index.html', '/node_modules/music-metadata/package.json', '/node_modules/hcl2-parser/dist/index.js']) {
      assert.ok(files.includes(f), `${f} is packed`);
    }
    const tops = new Set(files.map((f) => f.split('/')[1]));
    assert.deepEqual([...tops].sort(), ['bin', 'dist', 'node_modules', 'package.json']);
    const forbidden = [
      [/^\/(src-main|src-shared|src-renderer|test|scripts|assets|config)\//, 'sources, tests, scripts or resources'],
      [/\.map$/, 'source maps'],
      [/\.d\.c?ts$/, 'type declarations'],
      [/^\/node_modules\/(electron|@electron|typescript|vite|react|react-dom|zustand|playwright-core|electron-builder|@types)\//, 'development or Electron dependencies'],
      [/\/(test|tests|__tests__)\//, 'dependencies\' tests'],
    ] as const;
    for (const [re, what] of forbidden) {
      const bad = files.filter((f) => re.test(f));
      assert.deepEqual(bad, [], `no ${what} in app.asar`);
    }
  });

  it('puts the resources where the app looks for them (beside app.asar)', () => {
    // src-main/paths.ts: inside resources/app.asar, RESOURCES_DIR is resources/
    for (const f of ['config/config.hcl', 'assets/demo/cycast-demo.mp3', 'assets/silence/silence.ogg', 'assets/web/player.js', 'assets/web/player.css', 'assets/icons/favicon.ico']) {
      assert.ok(existsSync(join(unpacked, 'resources', f)), f);
    }
    assert.ok(existsSync(join(unpacked, 'cycast-studio')), 'the executable is named cycast-studio');
  });

  it('runs the packed headless command under plain Node with only the packed dependencies', () => {
    const dest = mkdtempSync(join(tmpdir(), 'cycast-asar-'));
    asar.extractAll(appAsar, dest);
    const version = execFileSync('node', [join(dest, 'bin/cycast.js'), '--version']).toString().trim();
    assert.match(version, /^cycast \d+\.\d+\.\d+$/);
    const check = execFileSync('node', [join(dest, 'bin/cycast.js'), '--check', '--config', join(unpacked, 'resources/config/config.hcl')]).toString();
    assert.match(check, /the configuration is valid/);
  });

  const dpkg = ['/usr/bin/dpkg-deb', '/bin/dpkg-deb'].find((p) => existsSync(p));
  it('builds a .deb with the app, a desktop entry and icons', { skip: dpkg ? false : 'dpkg-deb is not installed' }, () => {
    const deb = execFileSync('sh', ['-c', `ls ${release}/*.deb`]).toString().trim();
    const list = execFileSync(dpkg!, ['-c', deb]).toString();
    for (const f of ['./opt/Cycast Studio/resources/app.asar', './opt/Cycast Studio/resources/config/config.hcl', './usr/share/applications/cycast-studio.desktop', './usr/share/icons/hicolor/256x256/apps/cycast-studio.png']) {
      assert.ok(list.includes(f), f);
    }
    const info = execFileSync(dpkg!, ['-f', deb, 'Package', 'Version']).toString();
    assert.match(info, /Package: cycast-studio\nVersion: \d+\.\d+\.\d+/);
  });
});
