// The streaming engine: binds the ports, owns the mounts, and keeps the counters the APIs report. Plain Node:
// it runs the same inside Electron's main process and under `node` in headless mode.

import { EventEmitter } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { basename, resolve } from 'node:path';
import type { CycastConfig, MountConfig } from '../../src-shared/config/schema.js';
import { secretsEqual } from './protocol/secrets.js';
import type { DropReason, Listener } from './stream/broadcaster.js';
import { handleConnection } from './net/router.js';
import { createHttpHandler } from './http/app.js';
import { Logger } from './log/log.js';
import { Mount } from './stream/mount.js';
import { LoginGuard } from './access/login-guard.js';
import { Feeder, realClock, type Clock } from './autodj/feeder.js';
import { Playlist } from './autodj/playlist.js';
import { DEMO_TRACKS, OGG_SILENCE } from '../paths.js';
import type { ConfigChange } from '../../src-shared/studio-api.js';
import { planConfigChange } from './config-change.js';
import { Links } from './net/links.js';
import { engineLinkHost } from './net/link-host.js';

export { SERVER_ID, SERVER_NAME, SERVER_VERSION } from './protocol/version.js';

export interface BoundPorts {
  listen: number;
  source: number;
  /** 0 when SHOUTcast v1 sources are off */
  shoutcast: number;
}

export interface EngineEvents {
  'source-connect': [mount: Mount];
  'source-disconnect': [mount: Mount, reason: string];
  'listener-connect': [mount: Mount, listener: Listener];
  'listener-disconnect': [mount: Mount, listener: Listener, reason: DropReason];
  title: [mount: Mount];
  'playlist-change': [mount: Mount];
  'autodj-state': [mount: Mount];
}

/** A handler for a path prefix, served on the engine's ports (the studio's web adapter registers one). */
export type HttpRoute = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;

export interface EngineOptions {
  /** folder relative paths in the config are resolved against (config.hcl's folder) */
  baseDir?: string;
  /** AutoDJ pacing clock (tests use a fake one) */
  clock?: Clock;
  /** what plays when a mount's music folder has nothing playable (default: the bundled demo) */
  demoTracks?: string[];
}

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly host: string,
  ) {
    super(`port ${port} on ${host} is already in use (is another Cycast or Icecast running?)`);
  }
}

export class Engine extends EventEmitter<EngineEvents> {
  readonly mounts = new Map<string, Mount>();
  readonly startedAt = Date.now();
  readonly http: HttpServer;
  ports: BoundPorts = { listen: 0, source: 0, shoutcast: 0 };
  /** connections per address still sending their request head (see connection.ts) */
  readonly pendingHeads = new Map<string, number>();
  /** when an address was last warned about as crowded, so a flood logs one line a minute, not one per connection */
  private crowdedWarned = new Map<string, number>();
  /** failed logins per address, to slow down password guessing */
  readonly logins = new LoginGuard();
  readonly counters = {
    listenerConnections: 0,
    sourceConnections: 0,
    failedSourceLogins: 0,
    slowListenerDrops: 0,
    clientConnections: 0,
  };
  /** listening servers by port, and the host they are bound to */
  private servers = new Map<number, Server>();
  private boundHost = '';
  private started = false;
  /** config applies run one after another */
  private applying: Promise<unknown> = Promise.resolve();
  /** path prefix -> handler, checked before the built-in pages */
  readonly httpRoutes = new Map<string, HttpRoute>();
  private readonly sockets = new Set<Socket>();
  private nextIdValue = 1;
  private stopping = false;

  readonly baseDir: string;
  private readonly clock: Clock;
  private readonly demoTracks: string[];
  /** AutoDJ of each configured mount that has one */
  private readonly autodj = new Map<Mount, Feeder>();
  /** `mount|ip` of kicked sources, and until when (ms) they may not log in */
  private readonly bans = new Map<string, number>();
  /** push outputs and pull relays (net/links.ts) */
  readonly links = new Links(engineLinkHost(this));

