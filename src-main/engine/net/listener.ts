// Listeners: `GET /mount` (and HEAD). Answered as Icecast does, HTTP/1.0 with no chunked encoding, the
// stream's icy-* headers and CORS that lets browser players read them; ICY metadata only on request.

import type { Socket } from 'node:net';
import { CORS_HEADERS } from '../protocol/cors.js';
import type { RequestHead } from '../protocol/http-head.js';
import { lineSafe } from '../protocol/untrusted.js';
import { SERVER_ID } from '../protocol/version.js';
import { Listener } from '../stream/broadcaster.js';
import type { Mount } from '../stream/mount.js';
import { listenerBanKey } from '../access/bans.js';
import type { NetContext } from './context.js';
import { endAndClose, refuse } from './reply.js';

export function listenerHeaders(m: Mount, metaint: number): string {
  const d = m.description;
  const lines = [
    'HTTP/1.0 200 OK',
    `Server: ${SERVER_ID}`,
    `Date: ${new Date().toUTCString()}`,
    `Content-Type: ${m.contentType}`,
  ];
  if (d.bitrate) lines.push(`icy-br: ${d.bitrate}`);
  if (d.audioInfo) lines.push(`ice-audio-info: ${lineSafe(d.audioInfo)}`);
  lines.push(
    `icy-name: ${lineSafe(d.name)}`,
    `icy-description: ${lineSafe(d.description)}`,
    `icy-genre: ${lineSafe(d.genre)}`,
    `icy-url: ${lineSafe(d.url)}`,
    `icy-pub: ${d.public ? 1 : 0}`,
  );
  if (metaint) lines.push(`icy-metaint: ${metaint}`);
  lines.push('Cache-Control: no-cache, no-store', 'Pragma: no-cache', 'Expires: Mon, 26 Jul 1997 05:00:00 GMT', 'Connection: Close');
  for (const [k, v] of Object.entries(CORS_HEADERS)) lines.push(`${k}: ${v}`);
  return lines.join('\r\n') + '\r\n\r\n';
}

/** Why a new listener cannot be taken now, or null. */
function fullReason(ctx: NetContext, m: Mount, ip: string): 'listener.server-full' | 'listener.mount-full' | 'listener.address-full' | null {
  const max = ctx.config().advanced.max_listeners;
  const limits = ctx.limits();
  const total = ctx.mounts.totalListeners;
  if ((max > 0 && total >= max) || total >= limits.listeners) return 'listener.server-full';
  if (m.config.max_listeners > 0 && m.broadcaster.count >= m.config.max_listeners) return 'listener.mount-full';
  if (limits.listenersPerAddress > 0 && ctx.listenersFrom(ip) >= limits.listenersPerAddress) return 'listener.address-full';
  return null;
}

/** Seconds a kicked listener at `ip` must still wait before it may tune in to `m` again (0: it may). */
function kickedFor(ctx: NetContext, m: Mount, ip: string): number {
  return ctx.bans.remaining(listenerBanKey(m.path), ip);
}

export function handleListener(ctx: NetContext, socket: Socket, ip: string, m: Mount, head: RequestHead): void {
  if (socket.destroyed) return;
  const banned = kickedFor(ctx, m, ip);
  if (banned > 0) {
    ctx.log.info(`listener ${ip} refused on ${m.path}: kicked, may tune in again in ${banned}s`);
    refuse(socket, 'listener.kicked', { wait: banned }, CORS_HEADERS);
    return;
  }
  const full = fullReason(ctx, m, ip);
  if (full) {
    ctx.log.info(`listener ${ip} refused on ${m.path}: ${full.slice('listener.'.length)}`);
    refuse(socket, full, {}, CORS_HEADERS);
    return;
  }
  // a relay mount still learning its format from the upstream answers once it knows it (net/relay-hold.ts)
  if (m.answerHold) return m.answerHold(socket, () => handleListener(ctx, socket, ip, m, head));
  const metaint = m.icyAllowed && head.headers.get('icy-metadata')?.trim() === '1' ? m.config.icy_metaint : 0;
  if (head.method === 'HEAD') {
    endAndClose(socket, listenerHeaders(m, metaint));
    return;
  }
  const ua = head.headers.get('user-agent') ?? '';
  const l = new Listener(ctx.nextId(), socket, m.path, ip, socket.remotePort ?? 0, ua, metaint, m.broadcaster);
  socket.on('error', () => {});
  socket.once('close', () => m.broadcaster.remove(l, 'closed'));
  // listeners have nothing to say; read and discard so a hang-up is noticed
  socket.resume();
  socket.write(listenerHeaders(m, metaint));
  if (m.format === 'ogg' && m.oggHeaders) {
    socket.write(m.oggHeaders);
    l.bytesSent += m.oggHeaders.length;
  }
  m.listenerJoined();
  // announced before it is added: adding sends the burst, which may already drop it
  ctx.listenerJoined(m, l);
  m.broadcaster.add(l, m.burstStart());
}
