// The engine's log: one line per connection event, kept in a short history for the studio and sent to
// whoever subscribes (console, log file, UI).
//
// Messages carry text from strangers (titles, User-Agents, paths), so every message is made one safe line
// here (control characters as \xNN, bidi controls neutralised, length capped), and a flood of lines of one
// shape (the same message but for its numbers and quoted values) is summarised: after FLOOD_LINES of them in
// FLOOD_WINDOW_MS, the rest of the window is counted and reported as one line, so a flood can neither bury
// nor rotate away what came before it.
//
// This is the engine's bottom layer: it imports only protocol/.

import { logSafe } from '../protocol/untrusted.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogEntry {
  seq: number;
  time: number;
  level: LogLevel;
  message: string;
}

export const MAX_LOG_LINE = 2000;
const FLOOD_LINES = 20;
const FLOOD_WINDOW_MS = 10_000;
/** shapes tracked at once; more are forgotten oldest first (a flood of distinct shapes is not summarised) */
const MAX_SHAPES = 1000;

interface Shape {
  windowStart: number;
  lines: number;
  suppressed: number;
  level: LogLevel;
  example: string;
}

/** A message with its variable parts (numbers, quoted or bracketed text, addresses) blanked out. */
function shapeOf(message: string): string {
  return message
    .replace(/"[^"]*"|\[[^\]]*\]|\([^)]*\)/g, '_')
    .replace(/[0-9a-f:.]*\d[0-9a-f:.]*/gi, '#')
    .slice(0, 120);
}

export class Logger {
  private seq = 0;
  private readonly history: LogEntry[] = [];
  private readonly sinks = new Set<(e: LogEntry) => void>();
  private readonly shapes = new Map<string, Shape>();
  private sweep: NodeJS.Timeout | null = null;

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
    const now = Date.now();
    const key = shapeOf(message);
    let s = this.shapes.get(key);
    if (s && now - s.windowStart >= FLOOD_WINDOW_MS) {
      this.summarise(key, s);
      s = undefined;
    }
    if (!s) {
      if (this.shapes.size >= MAX_SHAPES) this.shapes.delete(this.shapes.keys().next().value!);
      s = { windowStart: now, lines: 0, suppressed: 0, level, example: '' };
      this.shapes.set(key, s);
    }
    if (++s.lines > FLOOD_LINES) {
      s.suppressed++;
      s.example = message;
      this.armSweep();
      return;
    }
    this.emit(level, logSafe(message, MAX_LOG_LINE), now);
  }

  /** Reports (and forgets) a shape whose window has ended with lines held back. */
  private summarise(key: string, s: Shape): void {
    this.shapes.delete(key);
    if (!s.suppressed) return;
    const secs = Math.round((Date.now() - s.windowStart) / 1000);
    this.emit(s.level, logSafe(`… and ${s.suppressed.toLocaleString('en-US')} more like it in ${secs} s (the last: ${s.example})`, MAX_LOG_LINE), Date.now());
  }

  /** Summaries come out when their window ends, even if no further line of that shape arrives. */
  private armSweep(): void {
    if (this.sweep) return;
    this.sweep = setTimeout(() => {
      this.sweep = null;
      const now = Date.now();
      let waiting = false;
      for (const [key, s] of this.shapes) {
        if (now - s.windowStart >= FLOOD_WINDOW_MS) this.summarise(key, s);
        else if (s.suppressed) waiting = true;
      }
      if (waiting) this.armSweep();
    }, FLOOD_WINDOW_MS / 2);
    this.sweep.unref();
  }

  private emit(level: LogLevel, message: string, time: number): void {
    const e: LogEntry = { seq: ++this.seq, time, level, message };
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

/** `2026-11-21 10:15:02 INFO  message`, in local time, as the console and log file show it. */
export function formatLogLine(e: LogEntry): string {
  const d = new Date(e.time);
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  return `${stamp} ${e.level.toUpperCase().padEnd(5)} ${e.message}`;
}
