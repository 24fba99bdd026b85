// The log on disk: one line per entry, rotated by size (cycast.log, cycast.log.1 … .N), so a station that
// runs for months never fills its disk.

import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { formatLogLine, type LogEntry } from './log.js';

export class RotatingLogFile {
  private fd: number;
  private size: number;
  readonly path: string;

  constructor(
    readonly dir: string,
    private readonly maxBytes = 5 * 1024 * 1024,
    private readonly keep = 3,
  ) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, 'cycast.log');
    this.fd = openSync(this.path, 'a', 0o640);
    this.size = fstatSync(this.fd).size;
  }

  write(e: LogEntry): void {
    const line = formatLogLine(e) + '\n';
    if (this.size + line.length > this.maxBytes) this.rotate();
    this.size += writeSync(this.fd, line);
  }

  private rotate(): void {
    closeSync(this.fd);
    rmSync(`${this.path}.${this.keep}`, { force: true });
    for (let i = this.keep - 1; i >= 1; i--) if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    renameSync(this.path, `${this.path}.1`);
    this.fd = openSync(this.path, 'a', 0o640);
    this.size = 0;
  }

  close(): void {
    closeSync(this.fd);
  }
}
