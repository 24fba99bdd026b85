// Pull relay (Icecast's <relay>): reads a stream from another server and puts it on a mount of ours as its
// live source. Asks for ICY titles (Icy-MetaData: 1); Ogg titles come from the stream's comment headers like
// any live Ogg source. Redirects are followed (at most 5), the upstream's head is size-limited and its ICY
// blocks are parsed in constant work per byte. Reconnects with backoff; on_demand connects only while the
// mount has listeners.

import { connect, type Socket } from 'node:net';
import { splitUrl, type RelayConfig } from '../../../src-shared/config/schema.js';
import { formatOfContentType } from '../protocol/framing/index.js';
import { ChunkedDecoder } from '../protocol/http-head.js';
import { IcyReader } from '../protocol/icy-reader.js';
import { parseResponseHead } from '../protocol/response-head.js';
import { SERVER_ID } from '../protocol/version.js';
import type { LiveSource, Mount } from '../stream/mount.js';
import { Backoff, type LinkStatus } from './backoff.js';
import type { LinkHost } from './link-host.js';

const MAX_REDIRECTS = 5;
const HANDSHAKE_MS = 10_000;
/** an on-demand relay whose last listener left hangs up after this */
const ON_DEMAND_LINGER_MS = 2000;
const MAX_ANSWER = 1024;
/** an upstream that sent this much without one frame of the mount's format is not sending that format */
const MAX_GARBAGE_BYTES = 256 * 1024;

export class Relay {
  readonly status: LinkStatus = { state: 'off', since: Date.now(), retryAt: 0, reason: '', lastAnswer: '', bytes: 0, connects: 0 };
  private readonly backoff = new Backoff();
  private socket: Socket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lingerTimer: NodeJS.Timeout | null = null;
  private running = false;
  private mount: Mount | null = null;
  private unsubscribe: (() => void) | null = null;
  /** the URL actually streamed from, after redirects */
  currentUrl = '';

  constructor(
    public config: RelayConfig,
    private readonly host: LinkHost,
  ) {}

  get path(): string {
    return this.config.path;
  }

  /** The mount this relay feeds (a config apply may replace the mount on its path). */
  get target(): Mount | null {
    return this.mount;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.backoff.reset();
    this.mount = this.host.relayMount(this.path, this.config.format);
    this.unsubscribe = this.host.onListeners((m) => {
      if (m.path === this.path) this.listenersChanged();
    });
    if (this.config.on_demand) this.setState('idle', 'on demand: connects when a listener tunes in');
    if (!this.config.on_demand || this.host.listenerCount(this.path) > 0) this.attempt(this.config.url, 0);
  }

