// A station in a child process, for the kill -9 test: an engine with its station memory (as the
// composition root wires it), the AutoDJ on a music folder, and listeners that tune in and hang up all the
// time so the memory is always writing. Prints one JSON line with its ports, then runs until killed.
//   node station-child.js DATA_DIR MUSIC_DIR

import { connect } from 'node:net';
import type { StationMemory } from '../../src-main/memory/station-memory.js';
import { startServer } from './server.js';

const [dataDir, music] = process.argv.slice(2);
const srv = await startServer('', '', {
  dir: dataDir,
  playlist: `enabled = true\n  directory = "${music}"\n  shuffle = false`,
  memoryFlushMs: 20,
});
const memory: StationMemory = srv.station.memory;
process.stdout.write(JSON.stringify({ listenPort: srv.listenPort, file: memory.file }) + '\n');

// at most 20 listeners at once, each staying 20-120 ms: a visit ends every few milliseconds
let open = 0;
const churn = (): void => {
  while (open < 20) {
    open++;
    const s = connect(srv.listenPort, '127.0.0.1');
    s.on('error', () => {});
    s.on('close', () => {
      open--;
      setImmediate(churn);
    });
    s.write(`GET /stream HTTP/1.0\r\nUser-Agent: VLC/3.0.18 LibVLC/3.0.18\r\n\r\n`);
    setTimeout(() => s.destroy(), 20 + Math.floor(Math.random() * 100));
  }
};
churn();
