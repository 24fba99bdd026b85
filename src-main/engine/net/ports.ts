// The listening ports: listen, source (may be the same) and SHOUTcast v1 (source + 1 unless set). Binding is
// all or nothing: if one port cannot be opened, the ones this call opened are closed and the previous ones
// stay, so a config apply with a taken port changes nothing.

import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { CycastConfig } from '../../../src-shared/config/schema.js';
import type { Logger } from '../log/log.js';

export interface BoundPorts {
  listen: number;
  source: number;
  /** 0 when SHOUTcast v1 sources are off */
  shoutcast: number;
}

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly host: string,
  ) {
    super(`port ${port} on ${host} is already in use (is another Cycast or Icecast running?)`);
  }
}

export class Ports {
  bound: BoundPorts = { listen: 0, source: 0, shoutcast: 0 };
  private servers = new Map<number, Server>();
  private boundHost = '';

  constructor(
    private readonly log: Logger,
    /** a new connection on `port` */
    private readonly onConnection: (socket: Socket, shoutcastPort: boolean) => void,
    /** connections accepted at most, over all ports (Node closes the excess at once) */
    public maxConnections = 100_000,
  ) {}

  /** Whether `server`'s ports differ from the bound ones. */
  differ(a: CycastConfig['server'], b: CycastConfig['server']): boolean {
    return a.host !== b.host || a.listen_port !== b.listen_port || a.source_port !== b.source_port || a.shoutcast_port !== b.shoutcast_port;
  }

  /** Listens on the ports of `server`, keeping servers already bound to a wanted port. */
  async bindAll(server: CycastConfig['server']): Promise<BoundPorts> {
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
      // SHOUTcast v1 logins are recognised on any of our ports; a port of its own is bound only if needed
      if (wanted !== 0) shoutcast = wanted === listen || wanted === source ? wanted : await open(wanted, 'shoutcast');
      for (const [port, srv] of this.servers) if (fresh.get(port) !== srv) srv.close();
      this.servers = fresh;
      this.boundHost = host;
      this.bound = { listen, source, shoutcast };
      return this.bound;
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
        const local = (srv.address() as AddressInfo).port;
        this.onConnection(socket, this.bound.shoutcast !== 0 && local === this.bound.shoutcast);
      });
      srv.maxConnections = this.maxConnections;
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

  /** Sets the connection cap on every bound server. */
  setMaxConnections(n: number): void {
    this.maxConnections = n;
    for (const s of this.servers.values()) s.maxConnections = n;
  }

  /** Stops listening; resolves when every server is closed. */
  async closeAll(): Promise<void> {
    const closing = [...this.servers.values()].map((s) => new Promise<void>((r) => s.close(() => r())));
    this.servers = new Map();
    await Promise.all(closing);
  }
}
