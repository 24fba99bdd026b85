// What outputs (push) and relays (pull) need from the engine, in one narrow interface, and the one function
// that implements it over today's Engine and Mount. Every touch of Engine/Mount internals by net/output.ts
// and net/relay.ts goes through here, so a change in how a live source is attached is a change in this file.

import type { Socket } from 'node:net';
import type { AudioFormat } from '../../../src-shared/config/schema.js';
import type { Engine } from '../engine.js';
import type { Logger } from '../log/log.js';
import { Listener, type DropReason } from '../stream/broadcaster.js';
import type { Mount, SourceInfo } from '../stream/mount.js';

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
}

export interface LinkHost {
  readonly log: Logger;
  mount(path: string): Mount | undefined;
  /** The mount a relay feeds: the configured one on that path, else one made for it (kept while it relays). */
  relayMount(path: string, format: AudioFormat): Mount;
  /** Removes a mount made by relayMount (not a configured one); its listeners are disconnected. */
  dropRelayMount(m: Mount): void;
  /** Puts a relay on air as the mount's live source; false if another source is live there. */
  relayOnAir(m: Mount, src: RelaySource): boolean;
  /** Feeds relayed audio into the mount (through its framer). */
  relayFeed(m: Mount, data: Buffer): void;
  /** Takes the relay off air (the AutoDJ, if any, resumes). */
  relayOffAir(m: Mount, reason: string): void;
  /** Attaches a socket as a listener of the mount, starting at the burst point (Ogg: headers first). */
  attachOutput(m: Mount, socket: Socket, userAgent: string, onDrop: (reason: DropReason) => void): Listener;
  /** Calls `fn` on every title change of any mount; returns the unsubscribe function. */
  onTitle(fn: (m: Mount) => void): () => void;
  /** Calls `fn` whenever a mount's listener count changes; returns the unsubscribe function. */
  onListeners(fn: (m: Mount) => void): () => void;
  nextId(): number;
  sourceTimeoutMs(): number;
}

/** The engine members used: mounts, log, nextId, config.advanced.source_timeout, dynamicMountConfig,
 * addDynamicMount, removeDynamicMount, counters.sourceConnections, the title/listener/source events;
 * on a Mount: source, resetFramer, contentType, setTitle, feed, broadcaster.add, burstStart, oggHeaders. */
export function engineLinkHost(engine: Engine): LinkHost {
  const relayInfo = new Map<Mount, SourceInfo>();
  return {
    get log() {
      return engine.log;
    },
    mount: (path) => engine.mounts.get(path),
    relayMount(path, format) {
      const m = engine.mounts.get(path);
      if (m) return m;
      return engine.addDynamicMount(engine.dynamicMountConfig(path, format));
    },
    dropRelayMount(m) {
      if (!m.source) engine.removeDynamicMount(m);
    },
    relayOnAir(m, src) {
      if (m.source) return false;
      const info: SourceInfo = {
        id: engine.nextId(),
        ip: src.ip,
        port: src.port,
        userAgent: src.userAgent,
        protocol: 'relay',
        contentType: src.contentType,
        connectedAt: Date.now(),
        bytesIn: 0,
        description: { name: src.name, description: src.description, genre: src.genre, url: src.url, public: false, bitrate: src.bitrate, audioInfo: '' },
      };
      m.source = info;
      relayInfo.set(m, info);
      m.resetFramer();
      m.contentType = src.contentType;
      m.setTitle(src.name, '', 'live');
      engine.counters.sourceConnections++;
      engine.emit('source-connect', m);
      return true;
    },
    relayFeed(m, data) {
      const info = relayInfo.get(m);
      if (!info || m.source !== info) return;
      info.bytesIn += data.length;
      m.feed(data);
    },
    relayOffAir(m, reason) {
      const info = relayInfo.get(m);
      relayInfo.delete(m);
      if (!info || m.source !== info) return;
      m.source = null;
      engine.emit('source-disconnect', m, reason);
    },
    attachOutput(m, socket, userAgent, onDrop) {
      const l = new Listener(engine.nextId(), socket, m.path, socket.remoteAddress ?? '?', socket.remotePort ?? 0, userAgent, 0, m.broadcaster);
      const gone = (mm: Mount, x: Listener, reason: DropReason): void => {
        if (x !== l) return;
        engine.off('listener-disconnect', gone);
        onDrop(reason);
      };
      engine.on('listener-disconnect', gone);
      socket.once('close', () => m.broadcaster.remove(l, 'closed'));
      if (m.format === 'ogg' && m.oggHeaders) {
        socket.write(m.oggHeaders);
        l.bytesSent += m.oggHeaders.length;
      }
      engine.emit('listener-connect', m, l);
      m.broadcaster.add(l, m.burstStart());
      return l;
    },
    onTitle(fn) {
      engine.on('title', fn);
      return () => engine.off('title', fn);
    },
    onListeners(fn) {
      // a listener is announced before the broadcaster counts it: look once the connect has finished
      const on = (m: Mount): void => void setImmediate(fn, m);
      engine.on('listener-connect', on);
      engine.on('listener-disconnect', on);
      return () => {
        engine.off('listener-connect', on);
        engine.off('listener-disconnect', on);
      };
    },
    nextId: () => engine.nextId(),
    sourceTimeoutMs: () => engine.config.advanced.source_timeout * 1000,
  };
}
