// Slows down password guessing, per address and per kind of login, with growing delays instead of a ban.
//
// - Kinds are kept apart: what a web page can make a visitor's browser send (admin.cgi's pass= in an <img>
//   URL) cannot slow down the same address's source logins or its admin and studio logins.
// - An address gets FREE_FAILURES wrong passwords; after that it must wait before its next attempt is even
//   looked at: 1 s, then twice as long after each further failure, at most MAX_DELAY_MS. While it waits,
//   every attempt is answered "slowed down", right password or not, so the answers tell a guesser nothing.
// - A right password (when looked at) clears the address; so does QUIET_MS without a failure.
// - Junk that is no login attempt (a credential-less probe, binary, a TLS hello) is never counted: callers
//   only report real attempts.

export type LoginKind = 'source' | 'admin' | 'admin-cgi';

export const FREE_FAILURES = 5;
export const FIRST_DELAY_MS = 1000;
export const MAX_DELAY_MS = 60_000;
const QUIET_MS = 10 * 60_000;

interface Record {
  failures: number;
  lastFailure: number;
  /** no attempt is looked at before this time */
  waitUntil: number;
  /** logged once per slow-down */
  announced: boolean;
  /** what was tried, for the one log line (user names, mounts), bounded */
  tried: Set<string>;
}

export interface SlowDown {
  /** seconds to wait (≥ 1) */
  wait: number;
  /** true the first time this address is slowed down: the caller logs it, once */
  first: boolean;
  failures: number;
  tried: string[];
}

export class LoginGuard {
  private readonly records = new Map<string, Record>();

  constructor(
    /** addresses remembered at most (a flood of addresses must not grow memory) */
    private readonly maxAddresses = 10_000,
  ) {}

  private get(kind: LoginKind, ip: string, now: number): Record | undefined {
    const key = `${kind}|${ip}`;
    const r = this.records.get(key);
    if (r && now - r.lastFailure > QUIET_MS) {
      this.records.delete(key);
      return undefined;
    }
    return r;
  }

  /** Seconds this address must still wait before a `kind` login is looked at; 0 if it may try now. */
  waitFor(kind: LoginKind, ip: string, now = Date.now()): number {
    const r = this.get(kind, ip, now);
    return r && r.waitUntil > now ? Math.max(1, Math.ceil((r.waitUntil - now) / 1000)) : 0;
  }

  /** A wrong password. Returns the slow-down it starts or lengthens, or null while failures are still free. */
  fail(kind: LoginKind, ip: string, what: string, now = Date.now()): SlowDown | null {
    const key = `${kind}|${ip}`;
    let r = this.get(kind, ip, now);
    if (!r) {
      if (this.records.size >= this.maxAddresses) this.records.delete(this.records.keys().next().value!);
      r = { failures: 0, lastFailure: now, waitUntil: 0, announced: false, tried: new Set() };
      this.records.set(key, r);
    }
    r.failures++;
    r.lastFailure = now;
    if (r.tried.size < 8) r.tried.add(what);
    if (r.failures <= FREE_FAILURES) return null;
    const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(16, r.failures - FREE_FAILURES - 1));
    r.waitUntil = now + delay;
    const first = !r.announced;
    r.announced = true;
    return { wait: Math.ceil(delay / 1000), first, failures: r.failures, tried: [...r.tried] };
  }

  /** A right password: the address starts afresh. */
  succeed(kind: LoginKind, ip: string): void {
    this.records.delete(`${kind}|${ip}`);
  }
}
