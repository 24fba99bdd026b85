// The config checker's process (forked by checker.ts): answers { id, text } with { id, check } until its parent
// lets go of the IPC channel, then exits, and the memory hcl2-parser's Go runtime took goes back to the OS.

import { checkInThisProcess } from './check.js';

export interface CheckRequest {
  id: number;
  text: string;
}

if (!process.send) throw new Error('checker-process.js is the config checker of Cycast Studio: it runs forked, with an IPC channel');

process.on('message', (m: CheckRequest) => {
  process.send!({ id: m.id, check: checkInThisProcess(String(m.text)) });
});
process.on('disconnect', () => process.exit(0));
