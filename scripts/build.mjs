#!/usr/bin/env node
// npm run build: the TypeScript projects, the Electron shell when Electron is installed (its types are
// needed to compile it; where Electron's download failed, the headless server and the browser studio are
// still complete), and the studio UI with Vite.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
const bin = (name) => join(root, 'node_modules/.bin', name);

run(bin('tsc'), ['-b']);
if (existsSync(join(root, 'node_modules/electron/electron.d.ts'))) {
  run(bin('tsc'), ['-b', 'src-main/electron']);
} else {
  console.warn('build: Electron is not installed here, so the desktop shell (src-main/electron) is not built; the headless server and the browser studio are complete.');
}
run(bin('vite'), ['build', '--config', 'src-renderer/vite.config.ts', '--logLevel', 'warn']);
