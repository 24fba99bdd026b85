// Source clients: Icecast's SOURCE and PUT (with 100-continue), and SHOUTcast v1 (password line, then
// icy-* headers). Every check runs before anything is committed: a refused source leaves no mount behind.
// After the login the rest of the socket is audio for the mount's framer.

import type { Socket } from 'node:net';
import { mountPath, type AudioFormat, type MountConfig } from '../../../src-shared/config/schema.js';
import { formatOfContentType } from '../protocol/framing/index.js';
import { ChunkedDecoder, findHeadEnd, MAX_HEAD_BYTES, parseBasicAuth, type RequestHead } from '../protocol/http-head.js';
import type { RefusalId } from '../protocol/refusals.js';
import { SERVER_ID } from '../protocol/version.js';
import type { LiveSource, Mount, SourceInfo, StreamDescription } from '../stream/mount.js';
import type { NetContext } from './context.js';
import { pacedSocket } from './read-pacing.js';
import { refuse, refuseShoutcast } from './reply.js';

/** A source that has sent this much without one frame of its mount's format is not sending that format. */
const MAX_GARBAGE_BYTES = 256 * 1024;
/** the station name libshout sends when its user set none: not a name */
const LIBSHOUT_NO_NAME = 'no name';

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
  const name = get('ice-name', 'icy-name');
  return {
    name: name === LIBSHOUT_NO_NAME ? '' : name,
    description: get('ice-description', 'icy-description'),
    genre: get('ice-genre', 'icy-genre'),
    url: get('ice-url', 'icy-url'),
    public: pub === '1' || pub.toLowerCase() === 'true',
    bitrate: Number.isFinite(bitrate) ? bitrate : 0,
    audioInfo,
  };
}

interface Refused {
  id: RefusalId;
  args?: Record<string, string | number>;
  /** the log line (without the address) */
  log: string;
}

/** Why a logged-in source may not go on air on `path` (kick ban, live already, too many sources), or null. */
function onAirRefusal(ctx: NetContext, path: string, mount: Mount | undefined, ip: string): Refused | null {
  const banned = ctx.bans.remaining(path, ip);
  if (banned > 0) return { id: 'source.kicked', args: { wait: banned }, log: `kicked by an admin, may log in again in ${banned}s` };
  if (mount?.source) return { id: 'source.in-use', log: `the mount already has a live source (${mount.source.ip})` };
  const max = ctx.limits().sources;
  if (ctx.mounts.liveSources >= max) return { id: 'source.too-many', args: { max }, log: `limits.sources (${max}) live sources are on air already` };
  return null;
}

/** The format a new source on `path` streams, or why it may not stream there. */
function formatRefusal(ctx: NetContext, path: string, mount: Mount | undefined, contentType: string): Refused | AudioFormat {
  const declared = contentType ? formatOfContentType(contentType) : null;
  if (mount) {
    if (contentType && declared !== mount.format) {
      return { id: 'source.wrong-format', args: { format: mount.format, type: contentType }, log: `it sends ${contentType}, the mount is ${mount.format}` };
    }
    return mount.format;
  }
  const bad = mountPath(path);
  if (bad) return { id: 'source.bad-path', args: { why: bad }, log: `mount path ${path} ${bad}` };
  if (!declared) return { id: 'source.unsupported-type', args: { type: contentType || '(none)' }, log: `unsupported content type ${contentType || '(none)'}` };
  return declared;
}

