// The engine's log: one line per connection event, kept in a short history for the studio and sent to
// whoever subscribes (console, log file, UI).

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogEntry {
  seq: number;
  time: number;
  level: LogLevel;
  message: string;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export class Logger {
  private seq = 0;
  private readonly history: LogEntry[] = [];
  private readonly sinks = new Set<(e: LogEntry) => void>();

  constructor(
    public verbose = false,
    private readonly historySize = 1000,
  ) {}

  subscribe(sink: (e: LogEntry) => void): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  recent(): readonly LogEntry[] {
    return this.history;
  }

  log(level: LogLevel, message: string): void {
    if (level === 'debug' && !this.verbose) return;
    const e: LogEntry = { seq: ++this.seq, time: Date.now(), level, message };
    this.history.push(e);
    if (this.history.length > this.historySize) this.history.splice(0, this.history.length - this.historySize);
    for (const s of this.sinks) s(e);
  }

  debug(m: string): void {
    this.log('debug', m);
  }
  info(m: string): void {
    this.log('info', m);
  }
  warn(m: string): void {
    this.log('warn', m);
  }
  error(m: string): void {
    this.log('error', m);
  }
}

export function atLeast(level: LogLevel, min: LogLevel): boolean {
  return ORDER[level] >= ORDER[min];
}

/** `2026-11-21 10:15:02 INFO  message`, in local time, as the console and log file show it. */
export function formatLogLine(e: LogEntry): string {
  const d = new Date(e.time);
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  return `${stamp} ${e.level.toUpperCase().padEnd(5)} ${e.message}`;
}
