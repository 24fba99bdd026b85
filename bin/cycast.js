#!/usr/bin/env node
// Entry of the `cycast` command. Loads only the headless path: nothing here imports Electron.
import { main } from '../dist/src-main/cli.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
