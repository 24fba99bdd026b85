// First look at every new connection: read the request head on the raw socket and decide what it is.
// Sources and listeners stay on the raw socket (sources stream a body Node's http parser would not read;
// listeners never pass through ServerResponse); everything else goes to the http.Server.

import type { Socket } from 'node:net';
import type { Engine } from '../engine.js';
import { findHeadEnd, HeadError, isHttp09Line, looksLikeHttp, MAX_HEAD_BYTES, parseHead } from '../protocol/http-head.js';
import { handleListener } from './listener.js';
import { redactSecrets } from '../http/app.js';
import { rawReply } from './reply.js';
import { handleHttpSource, handleShoutcastSource } from './source.js';

/**
 * Slowloris guard, per address. Beyond CROWDED_PER_IP unfinished request heads, a new connection gets
 * CROWDED_HEAD_MS instead of header_timeout: a real client (a burst of listeners behind one NAT, a load
 * test) sends its head within milliseconds and is served, while a connection held open to hog the server
 * is gone within a second. Beyond MAX_PENDING_PER_IP, new connections are closed at once.
 */
export const CROWDED_PER_IP = 512;
export const CROWDED_HEAD_MS = 1000;
export const MAX_PENDING_PER_IP = 4096;

export function handleConnection(engine: Engine, socket: Socket, shoutcastPort: boolean): void {
  let buf: Buffer = Buffer.alloc(0);
  const ip = socket.remoteAddress ?? '?';
  const pending = engine.pendingHeads;
  const n = (pending.get(ip) ?? 0) + 1;
  if (n > MAX_PENDING_PER_IP) {
    engine.warnCrowded(ip, `more than ${MAX_PENDING_PER_IP} connections still sending their request; new ones are closed at once`);
    socket.destroy();
    return;
  }
  pending.set(ip, n);
  // a deadline for the whole head, not an idle timeout: a byte every few seconds does not keep it open
  const crowded = n > CROWDED_PER_IP;
  if (crowded) engine.warnCrowded(ip, `more than ${CROWDED_PER_IP} connections still sending their request; new ones get ${CROWDED_HEAD_MS} ms to send it`);
  const deadline = setTimeout(() => onTimeout(), crowded ? CROWDED_HEAD_MS : engine.config.advanced.header_timeout * 1000);
  let finished = false;

  const done = (): void => {
    if (finished) return;
    finished = true;
    clearTimeout(deadline);
    const left = (pending.get(ip) ?? 1) - 1;
    if (left > 0) pending.set(ip, left);
    else pending.delete(ip);
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
    engine.log.debug(`${socket.remoteAddress}: no complete request within ${crowded ? `${CROWDED_HEAD_MS} ms (crowded)` : `${engine.config.advanced.header_timeout}s`}, closed`);
    rawReply(socket, 408, 'Request Timeout', 'The request head did not arrive in time.\n');
  };
  const onError = (): void => {
    // resets and the like: the 'close' that follows cleans up
  };
  const onData = (data: Buffer): void => {
    const searched = buf.length;
    buf = buf.length ? Buffer.concat([buf, data]) : data;
    // HTTP/0.9 ("GET /stream", no version, no headers) is complete after one line: answer it now, not at the deadline
    if (searched < 512) {
      const nl = buf.indexOf('\n');
      if (nl >= 0 && nl < 512 && isHttp09Line(buf.toString('latin1', 0, nl))) {
        done();
        rawReply(socket, 400, 'Bad Request', 'HTTP/0.9 requests (no version on the request line) are not supported; send HTTP/1.0 or HTTP/1.1.\n');
        return;
      }
    }
    if (shoutcastPort) {
      const nl = buf.indexOf('\n');
      const firstLine = buf.toString('latin1', 0, nl < 0 ? Math.min(buf.length, 256) : nl);
      if (nl >= 0 && !looksLikeHttp(firstLine)) {
        done();
        handleShoutcastSource(engine, socket, buf);
        return;
      }
    }
    const end = findHeadEnd(buf, searched);
    if (end > MAX_HEAD_BYTES || (end < 0 && buf.length > MAX_HEAD_BYTES)) {
      done();
      rawReply(socket, 431, 'Request Header Fields Too Large', `The request head is larger than ${MAX_HEAD_BYTES} bytes.\n`);
      return;
    }
    if (end < 0) return;
    done();
    let head;
    try {
      head = parseHead(buf, end);
    } catch (e) {
      const err = e as HeadError;
      engine.log.debug(`${socket.remoteAddress}: bad request (${err.message})`);
      rawReply(socket, err.status ?? 400, err.status === 505 ? 'HTTP Version Not Supported' : 'Bad Request', `${err.message}.\n`);
      return;
    }
    const rest = buf.subarray(end);
    if (engine.config.advanced.verbose_logging) {
      engine.log.debug(`${socket.remoteAddress}:${socket.remotePort} ${head.method} ${redactSecrets(head.target)} (${head.headers.get('user-agent') ?? 'no user agent'})`);
    }
    // a registered page prefix (the studio) is never a mount: its PUTs are uploads, not sources
    const routed = [...engine.httpRoutes.keys()].some((p) => head.path === p || head.path.startsWith(p + '/'));
    if (!routed && (head.method === 'SOURCE' || head.method === 'PUT')) {
      handleHttpSource(engine, socket, head, rest);
      return;
    }
    if (head.method === 'OPTIONS' && head.target === '*') {
      // libshout's TLS upgrade probe: Icecast closes it without an answer, and libshout moves on
      socket.destroy();
      return;
    }
    if ((head.method === 'GET' || head.method === 'HEAD') && engine.mounts.has(head.path)) {
      handleListener(engine, socket, head);
      return;
    }
    // hand everything else to the http.Server, with the bytes read so far put back
    socket.off('error', onError);
    socket.unshift(buf);
    engine.http.emit('connection', socket);
  };
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('close', done);
  socket.on('error', onError);
}
