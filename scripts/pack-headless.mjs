#!/usr/bin/env node
// The headless package (run after `npm run build`): cycast-studio-VERSION.tgz for `npm install -g` on a Pi or
// a server. It holds the built server and studio, the default config and the assets, and a package.json
// with the production dependencies only. Electron is not in it at all: npm does not honour --omit=optional
// for the dependencies of a package installed globally from a file, so an optional Electron in the packed
// manifest would be downloaded onto every headless machine.
//
//   node scripts/pack-headless.mjs [DESTINATION]     (default: release/)   prints the .tgz's path

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dest = resolve(process.argv[2] ?? join(root, 'release'));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

for (const need of ['dist/src-main/cli.js', 'dist/renderer/index.html']) {
  if (!existsSync(join(root, need))) throw new Error(`${need} is missing: run "npm run build" first`);
}

const stage = join(dest, 'headless');
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
for (const entry of pkg.files) cpSync(join(root, entry), join(stage, entry), { recursive: true, filter: (p) => !/\.(map|d\.ts|d\.cts)$|[\\/]electron([\\/]|$)/.test(p) });
const manifest = {
  name: pkg.name,
  version: pkg.version,
  description: pkg.description,
  license: pkg.license,
  author: pkg.author,
  type: pkg.type,
  bin: pkg.bin,
  engines: pkg.engines,
  files: pkg.files,
  dependencies: pkg.dependencies,
};
writeFileSync(join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dest], { cwd: stage, stdio: ['ignore', 'pipe', 'inherit'] }).toString());
rmSync(stage, { recursive: true, force: true });
console.log(join(dest, packed[0].filename));
