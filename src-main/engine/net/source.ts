// Source clients: Icecast's SOURCE and PUT (with 100-continue), and SHOUTcast v1 (password line, then
// icy-* headers). After the login the rest of the socket is audio for the mount's framer.

import type { Socket } from 'node:net';
import { mountPath, type AudioFormat } from '../../../src-shared/config/schema.js';
import { secretsEqual } from '../protocol/secrets.js';
import type { Engine } from '../engine.js';
import { formatOfContentType } from '../protocol/framing/index.js';
import { ChunkedDecoder, findHeadEnd, MAX_HEAD_BYTES, parseBasicAuth, type RequestHead } from '../protocol/http-head.js';
import type { Mount, SourceInfo, StreamDescription } from '../stream/mount.js';
import { endAndClose, rawReply } from './reply.js';
import { SERVER_ID } from '../protocol/version.js';

/** A source that has sent this much without one frame of its mount's format is not sending that format. */
const MAX_GARBAGE_BYTES = 256 * 1024;

function describeStream(h: Map<string, string>): StreamDescription {
  const get = (...names: string[]): string => {
    for (const n of names) {
      const v = h.get(n);
      if (v) return v;
    }
    return '';
  };
  const audioInfo = get('ice-audio-info');
  const infoBitrate = /(?:^|;)\s*(?:ice-)?bitrate=(\d+)/i.exec(audioInfo)?.[1];
  const bitrate = Number.parseInt(get('ice-bitrate', 'icy-br') || infoBitrate || '0', 10);
  const pub = get('ice-public', 'icy-pub');
  return {
    name: get('ice-name', 'icy-name'),
    description: get('ice-description', 'icy-description'),
    genre: get('ice-genre', 'icy-genre'),
    url: get('ice-url', 'icy-url'),
    public: pub === '1' || pub.toLowerCase() === 'true',
    bitrate: Number.isFinite(bitrate) ? bitrate : 0,
    audioInfo,
  };
}

export function handleHttpSource(engine: Engine, socket: Socket, head: RequestHead, rest: Buffer): void {
  const ip = socket.remoteAddress ?? '?';
  const path = head.path;
  const auth = parseBasicAuth(head.headers.get('authorization'));
  const challenge = { 'WWW-Authenticate': `Basic realm="${engine.config.metadata.station_name.replace(/"/g, "'")}"` };
  if (!auth) {
    // libshout asks once without credentials to learn the auth scheme: not a failed login
    engine.log.debug(`${ip}: ${head.method} ${path} without credentials, asked for them`);
    rawReply(socket, 401, 'Authentication Required', 'You need to authenticate.\n', challenge);
    return;
  }
  const wait = engine.logins.blockedFor(ip);
  if (wait) {
    rawReply(socket, 429, 'Too Many Requests', `Too many failed logins from your address; try again in ${wait} seconds.\n`, { 'Retry-After': String(wait) });
    return;
  }
  if (!engine.sourceCredentialsOk(path, auth.user, auth.password)) {
    engine.logins.fail(ip);
    engine.counters.failedSourceLogins++;
    engine.log.warn(`source login refused for ${path} from ${ip}: wrong user name or password`);
    rawReply(socket, 401, 'Authentication Required', 'Wrong user name or password.\n', challenge);
    return;
  }
  const contentType = head.headers.get('content-type') ?? '';
  const declared = contentType ? formatOfContentType(contentType) : null;
  let mount = engine.mounts.get(path);
  if (mount) {
    if (contentType && declared !== mount.format) {
      engine.log.warn(`source on ${path} from ${ip} refused: it sends ${contentType}, the mount is ${mount.format}`);
      rawReply(socket, 415, 'Unsupported Media Type', `This mount takes ${mount.format} audio, not ${contentType}.\n`);
      return;
    }
  } else {
    const bad = mountPath(path);
    if (bad) {
      engine.log.warn(`source from ${ip} refused: mount path ${path} ${bad}`);
      rawReply(socket, 403, 'Forbidden', `Mount path ${bad}.\n`);
      return;
    }
    if (!declared) {
      engine.log.warn(`source on ${path} from ${ip} refused: unsupported content type ${contentType || '(none)'}`);
      rawReply(socket, 415, 'Unsupported Media Type', `Content type ${contentType || '(none)'} is not supported; send audio/mpeg, audio/ogg or audio/aac.\n`);
      return;
    }
  }
  const banned = engine.banRemaining(path, ip);
  if (banned > 0) {
    engine.log.warn(`source on ${path} from ${ip} refused: kicked by an admin, may log in again in ${banned}s`);
    rawReply(socket, 403, 'Forbidden', `Kicked from this mount; try again in ${banned} seconds.\n`);
    return;
  }
  if (mount?.source) {
    engine.log.warn(`source on ${path} from ${ip} refused: the mount already has a live source (${mount.source.ip})`);
    rawReply(socket, 403, 'Forbidden', 'Mountpoint in use.\n');
    return;
  }
  mount ??= engine.addDynamicMount(engine.dynamicMountConfig(path, declared as AudioFormat));
  const te = (head.headers.get('transfer-encoding') ?? '').toLowerCase();
  if (te && te !== 'chunked' && te !== 'identity') {
    rawReply(socket, 501, 'Not Implemented', `Transfer-Encoding ${te} is not supported.\n`);
    return;
  }
  if ((head.headers.get('expect') ?? '').toLowerCase() === '100-continue') {
    socket.write('HTTP/1.1 100 Continue\r\nContent-Length: 0\r\n\r\n');
  }
  socket.write(`HTTP/1.0 200 OK\r\nServer: ${SERVER_ID}\r\nConnection: close\r\n\r\n`);
  startSource(engine, mount, socket, {
    protocol: head.method === 'PUT' ? 'icecast-put' : 'icecast-source',
    userAgent: head.headers.get('user-agent') ?? '',
    contentType: contentType || mount.contentType,
    description: describeStream(head.headers),
  }, rest, te === 'chunked' ? new ChunkedDecoder() : null);
}

