// Writing answers on the http.Server side: one request per connection (like Icecast: a source client that
// probed with GET, libshout's !POKE, must come back on a fresh connection, where its SOURCE is read as a
// source), no caching, and refusals from the catalogue rendered as text or as Icecast's <iceresponse>.

import type { ServerResponse } from 'node:http';
import { refusal, type RefusalId } from '../protocol/refusals.js';
import { xmlEscape } from '../protocol/untrusted.js';
import { SERVER_ID } from '../protocol/version.js';

export function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-cache, no-store',
    Server: SERVER_ID,
    Connection: 'close',
    ...extra,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

export const json = (res: ServerResponse, status: number, body: unknown): void =>
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body, null, 2) + '\n', { 'Access-Control-Allow-Origin': '*' });

export const xml = (res: ServerResponse, status: number, body: string): void => send(res, status, 'text/xml; charset=utf-8', body);

export function iceResponse(message: string, ok: boolean): string {
  return `<?xml version="1.0"?>\n<iceresponse><message>${xmlEscape(message)}</message><return>${ok ? 1 : 0}</return></iceresponse>\n`;
}

/** Answers with the refusal `id`: Icecast XML for admin commands, plain text otherwise. */
export function refuseHttp(res: ServerResponse, id: RefusalId, args: Record<string, string | number> = {}, extra: Record<string, string> = {}): void {
  const r = refusal(id, args);
  const headers = { ...r.headers, ...extra };
  if (r.xml) send(res, r.status, 'text/xml; charset=utf-8', iceResponse(r.text, false), headers);
  else send(res, r.status, 'text/plain; charset=utf-8', `${r.text}\n`, headers);
}
