// Every refusal the server sends, in one table: a stable id, the HTTP status, the text a person reads, and the
// SHOUTcast v1 line or Icecast XML rendering where that client expects one. Reply sites name the id and fill
// the {placeholders}; nothing else writes a refusal's status or wording. The README's "Refusals" section
// documents every id (a test checks it).
//
// "Mountpoint in use" is 403, as in Icecast 2.4 (2.5 answers 409): libshout and ffmpeg report 403 as a
// refused login and stop, which is what a DJ should see when another DJ is on air; 409 is unknown to the
// libshout 2.4 that Mixxx, ezstream and ices link against.

export interface RefusalSpec {
  status: number;
  /** what the refusal says, with {name} placeholders */
  text: string;
  /** the line a SHOUTcast v1 source gets instead (it reads no HTTP) */
  shoutcast?: string;
  /** answered as Icecast's <iceresponse> XML (admin commands) */
  xml?: true;
}

export const REFUSALS = {
  // request heads (any port)
  'head.timeout': { status: 408, text: 'The request head did not arrive in time.' },
  'head.http09': { status: 400, text: 'HTTP/0.9 requests (no version on the request line) are not supported; send HTTP/1.0 or HTTP/1.1.' },
  'head.too-large': { status: 431, text: 'The request head is larger than {max} bytes.' },
  'head.malformed': { status: 400, text: '{why}.' },
  'head.version': { status: 505, text: 'HTTP version not supported.' },
  // logins (sources, admin pages, admin.cgi, the studio)
  'login.required': { status: 401, text: 'You need to authenticate.' },
  'login.wrong': { status: 401, text: 'Wrong user name or password.', shoutcast: 'invalid password' },
  'login.slowed': { status: 429, text: 'Too many failed logins from your address; try again in {wait} seconds.', shoutcast: 'too many failed logins; try again in {wait} seconds' },
  'admin.required': { status: 401, text: 'Authentication required.' },
  'admincgi.wrong': { status: 401, text: 'Invalid password.' },
  'studio.required': { status: 401, text: 'The studio needs the admin user name and password (admin block of config.hcl).' },
  // sources
  'source.bad-path': { status: 403, text: 'Mount path {why}.' },
  'source.wrong-format': { status: 415, text: 'This mount takes {format} audio, not {type}.', shoutcast: 'this mount takes {format} audio' },
  'source.unsupported-type': { status: 415, text: 'Content type {type} is not supported; send audio/mpeg, audio/ogg or audio/aac.' },
  'source.kicked': { status: 403, text: 'Kicked from this mount; try again in {wait} seconds.', shoutcast: 'Kicked; try again in {wait} seconds' },
  'source.in-use': { status: 403, text: 'Mountpoint in use.', shoutcast: 'Stream in use' },
  'source.transfer-encoding': { status: 501, text: 'Transfer-Encoding {te} is not supported.' },
  'source.too-many': { status: 503, text: 'Too many sources connected ({max}).', shoutcast: 'too many sources connected' },
  // listeners
  'listener.server-full': { status: 503, text: 'Server full: too many listeners.' },
  'listener.mount-full': { status: 503, text: 'Mount full: too many listeners.' },
  'listener.address-full': { status: 503, text: 'Too many listeners from your address.' },
  'listener.kicked': { status: 403, text: 'Kicked from this mount; try again in {wait} seconds.' },
  'listener.relay-unreached': { status: 503, text: 'This relay has not reached its upstream yet, so the format of its stream is not known; try again later.' },
  // pages and admin commands
  'http.malformed-path': { status: 400, text: 'Malformed path.' },
  'http.method': { status: 405, text: 'Method {method} is not allowed here.' },
  'http.not-found': { status: 404, text: 'Nothing here: {path} is not a mount or a page of this server.' },
  'http.internal': { status: 500, text: 'Internal error; see the server log.' },
  'http.stats-disabled': { status: 403, text: 'Stats disabled.' },
  'http.busy': { status: 503, text: 'Too many {what} open; try again later.' },
  'admin.unknown-command': { status: 400, text: 'Unknown admin command.' },
  'admin.no-mount': { status: 400, text: 'Source {mount} does not exist', xml: true },
  'admin.unknown-mode': { status: 400, text: 'Unknown mode "{mode}"; use mode=updinfo', xml: true },
  'admin.no-song': { status: 400, text: 'No song given', xml: true },
  'admin.no-client': { status: 400, text: 'Client {id} not found', xml: true },
  'admin.no-source': { status: 400, text: 'No source on {mount}', xml: true },
  'admincgi.no-mount': { status: 404, text: 'No mount {mount}.' },
  'admincgi.unknown-mode': { status: 400, text: 'Unknown mode.' },
  'admincgi.no-song': { status: 400, text: 'No song given.' },
  // the studio's web adapter
  'studio.cross-site': { status: 403, text: 'Refused: {why}.' },
  'studio.host': { status: 403, text: 'Refused: the Host header {host} is not a name this server answers to (see admin.allowed_hosts).' },
} as const satisfies Record<string, RefusalSpec>;

export type RefusalId = keyof typeof REFUSALS;

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Authentication Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'HTTP Version Not Supported',
};

export interface Refusal {
  id: RefusalId;
  status: number;
  reason: string;
  /** one line, no trailing newline */
  text: string;
  shoutcast: string | null;
  xml: boolean;
  /** headers the status calls for (Retry-After for 429) */
  headers: Record<string, string>;
}

function fill(template: string, args: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => (k in args ? String(args[k]) : `{${k}}`));
}

/** The refusal `id` with its placeholders filled. */
export function refusal(id: RefusalId, args: Record<string, string | number> = {}): Refusal {
  const spec: RefusalSpec = REFUSALS[id];
  const headers: Record<string, string> = {};
  if (spec.status === 429 && args.wait !== undefined) headers['Retry-After'] = String(args.wait);
  return {
    id,
    status: spec.status,
    reason: REASONS[spec.status] ?? 'Error',
    text: fill(spec.text, args),
    shoutcast: spec.shoutcast === undefined ? null : fill(spec.shoutcast, args),
    xml: spec.xml === true,
    headers,
  };
}