  /** Stops relaying; `removeMount`: also drop the mount this relay made (the relay left the config). */
  stop(removeMount = false): void {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const t of [this.timer, this.lingerTimer]) if (t) clearTimeout(t);
    this.timer = this.lingerTimer = null;
    this.socket?.destroy();
    this.socket = null;
    if (removeMount && this.mount) this.host.dropRelayMount(this.mount);
    this.setState('off', '');
  }

  private wanted(): boolean {
    return this.running && (!this.config.on_demand || this.host.listenerCount(this.path) > 0);
  }

  private listenersChanged(): void {
    if (!this.config.on_demand || !this.running) return;
    const n = this.host.listenerCount(this.path);
    if (n > 0) {
      if (this.lingerTimer) clearTimeout(this.lingerTimer);
      this.lingerTimer = null;
      if (this.status.state === 'idle') this.attempt(this.config.url, 0);
    } else if (!this.lingerTimer && this.socket) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = null;
        if (this.wanted()) return;
        this.host.log.info(`relay ${this.path}: no listeners; disconnected from the upstream (on demand)`);
        this.socket?.destroy();
      }, ON_DEMAND_LINGER_MS);
    }
  }

  private setState(state: LinkStatus['state'], reason: string, retryAt = 0): void {
    if (state !== this.status.state) this.status.since = Date.now();
    this.status.state = state;
    this.status.reason = reason;
    this.status.retryAt = retryAt;
  }

  private retry(reason: string, slow = false): void {
    this.socket = null;
    if (!this.running) return;
    if (!this.wanted()) return this.setState('idle', 'on demand: connects when a listener tunes in');
    const delay = slow ? this.backoff.refused() : this.backoff.failed();
    this.setState(slow ? 'refused' : 'retrying', reason, Date.now() + delay);
    this.host.log.warn(`relay ${this.path}: ${reason}; reconnecting in ${Math.round(delay / 1000)}s`);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.wanted()) this.attempt(this.config.url, 0);
      else this.setState('idle', 'on demand: connects when a listener tunes in');
    }, delay);
  }

  private attempt(url: string, redirects: number): void {
    const u = splitUrl(url);
    if (typeof u === 'string' || u.scheme !== 'http') return this.retry(`the upstream URL ${url.replace(/\/\/[^@/]*@/, '//***@')} is not a usable http:// URL`, true);
    this.setState('connecting', '');
    this.status.connects++;
    const port = u.port || 80;
    const s = connect({ host: u.host, port, noDelay: true });
    this.socket = s;
    s.setTimeout(HANDSHAKE_MS);
    const auth = u.user || u.password ? `Authorization: Basic ${Buffer.from(`${u.user}:${u.password}`).toString('base64')}\r\n` : '';
    const hostHeader = `${u.host.includes(':') ? `[${u.host}]` : u.host}${u.port ? `:${u.port}` : ''}`;
    s.once('connect', () => s.write(`GET ${u.path} HTTP/1.0\r\nHost: ${hostHeader}\r\nUser-Agent: ${SERVER_ID}\r\nIcy-MetaData: 1\r\n${auth}Connection: close\r\n\r\n`));
    let buf: Buffer = Buffer.alloc(0);
    let onAir: LiveSource | null = null;
    let failure = '';
    let slowRetry = false;
    const fail = (why: string, slow = false): void => {
      failure = why;
      slowRetry = slow;
      s.destroy();
    };
    const onHead = (d: Buffer): void => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      const head = parseResponseHead(buf);
      if (head === null) return;
      if (typeof head === 'string') return fail(`the upstream's answer is not a stream: ${head}`);
      this.status.lastAnswer = head.statusLine.slice(0, MAX_ANSWER);
      if (head.status >= 300 && head.status < 400 && head.headers.has('location')) {
        s.off('data', onHead);
        s.removeAllListeners('close');
        s.destroy();
        if (redirects >= MAX_REDIRECTS) return this.retry(`more than ${MAX_REDIRECTS} redirects`, true);
        return this.attempt(resolveLocation(url, head.headers.get('location')!), redirects + 1);
      }
      if (head.status !== 200) return fail(`the upstream answered ${head.statusLine.slice(0, 120)}`, head.status === 401 || head.status === 403 || head.status === 404);
      const contentType = head.headers.get('content-type') ?? '';
      const format = formatOfContentType(contentType);
      const m = this.host.relayMount(this.path, this.config.format);
      if (format !== m.format) return fail(`the upstream sends ${contentType || 'no Content-Type'}, the relay mount is ${m.format}${format ? `: set format = "${format}" on relay "${this.path}"` : ''}`, true);
      const src = {
        ip: s.remoteAddress ?? u.host,
        port,
        userAgent: head.headers.get('server') ?? 'upstream',
        contentType: contentType.split(';')[0].trim(),
        name: head.headers.get('icy-name') ?? head.headers.get('ice-name') ?? '',
        description: head.headers.get('icy-description') ?? '',
        genre: head.headers.get('icy-genre') ?? '',
        url: head.headers.get('icy-url') ?? '',
        bitrate: Number.parseInt(head.headers.get('icy-br') ?? '0', 10) || 0,
        disconnect: () => fail('disconnected by an admin'),
      };
      const live = this.host.relayOnAir(m, src);
      if (!live) return fail(`mount ${this.path} has another live source`);
      s.off('data', onHead);
      onAir = live;
      this.mount = m;
      this.currentUrl = url;
      this.stream(s, m, live, head.headers, buf.subarray(head.length), fail);
    };
    s.on('data', onHead);
    s.on('timeout', () => fail(onAir ? `nothing received for ${Math.round(s.timeout! / 1000)}s` : `no answer from ${u.host}:${port} within ${HANDSHAKE_MS / 1000}s`));
    s.on('error', (e: NodeJS.ErrnoException) => (failure ||= `cannot reach ${u.host}:${port} (${e.code ?? e.message})`));
    s.once('close', () => {
      if (onAir && this.mount) this.host.relayOffAir(this.mount, onAir, failure || 'the upstream closed the stream');
      this.retry(failure || (onAir ? 'the upstream closed the stream' : `${u.host}:${port} closed the connection before answering`), slowRetry);
    });
  }

  private stream(s: Socket, m: Mount, live: LiveSource, headers: Map<string, string>, rest: Buffer, fail: (why: string) => void): void {
    this.backoff.connected();
    this.setState('on-air', '');
    s.setTimeout(this.host.sourceTimeoutMs());
    this.host.log.info(`relay ${this.path}: on air from ${this.currentUrl.replace(/\/\/[^@/]*@/, '//***@')} (${m.contentType})`);
    let frames = 0;
    let got = 0;
    const feed = (d: Buffer): void => {
      this.status.bytes += d.length;
      got += d.length;
      frames += this.host.relayFeed(m, live, d);
      if (frames === 0 && this.host.skippedBytes(m) > MAX_GARBAGE_BYTES) fail(`${got} bytes from the upstream without one ${m.format} frame (not ${m.format} audio?)`);
    };
    const metaint = Number.parseInt(headers.get('icy-metaint') ?? '0', 10);
    const icy = metaint > 0 && metaint <= 1 << 20 ? new IcyReader(metaint, feed, (title, url) => this.host.relayTitle(m, live, title, url)) : null;
    const chunked = (headers.get('transfer-encoding') ?? '').toLowerCase() === 'chunked' ? new ChunkedDecoder() : null;
    const take = (d: Buffer): void => (icy ? icy.push(d) : feed(d));
    const onData = (d: Buffer): void => {
      if (!chunked) return take(d);
      for (const p of chunked.push(d)) take(p);
      if (chunked.error) s.destroy();
    };
    s.on('data', onData);
    if (rest.length) onData(rest);
  }
}

/** A redirect's Location against the URL that answered it (absolute, or a path on the same server). */
export function resolveLocation(base: string, location: string): string {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(location)) return location;
  const origin = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*)/.exec(base)?.[1] ?? '';
  return origin + (location.startsWith('/') ? location : `/${location}`);
}
