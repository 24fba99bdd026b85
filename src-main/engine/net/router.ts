// First look at every new connection: read the request head on the raw socket and decide what it is.
// Sources and listeners stay on the raw socket (sources stream a body Node's http parser would not read;
// listeners never pass through ServerResponse); everything else goes to the http.Server.
//
// net/ holds the connections: ports, the head gate, this router, sources (HTTP and SHOUTcast) and listeners.
// It may import access/, stream/, protocol/ and log/; it reaches the rest of the engine only through the
// NetContext it is given.

import type { Socket } from 'node:net';
import { findHeadEnd, HeadError, isHttp09Line, looksLikeHttp, MAX_HEAD_BYTES, parseHead } from '../protocol/http-head.js';
import { redactSecrets } from '../protocol/untrusted.js';
import type { NetContext } from './context.js';
import { handleListener } from './listener.js';
import { refuse } from './reply.js';
import { handleHttpSource, handleShoutcastSource } from './source.js';

/** Resets and the like while the head is read: the 'close' that follows cleans up. */
const ignoreErrors = (): void => {};

export function handleConnection(ctx: NetContext, socket: Socket, shoutcastPort: boolean): void {
  const peer = socket.remoteAddress ?? '?';
  const pending = ctx.gate.admit(socket, peer, ctx.config().advanced.header_timeout * 1000);
  if (!pending) {
    socket.destroy();
    return;
  }
  let buf: Buffer = Buffer.alloc(0);
  const deadline = setTimeout(() => onTimeout(), pending.deadlineMs);
  let finished = false;

  const done = (): void => {
    if (finished) return;
    finished = true;
    clearTimeout(deadline);
    ctx.gate.release(pending);
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.off('close', done);
  };
  const onEnd = (): void => {
    // the client hung up (or half-closed) before finishing its request
    done();
    socket.destroy();
  };
  const onTimeout = (): void => {
    done();
    ctx.log.debug(`${peer}: no complete request within ${pending.crowded ? `${pending.deadlineMs} ms (crowded)` : `${ctx.config().advanced.header_timeout}s`}, closed`);
    refuse(socket, 'head.timeout');
  };
  const onData = (data: Buffer): void => {
    const searched = buf.length;
    buf = buf.length ? Buffer.concat([buf, data]) : data;
    const nl = buf.indexOf('\n');
    // HTTP/0.9 ("GET /stream", no version, no headers) is complete after one line: answer it now, not at the deadline
    if (searched < 512 && nl >= 0 && nl < 512 && isHttp09Line(buf.toString('latin1', 0, nl))) {
      done();
      refuse(socket, 'head.http09');
      return;
    }
    if (shoutcastPort && nl >= 0 && !looksLikeHttp(buf.toString('latin1', 0, nl))) {
      done();
      handleShoutcastSource(ctx, socket, buf);
      return;
    }
    const end = findHeadEnd(buf, searched);
    if (end > MAX_HEAD_BYTES || (end < 0 && buf.length > MAX_HEAD_BYTES)) {
      done();
      refuse(socket, 'head.too-large', { max: MAX_HEAD_BYTES });
      return;
    }
    if (end < 0) return;
    done();
    route(ctx, socket, peer, buf, end);
  };
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('close', done);
  socket.on('error', ignoreErrors);
}

/** A complete request head: a source, a listener, or a page for the http.Server. */
function route(ctx: NetContext, socket: Socket, peer: string, all: Buffer, end: number): void {
  let head;
  try {
    head = parseHead(all, end);
  } catch (e) {
    const err = e as HeadError;
    ctx.log.debug(`${peer}: bad request (${err.message})`);
    if (err.status === 505) refuse(socket, 'head.version');
    else refuse(socket, 'head.malformed', { why: err.message });
    return;
  }
  const ip = ctx.clientAddress(peer, (n) => head.headers.get(n));
  if (ctx.config().advanced.verbose_logging) {
    ctx.log.debug(`${ip}:${socket.remotePort} ${head.method} ${redactSecrets(head.target)} (${head.headers.get('user-agent') ?? 'no user agent'})`);
  }
  if (!ctx.isPageRoute(head.path) && (head.method === 'SOURCE' || head.method === 'PUT')) {
    handleHttpSource(ctx, socket, ip, head, all.subarray(end));
    return;
  }
  if (head.method === 'OPTIONS' && head.target === '*') {
    // libshout's TLS upgrade probe: Icecast closes it without an answer, and libshout moves on
    socket.destroy();
    return;
  }
  const mount = ctx.mounts.get(head.path);
  if (mount && (head.method === 'GET' || head.method === 'HEAD')) {
    handleListener(ctx, socket, ip, mount, head);
    return;
  }
  // hand everything else to the http.Server, with the bytes read so far put back
  socket.off('error', ignoreErrors);
  socket.unshift(all);
  ctx.toHttp(socket);
}