/**
 * SHOUTcast v1: the first line is the password (on source_port + 1). The answer is `OK2`, then the client
 * sends icy-* headers, a blank line, and audio. The password picks the mount: a mount whose own password it
 * is, else the main mount.
 */
export function handleShoutcastSource(engine: Engine, socket: Socket, buf: Buffer): void {
  const ip = socket.remoteAddress ?? '?';
  const nl = buf.indexOf('\n');
  let password = buf.toString('utf8', 0, nl).replace(/\r$/, '');
  let wanted: string | undefined;
  // SHOUTcast 2 style "password:#mount" selects a mount
  const sel = /^(.*):#(\/.*)$/.exec(password);
  if (sel) [, password, wanted] = sel;
  const wait = engine.logins.blockedFor(ip);
  if (wait) {
    endAndClose(socket, `too many failed logins; try again in ${wait} seconds\r\n`);
    return;
  }
  const candidates = [...engine.mounts.values()].filter((m) => !m.dynamic && (!wanted || m.path === wanted));
  let mount: Mount | undefined;
  for (const m of candidates) if (secretsEqual(password, m.config.source_password) && !mount) mount = m;
  if (!mount) {
    engine.logins.fail(ip);
    engine.counters.failedSourceLogins++;
    engine.log.warn(`SHOUTcast source login refused from ${ip}: wrong password`);
    endAndClose(socket, 'invalid password\r\n');
    return;
  }
  const banned = engine.banRemaining(mount.path, ip);
  if (banned > 0) {
    engine.log.warn(`SHOUTcast source from ${ip} refused: kicked by an admin, may log in again in ${banned}s`);
    endAndClose(socket, `Kicked; try again in ${banned} seconds\r\n`);
    return;
  }
  if (mount.source) {
    engine.log.warn(`SHOUTcast source from ${ip} refused: ${mount.path} already has a live source`);
    endAndClose(socket, 'Stream in use\r\n');
    return;
  }
  socket.write('OK2\r\nicy-caps:11\r\n\r\n');
  const target = mount;
  let pending = buf.subarray(nl + 1);
  socket.setTimeout(engine.config.advanced.header_timeout * 1000);
  const onTimeout = (): void => {
    engine.log.warn(`SHOUTcast source from ${ip} sent no stream headers in time, closed`);
    socket.destroy();
  };
  const tryHeaders = (): boolean => {
    // some clients send no headers at all and start with audio: an MP3/AAC sync byte means audio
    if (pending.length && pending[0] === 0xff) return finish(new Map(), pending);
    const end = findHeadEnd(Buffer.concat([Buffer.from('\r\n'), pending]));
    if (end < 0) {
      if (pending.length > MAX_HEAD_BYTES) {
        socket.destroy();
        return true;
      }
      return false;
    }
    const headEnd = end - 2;
    const headers = new Map<string, string>();
    for (const line of pending.toString('utf8', 0, headEnd).split(/\r?\n/)) {
      const c = line.indexOf(':');
      if (c > 0) headers.set(line.slice(0, c).trim().toLowerCase(), line.slice(c + 1).trim());
    }
    return finish(headers, pending.subarray(headEnd));
  };
  const finish = (headers: Map<string, string>, rest: Buffer): true => {
    socket.off('data', onData);
    socket.off('timeout', onTimeout);
    const contentType = headers.get('content-type') ?? '';
    if (contentType && formatOfContentType(contentType) !== target.format) {
      engine.log.warn(`SHOUTcast source from ${ip} refused: it sends ${contentType}, ${target.path} is ${target.format}`);
      socket.destroy();
      return true;
    }
    if (target.source) {
      socket.destroy();
      return true;
    }
    startSource(engine, target, socket, {
      protocol: 'shoutcast',
      userAgent: headers.get('user-agent') ?? 'SHOUTcast v1 source',
      contentType: contentType || target.contentType,
      description: describeStream(headers),
    }, rest);
    return true;
  };
  const onData = (d: Buffer): void => {
    pending = Buffer.concat([pending, d]);
    tryHeaders();
  };
  if (!tryHeaders()) {
    socket.on('data', onData);
    socket.on('timeout', onTimeout);
  }
}

