// One request for a relay's upstream stream: connects (TCP, or TLS for https:// with the certificate verified),
// sends the GET, reads the response head (size-limited) and follows redirects (at most 5, never from
// https:// down to http://), then hands the socket over with the head; or says, in words a person can act
// on, why there is no stream.

import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { splitUrl } from '../../../src-shared/config/schema.js';
import { parseResponseHead, type ResponseHead } from '../protocol/response-head.js';
import { tlsProblem } from './tls-problem.js';

export const MAX_REDIRECTS = 5;
export const HANDSHAKE_MS = 10_000;

export interface UpstreamAnswer {
  /** the caller's from now on: nothing of this module listens on it any more */
  socket: Socket;
  head: ResponseHead;
  /** stream bytes that came with the head */
  rest: Buffer;
  /** the URL that answered, after redirects */
  url: string;
  host: string;
  port: number;
}

export interface UpstreamHandlers {
  /** every status line the upstream sent, redirects included */
  answered(statusLine: string): void;
  /** a 200: the stream */
  ok(a: UpstreamAnswer): void;
  /** no stream, and why; `slow` when retrying soon will not help (refused, not found, a bad certificate) */
  failed(why: string, slow: boolean): void;
}

export interface UpstreamOptions {
  /** certificate authorities for TLS (PEM); null: Node's default store */
  ca: readonly string[] | null;
  userAgent: string;
}

export interface UpstreamRequest {
  /** Abandons the request (no handler is called after). */
  cancel(): void;
}

/** A URL as it may be logged: the password replaced. */
export const shownUrl = (url: string): string => url.replace(/\/\/[^@/]*@/, '//***@');

export function requestUpstream(firstUrl: string, opts: UpstreamOptions, h: UpstreamHandlers): UpstreamRequest {
  let socket: Socket | null = null;
  let done = false;
  const finish = (why: string, slow: boolean): void => {
    if (done) return;
    done = true;
    socket?.destroy();
    h.failed(why, slow);
  };

  const open = (url: string, redirects: number, wasTls: boolean): void => {
    const u = splitUrl(url);
    if (typeof u === 'string' || (u.scheme !== 'http' && u.scheme !== 'https')) return finish(`the upstream URL ${shownUrl(url)} is not a usable http:// or https:// URL`, true);
    const tls = u.scheme === 'https';
    if (wasTls && !tls) return finish(`the upstream redirected from https:// to ${shownUrl(url)}; refused, as that would drop TLS`, true);
    const port = u.port || (tls ? 443 : 80);
    const where = `${u.host}:${port}`;
    const s = tls ? tlsConnect({ host: u.host, port, servername: isIP(u.host) ? undefined : u.host, ca: opts.ca ? [...opts.ca] : undefined }) : tcpConnect({ host: u.host, port });
    socket = s;
    s.setNoDelay(true);
    s.setTimeout(HANDSHAKE_MS);
    const auth = u.user || u.password ? `Authorization: Basic ${Buffer.from(`${u.user}:${u.password}`).toString('base64')}\r\n` : '';
    const hostHeader = `${u.host.includes(':') ? `[${u.host}]` : u.host}${u.port ? `:${u.port}` : ''}`;
    let secured = !tls;
    s.once(tls ? 'secureConnect' : 'connect', () => {
      secured = true;
      s.write(`GET ${u.path} HTTP/1.0\r\nHost: ${hostHeader}\r\nUser-Agent: ${opts.userAgent}\r\nIcy-MetaData: 1\r\n${auth}Connection: close\r\n\r\n`);
    });
    let buf: Buffer = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      const head = parseResponseHead(buf);
      if (head === null) return;
      if (typeof head === 'string') return finish(`the upstream's answer is not a stream: ${head}`, false);
      h.answered(head.statusLine);
      if (head.status >= 300 && head.status < 400 && head.headers.has('location')) {
        detach();
        s.destroy();
        if (redirects >= MAX_REDIRECTS) return finish(`more than ${MAX_REDIRECTS} redirects`, true);
        return open(resolveLocation(url, head.headers.get('location')!), redirects + 1, tls);
      }
      if (head.status !== 200) return finish(`the upstream answered ${head.statusLine.slice(0, 120)}`, head.status === 401 || head.status === 403 || head.status === 404);
      detach();
      s.setTimeout(0);
      done = true;
      socket = null;
      h.ok({ socket: s, head, rest: buf.subarray(head.length), url, host: u.host, port });
    };
    const onTimeout = (): void => finish(secured ? `no answer from ${where} within ${HANDSHAKE_MS / 1000}s` : `the ${tls ? 'TLS handshake' : 'connection'} with ${where} did not finish within ${HANDSHAKE_MS / 1000}s`, false);
    const onError = (e: NodeJS.ErrnoException): void => {
      const problem = tls && !secured ? tlsProblem(e, u.host, where) : null;
      // a certificate that does not verify will not verify in a second either: retry slowly
      if (problem) return finish(problem, true);
      finish(tls && !secured && e.code === 'ECONNRESET' ? `${where} reset the connection during the TLS handshake` : `cannot reach ${where} (${e.code ?? e.message})`, false);
    };
    const onClose = (): void => finish(`${where} closed the connection before answering`, false);
    const detach = (): void => {
      s.off('data', onData);
      s.off('timeout', onTimeout);
      s.off('error', onError);
      s.off('close', onClose);
      // an error after the hand-over (or while a redirect's socket is torn down) is the new owner's, or nobody's
      s.on('error', () => {});
    };
    s.on('data', onData);
    s.on('timeout', onTimeout);
    s.on('error', onError);
    s.on('close', onClose);
  };

  open(firstUrl, 0, false);
  return {
    cancel: () => {
      done = true;
      socket?.destroy();
    },
  };
}

/** A redirect's Location against the URL that answered it (absolute, or a path on the same server). */
export function resolveLocation(base: string, location: string): string {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(location)) return location;
  const origin = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*)/.exec(base)?.[1] ?? '';
  return origin + (location.startsWith('/') ? location : `/${location}`);
}
