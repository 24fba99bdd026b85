// What the pages and admin commands may read and do: a narrow view of the engine.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CycastConfig } from '../../../src-shared/config/schema.js';
import type { LinksView } from '../../../src-shared/studio-api.js';
import type { Access } from '../access/credentials.js';
import type { Feeder } from '../autodj/feeder.js';
import type { Logger } from '../log/log.js';
import type { MountRegistry } from '../stream/registry.js';
import type { EngineCounters } from '../stream/counters.js';
import type { OnEngineEvent } from '../stream/events.js';

/** A handler for a path prefix, served on the engine's ports (the studio's web adapter registers one). */
export type HttpRoute = (req: IncomingMessage, res: ServerResponse) => void;

export interface HttpContext {
  /** the package's assets/ (the public pages' script, style sheet and favicon) */
  readonly assetsDir: string;
  on: OnEngineEvent;
  config(): CycastConfig;
  readonly log: Logger;
  readonly mounts: MountRegistry;
  readonly access: Access;
  readonly startedAt: number;
  readonly counters: Readonly<EngineCounters>;
  /** the listen port as bound */
  listenPort(): number;
  clientAddress(peer: string, header: (name: string) => string | undefined): string;
  feederOf(path: string): Feeder | undefined;
  kickListener(id: number): boolean;
  killSource(path: string): boolean;
  /** push outputs and pull relays with their state */
  links(): LinksView;
  /** path prefix -> handler, checked before the built-in pages */
  readonly routes: ReadonlyMap<string, HttpRoute>;
}

/** The client address of a request (see access/client-address.ts). */
export function requestAddress(ctx: HttpContext, req: IncomingMessage): string {
  return ctx.clientAddress(req.socket.remoteAddress ?? '?', (n) => {
    const v = req.headers[n];
    return Array.isArray(v) ? v.join(', ') : v;
  });
}
