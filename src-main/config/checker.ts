// Runs the config check (check.ts) in a child process of its own (checker-process.ts), so hcl2-parser's Go
// runtime (30-50 MiB, never freed) lives only as long as the child, and a parse (hundreds of milliseconds,
// seconds for a pathological file) never blocks the station's event loop. One child serves the checks of a
// burst (the studio's Check then Save, a test file), one at a time, and is let go after `lingerMs` idle.
// Works under plain Node and under Electron (the child is Electron run as Node, which reads app.asar).

import { fork, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ConfigCheck } from './check.js';
import type { CheckRequest } from './checker-process.js';

export interface ConfigCheckerOptions {
  /** how long one check may take, the child's start included */
  timeoutMs?: number;
  /** how long an idle child waits for the next check before it is let go */
  lingerMs?: number;
  /** the program that runs the child (default: this one, node or Electron) */
  execPath?: string;
  /** the child's script (default: checker-process.js beside this file) */
  script?: string;
}

/** The check could not be done: the child could not start, died, or took too long. Not a verdict on the text. */
export class ConfigCheckFailure extends Error {}

/** The child went away (it exited, or its channel closed) before it answered. */
class ChildLost extends ConfigCheckFailure {}

/** A Pi Zero 2 starts the child and parses a normal config.hcl in about 4 s; this is five times that. */
export const CHECK_TIMEOUT_MS = 20_000;
const LINGER_MS = 2000;
/** enough for Node's report of a missing module or a crash */
const STDERR_KEPT = 4096;
/** the child's heap: a config.hcl at the size limit parses in well under this */
const CHILD_HEAP_MB = 256;

interface Child {
  proc: ChildProcess;
  stderr: string;
  pending: { id: number; settle: (failure: ConfigCheckFailure | null, check?: ConfigCheck) => void } | null;
  linger: NodeJS.Timeout | null;
}

export class ConfigChecker {
  private readonly timeoutMs: number;
  private readonly lingerMs: number;
  private readonly execPath: string;
  private readonly script: string;
  private child: Child | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;

  constructor(opts: ConfigCheckerOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? CHECK_TIMEOUT_MS;
    this.lingerMs = opts.lingerMs ?? LINGER_MS;
    this.execPath = opts.execPath ?? process.execPath;
    this.script = opts.script ?? fileURLToPath(new URL('./checker-process.js', import.meta.url));
  }

  /** Checks config text in the child; rejects with ConfigCheckFailure when the check could not be done. */
  check(text: string): Promise<ConfigCheck> {
    const run = this.queue.then(() => this.askReplacingLost(text));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The child's pid while one is running (tests watch it go). */
  get pid(): number | null {
    return this.child?.proc.pid ?? null;
  }

  /** Lets an idle child go now instead of after the linger. */
  release(): void {
    const c = this.child;
    if (!c || c.pending) return;
    this.forget(c);
    if (c.proc.connected) c.proc.disconnect();
  }

  private async askReplacingLost(text: string): Promise<ConfigCheck> {
    const reused = this.child !== null;
    try {
      return await this.ask(text);
    } catch (e) {
      // an idle child that died meanwhile (the OOM killer, a kill by hand) is replaced, once
      if (reused && e instanceof ChildLost) return this.ask(text);
      throw e;
    }
  }

  private ask(text: string): Promise<ConfigCheck> {
    const c = this.child ?? this.start();
    if (c.linger) clearTimeout(c.linger);
    c.linger = null;
    const id = this.nextId++;
    return new Promise<ConfigCheck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.forget(c);
        c.proc.kill('SIGKILL');
        c.pending?.settle(new ConfigCheckFailure(`the config check did not finish within ${this.timeoutMs / 1000} s and was stopped (is the file very large or deeply nested?)`));
      }, this.timeoutMs);
      c.pending = {
        id,
        settle: (failure, check) => {
          clearTimeout(timer);
          c.pending = null;
          if (failure) return reject(failure);
          this.idle(c);
          resolve(check!);
        },
      };
      const request: CheckRequest = { id, text };
      c.proc.send(request, (e) => {
        if (e) c.pending?.settle(new ChildLost(`the config checker could not be reached (${e.message})`));
      });
    });
  }

  private start(): Child {
    const proc = fork(this.script, [], {
      execPath: this.execPath,
      // none of this process's flags (--inspect would collide on its port); a bounded heap
      execArgv: [`--max-old-space-size=${CHILD_HEAP_MB}`],
      // Electron runs a script as plain Node only with this set
      env: process.versions.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const c: Child = { proc, stderr: '', pending: null, linger: null };
    this.child = c;
    // an idle checker never keeps the station (or a test) running; a pending check's timer does
    proc.unref();
    proc.channel?.unref();
    (proc.stderr as Socket | null)?.unref();
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (d: string) => {
      if (c.stderr.length < STDERR_KEPT) c.stderr += d.slice(0, STDERR_KEPT - c.stderr.length);
    });
    proc.on('message', (m: { id: number; check: ConfigCheck }) => {
      if (c.pending && m.id === c.pending.id) c.pending.settle(null, m.check);
    });
    proc.on('error', (e) => {
      this.forget(c);
      c.pending?.settle(new ConfigCheckFailure(`the config checker (${this.execPath} ${this.script}) could not start: ${e.message}`));
    });
    proc.on('exit', (code, signal) => {
      this.forget(c);
      const how = code !== null ? `exit code ${code}` : `signal ${signal}`;
      c.pending?.settle(new ChildLost(`the config checker stopped before it answered (${how})${reasonIn(c.stderr)}`));
    });
    try {
      // a long parse yields the CPU to the stream
      if (proc.pid) setPriority(proc.pid, 10);
    } catch {
      // not allowed here: the check runs at normal priority
    }
    return c;
  }

  private idle(c: Child): void {
    c.linger = setTimeout(() => this.release(), this.lingerMs);
    c.linger.unref();
  }

  private forget(c: Child): void {
    if (c.linger) clearTimeout(c.linger);
    c.linger = null;
    if (this.child === c) this.child = null;
  }
}

/** The line of a child's stderr that says what went wrong (Node's "Error: Cannot find module ..."). */
function reasonIn(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const line = lines.find((l) => /error/i.test(l)) ?? lines[lines.length - 1];
  return line ? `: ${line.slice(0, 300)}` : '';
}
