// Everything on the ports that is not a source or a listener stream: the status page, Cycast's JSON API,
// Icecast's status and admin endpoints, SHOUTcast's admin.cgi, playlists, Prometheus metrics.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '../engine.js';
import { parseBasicAuth, parseQuery } from '../protocol/http-head.js';
import { CORS_HEADERS } from '../net/listener.js';
import type { Mount } from '../stream/mount.js';
import { adminStatsXml, apiStats, apiStatus, iceResponse, icestats, listClientsXml, prometheusMetrics, xmlEscape } from './status.js';
import { statusPage } from './status-page.js';
import { serveStreamlist } from './streamlist.js';
import { SERVER_ID } from '../protocol/version.js';

type Handler = (req: IncomingMessage, res: ServerResponse, q: Map<string, string>, rawQuery: string) => void;

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-cache, no-store',
    Server: SERVER_ID,
    // one request per connection, like Icecast: a source client that probed with GET (libshout's !POKE)
    // must come back on a fresh connection, where its SOURCE is read as a source
    Connection: 'close',
    ...extra,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

const json = (res: ServerResponse, status: number, body: unknown): void =>
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body, null, 2) + '\n', { 'Access-Control-Allow-Origin': '*' });
const xml = (res: ServerResponse, status: number, body: string): void => send(res, status, 'text/xml; charset=utf-8', body);
const text = (res: ServerResponse, status: number, body: string, extra: Record<string, string> = {}): void =>
  send(res, status, 'text/plain; charset=utf-8', body, extra);

