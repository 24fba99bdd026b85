// What outputs (push) and relays (pull) need from the engine, in one narrow interface, and the one function
// that builds it from the engine's NetContext and its events. Every touch of engine or Mount internals by
// net/output.ts and net/relay.ts goes through here.

import type { Socket } from 'node:net';
import type { AudioFormat } from '../../../src-shared/config/schema.js';
import type { Logger } from '../log/log.js';
import { Listener, type DropReason } from '../stream/broadcaster.js';
import type { LiveSource, Mount } from '../stream/mount.js';
import type { NetContext } from './context.js';

/** A relay's upstream as a live source of its mount. */
export interface RelaySource {
  ip: string;
  port: number;
  userAgent: string;
  contentType: string;
  name: string;
  description: string;
  genre: string;
  url: string;
  bitrate: number;
  /** ends the upstream connection (a kick, the mount removed) */
  disconnect(): void;
}

export interface LinkHost {
  readonly log: Logger;
  mount(path: string): Mount | undefined;
  /** The mount a relay feeds: the configured one on that path, else one made for it (kept while it relays). */
  relayMount(path: string, format: AudioFormat): Mount;
  /** Removes a mount made by relayMount (not a configured one); its listeners are disconnected. */
  dropRelayMount(m: Mount): void;
  /** Puts a relay on air as the mount's live source; null if another source is live there. */
  relayOnAir(m: Mount, src: RelaySource): LiveSource | null;
  /** Feeds relayed audio into the mount (through its framer); returns the whole frames it completed. */
  relayFeed(m: Mount, live: LiveSource, data: Buffer): number;
  /** A title from the relay's upstream (ICY); Ogg titles come from the stream's comments by themselves. */
  relayTitle(m: Mount, live: LiveSource, title: string, url: string): void;
  /** Listeners on the mount at `path` now (0 if there is none). */
  listenerCount(path: string): number;
  /** Bytes the mount's framer has thrown away as not audio since the relay went on air. */
  skippedBytes(m: Mount): number;
  /** Takes the relay off air (the AutoDJ, if any, resumes). */
  relayOffAir(m: Mount, live: LiveSource, reason: string): void;
  /** Attaches a socket as a listener of the mount, starting at the burst point (Ogg: headers first). */
  attachOutput(m: Mount, socket: Socket, userAgent: string, onDrop: (reason: DropReason) => void): Listener;
  /** Calls `fn` on every title change of any mount; returns the unsubscribe function. */
  onTitle(fn: (m: Mount) => void): () => void;
  /** Calls `fn` whenever a mount's listener count changes; returns the unsubscribe function. */
  onListeners(fn: (m: Mount) => void): () => void;
  sourceTimeoutMs(): number;
}

/** The engine's events the links follow (the Engine is one). */
export interface LinkEvents {
  on(event: 'title' | 'listener-connect', fn: (m: Mount) => void): unknown;
  on(event: 'listener-disconnect', fn: (m: Mount, l: Listener, reason: DropReason) => void): unknown;
  off(event: 'title' | 'listener-connect', fn: (m: Mount) => void): unknown;
  off(event: 'listener-disconnect', fn: (m: Mount, l: Listener, reason: DropReason) => void): unknown;
}

/**
 * The LinkHost over the engine. Used: ctx.log, ctx.mounts, ctx.config().advanced.source_timeout,
 * ctx.openDynamicMount / closeDynamicMount, ctx.counters.sourceConnections, ctx.sourceOnAir / sourceLeft,
 * ctx.listenerJoined, ctx.nextId; Mount.source / attachSource / detachSource / feed / setTitle / framer.skippedBytes /
 * listenerJoined / burstStart / oggHeaders / broadcaster.add / remove / count; the title and listener events.
 * (Outputs and relays also read a mount's public description: path, format, contentType, description, title,
 * measuredBitrate, config.queue_size.)
 */
export function linkHost(ctx: NetContext, events: LinkEvents): LinkHost {
  return {
    log: ctx.log,
    mount: (path) => ctx.mounts.get(path),
    relayMount: (path, format) => ctx.mounts.get(path) ?? ctx.openDynamicMount(path, format),
    dropRelayMount(m) {
      if (m.dynamic && !m.source) ctx.closeDynamicMount(m);
    },
    relayOnAir(m, src) {
      if (m.source) return null;
      const live: LiveSource = {
        id: ctx.nextId(),
        ip: src.ip,
        port: src.port,
        userAgent: src.userAgent,
        protocol: 'relay',
        contentType: src.contentType,
        connectedAt: Date.now(),
        bytesIn: 0,
        description: { name: src.name, description: src.description, genre: src.genre, url: src.url, public: false, bitrate: src.bitrate, audioInfo: '' },
        disconnect: src.disconnect,
      };
      m.attachSource(live, m.format);
      ctx.counters.sourceConnections++;
      ctx.sourceOnAir(m);
      return live;
    },
    relayFeed(m, live, data) {
      if (m.source !== live) return 0;
      live.bytesIn += data.length;
      return m.feed(data);
    },
    relayTitle(m, live, title, url) {
      if (m.source === live) m.setTitle(title, url, 'live');
    },
    listenerCount: (path) => ctx.mounts.get(path)?.broadcaster.count ?? 0,
    skippedBytes: (m) => m.framer.skippedBytes,
    relayOffAir(m, live, reason) {
      if (m.source !== live) return;
      m.detachSource(live);
      ctx.sourceLeft(m, live, reason);
    },
    attachOutput(m, socket, userAgent, onDrop) {
      const l = new Listener(ctx.nextId(), socket, m.path, socket.remoteAddress ?? '?', socket.remotePort ?? 0, userAgent, 0, m.broadcaster);
      // an output, not a listener: not counted, listed or announced, and its end comes back here
      l.output = onDrop;
      socket.once('close', () => m.broadcaster.remove(l, 'closed'));
      if (m.format === 'ogg' && m.oggHeaders) {
        socket.write(m.oggHeaders);
        l.bytesSent += m.oggHeaders.length;
      }
      m.broadcaster.add(l, m.burstStart());
      return l;
    },
    onTitle(fn) {
      events.on('title', fn);
      return () => events.off('title', fn);
    },
    onListeners(fn) {
      // a listener is announced before the broadcaster counts it: look once the connect has finished
      const on = (m: Mount): void => void setImmediate(fn, m);
      events.on('listener-connect', on);
      events.on('listener-disconnect', on);
      return () => {
        events.off('listener-connect', on);
        events.off('listener-disconnect', on);
      };
    },
    sourceTimeoutMs: () => ctx.config().advanced.source_timeout * 1000,
  };
}