/** Puts a logged-in source on air and streams its audio into the mount until it leaves or times out. */
function startSource(
  engine: Engine,
  mount: Mount,
  socket: Socket,
  meta: Pick<SourceInfo, 'protocol' | 'userAgent' | 'contentType' | 'description'>,
  rest: Buffer,
  chunked: ChunkedDecoder | null = null,
): void {
  const info: SourceInfo = {
    id: engine.nextId(),
    ip: socket.remoteAddress ?? '?',
    port: socket.remotePort ?? 0,
    connectedAt: Date.now(),
    bytesIn: 0,
    ...meta,
  };
  mount.source = info;
  mount.resetFramer();
  if (info.contentType && formatOfContentType(info.contentType) === mount.format) mount.contentType = info.contentType.split(';')[0].trim();
  mount.setTitle(info.description.name || '');
  engine.counters.sourceConnections++;
  engine.registerSourceSocket(mount, socket);
  const timeoutS = engine.config.advanced.source_timeout;
  socket.setTimeout(timeoutS * 1000);
  let reason = 'disconnected';
  let framesSeen = 0;
  const onData = (d: Buffer): void => {
    info.bytesIn += d.length;
    if (chunked) {
      for (const part of chunked.push(d)) framesSeen += mount.feed(part);
      if (chunked.error || chunked.done) {
        reason = chunked.error ? `dropped: ${chunked.error} in its chunked body` : 'finished (last chunk)';
        socket.destroy();
        return;
      }
    } else framesSeen += mount.feed(d);
    if (framesSeen === 0 && mount.framer.skippedBytes > MAX_GARBAGE_BYTES) {
      reason = `dropped: ${info.bytesIn} bytes without one ${mount.format} frame (not ${mount.format} audio?)`;
      socket.destroy();
    }
  };
  socket.on('data', onData);
  socket.on('end', () => socket.destroy());
  socket.on('timeout', () => {
    reason = `timed out: nothing received for ${timeoutS}s`;
    socket.destroy();
  });
  socket.on('error', (e: NodeJS.ErrnoException) => {
    // encoders often reset the connection when they stop: that is an ordinary goodbye
    reason = e.code === 'ECONNRESET' || e.code === 'EPIPE' ? 'disconnected (connection reset)' : `connection error (${e.code ?? e.message})`;
  });
  socket.once('close', () => {
    engine.unregisterSourceSocket(mount, socket);
    if (mount.source === info) mount.source = null;
    const secs = Math.round((Date.now() - info.connectedAt) / 1000);
    engine.log.info(`source on ${mount.path} from ${info.ip} ${reason} after ${secs}s, ${info.bytesIn} bytes`);
    engine.emit('source-disconnect', mount, reason);
    if (mount.dynamic) engine.removeDynamicMount(mount);
  });
  const d = info.description;
  engine.log.info(
    `source connected to ${mount.path} from ${info.ip} (${info.protocol}, ${info.contentType}${info.userAgent ? `, ${info.userAgent}` : ''})` +
      (d.name ? ` "${d.name}"` : ''),
  );
  engine.emit('source-connect', mount);
  if (rest.length) onData(rest);
}
