import type { Socket } from 'node:net';
import { SERVER_ID } from '../protocol/version.js';

/** Strips what would break a header line (a source's ice-name could carry CR/LF). */
export function headerSafe(v: string): string {
  return v.replace(/[\r\n\0]+/g, ' ').trim();
}

/** Writes a complete HTTP/1.0 response on a raw socket and closes it. */
export function rawReply(socket: Socket, status: number, reason: string, body = '', headers: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const lines = [`HTTP/1.0 ${status} ${reason}`, `Server: ${SERVER_ID}`, 'Connection: close'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${headerSafe(v)}`);
  if (body) lines.push('Content-Type: text/plain; charset=utf-8', `Content-Length: ${Buffer.byteLength(body)}`);
  endAndClose(socket, lines.join('\r\n') + '\r\n\r\n' + body);
}

/** Sends a last answer and closes; a client that never reads (or never closes) loses the socket in 5 s. */
export function endAndClose(socket: Socket, data: string): void {
  if (socket.destroyed) return;
  socket.end(data);
  const t = setTimeout(() => socket.destroy(), 5000);
  t.unref();
  socket.once('close', () => clearTimeout(t));
}
