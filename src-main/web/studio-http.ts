// The StudioApi over HTTP + server-sent events, under /studio/ on the engine's ports, for the studio UI in
// a browser (headless mode). Everything here needs the admin credentials (HTTP Basic). State-changing
// requests must be same-origin: a custom header (which a cross-site form or image cannot send, and which
// makes a cross-site fetch need a preflight this server never grants) and a matching Origin when sent.

import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, linkSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, extname, join, resolve, sep } from 'node:path';
import { lanAddresses } from '../host.js';
import { AUDIO_EXTENSIONS, parseBasicAuth, refusal, SERVER_ID, type Engine, type RefusalId } from '../engine/index.js';
import type { StudioEvent } from '../../src-shared/studio-api.js';
import { dispatchStudioCall } from '../studio/dispatch.js';
import type { StudioService } from '../studio/service.js';
import { RECORDINGS_PATH, serveRecording } from './recordings-http.js';

export const STUDIO_PREFIX = '/studio';
export const CSRF_HEADER = 'x-cycast-studio';
const MAX_CALL_BYTES = 2 * 1024 * 1024;
const MAX_UPLOAD_BYTES = 1024 * 1024 * 1024;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; media-src 'self' http: https:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  Server: SERVER_ID,
  Connection: 'close',
};

function reply(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

const json = (res: ServerResponse, status: number, body: unknown): void => reply(res, status, 'application/json; charset=utf-8', JSON.stringify(body));

export function attachStudioHttp(engine: Engine, service: StudioService, rendererDir: string): void {
  engine.addHttpRoute(STUDIO_PREFIX, (req, res) => {
    handle(engine, service, rendererDir, req, res).catch((e) => {
      if (!res.headersSent) json(res, 500, { ok: false, error: (e as Error).message });
      else res.destroy();
    });
  });
}

/** A refusal from the engine's catalogue, as the studio answers it (plain text, the studio's headers). */
function refuseStudio(res: ServerResponse, id: RefusalId, args: Record<string, string | number> = {}, extra: Record<string, string> = {}): void {
  const r = refusal(id, args);
  reply(res, r.status, 'text/plain; charset=utf-8', `${r.text}\n`, { ...r.headers, ...extra });
}

/** The admin's login: 'ok', or the seconds the address must wait (0: no or wrong credentials). */
function login(engine: Engine, req: IncomingMessage): 'ok' | number {
  const a = parseBasicAuth(req.headers.authorization);
  if (a === null) return 0;
  const ip = engine.clientAddressOf(req.socket.remoteAddress ?? '?', (n) => req.headers[n] as string | undefined);
  const r = engine.access.login({ kind: 'admin', ip, user: a.user, password: a.password, roles: ['admin'], what: 'studio' });
  return r.ok ? 'ok' : r.wait;
}

/**
 * Host names this server answers to: a browser on a page of another site that resolved its own name to
 * this machine (DNS rebinding) sends that name, and is refused. No Host header (HTTP/1.0) is let through.
 */
export function hostAllowed(engine: Engine, host: string | undefined): boolean {
  if (host === undefined) return true;
  const name = host.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const c = engine.config;
  const allowed = new Set(['localhost', '127.0.0.1', '::1', ...lanAddresses(), ...c.admin.allowed_hosts.map((h) => h.toLowerCase())]);
  if (c.server.host !== '0.0.0.0' && c.server.host !== '::') allowed.add(c.server.host.toLowerCase());
  return allowed.has(name) || name.endsWith('.localhost');
}

/** Same-origin check for state-changing requests. Returns the reason to refuse, or null. */
function crossSiteReason(req: IncomingMessage): string | null {
  if (req.headers[CSRF_HEADER] !== '1') return `missing the ${CSRF_HEADER} header`;
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return 'malformed Origin';
    }
    if (host !== req.headers.host) return `cross-origin request from ${origin}`;
  }
  if (req.headers['sec-fetch-site'] && !['same-origin', 'none'].includes(String(req.headers['sec-fetch-site']))) return 'cross-site request';
  return null;
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of req) {
    n += (chunk as Buffer).length;
    if (n > limit) throw Object.assign(new Error(`request body larger than ${limit} bytes`), { status: 413 });
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}

