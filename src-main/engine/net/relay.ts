// Pull relay (Icecast's <relay>): reads a stream from another server and puts it on a mount of ours as its
// live source. Asks for ICY titles (Icy-MetaData: 1); Ogg titles come from the stream's comment headers like
// any live Ogg source. The request itself (http:// or https://, redirects, the size-limited head) is
// net/upstream.ts; ICY blocks are parsed in constant work per byte. Reconnects with backoff; on_demand
// connects only while the mount has listeners.
//
// Without `format`, the relay mount takes the format the upstream's Content-Type announces, at each connect:
// listeners who tune in while that is being learned wait for it (net/relay-hold.ts), and when it changes the
// listeners tuned in are disconnected, so their players reconnect and get the new Content-Type.

import { readFileSync, statSync } from 'node:fs';
import type { Socket } from 'node:net';
import { rootCertificates } from 'node:tls';
import type { AudioFormat, RelayConfig } from '../../../src-shared/config/schema.js';
import { CORS_HEADERS } from '../protocol/cors.js';
import { formatOfContentType } from '../protocol/framing/index.js';
import { ChunkedDecoder } from '../protocol/http-head.js';
import { IcyReader } from '../protocol/icy-reader.js';
import { SERVER_ID } from '../protocol/version.js';
import type { LiveSource, Mount } from '../stream/mount.js';
import { Backoff, type LinkStatus } from './backoff.js';
import type { LinkHost } from './link-host.js';
import { AnswerHold } from './relay-hold.js';
import { refuse } from './reply.js';
import { requestUpstream, shownUrl, type UpstreamAnswer, type UpstreamRequest } from './upstream.js';

/** an on-demand relay whose last listener left hangs up after this */
const ON_DEMAND_LINGER_MS = 2000;
const MAX_ANSWER = 1024;
/** an upstream that sent this much without one frame of the mount's format is not sending that format */
const MAX_GARBAGE_BYTES = 256 * 1024;
/** a tls_ca_file larger than this is not a PEM bundle */
const MAX_CA_FILE = 1024 * 1024;
const IDLE_REASON = 'on demand: connects when a listener tunes in';

export class Relay {
  readonly status: LinkStatus = { state: 'off', since: Date.now(), retryAt: 0, reason: '', lastAnswer: '', bytes: 0, connects: 0 };
  private readonly backoff = new Backoff();
  private request: UpstreamRequest | null = null;
  /** the upstream connection while on air */
  private socket: Socket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lingerTimer: NodeJS.Timeout | null = null;
  private running = false;
  private mount: Mount | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly hold = new AnswerHold(() => this.listenersChanged(), () => this.holdExpired());
  /** this attempt held listeners for HOLD_MS already: until it ends, new ones are answered as things stand */
  private holdSpent = false;
  /** the URL actually streamed from, after redirects */
  currentUrl = '';

  constructor(
    public config: RelayConfig,
    private readonly host: LinkHost,
    /** the format the upstream last announced (a relay without `format` follows it); null: not known yet */
    public learned: AudioFormat | null = null,
  ) {}

  get path(): string {
    return this.config.path;
  }

  /** The mount this relay feeds (a config apply may replace the mount on its path). */
  get target(): Mount | null {
    return this.mount;
  }

  /** The format the mount has, or will have: the configured one, else the upstream's last, else MP3 until it is known. */
  private mountFormat(): AudioFormat {
    return this.config.format ?? this.learned ?? 'mp3';
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.backoff.reset();
    this.mount = this.host.relayMount(this.path, this.mountFormat());
    this.unsubscribe = this.host.onListeners((m) => {
      if (m.path === this.path) this.listenersChanged();
    });
    if (this.config.on_demand) this.setState('idle', IDLE_REASON);
    if (!this.config.on_demand || this.host.listenerCount(this.path) > 0) this.attempt();
  }

