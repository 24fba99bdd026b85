#!/usr/bin/env node
// Packs the desktop app with what works offline (run after `npm run build`):
//   1. stages release/app: the built app, a package.json with its production dependencies only, and those
//      dependencies installed (electron, optional in the development package, never goes in);
//   2. electron-builder --linux dir (from packaging/, installed there on first use: it is not a dependency
//      of the main package, so a plain `npm install` never pulls in its Node >= 22 tools), with a local Electron: node_modules/electron/dist where Electron's
//      binary is installed, else a stand-in (this machine cannot download Electron; the stand-in makes the
//      package's layout and app.asar real, not its executable);
//   3. a .deb built with dpkg-deb from that folder, when dpkg-deb is there.
// AppImage, NSIS and dmg need electron-builder's downloads: `npm run dist` where they are reachable.
// `npm run pack` builds first (the prepack script).

import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const release = join(root, 'release');
const app = join(release, 'app');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });

for (const need of ['dist/src-main/electron/main.js', 'dist/src-main/electron/preload.cjs', 'dist/renderer/index.html']) {
  if (!existsSync(join(root, need))) throw new Error(`${need} is missing: run "npm run build" first`);
}

// 1. stage the app
rmSync(release, { recursive: true, force: true });
mkdirSync(app, { recursive: true });
for (const p of ['bin', 'dist/src-main', 'dist/src-shared', 'dist/renderer']) cpSync(join(root, p), join(app, p), { recursive: true });
writeFileSync(
  join(app, 'package.json'),
  JSON.stringify(
    {
      name: pkg.name,
      productName: 'Cycast Studio',
      version: pkg.version,
      description: pkg.description,
      license: pkg.license,
      author: 'Cycast Studio authors',
      type: 'module',
      main: pkg.main,
      dependencies: pkg.dependencies,
    },
    null,
    2,
  ),
);
run('npm', ['install', '--omit=dev', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock'], { cwd: app });

// 2. the unpacked app
let electronDist = join(root, 'node_modules/electron/dist');
if (!existsSync(join(electronDist, 'electron'))) {
  electronDist = join(release, '.electron-standin');
  mkdirSync(join(electronDist, 'resources'), { recursive: true });
  writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\necho "This package was built with a stand-in for the Electron binary (offline packing test)." >&2\nexit 1\n');
  chmodSync(join(electronDist, 'electron'), 0o755);
  writeFileSync(join(electronDist, 'version'), '41.7.1');
  writeFileSync(join(electronDist, 'LICENSE'), 'stand-in\n');
  console.log(`pack: no Electron binary here; packing with a stand-in in ${electronDist}`);
}
const builder = join(root, 'packaging/node_modules/.bin/electron-builder');
if (!existsSync(builder)) run('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: join(root, 'packaging') });
run(builder, ['--linux', 'dir', '--publish', 'never', `-c.electronDist=${electronDist}`]);
const unpacked = join(release, 'linux-unpacked');

// 3. a .deb from the unpacked folder
const dpkg = ['/usr/bin/dpkg-deb', '/bin/dpkg-deb'].find((p) => existsSync(p));
if (dpkg) {
  const arch = execFileSync('dpkg', ['--print-architecture']).toString().trim();
  const deb = join(release, 'deb-root');
  const opt = join(deb, 'opt', 'Cycast Studio');
  mkdirSync(dirname(opt), { recursive: true });
  cpSync(unpacked, opt, { recursive: true });
  mkdirSync(join(deb, 'usr/share/applications'), { recursive: true });
  writeFileSync(
    join(deb, 'usr/share/applications/cycast-studio.desktop'),
    '[Desktop Entry]\nName=Cycast Studio\nComment=Broadcasting studio with an Icecast-compatible server\nExec="/opt/Cycast Studio/cycast-studio" %U\nIcon=cycast-studio\nType=Application\nCategories=AudioVideo;Audio;\nTerminal=false\n',
  );
  for (const size of [16, 32, 48, 64, 128, 256, 512]) {
    const dir = join(deb, `usr/share/icons/hicolor/${size}x${size}/apps`);
    mkdirSync(dir, { recursive: true });
    cpSync(join(root, `assets/icons/${size}x${size}.png`), join(dir, 'cycast-studio.png'));
  }
  mkdirSync(join(deb, 'DEBIAN'), { recursive: true });
  writeFileSync(
    join(deb, 'DEBIAN/control'),
    `Package: cycast-studio\nVersion: ${pkg.version}\nSection: sound\nPriority: optional\nArchitecture: ${arch}\nMaintainer: Cycast Studio authors <cycast@localhost>\nDepends: libnotify4, libxtst6, libnss3\nDescription: ${pkg.description}\n A desktop broadcasting studio with a built-in Icecast-compatible server.\n`,
  );
  const out = join(release, `${pkg.name}_${pkg.version}_${arch}.deb`);
  run(dpkg, ['--root-owner-group', '--build', deb, out]);
  rmSync(deb, { recursive: true, force: true });
  console.log(`pack: ${out}`);
}
console.log(`pack: ${unpacked}`);
