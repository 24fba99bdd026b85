// Listeners: `GET /mount` (and HEAD). Answered as Icecast does, HTTP/1.0 with no chunked encoding, the
// stream's icy-* headers and CORS that lets browser players read them; ICY metadata only on request.

import type { Socket } from 'node:net';
import { Listener } from '../stream/broadcaster.js';
import type { Engine } from '../engine.js';
import type { RequestHead } from '../protocol/http-head.js';
import type { Mount } from '../stream/mount.js';
import { endAndClose, headerSafe, rawReply } from './reply.js';
import { SERVER_ID } from '../protocol/version.js';

export const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'Origin, Accept, X-Requested-With, Content-Type, Icy-MetaData, Range',
  'Access-Control-Allow-Methods': 'GET, OPTIONS, HEAD',
  'Access-Control-Expose-Headers': 'icy-br, icy-description, icy-genre, icy-metaint, icy-name, icy-pub, icy-url, ice-audio-info, Content-Type',
};

export function listenerHeaders(m: Mount, metaint: number): string {
  const d = m.description;
  const lines = [
    'HTTP/1.0 200 OK',
    `Server: ${SERVER_ID}`,
    `Date: ${new Date().toUTCString()}`,
    `Content-Type: ${m.contentType}`,
  ];
  if (d.bitrate) lines.push(`icy-br: ${d.bitrate}`);
  if (d.audioInfo) lines.push(`ice-audio-info: ${headerSafe(d.audioInfo)}`);
  lines.push(
    `icy-name: ${headerSafe(d.name)}`,
    `icy-description: ${headerSafe(d.description)}`,
    `icy-genre: ${headerSafe(d.genre)}`,
    `icy-url: ${headerSafe(d.url)}`,
    `icy-pub: ${d.public ? 1 : 0}`,
  );
  if (metaint) lines.push(`icy-metaint: ${metaint}`);
  lines.push('Cache-Control: no-cache, no-store', 'Pragma: no-cache', 'Expires: Mon, 26 Jul 1997 05:00:00 GMT', 'Connection: Close');
  for (const [k, v] of Object.entries(CORS_HEADERS)) lines.push(`${k}: ${v}`);
  return lines.join('\r\n') + '\r\n\r\n';
}

export function handleListener(engine: Engine, socket: Socket, head: RequestHead): void {
  const m = engine.mounts.get(head.path)!;
  if (socket.destroyed) return;
  const ip = socket.remoteAddress ?? '?';
  const max = engine.config.advanced.max_listeners;
  if (max > 0 && engine.totalListeners >= max) {
    engine.log.info(`listener ${ip} refused on ${m.path}: server full (${max} listeners)`);
    rawReply(socket, 503, 'Service Unavailable', 'Server full: too many listeners.\n', CORS_HEADERS);
    return;
  }
  if (m.config.max_listeners > 0 && m.broadcaster.count >= m.config.max_listeners) {
    engine.log.info(`listener ${ip} refused on ${m.path}: mount full (${m.config.max_listeners} listeners)`);
    rawReply(socket, 503, 'Service Unavailable', 'Mount full: too many listeners.\n', CORS_HEADERS);
    return;
  }
  const metaint = m.icyAllowed && head.headers.get('icy-metadata')?.trim() === '1' ? m.config.icy_metaint : 0;
  if (head.method === 'HEAD') {
    endAndClose(socket, listenerHeaders(m, metaint));
    return;
  }
  const ua = head.headers.get('user-agent') ?? '';
  const l = new Listener(engine.nextId(), socket, m.path, ip, socket.remotePort ?? 0, ua, metaint, m.broadcaster);
  socket.on('error', () => {});
  socket.once('close', () => m.broadcaster.remove(l, 'closed'));
  // listeners have nothing to say; read and discard so a hang-up is noticed
  socket.resume();
  socket.write(listenerHeaders(m, metaint));
  if (m.format === 'ogg' && m.oggHeaders) {
    socket.write(m.oggHeaders);
    l.bytesSent += m.oggHeaders.length;
  }
  engine.counters.listenerConnections++;
  m.listenerConnections++;
  if (m.broadcaster.count + 1 > m.listenerPeak) m.listenerPeak = m.broadcaster.count + 1;
  engine.log.info(`listener #${l.id} ${ip} tuned in to ${m.path}${metaint ? ' (ICY titles)' : ''}${ua ? ` [${ua}]` : ''} [${engine.totalListeners + 1} listening]`);
  // announced before it is added: adding sends the burst, which may already drop it
  engine.emit('listener-connect', m, l);
  m.broadcaster.add(l, m.burstStart());
}
