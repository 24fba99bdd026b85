// Sources and listeners coming and going: the one place that counts them (per address too, for
// limits.listeners_per_address), writes their log lines and tells the engine's subscribers.

import type { Logger } from './log/log.js';
import type { DropReason, Listener } from './stream/broadcaster.js';
import type { EngineCounters } from './stream/counters.js';
import type { EngineEvents } from './stream/events.js';
import type { LiveSource, Mount } from './stream/mount.js';
import type { MountRegistry } from './stream/registry.js';

type Emit = <K extends keyof EngineEvents>(event: K, ...args: EngineEvents[K]) => void;

export class Arrivals {
  private readonly listenersByIp = new Map<string, number>();

  constructor(
    private readonly log: Logger,
    private readonly counters: EngineCounters,
    private readonly mounts: MountRegistry,
    private readonly emit: Emit,
  ) {}

  listenersFrom(ip: string): number {
    return this.listenersByIp.get(ip) ?? 0;
  }

  sourceOnAir(m: Mount): void {
    const s = m.source!;
    this.log.info(`source connected to ${m.path} from ${s.ip} (${s.protocol}, ${s.contentType}${s.userAgent ? `, ${s.userAgent}` : ''})${s.description.name ? ` "${s.description.name}"` : ''}`);
    this.emit('source-connect', m);
  }

  sourceLeft(m: Mount, s: LiveSource, reason: string): void {
    this.log.info(`source on ${m.path} from ${s.ip} ${reason} after ${Math.round((Date.now() - s.connectedAt) / 1000)}s, ${s.bytesIn} bytes`);
    this.emit('source-disconnect', m, reason);
  }

  /** Announced before the broadcaster adds it (adding sends the burst, which may already drop it). */
  listenerJoined(m: Mount, l: Listener): void {
    this.counters.listenerConnections++;
    this.listenersByIp.set(l.ip, this.listenersFrom(l.ip) + 1);
    this.log.info(`listener #${l.id} ${l.ip} tuned in to ${m.path}${l.metaint ? ' (ICY titles)' : ''}${l.userAgent ? ` [${l.userAgent}]` : ''} [${this.mounts.totalListeners + 1} listening]`);
    this.emit('listener-connect', m, l);
  }

  listenerGone(m: Mount, l: Listener, reason: DropReason): void {
    const left = this.listenersFrom(l.ip) - 1;
    if (left > 0) this.listenersByIp.set(l.ip, left);
    else this.listenersByIp.delete(l.ip);
    if (reason === 'slow') {
      this.counters.slowListenerDrops++;
      this.log.warn(`listener #${l.id} ${l.ip} dropped from ${m.path}: more than ${m.config.queue_size} bytes behind (too slow)`);
    } else if (reason !== 'shutdown') {
      const secs = Math.round((Date.now() - l.connectedAt) / 1000);
      this.log.info(`listener #${l.id} ${l.ip} left ${m.path} after ${secs}s, ${l.bytesSent} bytes${reason === 'kicked' ? ' (kicked)' : ''} [${this.mounts.totalListeners} listening]`);
    }
    this.emit('listener-disconnect', m, l, reason);
  }
}
