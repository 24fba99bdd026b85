// The public side of the station: the listener page (/), the embeddable player (/embed), the now-playing
// API (/api/nowplaying), cover pictures (/api/cover), and their script, style sheet and favicon. Every
// page has a strict Content-Security-Policy (no inline script or style); only /embed may be framed.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpContext } from './context.js';
import { SERVER_ID } from '../protocol/version.js';
import { CoverArt } from './cover-art.js';
import { embedPage } from './embed.js';
import { listenerPage, type PageAssets } from './listener-page.js';
import { NowPlayingFeed, safeHost } from './now-playing.js';
import { StaticAssets } from './static-assets.js';

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; media-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'";
/** seconds a proxy or browser may reuse /api/nowplaying without asking again */
export const NOWPLAYING_MAX_AGE = 1;

export interface PublicPages {
  /** Answers `path` if it is one of these pages; false if it is not. */
  serve(req: IncomingMessage, res: ServerResponse, path: string, q: Map<string, string>): boolean;
}

/** Whether an If-None-Match header names `etag` (a list, weak tags and `*` included). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

// Connection: close, as app.ts does: a browser that reused this connection for its stream request would
// reach the http.Server with it, which does not serve mounts (the first-line router does)
function reply(req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string | number>, body: string | Buffer): void {
  res.writeHead(status, { Server: SERVER_ID, 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(body), Connection: 'close', ...headers });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** 304 when the client has this version, else the body. */
function conditional(req: IncomingMessage, res: ServerResponse, etag: string, headers: Record<string, string>, body: string | Buffer): void {
  if (etagMatches(req.headers['if-none-match'], etag)) {
    res.writeHead(304, { Server: SERVER_ID, ETag: etag, Connection: 'close', ...headers });
    res.end();
    return;
  }
  reply(req, res, 200, { ETag: etag, ...headers }, body);
}

const notFound = (req: IncomingMessage, res: ServerResponse, what: string): void =>
  reply(req, res, 404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }, `${what}\n`);

export function createPublicPages(ctx: HttpContext, assetsDir = ctx.assetsDir): PublicPages {
  const assets = new StaticAssets(assetsDir);
  // a cover found after the document was built: rebuild it with the cover's URL
  const covers = new CoverArt(ctx, () => nowPlaying.invalidate());
  const nowPlaying = new NowPlayingFeed(ctx, covers);

  const hostOf = (req: IncomingMessage): string => {
    const h = ctx.config().server.host;
    return safeHost(req.headers.host, `${h === '0.0.0.0' || h === '::' ? '127.0.0.1' : h}:${ctx.listenPort()}`);
  };
  const pageAssets = (): PageAssets => ({ script: assets.get('/static/player.js').url, style: assets.get('/static/player.css').url });
  const html = (req: IncomingMessage, res: ServerResponse, body: string, frameable: boolean): void =>
    reply(req, res, 200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-cache',
      'Content-Security-Policy': `${CSP}; frame-ancestors ${frameable ? '*' : "'none'"}`,
      'Referrer-Policy': 'no-referrer',
      ...(frameable ? {} : { 'X-Frame-Options': 'DENY' }),
    }, body);

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse, q: Map<string, string>) => void> = {
    '/': (req, res) => {
      const host = hostOf(req);
      html(req, res, listenerPage(nowPlaying.get(host).doc, `http://${host}`, pageAssets()), false);
    },
    '/embed': (req, res, q) => {
      const host = hostOf(req);
      const { doc } = nowPlaying.get(host);
      const path = q.get('mount') ?? ctx.config().server.mount_point;
      const m = doc.mounts.find((x) => x.mount === path);
      if (!m) return notFound(req, res, `No stream ${path.slice(0, 200)} on this server.`);
      html(req, res, embedPage(doc, m, `http://${host}`, pageAssets()), true);
    },
    '/api/nowplaying': (req, res) => {
      const r = nowPlaying.get(hostOf(req));
      conditional(req, res, r.etag, {
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': `public, max-age=${NOWPLAYING_MAX_AGE}`,
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Expose-Headers': 'ETag',
      }, r.body);
    },
    '/api/cover': (req, res, q) => {
      const m = ctx.mounts.get(q.get('mount') ?? ctx.config().server.mount_point);
      const c = m && covers.current(m);
      if (!c || q.get('v') !== c.tag) return notFound(req, res, 'No cover for this track.');
      conditional(req, res, `"${c.tag}"`, {
        'Content-Type': c.type,
        'Cache-Control': 'public, max-age=86400, immutable',
        'Content-Security-Policy': "default-src 'none'",
        'Access-Control-Allow-Origin': '*',
      }, c.data);
    },
  };
  routes['/index.html'] = routes['/'];

  return {
    serve(req, res, path, q) {
      const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
      if (route) {
        route(req, res, q);
        return true;
      }
      if (!assets.has(path)) return false;
      const a = assets.get(path);
      // versioned URLs (the pages link to ?v=TAG) never change; the bare path is checked each hour
      const versioned = q.get('v') !== undefined && `"${q.get('v')}"` === a.etag;
      conditional(req, res, a.etag, { 'Content-Type': a.type, 'Cache-Control': versioned ? 'public, max-age=31536000, immutable' : 'public, max-age=3600' }, a.body);
      return true;
    },
  };
}