async function handle(engine: Engine, service: StudioService, rendererDir: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://studio.invalid');
  const path = url.pathname;
  if (!hostAllowed(engine, req.headers.host)) {
    engine.log.warn(`studio: refused ${req.method} ${path} from ${req.socket.remoteAddress} for Host ${req.headers.host}`);
    return refuseStudio(res, 'studio.host', { host: JSON.stringify(String(req.headers.host).slice(0, 100)) });
  }
  const who = login(engine, req);
  if (who !== 'ok') {
    if (who > 0) return refuseStudio(res, 'login.slowed', { wait: who });
    engine.log.debug(`studio: unauthenticated ${req.method} ${path} from ${req.socket.remoteAddress}`);
    return refuseStudio(res, 'studio.required', {}, { 'WWW-Authenticate': 'Basic realm="Cycast Studio", charset="UTF-8"' });
  }
  if (path === STUDIO_PREFIX) return reply(res, 301, 'text/plain', '', { Location: `${STUDIO_PREFIX}/` });
  if (path.startsWith(STUDIO_PREFIX + RECORDINGS_PATH)) return serveRecording(service, path.slice(STUDIO_PREFIX.length + RECORDINGS_PATH.length), url, req, res, SECURITY_HEADERS);
  const api = path.startsWith(`${STUDIO_PREFIX}/api/`) ? path.slice(`${STUDIO_PREFIX}/api/`.length) : null;
  if (api === null) return serveStatic(rendererDir, path.slice(STUDIO_PREFIX.length), req, res);

  if (api === 'snapshot' && req.method === 'GET') return json(res, 200, await service.snapshot());
  if (api === 'events' && req.method === 'GET') return events(engine, service, req, res);
  if (req.method !== 'POST' && req.method !== 'PUT') return json(res, 405, { ok: false, error: `${req.method} is not allowed here` });
  const refused = crossSiteReason(req);
  if (refused) {
    engine.log.warn(`studio: refused ${req.method} ${path} from ${req.socket.remoteAddress}: ${refused}`);
    return json(res, 403, { ok: false, error: refusal('studio.cross-site', { why: refused }).text });
  }
  if (api === 'call' && req.method === 'POST') {
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return json(res, 415, { ok: false, error: 'send application/json' });
    let msg: { method?: unknown; args?: unknown };
    try {
      msg = JSON.parse((await readBody(req, MAX_CALL_BYTES)).toString('utf8'));
    } catch (e) {
      const status = (e as { status?: number }).status ?? 400;
      return json(res, status, { ok: false, error: status === 413 ? (e as Error).message : 'the body is not valid JSON' });
    }
    try {
      const result = await dispatchStudioCall(service, msg?.method, msg?.args);
      return json(res, 200, { ok: true, result: result ?? null });
    } catch (e) {
      return json(res, 400, { ok: false, error: (e as Error).message });
    }
  }
  if (api === 'upload' && req.method === 'PUT') return upload(engine, service, url, req, res);
  return json(res, 404, { ok: false, error: `no studio API ${api}` });
}

/** Server-sent events: one `data:` line of JSON per StudioEvent, a comment every 15 s to keep proxies open. */
/** open event streams per engine, for limits.event_streams: each is a subscriber fed on every event */
const openEventStreams = new WeakMap<Engine, number>();

function events(engine: Engine, service: StudioService, req: IncomingMessage, res: ServerResponse): void {
  const max = engine.limits.eventStreams;
  const open = openEventStreams.get(engine) ?? 0;
  if (open >= max) {
    engine.log.warn(`studio: refused an event stream from ${req.socket.remoteAddress}: ${max} are open (limits.event_streams)`);
    return refuseStudio(res, 'http.busy', { what: 'studio windows' }, { 'Retry-After': '5' });
  }
  openEventStreams.set(engine, open + 1);
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', 'X-Accel-Buffering': 'no' });
  res.write('retry: 2000\n\n');
  const send = (e: StudioEvent): void => {
    if (e.type === 'server') {
      // a new config may have changed the admin password: a stream opened with the old one ends here
      const a = parseBasicAuth(req.headers.authorization);
      if (!a || !engine.access.isAdmin(a.user, a.password)) {
        res.end();
        return;
      }
    }
    res.write(`data: ${JSON.stringify(e)}\n\n`);
  };
  const unsubscribe = service.subscribe(send);
  const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
  let closed = false;
  const done = (): void => {
    if (closed) return;
    closed = true;
    openEventStreams.set(engine, (openEventStreams.get(engine) ?? 1) - 1);
    clearInterval(ping);
    unsubscribe();
  };
  req.socket.setTimeout(0);
  res.on('close', done);
  res.on('error', done);
}