  constructor(
    public config: CycastConfig,
    readonly log: Logger = new Logger(config.advanced.verbose_logging),
    options: EngineOptions = {},
  ) {
    super();
    this.baseDir = options.baseDir ?? process.cwd();
    this.clock = options.clock ?? realClock;
    this.demoTracks = options.demoTracks ?? DEMO_TRACKS;
    for (const m of config.mounts) this.mounts.set(m.path, this.createMount(m));
    this.on('source-connect', (m) => this.autodj.get(m)?.goLive());
    this.on('source-disconnect', (m) => this.autodj.get(m)?.liveEnded(this.config.playlist.resume_delay));
    this.http = createHttpServer(createHttpHandler(this));
    this.http.headersTimeout = config.advanced.header_timeout * 1000;
    this.http.requestTimeout = 30_000;
    this.http.keepAliveTimeout = 5_000;
  }

  nextId(): number {
    return this.nextIdValue++;
  }

  /** Logs (at most once a minute per address) that an address has too many unfinished requests. */
  warnCrowded(ip: string, what: string): void {
    const now = Date.now();
    if (now - (this.crowdedWarned.get(ip) ?? -Infinity) < 60_000) return;
    if (this.crowdedWarned.size > 1000) this.crowdedWarned.clear();
    this.crowdedWarned.set(ip, now);
    this.log.warn(`${ip}: ${what}`);
  }

  get totalListeners(): number {
    let n = 0;
    for (const m of this.mounts.values()) n += m.broadcaster.count;
    return n;
  }

  private createMount(cfg: MountConfig, dynamic = false): Mount {
    return new Mount(cfg, this.config.buffer.size_mb * 1024 * 1024, this.config.broadcaster.chunk_size, {
      onDrop: (m, l, reason) => this.listenerGone(m, l, reason),
      onTitle: (m) => this.emit('title', m),
    }, dynamic, this.config.broadcaster.write_interval_ms);
  }

  /** Settings for a mount a source creates on a path the config does not name (like Icecast does). */
  dynamicMountConfig(path: string, format: MountConfig['format']): MountConfig {
    const main = this.config.mounts[0];
    return { ...main, path, format, max_listeners: 0, playlist_directory: '', playlist_enabled: false };
  }

  addDynamicMount(cfg: MountConfig): Mount {
    const m = this.createMount(cfg, true);
    this.mounts.set(cfg.path, m);
    return m;
  }

  removeDynamicMount(m: Mount): void {
    if (!m.dynamic || this.mounts.get(m.path) !== m) return;
    this.mounts.delete(m.path);
    m.broadcaster.closeAll('mount-gone');
  }

  /** Source credentials for a mount (or for a new mount on that path). */
  sourceCredentialsOk(mountPath: string, user: string, password: string): boolean {
    const cfg = this.mounts.get(mountPath)?.config ?? this.config.mounts[0];
    const userOk = cfg.source_user === '' || secretsEqual(user, cfg.source_user);
    const passOk = secretsEqual(password, cfg.source_password);
    return userOk && passOk;
  }

  adminPassword(): string {
    return this.config.admin.password || this.config.server.source_password;
  }

  adminCredentialsOk(user: string, password: string): boolean {
    const userOk = secretsEqual(user, this.config.admin.user);
    const passOk = secretsEqual(password, this.adminPassword());
    return userOk && passOk;
  }

  private listenerGone(m: Mount, l: Listener, reason: DropReason): void {
    if (reason === 'slow') {
      this.counters.slowListenerDrops++;
      this.log.warn(`listener #${l.id} ${l.ip} dropped from ${m.path}: more than ${m.config.queue_size} bytes behind (too slow)`);
    } else if (reason !== 'shutdown') {
      const secs = Math.round((Date.now() - l.connectedAt) / 1000);
      this.log.info(`listener #${l.id} ${l.ip} left ${m.path} after ${secs}s, ${l.bytesSent} bytes${reason === 'kicked' ? ' (kicked)' : ''} [${this.totalListeners} listening]`);
    }
    this.emit('listener-disconnect', m, l, reason);
  }

