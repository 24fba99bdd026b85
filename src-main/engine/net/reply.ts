// Last answers on raw sockets (sources, listeners, bad heads): a refusal from the catalogue as an HTTP/1.0
// response or a SHOUTcast v1 line, then the connection is closed.

import type { Socket } from 'node:net';
import { refusal, type RefusalId } from '../protocol/refusals.js';
import { lineSafe } from '../protocol/untrusted.js';
import { SERVER_ID } from '../protocol/version.js';

/** Sends a last answer and closes; a client that never reads (or never closes) loses the socket in 5 s. */
export function endAndClose(socket: Socket, data: string): void {
  if (socket.destroyed) return;
  socket.end(data);
  const t = setTimeout(() => socket.destroy(), 5000);
  t.unref();
  socket.once('close', () => clearTimeout(t));
}

/** Answers with the refusal `id` as HTTP/1.0 and closes. */
export function refuse(socket: Socket, id: RefusalId, args: Record<string, string | number> = {}, headers: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const r = refusal(id, args);
  const body = `${r.text}\n`;
  const lines = [`HTTP/1.0 ${r.status} ${r.reason}`, `Server: ${SERVER_ID}`, 'Connection: close'];
  for (const [k, v] of Object.entries({ ...r.headers, ...headers })) lines.push(`${k}: ${lineSafe(v)}`);
  lines.push('Content-Type: text/plain; charset=utf-8', `Content-Length: ${Buffer.byteLength(body)}`);
  endAndClose(socket, lines.join('\r\n') + '\r\n\r\n' + body);
}

/** Answers a SHOUTcast v1 source with the refusal's SHOUTcast line and closes. */
export function refuseShoutcast(socket: Socket, id: RefusalId, args: Record<string, string | number> = {}): void {
  const r = refusal(id, args);
  endAndClose(socket, `${r.shoutcast ?? r.text}\r\n`);
}