export function handleHttpSource(ctx: NetContext, socket: Socket, ip: string, head: RequestHead, rest: Buffer): void {
  const path = head.path;
  const realm = { 'WWW-Authenticate': `Basic realm="${ctx.config().metadata.station_name.replace(/"/g, "'")}"` };
  const auth = parseBasicAuth(head.headers.get('authorization'));
  if (!auth) {
    // libshout asks once without credentials to learn the auth scheme: not a failed login
    ctx.log.debug(`${ip}: ${head.method} ${path} without credentials, asked for them`);
    refuse(socket, 'login.required', {}, realm);
    return;
  }
  let mount = ctx.mounts.get(path);
  const creds = mount?.config ?? ctx.config().mounts[0];
  const login = ctx.access.login({ kind: 'source', ip, user: auth.user, password: auth.password, mounts: [creds], roles: ['source'], what: `source ${path}` });
  if (!login.ok) {
    if (login.wait) return refuse(socket, 'login.slowed', { wait: login.wait });
    ctx.log.warn(`source login refused for ${path} from ${ip}: wrong user name or password`);
    return refuse(socket, 'login.wrong', {}, realm);
  }
  const contentType = head.headers.get('content-type') ?? '';
  const te = (head.headers.get('transfer-encoding') ?? '').toLowerCase();
  const format = formatRefusal(ctx, path, mount, contentType);
  const why: Refused | null =
    typeof format !== 'string' ? format
    : te && te !== 'chunked' && te !== 'identity' ? { id: 'source.transfer-encoding', args: { te }, log: `Transfer-Encoding ${te} is not supported` }
    : onAirRefusal(ctx, path, mount, ip);
  if (why) {
    ctx.log.warn(`source on ${path} from ${ip} refused: ${why.log}`);
    return refuse(socket, why.id, why.args);
  }
  // every check passed: only now is a mount created for a new path
  mount ??= ctx.openDynamicMount(path, format as AudioFormat);
  if ((head.headers.get('expect') ?? '').toLowerCase() === '100-continue') {
    socket.write('HTTP/1.1 100 Continue\r\nContent-Length: 0\r\n\r\n');
  }
  socket.write(`HTTP/1.0 200 OK\r\nServer: ${SERVER_ID}\r\nConnection: close\r\n\r\n`);
  startSource(ctx, mount, socket, {
    ip,
    protocol: head.method === 'PUT' ? 'icecast-put' : 'icecast-source',
    userAgent: head.headers.get('user-agent') ?? '',
    contentType: contentType || mount.contentType,
    description: describeStream(head.headers),
  }, rest, te === 'chunked' ? new ChunkedDecoder() : null);
}

/** A first line that is no SHOUTcast password: TLS hellos, binary, libshout's ICY-protocol probe. */
function notAPassword(line: Buffer): 'probe' | 'junk' | null {
  if (line[0] === 0x16 && line[1] === 0x03) return 'junk';
  const text = line.toString('utf8');
  if (text.includes('\ufffd') || /[\x00-\x08\x0b-\x1f\x7f]/.test(text.replace(/\r$/, ''))) return 'junk';
  return text.replace(/\r$/, '') === '!POKE' ? 'probe' : null;
}

/**
 * SHOUTcast v1: the first line is the password (on source_port + 1). The answer is `OK2`, then the client
 * sends icy-* headers, a blank line, and audio. The password picks the mount: a mount whose own password it
 * is, else the main mount.
 */
export function handleShoutcastSource(ctx: NetContext, socket: Socket, buf: Buffer): void {
  const ip = ctx.clientAddress(socket.remoteAddress ?? '?', () => undefined);
  const nl = buf.indexOf('\n');
  const junk = notAPassword(buf.subarray(0, nl));
  if (junk === 'junk') {
    ctx.log.debug(`${ip}: a first line that is neither HTTP nor a SHOUTcast password, closed`);
    socket.destroy();
    return;
  }
  if (junk === 'probe') return refuseShoutcast(socket, 'login.wrong');
  let password = buf.toString('utf8', 0, nl).replace(/\r$/, '');
  let wanted: string | undefined;
  // SHOUTcast 2 style "password:#mount" selects a mount
  const sel = /^(.*):#(\/.*)$/.exec(password);
  if (sel) [, password, wanted] = sel;
  const candidates: MountConfig[] = [...ctx.mounts.values()].filter((m) => !m.dynamic && (!wanted || m.path === wanted)).map((m) => m.config);
  const login = ctx.access.login({ kind: 'source', ip, user: null, password, mounts: candidates, roles: ['source'], what: `SHOUTcast source ${wanted ?? ''}`.trim() });
  if (!login.ok) {
    if (login.wait) return refuseShoutcast(socket, 'login.slowed', { wait: login.wait });
    ctx.log.warn(`SHOUTcast source login refused from ${ip}: wrong password`);
    return refuseShoutcast(socket, 'login.wrong');
  }
  const mount = ctx.mounts.get(login.mount!.path)!;
  const why = onAirRefusal(ctx, mount.path, mount, ip);
  if (why) {
    ctx.log.warn(`SHOUTcast source from ${ip} refused: ${why.log}`);
    return refuseShoutcast(socket, why.id, why.args);
  }
  socket.write('OK2\r\nicy-caps:11\r\n\r\n');
  readShoutcastHeaders(ctx, socket, ip, mount, buf.subarray(nl + 1));
}

