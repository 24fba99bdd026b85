// Listeners who tune in to a relay mount while its format is being learned from the upstream (a relay
// without `format`: the upstream's Content-Type decides): their answer waits, bounded in number and time,
// and then all are answered at once (the format is known) or refused (it is not).

import type { Socket } from 'node:net';
import { CORS_HEADERS } from '../protocol/cors.js';
import { refuse } from './reply.js';

/** a held listener is answered or refused within this (a connect attempt's own limit) */
export const HOLD_MS = 10_000;
/** listeners held per relay at most; more are refused at once */
export const MAX_HELD = 256;

interface Held {
  answer(): void;
  onClose(): void;
}

export class AnswerHold {
  private readonly held = new Map<Socket, Held>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    /** a held listener hung up */
    private readonly onLeave: () => void,
    /** HOLD_MS passed since the first listener was held */
    private readonly onExpire: () => void,
  ) {}

  get size(): number {
    return this.held.size;
  }

  /** Holds `socket`'s answer; false (and nothing held) when MAX_HELD are already waiting. */
  add(socket: Socket, answer: () => void): boolean {
    if (this.held.size >= MAX_HELD) return false;
    const onClose = (): void => {
      this.held.delete(socket);
      this.onLeave();
    };
    socket.on('error', () => {});
    socket.once('close', onClose);
    // a listener has nothing to say; reading (and dropping) it is how its hang-up is noticed
    socket.resume();
    this.held.set(socket, { answer, onClose });
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.onExpire();
    }, HOLD_MS);
    return true;
  }

  /** Answers everyone held (`known`: the mount's format is known now) or refuses them; the hold is empty after. */
  settle(known: boolean): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const all = [...this.held];
    this.held.clear();
    for (const [socket, h] of all) {
      socket.off('close', h.onClose);
      if (socket.destroyed) continue;
      if (known) h.answer();
      else refuse(socket, 'listener.relay-unreached', {}, CORS_HEADERS);
    }
  }
}
