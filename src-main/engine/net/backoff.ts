// Reconnect delays for outputs and relays: 1 s doubling to 60 s; a connection that stayed up for a minute
// starts the sequence again. Refusals that will not fix themselves (wrong password, mount in use) wait 60 s.

import type { LinkStateName, LinkStatusView } from '../../../src-shared/studio-api.js';

export const BACKOFF_FIRST_MS = 1000;
export const BACKOFF_MAX_MS = 60_000;
/** connected this long: the next failure starts again at BACKOFF_FIRST_MS */
export const BACKOFF_RESET_MS = 60_000;

export class Backoff {
  private next = BACKOFF_FIRST_MS;
  private connectedAt = 0;

  connected(now = Date.now()): void {
    this.connectedAt = now;
  }

  /** The delay before the next attempt, after a failure or a dropped connection. */
  failed(now = Date.now()): number {
    if (this.connectedAt && now - this.connectedAt >= BACKOFF_RESET_MS) this.next = BACKOFF_FIRST_MS;
    this.connectedAt = 0;
    const d = this.next;
    this.next = Math.min(this.next * 2, BACKOFF_MAX_MS);
    return d;
  }

  /** A refusal that needs a person (password, mount taken): retry slowly. */
  refused(): number {
    this.connectedAt = 0;
    this.next = BACKOFF_MAX_MS;
    return BACKOFF_MAX_MS;
  }

  reset(): void {
    this.next = BACKOFF_FIRST_MS;
    this.connectedAt = 0;
  }
}

/** What the studio shows for an output or a relay. */
/** The states and the report of an output or relay: the studio's contract, kept by the engine as it is. */
export type LinkState = LinkStateName;
export type LinkStatus = LinkStatusView;
