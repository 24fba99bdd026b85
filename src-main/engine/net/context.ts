// What connection handlers may read and do: a narrow view of the engine, so a handler cannot reach into
// state it does not own. The engine builds one NetContext and hands it to the router.

import type { Socket } from 'node:net';
import type { AudioFormat, CycastConfig } from '../../../src-shared/config/schema.js';
import type { Access } from '../access/credentials.js';
import type { KickBans } from '../access/bans.js';
import type { Logger } from '../log/log.js';
import type { Listener } from '../stream/broadcaster.js';
import type { LiveSource, Mount } from '../stream/mount.js';
import type { EngineCounters } from '../stream/counters.js';
import type { MountRegistry } from '../stream/registry.js';
import type { HeadGate } from './head-gate.js';

/** Limits in force (the config's `limits` block, with `clients` resolved against the descriptor limit). */
export interface Limits {
  clients: number;
  /** listeners stop being admitted here, leaving room for sources, admins and pages */
  listeners: number;
  sources: number;
  listenersPerAddress: number;
  eventStreams: number;
}

export interface NetContext {
  config(): CycastConfig;
  readonly log: Logger;
  readonly mounts: MountRegistry;
  readonly access: Access;
  readonly bans: KickBans;
  readonly gate: HeadGate;
  readonly counters: EngineCounters;
  limits(): Limits;
  nextId(): number;
  /** the client's address: the socket's peer, or what a trusted proxy forwarded for */
  clientAddress(peer: string, header: (name: string) => string | undefined): string;
  /** listeners per client address (for limits.listeners_per_address) */
  listenersFrom(ip: string): number;
  /** a source on a path the config does not name: creates and registers its mount */
  openDynamicMount(path: string, format: AudioFormat): Mount;
  /** the dynamic mount's source left: forgets and closes it */
  closeDynamicMount(m: Mount): void;
  sourceOnAir(m: Mount): void;
  sourceLeft(m: Mount, s: LiveSource, reason: string): void;
  listenerJoined(m: Mount, l: Listener): void;
  /** whether `path` belongs to a registered page prefix (the studio): never a mount, its PUTs are uploads */
  isPageRoute(path: string): boolean;
  /** hands the socket (with the bytes read so far put back) to the http.Server */
  toHttp(socket: Socket): void;
}