  /** Disconnects one listener; false if there is none with that id. */
  kickListener(id: number): boolean {
    for (const m of this.mounts.values()) {
      const l = m.broadcaster.all().find((x) => x.id === id);
      if (l) {
        m.broadcaster.remove(l, 'kicked');
        return true;
      }
    }
    return false;
  }

  private readonly sourceSockets = new Map<Mount, Socket>();

  registerSourceSocket(m: Mount, s: Socket): void {
    this.sourceSockets.set(m, s);
  }

  unregisterSourceSocket(m: Mount, s: Socket): void {
    if (this.sourceSockets.get(m) === s) this.sourceSockets.delete(m);
  }

  /**
   * Disconnects a mount's live source and bans its address from that mount for `banSeconds` (default
   * advanced.kick_ban), so its auto-reconnect does not put it straight back on air. False if none is live.
   */
  killSource(path: string, banSeconds = this.config.advanced.kick_ban): boolean {
    const m = this.mounts.get(path);
    const s = m && this.sourceSockets.get(m);
    if (!m || !s) return false;
    const ip = m.source?.ip ?? s.remoteAddress ?? '?';
    if (banSeconds > 0) this.bans.set(`${path}|${ip}`, Date.now() + banSeconds * 1000);
    this.log.info(`source on ${path} from ${ip} kicked by an admin${banSeconds > 0 ? `; it may not log in again for ${banSeconds}s` : ''}`);
    s.destroy();
    return true;
  }

  /** Seconds a source from `ip` must still wait before it may log in to `path` (0: it may). */
  banRemaining(path: string, ip: string): number {
    const key = `${path}|${ip}`;
    const until = this.bans.get(key);
    if (until === undefined) return 0;
    const left = until - Date.now();
    if (left <= 0) {
      this.bans.delete(key);
      return 0;
    }
    return Math.ceil(left / 1000);
  }

