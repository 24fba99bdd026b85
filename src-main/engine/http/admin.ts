// Icecast's admin commands (/admin/NAME, like the handlers table of Icecast's admin.c) and SHOUTcast's
// /admin.cgi. Each command says whose credentials open it; every login goes through access/.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseBasicAuth } from '../protocol/http-head.js';
import { lineSafe, xmlEscape } from '../protocol/untrusted.js';
import type { Role } from '../access/credentials.js';
import type { Mount } from '../stream/mount.js';
import { requestAddress, type HttpContext } from './context.js';
import { iceResponse, refuseHttp, send, xml } from './respond.js';
import { adminStatsXml, listClientsXml } from './status.js';

interface AdminCommand {
  /** who may run it: the admin, or for metadata updates also the mount's source (as Icecast allows) */
  roles: Role[];
  run(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, q: Map<string, string>): void;
}

function mountParam(ctx: HttpContext, res: ServerResponse, q: Map<string, string>): Mount | null {
  const path = q.get('mount') ?? ctx.config().server.mount_point;
  const m = ctx.mounts.get(path);
  if (!m) refuseHttp(res, 'admin.no-mount', { mount: lineSafe(path, 200) });
  return m ?? null;
}

/** mode=updinfo&song=… (or artist= and title=): the title on air. Null when the request says none. */
function songOf(q: Map<string, string>): string | undefined {
  const song = q.get('song');
  if (song !== undefined || !(q.has('title') || q.has('artist'))) return song;
  return [q.get('artist'), q.get('title')].filter(Boolean).join(' - ');
}

function updateTitle(ctx: HttpContext, res: ServerResponse, m: Mount, q: Map<string, string>, reply: 'xml' | 'shoutcast'): void {
  const mode = q.get('mode') ?? '';
  if (mode !== 'updinfo') return refuseHttp(res, reply === 'xml' ? 'admin.unknown-mode' : 'admincgi.unknown-mode', { mode: lineSafe(mode, 40) });
  const song = songOf(q);
  if (song === undefined) return refuseHttp(res, reply === 'xml' ? 'admin.no-song' : 'admincgi.no-song');
  m.setTitle(song, q.get('url') ?? '');
  ctx.log.info(`title on ${m.path}: ${song}`);
  if (reply === 'xml') xml(res, 200, iceResponse('Metadata update successful', true));
  else send(res, 200, 'text/html; charset=utf-8', '<html><body>Updated</body></html>\n');
}

const COMMANDS: Record<string, AdminCommand> = {
  metadata: {
    roles: ['admin', 'source'],
    run(ctx, _req, res, q) {
      const m = mountParam(ctx, res, q);
      if (m) updateTitle(ctx, res, m, q, 'xml');
    },
  },
  stats: { roles: ['admin'], run: (ctx, req, res) => xml(res, 200, adminStatsXml(ctx, req.headers.host)) },
  listmounts: {
    roles: ['admin'],
    run(ctx, _req, res) {
      const rows = [...ctx.mounts]
        .map((m) => `<source mount="${xmlEscape(m.path)}"><listeners>${m.broadcaster.count}</listeners><content-type>${xmlEscape(m.contentType)}</content-type></source>`)
        .join('');
      xml(res, 200, `<?xml version="1.0"?>\n<icestats>${rows}</icestats>\n`);
    },
  },
  listclients: {
    roles: ['admin'],
    run(ctx, _req, res, q) {
      const m = mountParam(ctx, res, q);
      if (m) xml(res, 200, listClientsXml(m));
    },
  },
  killclient: {
    roles: ['admin'],
    run(ctx, _req, res, q) {
      const id = Number(q.get('id'));
      if (!Number.isInteger(id) || !ctx.kickListener(id)) return refuseHttp(res, 'admin.no-client', { id: lineSafe(q.get('id') ?? '', 40) });
      ctx.log.info(`listener #${id} kicked by an admin`);
      xml(res, 200, iceResponse(`Client ${id} removed`, true));
    },
  },
  killsource: {
    roles: ['admin'],
    run(ctx, _req, res, q) {
      const m = mountParam(ctx, res, q);
      if (!m) return;
      if (!ctx.killSource(m.path)) return refuseHttp(res, 'admin.no-source', { mount: m.path });
      xml(res, 200, iceResponse('Source Removed', true));
    },
  },
};
// Icecast's XSL-named aliases
COMMANDS['stats.xml'] = COMMANDS.stats;
COMMANDS['metadata.xsl'] = COMMANDS.metadata;
COMMANDS['listclients.xsl'] = COMMANDS.listclients;
COMMANDS['listmounts.xsl'] = COMMANDS.listmounts;

/** The mounts whose source credentials may open a command on `path`'s mount. */
function sourceMounts(ctx: HttpContext, q: Map<string, string>) {
  const path = q.get('mount') ?? ctx.config().server.mount_point;
  return [ctx.mounts.get(path)?.config ?? ctx.config().mounts[0]];
}

/** GET /admin/NAME with HTTP Basic credentials. */
export function runAdminCommand(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, name: string, q: Map<string, string>): void {
  const cmd = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!cmd) return refuseHttp(res, 'admin.unknown-command');
  const realm = { 'WWW-Authenticate': 'Basic realm="Cycast Studio admin"' };
  const a = parseBasicAuth(req.headers.authorization);
  if (!a) return refuseHttp(res, 'admin.required', {}, realm);
  const ip = requestAddress(ctx, req);
  const login = ctx.access.login({ kind: 'admin', ip, user: a.user, password: a.password, mounts: sourceMounts(ctx, q), roles: cmd.roles, what: `admin /admin/${name}` });
  if (!login.ok) return login.wait ? refuseHttp(res, 'login.slowed', { wait: login.wait }) : refuseHttp(res, 'admin.required', {}, realm);
  cmd.run(ctx, req, res, q);
}

/**
 * SHOUTcast's /admin.cgi?pass=…&mode=updinfo&song=… (the mount in `mount`, else the main one). The password
 * in the query is what any web page can make a browser send, so its failures are counted on their own and
 * never slow down the address's source or admin logins.
 */
export function runAdminCgi(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, q: Map<string, string>): void {
  const ip = requestAddress(ctx, req);
  const basic = parseBasicAuth(req.headers.authorization);
  const pass = q.get('pass') ?? '';
  if (!basic && !pass) return refuseHttp(res, 'admincgi.wrong');
  const login = ctx.access.login(
    basic
      ? { kind: 'admin', ip, user: basic.user, password: basic.password, mounts: sourceMounts(ctx, q), roles: ['admin', 'source'], what: 'admin /admin.cgi' }
      : { kind: 'admin-cgi', ip, user: null, password: pass, mounts: sourceMounts(ctx, q), roles: ['source', 'admin'], what: 'admin.cgi pass=' },
  );
  if (!login.ok) return login.wait ? refuseHttp(res, 'login.slowed', { wait: login.wait }) : refuseHttp(res, 'admincgi.wrong');
  const path = q.get('mount') ?? ctx.config().server.mount_point;
  const m = ctx.mounts.get(path);
  if (!m) return refuseHttp(res, 'admincgi.no-mount', { mount: lineSafe(path, 200) });
  updateTitle(ctx, res, m, q, 'shoutcast');
}