export function createHttpHandler(engine: Engine): (req: IncomingMessage, res: ServerResponse) => void {
  const unauthorized = (res: ServerResponse): void => {
    const wait = engine.logins.blockedFor(res.req.socket.remoteAddress ?? '?');
    if (wait) text(res, 429, `Too many failed logins from your address; try again in ${wait} seconds.\n`, { 'Retry-After': String(wait) });
    else text(res, 401, 'Authentication required.\n', { 'WWW-Authenticate': 'Basic realm="Cycast Studio admin"' });
  };

  /** Admin credentials, or for metadata updates the mount's source credentials (as Icecast allows). */
  const authorized = (req: IncomingMessage, mountForSource?: string): boolean => {
    const ip = req.socket.remoteAddress ?? '?';
    if (engine.logins.blockedFor(ip)) return false;
    const a = parseBasicAuth(req.headers.authorization);
    if (!a) return false;
    if (engine.adminCredentialsOk(a.user, a.password)) return true;
    if (mountForSource !== undefined && engine.sourceCredentialsOk(mountForSource, a.user, a.password)) return true;
    engine.logins.fail(ip);
    return false;
  };

  const mountParam = (res: ServerResponse, q: Map<string, string>): Mount | null => {
    const path = q.get('mount') ?? engine.config.server.mount_point;
    const m = engine.mounts.get(path);
    if (!m) {
      xml(res, 400, iceResponse(`Source ${path} does not exist`, false));
      return null;
    }
    return m;
  };

  const updateMetadata = (res: ServerResponse, m: Mount, q: Map<string, string>, reply: 'xml' | 'shoutcast'): void => {
    const mode = q.get('mode') ?? '';
    if (mode !== 'updinfo') {
      if (reply === 'xml') xml(res, 400, iceResponse(`Unknown mode "${mode}"; use mode=updinfo`, false));
      else text(res, 400, 'Unknown mode.\n');
      return;
    }
    let song = q.get('song');
    if (song === undefined && (q.has('title') || q.has('artist'))) {
      song = [q.get('artist'), q.get('title')].filter(Boolean).join(' - ');
    }
    if (song === undefined) {
      if (reply === 'xml') xml(res, 400, iceResponse('No song given', false));
      else text(res, 400, 'No song given.\n');
      return;
    }
    m.setTitle(song, q.get('url') ?? '');
    engine.log.info(`title on ${m.path}: ${song}`);
    if (reply === 'xml') xml(res, 200, iceResponse('Metadata update successful', true));
    else send(res, 200, 'text/html; charset=utf-8', '<html><body>Updated</body></html>\n');
  };

  const admin: Record<string, Handler> = {
    metadata: (req, res, q) => {
      const path = q.get('mount') ?? engine.config.server.mount_point;
      if (!authorized(req, path)) return unauthorized(res);
      const m = mountParam(res, q);
      if (m) updateMetadata(res, m, q, 'xml');
    },
    stats: (req, res) => {
      if (!authorized(req)) return unauthorized(res);
      xml(res, 200, adminStatsXml(engine, req.headers.host));
    },
    listmounts: (req, res) => {
      if (!authorized(req)) return unauthorized(res);
      const rows = [...engine.mounts.values()]
        .map((m) => `<source mount="${xmlEscape(m.path)}"><listeners>${m.broadcaster.count}</listeners><content-type>${xmlEscape(m.contentType)}</content-type></source>`)
        .join('');
      xml(res, 200, `<?xml version="1.0"?>\n<icestats>${rows}</icestats>\n`);
    },
    listclients: (req, res, q) => {
      if (!authorized(req)) return unauthorized(res);
      const m = mountParam(res, q);
      if (m) xml(res, 200, listClientsXml(m));
    },
    killclient: (req, res, q) => {
      if (!authorized(req)) return unauthorized(res);
      const id = Number(q.get('id'));
      if (!Number.isInteger(id) || !engine.kickListener(id)) {
        return xml(res, 400, iceResponse(`Client ${q.get('id') ?? ''} not found`, false));
      }
      engine.log.info(`listener #${id} kicked by an admin`);
      xml(res, 200, iceResponse(`Client ${id} removed`, true));
    },
    killsource: (req, res, q) => {
      if (!authorized(req)) return unauthorized(res);
      const m = mountParam(res, q);
      if (!m) return;
      if (!engine.killSource(m.path)) return xml(res, 400, iceResponse(`No source on ${m.path}`, false));
      xml(res, 200, iceResponse('Source Removed', true));
    },
  };
  // Icecast's XSL-named aliases
  admin['stats.xml'] = admin.stats;
  admin['metadata.xsl'] = admin.metadata;
  admin['listclients.xsl'] = admin.listclients;
  admin['listmounts.xsl'] = admin.listmounts;

  const playlist = (req: IncomingMessage, res: ServerResponse, m: Mount, kind: 'm3u' | 'pls'): void => {
    const host = req.headers.host ?? `127.0.0.1:${engine.ports.listen}`;
    const url = `http://${host}${m.path}`;
    if (kind === 'm3u') {
      send(res, 200, 'audio/x-mpegurl', `${url}\n`, { 'Content-Disposition': `inline; filename="${m.path.slice(1).replace(/\//g, '_')}.m3u"` });
    } else {
      const body = `[playlist]\nNumberOfEntries=1\nFile1=${url}\nTitle1=${m.description.name}\nLength1=-1\nVersion=2\n`;
      send(res, 200, 'audio/x-scpls', body);
    }
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const rawPath = qi < 0 ? url : url.slice(0, qi);
    const rawQuery = qi < 0 ? '' : url.slice(qi + 1);
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      return text(res, 400, 'Malformed path.\n');
    }
    for (const [prefix, route] of engine.httpRoutes) {
      if (path === prefix || path.startsWith(prefix + '/')) return route(req, res);
    }
    const q = parseQuery(rawQuery);
    res.on('finish', () => {
      if (engine.config.advanced.verbose_logging) engine.log.debug(`${req.socket.remoteAddress} ${req.method} ${redactSecrets(url)} -> ${res.statusCode}`);
    });
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...CORS_HEADERS, 'Access-Control-Max-Age': '86400', Server: SERVER_ID, Connection: 'close' });
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return text(res, 405, `Method ${req.method} is not allowed here.\n`, { Allow: 'GET, HEAD, OPTIONS' });
    }
    if (path === '/' || path === '/index.html' || path === '/status.xsl') {
      return send(res, 200, 'text/html; charset=utf-8', statusPage(engine), { 'Content-Security-Policy': "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'" });
    }
    if (path === '/api/status') return json(res, 200, apiStatus(engine));
    if (path === '/api/stats') {
      if (!engine.config.advanced.enable_stats) return json(res, 403, { error: 'Stats disabled' });
      return json(res, 200, apiStats(engine));
    }
    if (path === '/status-json.xsl' || path === '/status-json.xml') return json(res, 200, icestats(engine, req.headers.host));
    if (path === '/metrics') return send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', prometheusMetrics(engine));
    if (path === '/admin.cgi') {
      // SHOUTcast: password in the query; the mount in `mount` or the main one
      const pass = q.get('pass') ?? '';
      const mountPath = q.get('mount') ?? engine.config.server.mount_point;
      const m = engine.mounts.get(mountPath);
      const viaAuth = authorized(req, mountPath);
      const ok = viaAuth || (m !== undefined && engine.sourceCredentialsOk(mountPath, m.config.source_user, pass)) || engine.adminCredentialsOk(engine.config.admin.user, pass);
      if (!ok) {
        const ip = req.socket.remoteAddress ?? '?';
        const wait = engine.logins.blockedFor(ip);
        if (wait) return text(res, 429, `Too many failed logins; try again in ${wait} seconds.\n`, { 'Retry-After': String(wait) });
        if (pass) engine.logins.fail(ip);
        return text(res, 401, 'Invalid password.\n');
      }
      if (!m) return text(res, 404, `No mount ${mountPath}.\n`);
      return updateMetadata(res, m, q, 'shoutcast');
    }
    if (path === '/admin/streamlist.txt') return serveStreamlist(engine, req);
    if (path.startsWith('/admin/')) {
      const name = path.slice('/admin/'.length);
      const h = Object.hasOwn(admin, name) ? admin[name] : undefined;
      if (!h) return text(res, 400, 'Unknown admin command.\n');
      return h(req, res, q, rawQuery);
    }
    const pl = /^(.*)\.(m3u|pls)$/.exec(path);
    if (pl && engine.mounts.has(pl[1])) return playlist(req, res, engine.mounts.get(pl[1])!, pl[2] as 'm3u' | 'pls');
    text(res, 404, `Nothing here: ${path} is not a mount or a page of this server.\n`, { ...CORS_HEADERS });
  };
  // a bug in one page must cost that request, never the server
  return (req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      engine.log.error(`${req.method} ${redactSecrets(req.url ?? '')} failed: ${(e as Error).stack ?? e}`);
      if (!res.headersSent) text(res, 500, 'Internal error; see the server log.\n');
      else res.destroy();
    }
  };
}

/** Query secrets (SHOUTcast's pass=) never reach the log. */
export function redactSecrets(url: string): string {
  return url.replace(/([?&](?:pass|password)=)[^&]*/gi, '$1***');
}
