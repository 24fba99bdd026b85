#!/usr/bin/env node
// npm test / npm run test:unit: Node's test runner on the compiled suites, the same way under every Node.
//
//   node scripts/test.mjs [node --test options] FOLDER|FILE ...
//
// Folders are expanded here to the *.test.js files directly inside them, because `node --test` reads its
// arguments differently by version: Node 20 searches a folder but takes no glob, Node 22 and later take a
// glob but run a folder as if it were one test file (and fail it: "Cannot find module"). A file list means
// the same to all of them. The tests start the CLI and npm as `node`, so this Node's folder goes first on
// PATH for them: `/path/to/node24/bin/node scripts/test.mjs dist/test/unit/` tests Node 24 throughout.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

const options = [];
const files = [];
for (const arg of process.argv.slice(2)) {
  if (arg.startsWith('-')) options.push(arg);
  else if (statSync(arg).isDirectory()) files.push(...readdirSync(arg).filter((f) => f.endsWith('.test.js')).sort().map((f) => join(arg, f)));
  else files.push(arg);
}
if (!files.length) {
  console.error('scripts/test.mjs: no test files (give folders or files, e.g. dist/test/unit/)');
  process.exit(2);
}

const env = { ...process.env, PATH: dirname(process.execPath) + delimiter + (process.env.PATH ?? '') };
const r = spawnSync(process.execPath, ['--test', ...options, ...files], { stdio: 'inherit', env });
if (r.error) throw r.error;
process.exit(r.status ?? 1);
