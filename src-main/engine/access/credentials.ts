// The one credential check. Every login goes through `Access.login`: source logins (HTTP Basic on SOURCE and
// PUT, SHOUTcast's password line), admin pages and metadata updates, SHOUTcast's admin.cgi and the studio.
// It compares in constant time, applies the login guard's slow-down for that kind of login, and logs an
// address once when it starts being slowed down.
//
// access/ holds this check, the login guard, kick bans and trusted-proxy addresses. It may import protocol/
// and log/ only.

import type { CycastConfig, MountConfig } from '../../../src-shared/config/schema.js';
import type { Logger } from '../log/log.js';
import { logSafe } from '../protocol/untrusted.js';
import { secretsEqual } from '../protocol/secrets.js';
import { LoginGuard, type LoginKind } from './login-guard.js';

export type { LoginKind } from './login-guard.js';

/** Whose credentials may open a door. */
export type Role = 'admin' | 'source';

export interface LoginAttempt {
  /** the door: its failures are counted apart from the other doors' */
  kind: LoginKind;
  ip: string;
  /** null for password-only logins (SHOUTcast, admin.cgi): any user name is taken as given */
  user: string | null;
  password: string;
  /** mounts whose source credentials count, in order (the first that matches wins) */
  mounts?: MountConfig[];
  roles: Role[];
  /** what is being opened, for the slow-down log line ("source /stream", "admin /admin/stats") */
  what: string;
}

export type LoginResult = { ok: true; role: Role; mount: MountConfig | null } | { ok: false; wait: number };

const KIND_WORDS: Record<LoginKind, string> = {
  source: 'source logins',
  admin: 'admin and studio logins',
  'admin-cgi': 'admin.cgi password guesses',
};

export class Access {
  readonly guard = new LoginGuard();

  constructor(
    private readonly config: () => CycastConfig,
    private readonly log: Logger,
    private readonly counters: { failedSourceLogins: number },
  ) {}

  adminPassword(): string {
    const c = this.config();
    return c.admin.password || c.server.source_password;
  }

  private adminMatches(user: string | null, password: string): boolean {
    const c = this.config();
    const userOk = user === null || secretsEqual(user, c.admin.user);
    // both compared always: the time taken does not tell which one was wrong
    return secretsEqual(password, this.adminPassword()) && userOk;
  }

  private sourceMatches(m: MountConfig, user: string | null, password: string): boolean {
    const userOk = user === null || m.source_user === '' || secretsEqual(user, m.source_user);
    return secretsEqual(password, m.source_password) && userOk;
  }

  /** Whether these are the admin's credentials now (no slow-down bookkeeping: for re-checking a session). */
  isAdmin(user: string, password: string): boolean {
    return this.adminMatches(user, password);
  }

  /** Checks one login attempt. While the address is slowed down for this kind, nothing is compared. */
  login(a: LoginAttempt): LoginResult {
    const wait = this.guard.waitFor(a.kind, a.ip);
    if (wait) return { ok: false, wait };
    for (const role of a.roles) {
      if (role === 'admin' && this.adminMatches(a.user, a.password)) {
        this.guard.succeed(a.kind, a.ip);
        return { ok: true, role, mount: null };
      }
      if (role === 'source') {
        const m = (a.mounts ?? []).find((x) => this.sourceMatches(x, a.user, a.password));
        if (m) {
          this.guard.succeed(a.kind, a.ip);
          return { ok: true, role, mount: m };
        }
      }
    }
    if (a.kind === 'source') this.counters.failedSourceLogins++;
    const slow = this.guard.fail(a.kind, a.ip, logSafe(a.what, 80));
    if (slow?.first) {
      this.log.warn(
        `${a.ip}: ${slow.failures} wrong passwords (${slow.tried.join(', ')}); its ${KIND_WORDS[a.kind]} are slowed down ` +
          `(${slow.wait} s, doubling with each further failure, at most 60 s); other kinds of login from it are not affected`,
      );
    }
    return { ok: false, wait: 0 };
  }
}