/** A browser upload: the file goes into the mount's music folder (never over an existing file), then the playlist. */
async function upload(engine: Engine, service: StudioService, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const mount = url.searchParams.get('mount') ?? engine.config.server.mount_point;
  const rawName = url.searchParams.get('name') ?? '';
  const name = basename(rawName).replace(/[\0/\\]/g, '').trim();
  if (!name || name.startsWith('.')) return json(res, 400, { ok: false, error: 'a file name is needed' });
  // refused before a byte is written: the playlist (an M3U8 file) cannot hold such a name
  if (/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(name)) return json(res, 400, { ok: false, error: 'the file name has control characters; rename the file' });
  if (!Object.hasOwn(AUDIO_EXTENSIONS, extname(name).toLowerCase())) return json(res, 415, { ok: false, error: `${extname(name) || 'files without an extension'} cannot be streamed; upload MP3, Ogg, Opus or AAC` });
  if (!engine.playlistOf(mount)) return json(res, 404, { ok: false, error: `${mount} has no AutoDJ playlist` });
  const folder = service.musicFolder(mount);
  mkdirSync(folder, { recursive: true });
  // written under a private temporary name, then published with link(), which never overwrites
  const tmp = join(folder, `.upload-${randomBytes(8).toString('hex')}.part`);
  let n = 0;
  try {
    await pipeline(
      req,
      async function* (src: AsyncIterable<Buffer>) {
        for await (const c of src) {
          n += c.length;
          if (n > MAX_UPLOAD_BYTES) throw Object.assign(new Error(`file larger than ${MAX_UPLOAD_BYTES} bytes`), { status: 413 });
          yield c;
        }
      },
      createWriteStream(tmp, { flags: 'wx' }),
    );
  } catch (e) {
    rmSync(tmp, { force: true });
    if (!res.destroyed) json(res, (e as { status?: number }).status ?? 500, { ok: false, error: (e as Error).message });
    return;
  }
  const ext = extname(name);
  let target = '';
  for (let i = 1; !target; i++) {
    const candidate = join(folder, i === 1 ? name : `${name.slice(0, -ext.length)} (${i})${ext}`);
    try {
      linkSync(tmp, candidate);
      target = candidate;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || i > 1000) {
        rmSync(tmp, { force: true });
        return json(res, 500, { ok: false, error: (e as Error).message });
      }
    }
  }
  rmSync(tmp, { force: true });
  const added = await service.playlistAdd(mount, [target]);
  engine.log.info(`studio: uploaded ${target} (${n} bytes)`);
  return json(res, 200, { ok: true, result: { path: target, added } });
}

function serveStatic(root: string, rel: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'text/plain', 'GET only\n');
  const file = resolve(root, '.' + decodeURIComponent(rel === '/' || rel === '' ? '/index.html' : rel));
  if (!file.startsWith(resolve(root) + sep)) return reply(res, 404, 'text/plain', 'not found\n');
  let data: Buffer;
  try {
    if (!statSync(file).isFile()) return reply(res, 404, 'text/plain', 'not found\n');
    data = readFileSync(file);
  } catch {
    if (!existsSync(join(root, 'index.html'))) {
      return reply(res, 503, 'text/plain; charset=utf-8', `The studio UI is not built (no ${join(root, 'index.html')}). Run "npm run build".\n`);
    }
    return reply(res, 404, 'text/plain', 'not found\n');
  }
  reply(res, 200, TYPES[extname(file)] ?? 'application/octet-stream', data);
}
