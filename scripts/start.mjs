#!/usr/bin/env node
// npm start: the desktop app under Electron. Where Electron's binary is not installed (an optional
// dependency whose download failed, was skipped, or was left out with --omit=optional), say so and
// point to what runs without it, instead of the shell's "electron: not found".
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The Electron executable, or why there is none. */
function electronBinary() {
  try {
    // the electron package's main module is the path of its downloaded binary; it throws when there is none
    const path = createRequire(join(root, 'package.json'))('electron');
    return existsSync(path) ? { path } : { why: `its binary is missing (${path})` };
  } catch (e) {
    return { why: e.code === 'MODULE_NOT_FOUND' ? 'the electron package is not installed' : 'its binary was not downloaded' };
  }
}

const found = electronBinary();
if (!found.path) {
  console.error(`npm start: the desktop app needs Electron, and ${found.why}.

  Without a window, the same server and studio run under plain Node:
    npm run headless
  then open the studio in a browser at http://127.0.0.1:8001/studio/ (user "admin", the admin password
  printed at the first start) and the listener page at http://127.0.0.1:8001/.

  For the desktop app, install Electron's binary (needs internet access):
    node node_modules/electron/install.js
`);
  process.exit(1);
}
if (!existsSync(join(root, 'dist/src-main/electron/main.js'))) {
  console.error('npm start: the desktop shell is not built (dist/src-main/electron/main.js); run "npm run build" with Electron installed.');
  process.exit(1);
}
const child = spawn(found.path, [root, ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s));
