// Push output: sends one of our mounts to a remote Icecast (PUT with Expect: 100-continue, SOURCE for
// servers that refuse PUT) or SHOUTcast v1 server (password line on port + 1), as an encoder would. Once the
// remote says yes, the connection becomes a listener of the mount's broadcaster: it gets exactly the
// listeners' bytes (live, AutoDJ, silence; no ICY blocks), and the broadcaster's queue_size drops it if the
// remote stalls, so a slow remote never grows memory or slows local listeners. Titles go out as updinfo
// requests (MP3, AAC; an Ogg stream carries its own). Failures reconnect with backoff; a wrong password or a taken mount is said plainly.

import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { parseOutputUrl, type OutputConfig, type OutputTarget } from '../../../src-shared/config/schema.js';
import { MAX_RESPONSE_HEAD, parseResponseHead } from '../protocol/response-head.js';
import { lineSafe } from '../protocol/untrusted.js';
import { SERVER_ID } from '../protocol/version.js';
import type { DropReason } from '../stream/broadcaster.js';
import type { Mount } from '../stream/mount.js';
import { Backoff, type LinkStatus } from './backoff.js';
import type { LinkHost } from './link-host.js';

/** connect + login must finish within this */
const HANDSHAKE_MS = 10_000;
/** the remote's answer kept for the studio */
const MAX_ANSWER = 1024;
/** how long a refusal's body is read before acting on it */
const BODY_WAIT_MS = 300;
const METADATA_TIMEOUT_MS = 5000;

type Outcome =
  | { kind: 'on-air' }
  | { kind: 'refused'; reason: string }
  | { kind: 'retry'; reason: string }
  | { kind: 'put-refused' };

export class Output {
  readonly status: LinkStatus = { state: 'off', since: Date.now(), retryAt: 0, reason: '', lastAnswer: '', bytes: 0, connects: 0 };
  private readonly backoff = new Backoff();
  private socket: Socket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  /** false once the remote refused PUT: SOURCE from then on */
  private usePut = true;
  private unsubscribeTitle: (() => void) | null = null;
  private titleInFlight = false;
  private titlePending: string | null = null;
  private bytesBefore = 0;
  private listener: { bytesSent: number } | null = null;

  constructor(
    public config: OutputConfig,
    private readonly host: LinkHost,
  ) {}

  get id(): string {
    return this.config.id;
  }

  /** Bytes of audio sent to the remote, over all connections. */
  get bytesSent(): number {
    return this.bytesBefore + (this.listener?.bytesSent ?? 0);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.backoff.reset();
    this.unsubscribeTitle = this.host.onTitle((m) => {
      if (this.status.state === 'on-air' && m.path === this.config.mount) this.sendTitle(m.title);
    });
    this.attempt();
  }

  stop(): void {
    this.running = false;
    this.unsubscribeTitle?.();
    this.unsubscribeTitle = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.socket?.destroy();
    this.socket = null;
    this.setState('off', '');
  }

  private setState(state: LinkStatus['state'], reason: string, retryAt = 0): void {
    if (state !== this.status.state) this.status.since = Date.now();
    this.status.state = state;
    this.status.reason = reason;
    this.status.retryAt = retryAt;
  }