  /** Stops relaying; `removeMount`: also drop the mount this relay made (the relay left the config). */
  stop(removeMount = false): void {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const t of [this.timer, this.lingerTimer]) if (t) clearTimeout(t);
    this.timer = this.lingerTimer = null;
    this.request?.cancel();
    this.request = null;
    this.socket?.destroy();
    this.socket = null;
    if (this.mount) this.mount.answerHold = null;
    // whoever waits is refused, not answered: the mount may be about to go
    this.hold.settle(false);
    if (removeMount && this.mount) this.host.dropRelayMount(this.mount);
    this.setState('off', '');
  }

  /** Listeners on the mount, and those whose answer is held. */
  private audience(): number {
    return this.host.listenerCount(this.path) + this.hold.size;
  }

  private wanted(): boolean {
    return this.running && (!this.config.on_demand || this.audience() > 0);
  }

  private listenersChanged(): void {
    if (!this.config.on_demand || !this.running) return;
    if (this.audience() > 0) {
      if (this.lingerTimer) clearTimeout(this.lingerTimer);
      this.lingerTimer = null;
      if (this.status.state === 'idle') this.attempt();
    } else if (!this.lingerTimer && (this.socket || this.request)) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = null;
        if (this.wanted()) return;
        this.host.log.info(`relay ${this.path}: no listeners; disconnected from the upstream (on demand)`);
        if (this.request) {
          this.request.cancel();
          this.request = null;
          this.setState('idle', IDLE_REASON);
        }
        this.socket?.destroy();
      }, ON_DEMAND_LINGER_MS);
    }
  }

  private setState(state: LinkStatus['state'], reason: string, retryAt = 0): void {
    if (state !== this.status.state) this.status.since = Date.now();
    this.status.state = state;
    this.status.reason = reason;
    this.status.retryAt = retryAt;
    // an expired hold is over with its attempt: the next one (an on-demand listener's, too) holds again
    if (state !== 'connecting') this.holdSpent = false;
    this.syncHold();
  }

  /** Whether a new listener's answer waits now: the format comes from the upstream, which is being asked. */
  private holding(): boolean {
    return this.running && this.config.format === null && !this.holdSpent && (this.status.state === 'connecting' || (this.config.on_demand && this.status.state === 'idle'));
  }

  /** Puts the mount's answer hook in step with the state; lets the held listeners go when holding ends. */
  private syncHold(): void {
    const m = this.mount;
    if (!m || !this.running) return;
    // not holding and no format known: the hook refuses rather than answer with a guessed Content-Type
    const hook = this.holding() || (this.config.format === null && this.learned === null);
    m.answerHold = hook ? this.holdAnswer : null;
    if (!this.holding() && this.hold.size) this.hold.settle(this.config.format !== null || this.learned !== null);
  }

  private readonly holdAnswer = (socket: Socket, answer: () => void): void => {
    if (!this.holding()) return refuse(socket, 'listener.relay-unreached', {}, CORS_HEADERS);
    if (!this.hold.add(socket, answer)) return refuse(socket, 'listener.mount-full', {}, CORS_HEADERS);
    if (this.config.on_demand && this.status.state === 'idle') this.attempt();
  };

  private holdExpired(): void {
    this.holdSpent = true;
    this.syncHold();
  }

  private retry(reason: string, slow = false): void {
    this.socket = null;
    this.request = null;
    if (!this.running) return;
    if (!this.wanted()) return this.setState('idle', IDLE_REASON);
    const delay = slow ? this.backoff.refused() : this.backoff.failed();
    this.setState(slow ? 'refused' : 'retrying', reason, Date.now() + delay);
    this.host.log.warn(`relay ${this.path}: ${reason}; reconnecting in ${Math.round(delay / 1000)}s`);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.wanted()) this.attempt();
      else this.setState('idle', IDLE_REASON);
    }, delay);
  }

  /** The certificate authorities to trust: Node's default store (null), or its list plus tls_ca_file; a string says why not. */
  private trust(): string[] | null | string {
    const file = this.config.tls_ca_file;
    if (!file) return null;
    let pem: string;
    try {
      const st = statSync(file);
      if (!st.isFile() || st.size > MAX_CA_FILE) return `tls_ca_file ${file} is not a PEM file (not a plain file of at most 1 MiB)`;
      pem = readFileSync(file, 'utf8');
    } catch (e) {
      return `cannot read tls_ca_file ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) return `tls_ca_file ${file} holds no PEM certificate`;
    return [...rootCertificates, pem];
  }

  private attempt(): void {
    const ca = this.trust();
    if (typeof ca === 'string') return this.retry(ca, true);
    this.holdSpent = false;
    this.status.connects++;
    this.setState('connecting', '');
    const req = requestUpstream(this.config.url, { ca, userAgent: SERVER_ID }, {
      answered: (line) => (this.status.lastAnswer = line.slice(0, MAX_ANSWER)),
      ok: (a) => {
        this.request = null;
        this.answered(a);
      },
      failed: (why, slow) => this.retry(why, slow),
    });
    // (an unusable URL has failed already, synchronously)
    if (this.status.state === 'connecting') this.request = req;
  }

  /** The upstream answered 200: the mount in the right format, then on air. */
  private answered(a: UpstreamAnswer): void {
    const s = a.socket;
    this.socket = s;
    let onAir: LiveSource | null = null;
    let failure = '';
    let slowRetry = false;
    const fail = (why: string, slow = false): void => {
      failure ||= why;
      slowRetry = slow;
      s.destroy();
    };
    s.on('error', (e: NodeJS.ErrnoException) => (failure ||= `the connection to ${a.host}:${a.port} failed (${e.code ?? e.message})`));
    s.on('timeout', () => fail(`nothing received for ${Math.round(this.host.sourceTimeoutMs() / 1000)}s`));
    s.once('close', () => {
      if (onAir && this.mount) this.host.relayOffAir(this.mount, onAir, failure || 'the upstream closed the stream');
      this.retry(failure || 'the upstream closed the stream', slowRetry);
    });
    const contentType = a.head.headers.get('content-type') ?? '';
    const m = this.mountFor(contentType);
    if (typeof m === 'string') return fail(m, true);
    const h = a.head.headers;
    const live = this.host.relayOnAir(m, {
      ip: s.remoteAddress ?? a.host,
      port: a.port,
      userAgent: h.get('server') ?? 'upstream',
      contentType: contentType.split(';')[0].trim(),
      name: h.get('icy-name') ?? h.get('ice-name') ?? '',
      description: h.get('icy-description') ?? '',
      genre: h.get('icy-genre') ?? '',
      url: h.get('icy-url') ?? '',
      bitrate: Number.parseInt(h.get('icy-br') ?? '0', 10) || 0,
      disconnect: () => fail('disconnected by an admin'),
    });
    if (!live) return fail(`mount ${this.path} has another live source`);
    onAir = live;
    this.mount = m;
    this.currentUrl = a.url;
    this.stream(s, m, live, h, a.rest, fail);
  }

  /**
   * The mount to put the upstream on, in the format its Content-Type announces; a string says why not.
   * A relay without `format` follows the upstream: a changed format ends everyone tuned in to the old one.
   */
  private mountFor(contentType: string): Mount | string {
    const announced = formatOfContentType(contentType);
    const m = this.host.relayMount(this.path, this.mountFormat());
    const shown = contentType.slice(0, 100) || 'no Content-Type';
    if (!announced) return `the upstream sends ${shown}, which is no format a mount carries (MP3, Ogg, AAC)`;
    const follows = this.config.format === null && m.dynamic;
    if (announced === m.format) {
      if (follows) this.learned = announced;
      return m;
    }
    if (!follows) {
      const fix = m.dynamic ? `set format = "${announced}" on relay "${this.path}", or leave format out to follow the upstream` : `the mount block "${this.path}" says format = "${m.format}"`;
      return `the upstream sends ${shown}, the relay mount is ${m.format}: ${fix}`;
    }
    if (m.source) return `mount ${this.path} has another live source`;
    const ended = m.broadcaster.count;
    if (this.learned === null && ended === 0) this.host.log.info(`relay ${this.path}: the upstream sends ${shown}; the mount takes ${announced}`);
    else this.host.log.warn(`relay ${this.path}: the upstream now sends ${shown} (the mount was ${m.contentType}); the mount switches to ${announced}${ended ? ` and its ${ended} listener(s) are disconnected, so their players reconnect with the new Content-Type` : ''}`);
    m.changeFormat(announced);
    this.learned = announced;
    return m;
  }

  private stream(s: Socket, m: Mount, live: LiveSource, headers: Map<string, string>, rest: Buffer, fail: (why: string) => void): void {
    this.backoff.connected();
    this.setState('on-air', '');
    s.setTimeout(this.host.sourceTimeoutMs());
    this.host.log.info(`relay ${this.path}: on air from ${shownUrl(this.currentUrl)} (${m.contentType})`);
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
