// The streaming engine, composed: ports and the head gate (net/), logins and bans (access/), the mounts
// (stream/), their AutoDJs (autodj/) and the pages (http/). This file wires them together and runs the
// lifecycle (start, config apply, stop); the layers below get narrow contexts, never the Engine. Plain Node:
// it runs the same inside Electron's main process and under `node` in headless mode.

import { EventEmitter } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import type { AudioFormat, CycastConfig, MountConfig } from '../../src-shared/config/schema.js';
import type { ConfigChange } from '../../src-shared/studio-api.js';
import { KickBans } from './access/bans.js';
import { clientAddress } from './access/client-address.js';
import { Access } from './access/credentials.js';
import { AutoDjs } from './autodj/autodj.js';
import type { Clock, Feeder } from './autodj/feeder.js';
import type { Playlist } from './autodj/playlist.js';
import { applyMounts, type MountApplyHost } from './apply-mounts.js';
import { Arrivals } from './arrivals.js';
import { kickListener, kickSource } from './kicks.js';
import { planConfigChange } from './config-change.js';
import { createHttpHandler } from './http/app.js';
import type { HttpContext, HttpRoute } from './http/context.js';
import { descriptorLimit, resolveLimits } from './limits.js';
import { Logger } from './log/log.js';
import type { Limits, NetContext } from './net/context.js';
import type { EngineCounters } from './stream/counters.js';
import { HeadGate } from './net/head-gate.js';
import { Ports, type BoundPorts } from './net/ports.js';
import { handleConnection } from './net/router.js';
import { Links } from './net/links.js';
import { linkHost } from './net/link-host.js';
import type { EngineEvents } from './stream/events.js';
import { Mount, ringCapacity } from './stream/mount.js';
import { dynamicMountConfig, MountRegistry } from './stream/registry.js';

export type { EngineEvents } from './stream/events.js';

export interface EngineOptions {
  /** folder relative paths in the config are resolved against (config.hcl's folder) */
  baseDir?: string;
  /** AutoDJ pacing clock (tests use a fake one) */
  clock?: Clock;
  /** what plays when a mount's music folder has nothing playable (the station passes the bundled demo) */
  demoTracks?: string[];
  /** Ogg silence for Ogg mounts with nothing playable */
  oggSilence?: string;
  /** the public pages' script, style sheet and favicon (assets/ of the package) */
  assetsDir?: string;
}

export class Engine extends EventEmitter<EngineEvents> {
  readonly mounts = new MountRegistry();
  readonly startedAt = Date.now();
  readonly http: HttpServer;
  readonly access: Access;
  readonly counters: EngineCounters = { listenerConnections: 0, sourceConnections: 0, failedSourceLogins: 0, slowListenerDrops: 0, clientConnections: 0 };
  readonly baseDir: string;
  private readonly bans = new KickBans();
  /** connections still sending their request head */
  readonly gate: HeadGate;
  private readonly net: Ports;
  private readonly autodj: AutoDjs;
  private readonly routes = new Map<string, HttpRoute>();
  private readonly netCtx: NetContext;
  /** push outputs and pull relays (net/links.ts) */
  readonly links: Links;
  private readonly sockets = new Set<Socket>();
  private readonly arrivals: Arrivals;
  /** what applying a config's mounts needs */
  private readonly mountHost: MountApplyHost;
  private trusted = new Set<string>();
  private limitsNow: Limits;
  private nextIdValue = 1;
  private started = false;
  private stopping = false;
  /** config applies run one after another */
  private applying: Promise<unknown> = Promise.resolve();

