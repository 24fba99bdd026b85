// Everything on the ports that is not a source or a listener stream: the status page, Cycast's JSON API,
// Icecast's status and admin endpoints, SHOUTcast's admin.cgi, playlists, Prometheus metrics.
//
// http/ holds the pages: routes (this file), the admin command table, status documents and the status page.
// It may import access/, stream/, autodj/, protocol/ and log/; it reaches the engine only through the
// HttpContext it is given.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { CORS_HEADERS } from '../protocol/cors.js';
import { parseQuery } from '../protocol/http-head.js';
import { lineSafe, redactSecrets } from '../protocol/untrusted.js';
import { SERVER_ID } from '../protocol/version.js';
import type { Mount } from '../stream/mount.js';
import { runAdminCgi, runAdminCommand } from './admin.js';
import type { HttpContext } from './context.js';
import { json, refuseHttp, send } from './respond.js';
import { apiStats, apiStatus, icestats, prometheusMetrics } from './status.js';
import { statusPage } from './status-page.js';
import { serveStreamlist } from './streamlist.js';
import { createPublicPages, type PublicPages } from './public-pages.js';

function playlistFile(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, m: Mount, kind: 'm3u' | 'pls'): void {
  const host = lineSafe(req.headers.host ?? `127.0.0.1:${ctx.listenPort()}`, 255).replace(/[^A-Za-z0-9.:[\]-]/g, '');
  const url = `http://${host}${m.path}`;
  if (kind === 'm3u') {
    send(res, 200, 'audio/x-mpegurl', `${url}\n`, { 'Content-Disposition': `inline; filename="${m.path.slice(1).replace(/\//g, '_')}.m3u"` });
  } else {
    const body = `[playlist]\nNumberOfEntries=1\nFile1=${url}\nTitle1=${lineSafe(m.description.name, 200)}\nLength1=-1\nVersion=2\n`;
    send(res, 200, 'audio/x-scpls', body);
  }
}

/** The built-in pages (GET and HEAD only). */
function page(ctx: HttpContext, pub: PublicPages, req: IncomingMessage, res: ServerResponse, path: string, q: Map<string, string>): void {
  if (pub.serve(req, res, path, q)) return;
  if (path === '/status' || path === '/status.xsl') {
    return send(res, 200, 'text/html; charset=utf-8', statusPage(ctx), { 'Content-Security-Policy': "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'" });
  }
  if (path === '/api/status') return json(res, 200, apiStatus(ctx));
  if (path === '/api/stats') {
    if (!ctx.config().advanced.enable_stats) return refuseHttp(res, 'http.stats-disabled');
    return json(res, 200, apiStats(ctx));
  }
  if (path === '/status-json.xsl' || path === '/status-json.xml') return json(res, 200, icestats(ctx, req.headers.host));
  if (path === '/metrics') return send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', prometheusMetrics(ctx));
  if (path === '/admin.cgi') return runAdminCgi(ctx, req, res, q);
  if (path === '/admin/streamlist.txt') return serveStreamlist(ctx, req);
  if (path.startsWith('/admin/')) return runAdminCommand(ctx, req, res, path.slice('/admin/'.length), q);
  const pl = /^(.*)\.(m3u|pls)$/.exec(path);
  const m = pl && ctx.mounts.get(pl[1]);
  if (m) return playlistFile(ctx, req, res, m, pl[2] as 'm3u' | 'pls');
  refuseHttp(res, 'http.not-found', { path: lineSafe(path, 200) }, CORS_HEADERS);
}

function handle(ctx: HttpContext, pub: PublicPages, req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '/';
  const qi = url.indexOf('?');
  let path: string;
  try {
    path = decodeURIComponent(qi < 0 ? url : url.slice(0, qi));
  } catch {
    return refuseHttp(res, 'http.malformed-path');
  }
  for (const [prefix, route] of ctx.routes) {
    if (path === prefix || path.startsWith(prefix + '/')) return route(req, res);
  }
  if (ctx.config().advanced.verbose_logging) {
    res.on('finish', () => ctx.log.debug(`${req.socket.remoteAddress} ${req.method} ${redactSecrets(url)} -> ${res.statusCode}`));
  }
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { ...CORS_HEADERS, 'Access-Control-Max-Age': '86400', Server: SERVER_ID, Connection: 'close' });
    res.end();
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return refuseHttp(res, 'http.method', { method: lineSafe(req.method ?? '', 20) }, { Allow: 'GET, HEAD, OPTIONS' });
  page(ctx, pub, req, res, path, parseQuery(qi < 0 ? '' : url.slice(qi + 1)));
}

export function createHttpHandler(ctx: HttpContext): (req: IncomingMessage, res: ServerResponse) => void {
  const pub = createPublicPages(ctx);
  // a bug in one page must cost that request, never the server
  return (req, res) => {
    try {
      handle(ctx, pub, req, res);
    } catch (e) {
      ctx.log.error(`${req.method} ${redactSecrets(req.url ?? '')} failed: ${(e as Error).stack ?? e}`);
      if (!res.headersSent) refuseHttp(res, 'http.internal');
      else res.destroy();
    }
  };
}
