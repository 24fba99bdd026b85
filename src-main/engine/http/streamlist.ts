// /admin/streamlist.txt for Icecast slaves (<master-server>): one mount per line. icecast2's slave sends
// `GET /admin/streamlist.txt HTTP/1.0` with Basic auth (<master-username>:<master-password>) and accepts
// only an answer whose status line begins "HTTP/1.0 200", so the reply is written on the raw socket (Node's
// http.Server always says HTTP/1.1). The slave then relays each listed mount with an ordinary GET.

import type { IncomingMessage } from 'node:http';
import type { Engine } from '../engine.js';
import { parseBasicAuth } from '../protocol/http-head.js';
import { secretsEqual } from '../protocol/secrets.js';
import { rawReply } from '../net/reply.js';

/** Mounts a slave should relay: those with audio on air (a live source, a relay or the AutoDJ). */
export function relayableMounts(engine: Engine): string[] {
  return [...engine.mounts.values()].filter((m) => m.source !== null || m.ring.headSeq > 0).map((m) => m.path);
}

export function serveStreamlist(engine: Engine, req: IncomingMessage): void {
  const socket = req.socket;
  const ip = socket.remoteAddress ?? '?';
  const { relay_user: user, relay_password: password } = engine.config.admin;
  if (!password) {
    rawReply(socket, 403, 'Forbidden', 'Relaying to slaves is off: set admin { relay_password = "..." } to allow it.\n');
    return;
  }
  const wait = engine.logins.blockedFor(ip);
  if (wait) {
    rawReply(socket, 429, 'Too Many Requests', `Too many failed logins; try again in ${wait} seconds.\n`, { 'Retry-After': String(wait) });
    return;
  }
  const a = parseBasicAuth(req.headers.authorization);
  const ok = a !== null && secretsEqual(a.user, user) && secretsEqual(a.password, password);
  if (!ok) {
    if (a) {
      engine.logins.fail(ip);
      engine.log.warn(`${ip}: /admin/streamlist.txt refused: wrong relay user name or password`);
    }
    rawReply(socket, 401, 'Authentication Required', 'Wrong relay user name or password.\n', { 'WWW-Authenticate': 'Basic realm="Cycast relay"' });
    return;
  }
  const body = relayableMounts(engine).map((p) => `${p}\n`).join('');
  engine.log.debug(`${ip}: streamlist sent to a slave (${body.split('\n').length - 1} mounts)`);
  rawReply(socket, 200, 'OK', body || '\n');
}