  constructor(
    public config: CycastConfig,
    readonly log: Logger = new Logger(config.advanced.verbose_logging),
    options: EngineOptions = {},
  ) {
    super();
    this.baseDir = options.baseDir ?? process.cwd();
    this.access = new Access(() => this.config, log, this.counters);
    this.arrivals = new Arrivals(log, this.counters, this.mounts, (event, ...args) => this.emit(event, ...(args as never)));
    this.gate = new HeadGate((m) => log.warn(m));
    this.limitsNow = resolveLimits(config.limits, descriptorLimit());
    this.autodj = new AutoDjs({
      baseDir: this.baseDir,
      clock: options.clock,
      demoTracks: options.demoTracks ?? [],
      oggSilence: options.oggSilence ?? '',
      log,
      onState: (m) => this.emit('autodj-state', m),
      onPlaylistChange: (m) => this.emit('playlist-change', m),
    });
    this.net = new Ports(log, (s, shoutcast) => this.accept(s, shoutcast), this.limitsNow.clients);
    const engine = this;
    this.mountHost = {
      mounts: this.mounts,
      autodj: this.autodj,
      get started() {
        return engine.started;
      },
      createMount: (cfg) => this.createMount(cfg),
      removeMount: (m) => this.removeMount(m),
    };
    this.netCtx = this.netContext();
    this.links = new Links(linkHost(this.netCtx, this));
    this.applyLimits(config);
    for (const m of config.mounts) this.mounts.add(this.createMount(m));
    this.on('source-connect', (m) => this.autodj.of(m)?.goLive());
    this.on('source-disconnect', (m) => this.autodj.of(m)?.liveEnded(this.config.playlist.resume_delay));
    this.http = createHttpServer(createHttpHandler(this.httpContext(options.assetsDir ?? '')));
    this.http.headersTimeout = config.advanced.header_timeout * 1000;
    this.http.requestTimeout = 30_000;
    this.http.keepAliveTimeout = 5_000;
  }

  get ports(): BoundPorts {
    return this.net.bound;
  }

  get limits(): Limits {
    return this.limitsNow;
  }

  private applyLimits(config: CycastConfig): void {
    this.limitsNow = resolveLimits(config.limits, descriptorLimit());
    this.net.setMaxConnections(this.limitsNow.clients);
    this.gate.maxTotal = Math.max(64, Math.min(4096, Math.floor(this.limitsNow.clients / 4)));
    this.gate.crowdedTotal = Math.floor(this.gate.maxTotal / 4);
    this.trusted = new Set(config.advanced.trusted_proxies);
  }

  private createMount(cfg: MountConfig, dynamic = false): Mount {
    return new Mount(cfg, ringCapacity(this.config.buffer.size_mb, cfg), this.config.broadcaster.chunk_size, {
      onDrop: (m, l, reason) => this.arrivals.listenerGone(m, l, reason),
      onTitle: (m) => this.emit('title', m),
    }, dynamic, this.config.broadcaster.write_interval_ms);
  }

  /** The view of the engine that connection handlers get. */
  private netContext(): NetContext {
    return {
      config: () => this.config,
      log: this.log,
      mounts: this.mounts,
      access: this.access,
      bans: this.bans,
      gate: this.gate,
      counters: this.counters,
      limits: () => this.limitsNow,
      nextId: () => this.nextIdValue++,
      clientAddress: (peer, header) => this.clientAddressOf(peer, header),
      listenersFrom: (ip) => this.arrivals.listenersFrom(ip),
      openDynamicMount: (path: string, format: AudioFormat) => {
        const m = this.createMount(dynamicMountConfig(this.config.mounts[0], path, format), true);
        this.mounts.add(m);
        return m;
      },
      closeDynamicMount: (m) => {
        if (this.mounts.remove(m)) m.close('mount-gone');
      },
      sourceOnAir: (m) => this.arrivals.sourceOnAir(m),
      sourceLeft: (m, s, reason) => this.arrivals.sourceLeft(m, s, reason),
      listenerJoined: (m, l) => this.arrivals.listenerJoined(m, l),
      isPageRoute: (path) => [...this.routes.keys()].some((p) => path === p || path.startsWith(p + '/')),
      toHttp: (socket) => this.http.emit('connection', socket),
    };
  }

  /** The view of the engine that pages and admin commands get. */
  private httpContext(assetsDir: string): HttpContext {
    return {
      assetsDir,
      on: (event, fn) => void this.on(event, fn as never),
      config: () => this.config,
      log: this.log,
      mounts: this.mounts,
      access: this.access,
      startedAt: this.startedAt,
      counters: this.counters,
      listenPort: () => this.net.bound.listen,
      clientAddress: (peer, header) => this.clientAddressOf(peer, header),
      feederOf: (path) => this.feederOf(path),
      kickListener: (id) => this.kickListener(id),
      kickSource: (path) => this.kickSource(path),
      links: () => this.links.reports(),
      routes: this.routes,
    };
  }

