// Slows down password guessing: an address with too many failed logins (source or admin) in a minute is
// answered 429 until the oldest failure ages out. The credential-less probe libshout sends first does not
// count; neither does a right password.

export class LoginGuard {
  private readonly fails = new Map<string, number[]>();

  constructor(
    readonly maxFailures = 10,
    readonly windowMs = 60_000,
    /** addresses remembered at most (a flood of addresses must not grow memory) */
    private readonly maxAddresses = 10_000,
  ) {}

  private recent(ip: string, now: number): number[] {
    const list = this.fails.get(ip);
    if (!list) return [];
    while (list.length && now - list[0] > this.windowMs) list.shift();
    if (!list.length) this.fails.delete(ip);
    return list;
  }

  /** Seconds this address must wait before it may try again; 0 if it may try now. */
  blockedFor(ip: string, now = Date.now()): number {
    const list = this.recent(ip, now);
    return list.length >= this.maxFailures ? Math.max(1, Math.ceil((list[0] + this.windowMs - now) / 1000)) : 0;
  }

  fail(ip: string, now = Date.now()): void {
    let list = this.fails.get(ip);
    if (!list) {
      if (this.fails.size >= this.maxAddresses) this.fails.delete(this.fails.keys().next().value!);
      this.fails.set(ip, (list = []));
    }
    list.push(now);
    if (list.length > this.maxFailures) list.shift();
  }
}