  private schedule(delay: number, state: 'retrying' | 'refused', reason: string): void {
    if (!this.running) return;
    this.setState(state, reason, Date.now() + delay);
    this.host.log.warn(`output "${this.id}": ${reason}; ${state === 'refused' ? 'trying again' : 'reconnecting'} in ${Math.round(delay / 1000)}s`);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.attempt();
    }, delay);
  }

  private attempt(): void {
    if (!this.running) return;
    const target = parseOutputUrl(this.config.url);
    if (typeof target === 'string') return this.schedule(this.backoff.refused(), 'refused', `the url ${target}`);
    const m = this.host.mount(this.config.mount);
    if (!m) return this.schedule(this.backoff.failed(), 'retrying', `mount ${this.config.mount} does not exist here`);
    this.setState('connecting', '');
    this.status.connects++;
    const port = target.protocol === 'shoutcast' ? target.port + 1 : target.port;
    const s = connect({ host: target.host, port, noDelay: true });
    this.socket = s;
    s.setTimeout(HANDSHAKE_MS);
    let settled = false;
    const settle = (o: Outcome): void => {
      if (settled) return;
      settled = true;
      s.setTimeout(0);
      this.handshakeDone(s, m, target, o);
    };
    s.on('timeout', () => settle({ kind: 'retry', reason: `no answer from ${target.host}:${port} within ${HANDSHAKE_MS / 1000}s` }));
    s.on('error', (e: NodeJS.ErrnoException) => settle({ kind: 'retry', reason: `cannot reach ${target.host}:${port} (${e.code ?? e.message})` }));
    s.on('close', () => settle({ kind: 'retry', reason: `${target.host}:${port} closed the connection during the login` }));
    s.once('connect', () => {
      if (target.protocol === 'icecast') this.icecastLogin(s, m, target, settle);
      else this.shoutcastLogin(s, m, target, settle);
    });
  }

  private description(m: Mount): { name: string; description: string; genre: string; url: string; public: boolean; bitrate: number } {
    const d = m.description;
    const c = this.config;
    return {
      name: c.name || d.name,
      description: c.description || d.description,
      genre: c.genre || d.genre,
      url: c.station_url || d.url,
      public: c.public ?? d.public,
      bitrate: d.bitrate || m.measuredBitrate,
    };
  }

  private icecastLogin(s: Socket, m: Mount, t: OutputTarget, settle: (o: Outcome) => void): void {
    const d = this.description(m);
    const auth = Buffer.from(`${t.user}:${t.password}`).toString('base64');
    const lines = [
      this.usePut ? `PUT ${encodeURI(t.mount)} HTTP/1.1` : `SOURCE ${encodeURI(t.mount)} HTTP/1.0`,
      `Host: ${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`,
      `Authorization: Basic ${auth}`,
      `User-Agent: ${lineSafe(this.config.user_agent || SERVER_ID)}`,
      `Content-Type: ${m.contentType}`,
      `Ice-Name: ${lineSafe(d.name)}`,
      `Ice-Description: ${lineSafe(d.description)}`,
      `Ice-Genre: ${lineSafe(d.genre)}`,
      `Ice-URL: ${lineSafe(d.url)}`,
      `Ice-Public: ${d.public ? 1 : 0}`,
      ...(d.bitrate ? [`Ice-Bitrate: ${d.bitrate}`, `Ice-Audio-Info: bitrate=${d.bitrate}`] : []),
    ];
    if (this.usePut) lines.push('Expect: 100-continue');
    s.write(lines.join('\r\n') + '\r\n\r\n');
    let buf: Buffer = Buffer.alloc(0);
    let refusal: { status: number; statusLine: string; bodyFrom: number } | null = null;
    const decide = (): void => {
      const r = refusal!;
      const body = buf.toString('utf8', r.bodyFrom, Math.min(buf.length, r.bodyFrom + MAX_ANSWER)).trim();
      this.status.lastAnswer = (r.statusLine + (body ? `\n${body}` : '')).slice(0, MAX_ANSWER);
      settle(classifyIcecastRefusal(r.status, r.statusLine, body, this.usePut));
    };
    const onData = (d: Buffer): void => {
      if (refusal) {
        if (buf.length < MAX_RESPONSE_HEAD + MAX_ANSWER) buf = Buffer.concat([buf, d]);
        return;
      }
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      for (;;) {
        const head = parseResponseHead(buf);
        if (head === null) return;
        if (typeof head === 'string') {
          this.status.lastAnswer = head;
          return settle({ kind: 'retry', reason: `the remote's answer is not Icecast's: ${head}` });
        }
        if (head.status >= 100 && head.status < 200) {
          // 100 Continue, then the real answer
          buf = buf.subarray(head.length);
          continue;
        }
        if (head.status >= 200 && head.status < 300) {
          s.off('data', onData);
          this.status.lastAnswer = head.statusLine;
          return settle({ kind: 'on-air' });
        }
        refusal = { status: head.status, statusLine: head.statusLine, bodyFrom: head.length };
        setTimeout(decide, BODY_WAIT_MS).unref();
        s.once('end', decide);
        return;
      }
    };
    s.on('data', onData);
  }

  private shoutcastLogin(s: Socket, m: Mount, t: OutputTarget, settle: (o: Outcome) => void): void {
    s.write(`${t.password}\r\n`);
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString('latin1');
      const nl = buf.indexOf('\n');
      if (nl < 0) {
        if (buf.length > MAX_ANSWER) settle({ kind: 'retry', reason: 'the remote sent no SHOUTcast answer line' });
        return;
      }
      const line = buf.slice(0, nl).trim();
      this.status.lastAnswer = line.slice(0, MAX_ANSWER);
      if (!/^OK/.test(line)) {
        s.off('data', onData);
        return settle(/pass/i.test(line) ? { kind: 'refused', reason: `wrong password (the server said "${line.slice(0, 100)}")` } : /in use/i.test(line) ? { kind: 'refused', reason: `the stream is in use: another source is live there ("${line.slice(0, 100)}")` } : { kind: 'retry', reason: `the server refused the login: "${line.slice(0, 100)}"` });
      }
      s.off('data', onData);
      const desc = this.description(m);
      const headers = [
        `content-type:${m.contentType}`,
        `icy-name:${lineSafe(desc.name)}`,
        `icy-genre:${lineSafe(desc.genre)}`,
        `icy-url:${lineSafe(desc.url)}`,
        `icy-pub:${desc.public ? 1 : 0}`,
        ...(desc.bitrate ? [`icy-br:${desc.bitrate}`] : []),
      ];
      s.write(headers.join('\r\n') + '\r\n\r\n');
      settle({ kind: 'on-air' });
    };
    s.on('data', onData);
  }

  private handshakeDone(s: Socket, m: Mount, t: OutputTarget, o: Outcome): void {
    if (!this.running) return void s.destroy();
    if (o.kind !== 'on-air') {
      s.destroy();
      this.socket = null;
      if (o.kind === 'put-refused') {
        this.host.log.info(`output "${this.id}": the remote refused PUT; logging in with SOURCE`);
        this.usePut = false;
        return this.attempt();
      }
      return o.kind === 'refused' ? this.schedule(this.backoff.refused(), 'refused', o.reason) : this.schedule(this.backoff.failed(), 'retrying', o.reason);
    }
    this.onAir(s, m, t);
  }

  private onAir(s: Socket, m: Mount, t: OutputTarget): void {
    this.backoff.connected();
    this.setState('on-air', '');
    this.host.log.info(`output "${this.id}": ${m.path} on air at ${t.protocol}://${t.host}:${t.port}${t.mount}`);
    let dropped: DropReason | null = null;
    const l = this.host.attachOutput(m, s, `Cycast output "${this.id}"`, (why) => (dropped = why));
    this.listener = l;
    // the remote has nothing to say once streaming; read and discard so a hang-up is noticed
    s.on('data', () => {});
    s.on('error', () => {});
    s.once('close', () => {
      this.bytesBefore += l.bytesSent;
      this.listener = null;
      this.socket = null;
      if (!this.running) return;
      const reason = dropped === 'slow' ? `the remote fell more than queue_size (${m.config.queue_size} bytes) behind; dropped` : dropped === 'mount-gone' ? `mount ${m.path} was removed or rebuilt` : 'the remote closed the connection';
      this.schedule(this.backoff.failed(), 'retrying', reason);
    });
    // Icecast attaches the source just after its 200: the first title a moment later
    setTimeout(() => {
      if (this.listener === l && m.title) this.sendTitle(m.title);
    }, 500).unref();
  }

  /** updinfo to the remote; one request at a time, the latest title wins. */
  private sendTitle(title: string): void {
    // an Ogg stream names its tracks in its own comment headers, which Icecast reads, and libshout sends no
    // updinfo for Ogg; icecast2 answers one on a Vorbis mount by ending the logical stream and starting it
    // again, and at times (seen in the suite, 1 run in 2) its listeners then get nothing more
    if (this.host.mount(this.config.mount)?.format === 'ogg') return;
    if (this.titleInFlight) {
      this.titlePending = title;
      return;
    }
    const t = parseOutputUrl(this.config.url);
    if (typeof t === 'string') return;
    this.titleInFlight = true;
    const song = encodeURIComponent(title);
    const path = t.protocol === 'icecast'
      ? `/admin/metadata?mount=${encodeURIComponent(t.mount)}&mode=updinfo&song=${song}&charset=UTF-8`
      : `/admin.cgi?pass=${encodeURIComponent(t.password)}&mode=updinfo&song=${song}`;
    const headers: Record<string, string> = {
      // SHOUTcast v1 answers admin.cgi only to browsers
      'User-Agent': t.protocol === 'shoutcast' ? `Mozilla/5.0 (compatible; ${SERVER_ID})` : this.config.user_agent || SERVER_ID,
    };
    if (t.protocol === 'icecast') headers.Authorization = `Basic ${Buffer.from(`${t.user}:${t.password}`).toString('base64')}`;
    const done = (problem: string): void => {
      if (!this.titleInFlight) return;
      this.titleInFlight = false;
      if (problem) this.host.log.warn(`output "${this.id}": title update refused: ${problem}`);
      const next = this.titlePending;
      this.titlePending = null;
      if (next !== null && this.status.state === 'on-air') this.sendTitle(next);
    };
    const req = request({ host: t.host, port: t.port, path, headers, timeout: METADATA_TIMEOUT_MS, agent: false }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode === 200 ? '' : `${res.statusCode} ${res.statusMessage ?? ''}`));
      res.on('error', () => done('the connection broke'));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) => done(e.message));
    req.end();
  }
}

/** What an Icecast refusal of our login means, and how soon to try again. */
export function classifyIcecastRefusal(status: number, statusLine: string, body: string, wasPut: boolean): Outcome {
  const said = `${statusLine}${body ? `: ${body.split('\n')[0].slice(0, 120)}` : ''}`;
  if (status === 401) return { kind: 'refused', reason: `wrong user name or password (${said})` };
  if (status === 403 && /in use/i.test(statusLine + body)) return { kind: 'refused', reason: `mount in use: another source is live there (${said})` };
  if (wasPut && (status === 400 || status === 405 || status === 501)) return { kind: 'put-refused' };
  if (status === 403 || status === 404) return { kind: 'refused', reason: `the server refused the mount (${said})` };
  return { kind: 'retry', reason: `the server answered ${said}` };
}