/** After OK2: icy-* headers and a blank line (or audio straight away), then the stream. */
function readShoutcastHeaders(ctx: NetContext, socket: Socket, ip: string, mount: Mount, first: Buffer): void {
  let pending = first;
  socket.setTimeout(ctx.config().advanced.header_timeout * 1000);
  const onTimeout = (): void => {
    ctx.log.warn(`SHOUTcast source from ${ip} sent no stream headers in time, closed`);
    socket.destroy();
  };
  const finish = (headers: Map<string, string>, rest: Buffer): true => {
    socket.off('data', onData);
    socket.off('timeout', onTimeout);
    const contentType = headers.get('content-type') ?? '';
    if (contentType && formatOfContentType(contentType) !== mount.format) {
      ctx.log.warn(`SHOUTcast source from ${ip} refused: it sends ${contentType}, ${mount.path} is ${mount.format}`);
      refuseShoutcast(socket, 'source.wrong-format', { format: mount.format, type: contentType });
      return true;
    }
    // another source may have gone on air while this one sent its headers
    const why = onAirRefusal(ctx, mount.path, mount, ip);
    if (why) {
      refuseShoutcast(socket, why.id, why.args);
      return true;
    }
    startSource(ctx, mount, socket, {
      ip,
      protocol: 'shoutcast',
      userAgent: headers.get('user-agent') ?? 'SHOUTcast v1 source',
      contentType: contentType || mount.contentType,
      description: describeStream(headers),
    }, rest);
    return true;
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
  ctx: NetContext,
  mount: Mount,
  socket: Socket,
  meta: Pick<SourceInfo, 'ip' | 'protocol' | 'userAgent' | 'contentType' | 'description'>,
  rest: Buffer,
  chunked: ChunkedDecoder | null = null,
): void {
  const info: LiveSource = {
    id: ctx.nextId(),
    port: socket.remotePort ?? 0,
    connectedAt: Date.now(),
    bytesIn: 0,
    ...meta,
    disconnect: () => socket.destroy(),
  };
  mount.attachSource(info, formatOfContentType(info.contentType));
  ctx.counters.sourceConnections++;
  const timeoutS = ctx.config().advanced.source_timeout;
  socket.setTimeout(timeoutS * 1000);
  let reason = 'disconnected';
  let framesSeen = 0;
  // bytes keep the socket timeout at bay, but only frames are audio: a source that sends tags and garbage
  // (a tag claiming 256 MiB, say) for source_timeout seconds is as silent as one that sends nothing
  let lastAudioAt = performance.now();
  let bytesAtLastAudio = 0;
  const onData = (d: Buffer): void => {
    info.bytesIn += d.length;
    const before = framesSeen;
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
    } else if (framesSeen > before) {
      lastAudioAt = performance.now();
      bytesAtLastAudio = info.bytesIn;
    } else if (performance.now() - lastAudioAt > timeoutS * 1000) {
      reason = `dropped: no playable ${mount.format} audio for ${timeoutS}s (${info.bytesIn - bytesAtLastAudio} bytes of tags or garbage)`;
      socket.destroy();
    }
  };
  // read at the mount's write cadence: one wakeup per write interval, not one per packet the encoder sends
  const paced = pacedSocket(socket);
  if (paced) mount.broadcaster.setInput(paced);
  const b = mount.broadcaster;
  socket.on('data', (d: Buffer) => b.fedFromInput(onData, d));
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
    if (paced) b.releaseInput(paced);
    mount.detachSource(info);
    ctx.sourceLeft(mount, info, reason);
    if (mount.dynamic) ctx.closeDynamicMount(mount);
  });
  ctx.sourceOnAir(mount);
  if (rest.length) b.fedFromInput(onData, rest);
}