  feederOf(path: string): Feeder | undefined {
    const m = this.mounts.get(path);
    return m && this.autodj.get(m);
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

  /** The M3U8 file of a mount's playlist: playlist.file for the main mount, playlist-NAME.m3u8 for others. */
  playlistFile(m: Mount): string {
    const file = resolve(this.baseDir, this.config.playlist.file);
    if (m.path === this.config.server.mount_point) return file;
    const name = m.path.slice(1).replace(/[^A-Za-z0-9._-]+/g, '_');
    return resolve(this.baseDir, `${basename(file).replace(/\.m3u8?$/i, '')}-${name}.m3u8`);
  }

  /** Serves `prefix` (e.g. "/studio") with `handler` on every port. */
  addHttpRoute(prefix: string, handler: HttpRoute): void {
    this.httpRoutes.set(prefix, handler);
  }

  /** Builds the mount's playlist and starts its AutoDJ (silence until the playlist has loaded). */
  private startAutoDj(m: Mount): void {
    const pl = this.config.playlist;
    const playlist = new Playlist({
      mount: m.path,
      format: m.format,
      directory: resolve(this.baseDir, m.config.playlist_directory),
      extensions: pl.extensions,
      file: this.playlistFile(m),
      shuffle: pl.shuffle,
      shuffleEachPass: pl.reshuffle,
      repeat: pl.repeat,
      fallbackFiles: this.demoTracks,
      log: this.log,
    });
    const feeder = new Feeder(m, playlist, this.log, this.clock, { oggSilenceFile: OGG_SILENCE, onState: () => this.emit('autodj-state', m) });
    playlist.on('change', () => this.emit('playlist-change', m));
    this.autodj.set(m, feeder);
    feeder.start();
    playlist
      .load()
      .then(() => {
        if (!this.stopping) playlist.watchFolder();
      })
      .catch((e) => this.log.error(`${m.path}: the playlist could not be loaded: ${(e as Error).message}`));
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
   * mounts that stay keep streaming; a port change binds the new port while open connections stay.
   */
  applyConfig(next: CycastConfig): Promise<ConfigChange[]> {
    const run = this.applying.then(() => this.applyNow(next));
    this.applying = run.catch(() => undefined);
    return run;
  }

  private async applyNow(next: CycastConfig): Promise<ConfigChange[]> {
    const prev = this.config;
    const changes = this.planConfig(next);
    const s = prev.server;
    const n = next.server;
    if (this.started && (s.host !== n.host || s.listen_port !== n.listen_port || s.source_port !== n.source_port || s.shoutcast_port !== n.shoutcast_port)) {
      // ports first: if one cannot be opened, nothing at all changes. Connections already open stay.
      try {
        await this.bindAll(n);
      } catch (e) {
        this.log.error(`config not applied: the new ports could not be opened (${(e as Error).message})`);
        throw e;
      }
    }
    this.config = next;
    this.log.verbose = next.advanced.verbose_logging;
    this.http.headersTimeout = next.advanced.header_timeout * 1000;
    // only a different set of files needs the AutoDJ rebuilt (the track on air would stop); repeat and
    // reshuffle apply to the running playlist, resume_delay is read when a DJ leaves
    const playlistChanged = prev.playlist.file !== next.playlist.file || JSON.stringify(prev.playlist.extensions) !== JSON.stringify(next.playlist.extensions);
    const wanted = new Map(next.mounts.map((m) => [m.path, m]));
    for (const m of [...this.mounts.values()]) {
      if (m.dynamic) continue;
      const cfg = wanted.get(m.path);
      if (!cfg || cfg.format !== m.format) this.removeMount(m);
    }
    const ordered = new Map<string, Mount>();
    for (const cfg of next.mounts) {
      let m = this.mounts.get(cfg.path);
      if (m && !m.dynamic) {
        const autodjChanged = playlistChanged || m.config.playlist_directory !== cfg.playlist_directory || m.config.playlist_enabled !== cfg.playlist_enabled;
        m.reconfigure(cfg, next.broadcaster.chunk_size, next.broadcaster.write_interval_ms);
        m.ring.capacity = next.buffer.size_mb * 1024 * 1024;
        if (autodjChanged && this.started) {
          this.stopAutoDj(m);
          if (cfg.playlist_enabled) this.startAutoDj(m);
        } else {
          const p = this.autodj.get(m)?.playlist;
          if (p && p.repeat !== next.playlist.repeat) p.setRepeat(next.playlist.repeat);
          if (p && p.shuffle !== next.playlist.reshuffle) p.setShuffle(next.playlist.reshuffle);
        }
      } else {
        if (m) this.removeMount(m); // a dynamic mount on a path the config now claims
        m = this.createMount(cfg);
        if (this.started && cfg.playlist_enabled) this.startAutoDj(m);
      }
      ordered.set(cfg.path, m);
    }
    for (const m of this.mounts.values()) if (m.dynamic && !ordered.has(m.path)) ordered.set(m.path, m);
    this.mounts.clear();
    for (const [k, m] of ordered) this.mounts.set(k, m);
    this.links.apply(next);
    this.log.info(`config applied: ${changes.length ? changes.map((c) => c.path).join(', ') : 'no changes'}`);
    return changes;
  }

  private removeMount(m: Mount): void {
    this.stopAutoDj(m);
    this.sourceSockets.get(m)?.destroy();
    this.mounts.delete(m.path);
    m.broadcaster.closeAll('mount-gone');
    this.log.info(`mount ${m.path} removed`);
  }

  private stopAutoDj(m: Mount): void {
    const f = this.autodj.get(m);
    if (!f) return;
    f.stop();
    f.playlist?.close();
    this.autodj.delete(m);
  }

  /** Binds every port. Rejects with PortInUseError if one is taken. */
  async start(): Promise<BoundPorts> {
    await this.bindAll(this.config.server);
    this.started = true;
    for (const m of this.mounts.values()) if (!m.dynamic && m.config.playlist_enabled) this.startAutoDj(m);
    this.links.start(this.config);
    return this.ports;
  }

  /**
   * Listens on the ports of `server`, keeping servers already bound to a wanted port. All or nothing: if a
   * port cannot be opened, the ones opened by this call are closed and the previous ones stay.
   */
  private async bindAll(server: CycastConfig['server']): Promise<void> {
    const host = server.host;
    const reuse = host === this.boundHost ? this.servers : new Map<number, Server>();
    const fresh = new Map<number, Server>();
    const open = async (port: number, role: string): Promise<number> => {
      if (port !== 0 && reuse.has(port)) {
        fresh.set(port, reuse.get(port)!);
        return port;
      }
      const srv = await this.bind(port, host, role);
      const actual = (srv.address() as AddressInfo).port;
      fresh.set(actual, srv);
      return actual;
    };
    try {
      const listen = await open(server.listen_port, server.listen_port === server.source_port ? 'listen+source' : 'listen');
      const source = server.source_port === server.listen_port ? listen : await open(server.source_port, 'source');
      let shoutcast = 0;
      const wanted = server.shoutcast_port === -1 ? (server.source_port === 0 ? 0 : source + 1) : server.shoutcast_port;
      if (wanted !== 0) {
        // SHOUTcast v1 logins are recognised on any of our ports; a port of its own is bound only if needed
        shoutcast = wanted === listen || wanted === source ? wanted : await open(wanted, 'shoutcast');
      }
      for (const [port, srv] of this.servers) if (fresh.get(port) !== srv) srv.close();
      this.servers = fresh;
      this.boundHost = host;
      this.ports = { listen, source, shoutcast };
    } catch (e) {
      for (const [port, srv] of fresh) if (this.servers.get(port) !== srv) srv.close();
      throw e;
    }
  }

  private bind(port: number, host: string, role: string): Promise<Server> {
    return new Promise((resolve, reject) => {
      // no half-open connections: a client that shuts its side is gone, as Icecast treats it (otherwise a
      // listener that hung up on an idle mount would be counted until audio flowed again)
      const srv = createServer({ noDelay: true, pauseOnConnect: false, allowHalfOpen: false }, (socket) => {
        if (this.stopping) {
          socket.destroy();
          return;
        }
        this.counters.clientConnections++;
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
        handleConnection(this, socket, this.isShoutcastPort((srv.address() as AddressInfo).port));
      });
      srv.maxConnections = 100_000;
      srv.once('error', (err: NodeJS.ErrnoException) => {
        reject(err.code === 'EADDRINUSE' ? new PortInUseError(port, host) : new Error(`cannot listen on ${host}:${port} (${role}): ${err.message}`));
      });
      srv.listen({ port, host, backlog: 4096 }, () => {
        srv.removeAllListeners('error');
        srv.on('error', (err) => this.log.error(`${role} server error: ${err.message}`));
        resolve(srv);
      });
    });
  }

  private isShoutcastPort(port: number): boolean {
    return this.ports.shoutcast !== 0 && port === this.ports.shoutcast;
  }

  /** Stops listening, disconnects every client; resolves when all servers are closed. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.links.stop();
    const closing = [...this.servers.values()].map((s) => new Promise<void>((r) => s.close(() => r())));
    for (const f of this.autodj.values()) {
      f.stop();
      f.playlist?.close();
    }
    for (const m of this.mounts.values()) m.broadcaster.closeAll('shutdown');
    for (const s of this.sockets) s.destroy();
    this.http.close();
    await Promise.all(closing);
    this.servers = new Map();
  }
}
