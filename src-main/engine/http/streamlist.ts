// /admin/streamlist.txt for Icecast slaves (<master-server>): one mount per line. icecast2's slave sends
// `GET /admin/streamlist.txt HTTP/1.0` with Basic auth (<master-username>:<master-password>) and accepts
// only an answer whose status line begins "HTTP/1.0 200", so the reply is written on the raw socket (Node's
// http.Server always says HTTP/1.1). The slave then relays each listed mount with an ordinary GET.

import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { parseBasicAuth } from '../protocol/http-head.js';
import { secretsEqual } from '../protocol/secrets.js';
import { SERVER_ID } from '../protocol/version.js';
import type { MountRegistry } from '../stream/registry.js';
import { requestAddress, type HttpContext } from './context.js';

/** Mounts a slave should relay: those with audio on air (a live source, a relay or the AutoDJ). */
export function relayableMounts(mounts: MountRegistry): string[] {
  return [...mounts.values()].filter((m) => m.source !== null || m.ring.headSeq > 0).map((m) => m.path);
}

/** A complete HTTP/1.0 answer on the raw socket, then close (5 s for a client that never reads). */
function answer(socket: Socket, status: string, body: string, extra: string[] = []): void {
  const head = [`HTTP/1.0 ${status}`, `Server: ${SERVER_ID}`, 'Connection: close', 'Content-Type: text/plain; charset=utf-8', `Content-Length: ${Buffer.byteLength(body)}`, ...extra];
  socket.end(head.join('\r\n') + '\r\n\r\n' + body);
  setTimeout(() => socket.destroy(), 5000).unref();
}

export function serveStreamlist(ctx: HttpContext, req: IncomingMessage): void {
  const socket = req.socket;
  const ip = requestAddress(ctx, req);
  const { relay_user: user, relay_password: password } = ctx.config().admin;
  if (!password) return answer(socket, '403 Forbidden', 'Relaying to slaves is off: set admin { relay_password = "..." } to allow it.\n');
  // relay logins share the admin door's slow-down: a guessed relay password costs the same as an admin one
  const guard = ctx.access.guard;
  const wait = guard.waitFor('admin', ip);
  if (wait) return answer(socket, '429 Too Many Requests', `Too many failed logins; try again in ${wait} seconds.\n`, [`Retry-After: ${wait}`]);
  const a = parseBasicAuth(req.headers.authorization);
  // both compared always: the time taken does not tell which one was wrong
  const ok = a !== null && secretsEqual(a.password, password) && secretsEqual(a.user, user);
  if (!ok) {
    if (a) guard.fail('admin', ip, '/admin/streamlist.txt');
    return answer(socket, '401 Authentication Required', 'Wrong relay user name or password.\n', ['WWW-Authenticate: Basic realm="Cycast relay"']);
  }
  guard.succeed('admin', ip);
  const mounts = relayableMounts(ctx.mounts);
  ctx.log.debug(`${ip}: streamlist sent to a slave (${mounts.length} mounts)`);
  answer(socket, '200 OK', mounts.map((p) => `${p}\n`).join(''));
}
