// Opens the station's SQLite file: SQLite compiled to WebAssembly (node-sqlite3-wasm), so the same module
// runs under Node and in Electron's main process with nothing to rebuild. WAL in exclusive locking mode
// (that build has no shared memory, and one station owns its file) with synchronous=FULL survives kill -9.
// A file that is not a database, is corrupt or cannot be opened is moved aside and a fresh one started.

import { createRequire } from 'node:module';
import { existsSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { uptime } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import type { Database as WasmDatabase } from 'node-sqlite3-wasm';

export type Database = WasmDatabase;

type SqliteModule = typeof import('node-sqlite3-wasm');
let loaded: SqliteModule | null = null;

/**
 * Loads the WASM build on first use. V8 compiles it with Liftoff only: its default second tier keeps
 * optimised code for the whole 1.3 MB module beside the baseline code (measured +48 MiB RSS against +16).
 * The flag is set only while this one module compiles.
 */
function sqlite(): SqliteModule {
  if (loaded) return loaded;
  setFlagsFromString('--liftoff-only');
  try {
    loaded = createRequire(import.meta.url)('node-sqlite3-wasm') as SqliteModule;
  } finally {
    setFlagsFromString('--no-liftoff-only');
  }
  return loaded;
}

/** The build's lock is a directory beside the file; kill -9 leaves it behind. Who holds it is noted here. */
const lockDir = (file: string): string => `${file}.lock`;
const ownerFile = (file: string): string => `${file}.owner`;

/** When this machine booted, to the minute: a pid noted before a reboot names some other process now. */
function bootMinute(): number {
  return Math.round((Date.now() - uptime() * 1000) / 60_000);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DatabaseInUseError extends Error {}

/** Files opened by this process: a second open of one would find its own lock and must not break it. */
const openHere = new Set<string>();

/** Removes a lock left by a process that is gone; throws DatabaseInUseError when its owner still runs. */
function clearStaleLock(file: string): string | null {
  if (!existsSync(lockDir(file))) return null;
  let owner: { pid?: number; boot?: number } = {};
  try {
    owner = JSON.parse(readFileSync(ownerFile(file), 'utf8')) as typeof owner;
  } catch {
    // no note: the owner died between taking the lock and writing it, or the note is damaged
  }
  const pid = typeof owner.pid === 'number' ? owner.pid : 0;
  const sameBoot = typeof owner.boot === 'number' && Math.abs(owner.boot - bootMinute()) <= 1;
  if (pid && pid !== process.pid && sameBoot && processAlive(pid)) {
    throw new DatabaseInUseError(`${file} is in use by process ${pid} (another Cycast on the same data folder?)`);
  }
  rmSync(lockDir(file), { recursive: true, force: true });
  return pid ? `removed the lock of process ${pid}, which is gone (a crash or kill -9)` : 'removed a lock whose owner is unknown (a crash)';
}

function configure(db: Database): void {
  // exclusive first: a file left in WAL mode cannot even be read without it (this build has no shm)
  db.all('PRAGMA locking_mode = EXCLUSIVE');
  db.all('PRAGMA journal_mode = WAL');
  db.all('PRAGMA synchronous = FULL');
  // a small page cache: the station memory's queries touch little, and RSS matters on a Raspberry Pi
  db.all('PRAGMA cache_size = -1024');
  db.all('PRAGMA foreign_keys = OFF');
}

export interface OpenedDatabase {
  db: Database;
  /** what happened on the way, for the log: a stale lock removed, a damaged file moved aside */
  notes: string[];
  /** ':memory:' when the file could not be used at all */
  file: string;
}

/** Whether an SQLite error means the file itself is damaged (not a bug in a statement). */
export function isCorruption(e: unknown): boolean {
  const m = e instanceof Error ? e.message : String(e);
  return /malformed|not a database|file is encrypted|disk image|unable to open database file|database corrupt/i.test(m);
}

/** Moves a damaged file (and its WAL) aside as NAME.corrupt-TIME; returns the new name. */
export function moveAside(file: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const aside = `${file}.corrupt-${stamp}`;
  renameSync(file, aside);
  for (const side of ['-wal', '-journal']) if (existsSync(file + side)) renameSync(file + side, aside + side);
  rmSync(lockDir(file), { recursive: true, force: true });
  return aside;
}

function tryOpen(file: string, check: (db: Database) => void): Database {
  const { Database: Db } = sqlite();
  const db = new Db(file);
  try {
    configure(db);
    check(db);
    return db;
  } catch (e) {
    try {
      db.close();
    } catch {
      // a damaged file may not even close cleanly
    }
    throw e;
  }
}

/**
 * Opens `file`, creating it if needed; `check` runs once it is open (reads the schema) and throws on a
 * damaged file. Never throws for a damaged or unusable file: it is moved aside and a fresh one made, or, if
 * even that fails, an in-memory database keeps the station memory working until the next start.
 */
export function openDatabase(file: string, check: (db: Database) => void): OpenedDatabase {
  if (file === ':memory:') return { db: tryOpen(file, check), notes: [], file };
  if (openHere.has(file)) throw new DatabaseInUseError(`${file} is already open in this process`);
  const notes: string[] = [];
  const stale = clearStaleLock(file);
  if (stale) notes.push(`${file}: ${stale}`);
  let db: Database;
  try {
    db = tryOpen(file, check);
  } catch (first) {
    const why = (first as Error).message;
    try {
      // a file someone else holds is not damaged: it is never moved aside
      if (/locked|busy/i.test(why)) throw first;
      if (existsSync(file)) notes.push(`${file} could not be used (${why}); moved it aside to ${moveAside(file)} and started a fresh one`);
      db = tryOpen(file, check);
    } catch (second) {
      notes.push(`${file} cannot be used (${(second as Error).message}); keeping statistics in memory until the next start`);
      return { db: tryOpen(':memory:', check), notes, file: ':memory:' };
    }
  }
  openHere.add(file);
  try {
    writeFileSync(ownerFile(file), JSON.stringify({ pid: process.pid, boot: bootMinute() }));
  } catch {
    // without the note, a crash leaves a lock whose owner is unknown, which the next start removes anyway
  }
  return { db, notes, file };
}

/** Closes the database (which releases its lock) and forgets its owner note. */
export function closeDatabase(opened: OpenedDatabase): void {
  try {
    opened.db.close();
  } finally {
    if (opened.file !== ':memory:') {
      openHere.delete(opened.file);
      try {
        unlinkSync(ownerFile(opened.file));
      } catch {
        // already gone
      }
    }
  }
}
