// The streaming engine: binds the ports, owns the mounts, and keeps the counters the APIs report. Plain Node:
// it runs the same inside Electron's main process and under `node` in headless mode.

import { EventEmitter } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { CycastConfig, MountConfig } from '../../src-shared/config/schema.js';
import { secretsEqual } from './auth.js';
import type { DropReason, Listener } from './broadcaster.js';
import { handleConnection } from './connection.js';
import { createHttpHandler } from './http-app.js';
import { Logger } from './log.js';
import { Mount } from './mount.js';

export { SERVER_ID, SERVER_NAME, SERVER_VERSION } from './version.js';

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
  readonly counters = {
    listenerConnections: 0,
    sourceConnections: 0,
    failedSourceLogins: 0,
    slowListenerDrops: 0,
    clientConnections: 0,
  };
  private servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private nextIdValue = 1;
  private stopping = false;

  constructor(
    public config: CycastConfig,
    readonly log: Logger = new Logger(config.advanced.verbose_logging),
  ) {
    super();
    for (const m of config.mounts) this.mounts.set(m.path, this.createMount(m));
    this.http = createHttpServer(createHttpHandler(this));
    this.http.headersTimeout = config.advanced.header_timeout * 1000;
    this.http.requestTimeout = 30_000;
    this.http.keepAliveTimeout = 5_000;
  }

  nextId(): number {
    return this.nextIdValue++;
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
    }, dynamic);
  }

  /** Settings for a mount a source creates on a path the config does not name (like Icecast does). */
  dynamicMountConfig(path: string, format: MountConfig['format']): MountConfig {
    const main = this.config.mounts[0];
    return { ...main, path, format, max_listeners: 0, playlist_directory: '' };
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

  /** Disconnects a mount's live source; false if none is connected. */
  killSource(path: string): boolean {
    const m = this.mounts.get(path);
    const s = m && this.sourceSockets.get(m);
    if (!m || !s) return false;
    this.log.info(`source on ${path} disconnected by an admin`);
    s.destroy();
    return true;
  }

  /** Binds every port. Rejects with PortInUseError if one is taken. */
  async start(): Promise<BoundPorts> {
    const { server } = this.config;
    const host = server.host;
    const listen = await this.bind(server.listen_port, host, server.listen_port === server.source_port ? 'listen+source' : 'listen');
    const source = server.source_port === server.listen_port ? listen : await this.bind(server.source_port, host, 'source');
    let shoutcast = 0;
    const wanted = server.shoutcast_port === -1 ? (server.source_port === 0 ? 0 : server.source_port + 1) : server.shoutcast_port;
    if (wanted !== 0) {
      // SHOUTcast v1 logins are recognised on any of our ports; a port of its own is bound only if needed
      shoutcast = wanted === listen || wanted === source ? wanted : await this.bind(wanted, host, 'shoutcast');
    }
    this.ports = { listen, source, shoutcast };
    return this.ports;
  }

  private bind(port: number, host: string, role: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const srv = createServer({ noDelay: true, pauseOnConnect: false }, (socket) => {
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
        this.servers.push(srv);
        resolve((srv.address() as AddressInfo).port);
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
    const closing = this.servers.map((s) => new Promise<void>((r) => s.close(() => r())));
    for (const m of this.mounts.values()) m.broadcaster.closeAll('shutdown');
    for (const s of this.sockets) s.destroy();
    this.http.close();
    await Promise.all(closing);
    this.servers = [];
  }
}