  private accept(socket: Socket, shoutcastPort: boolean): void {
    if (this.stopping || this.sockets.size >= this.limitsNow.clients) {
      socket.destroy();
      return;
    }
    this.counters.clientConnections++;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    handleConnection(this.netCtx, socket, shoutcastPort);
  }

  /** A client's address (the socket's peer, or what a trusted proxy forwarded for). */
  clientAddressOf(peer: string, header: (name: string) => string | undefined): string {
    return clientAddress(peer, header, this.trusted);
  }

  /** Disconnects a listener; its address stays off that mount for `banSeconds` (advanced.kick_ban). */
  kickListener(id: number, banSeconds = this.config.advanced.kick_ban): boolean {
    return kickListener(this.mounts, this.bans, id, banSeconds);
  }

  /** Disconnects a mount's live source; its address may not log in there for `banSeconds` (advanced.kick_ban). */
  kickSource(path: string, banSeconds = this.config.advanced.kick_ban): boolean {
    return kickSource(this.mounts, this.bans, this.log, path, banSeconds);
  }

  feederOf(path: string): Feeder | undefined {
    const m = this.mounts.get(path);
    return m && this.autodj.of(m);
  }

  playlistOf(path: string): Playlist | undefined {
    return this.feederOf(path)?.playlist ?? undefined;
  }

  /** Skips the AutoDJ track on air; false if the mount has no AutoDJ playing. */
  skip(path: string): boolean {
    const f = this.feederOf(path);
    if (!f || f.state !== 'auto') return false;
    f.skip();
    return true;
  }

  /** Serves `prefix` (e.g. "/studio") with `handler` on every port. */
  addHttpRoute(prefix: string, handler: HttpRoute): void {
    this.routes.set(prefix, handler);
  }

  /** The changes applying `next` would make, with whom they touch. */
  planConfig(next: CycastConfig): ConfigChange[] {
    return planConfigChange(this.config, next, (path) => {
      const m = this.mounts.get(path);
      return m && { listeners: m.broadcaster.count, live: m.source !== null };
    });
  }

  /**
   * Applies a validated config to the running engine. Only what the change concerns is touched: listeners of
   * mounts that stay keep streaming; a port change binds the new port while open connections stay. All or
   * nothing: if a new port cannot be opened, nothing changes.
   */
  applyConfig(next: CycastConfig): Promise<ConfigChange[]> {
    const run = this.applying.then(() => this.applyNow(next));
    this.applying = run.catch(() => undefined);
    return run;
  }

  private async applyNow(next: CycastConfig): Promise<ConfigChange[]> {
    const prev = this.config;
    const changes = this.planConfig(next);
    if (this.started && this.net.differ(prev.server, next.server)) {
      try {
        await this.net.bindAll(next.server);
      } catch (e) {
        this.log.error(`config not applied: the new ports could not be opened (${(e as Error).message})`);
        throw e;
      }
    }
    this.config = next;
    this.log.verbose = next.advanced.verbose_logging;
    this.http.headersTimeout = next.advanced.header_timeout * 1000;
    this.applyLimits(next);
    applyMounts(this.mountHost, prev, next);
    this.links.apply(next);
    this.log.info(`config applied: ${changes.length ? changes.map((c) => c.path).join(', ') : 'no changes'}`);
    return changes;
  }

  private removeMount(m: Mount): void {
    this.autodj.stop(m);
    this.mounts.remove(m);
    m.close('mount-gone');
    this.log.info(`mount ${m.path} removed`);
  }

  /** Binds every port and starts the AutoDJs. Rejects with PortInUseError if a port is taken. */
  async start(): Promise<BoundPorts> {
    await this.net.bindAll(this.config.server);
    this.started = true;
    for (const m of this.mounts) if (!m.dynamic && m.config.playlist_enabled) this.autodj.start(m, this.config);
    this.links.start(this.config);
    return this.ports;
  }

  /** Stops listening, disconnects every client; resolves when all servers are closed. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.links.stop();
    const closing = this.net.closeAll();
    this.autodj.stopAll();
    for (const m of this.mounts) m.broadcaster.closeAll('shutdown');
    for (const s of this.sockets) s.destroy();
    this.http.close();
    await closing;
  }
}
