// The studio's output form: an `output "id" { }` block as fields a DJ fills in (server kind, host, port, remote
// mount, user, password, the optional overrides), the checks that name the field at fault, and the
// comment-preserving edit that writes it into config.hcl text. Pure: the renderer uses it, unit tests check it.

import { applyHclEdits, removeHclBlock, type HclEdit } from './hcl-edit.js';
import { OUTPUT_ID_PATTERN, parseOutputUrl, type OutputConfig, type OutputTarget } from './schema.js';

export type OutputServerKind = OutputTarget['protocol'];

export interface OutputForm {
  /** the block's label */
  id: string;
  enabled: boolean;
  /** which mount of ours is sent */
  mount: string;
  kind: OutputServerKind;
  host: string;
  /** as typed; checked by outputFormProblems */
  port: string;
  /** Icecast only */
  remoteMount: string;
  /** Icecast only; empty: "source" */
  user: string;
  /** empty while editing: keep the stored password */
  password: string;
  name: string;
  description: string;
  genre: string;
  station_url: string;
  /** null: the mount's own setting */
  public: boolean | null;
  user_agent: string;
}

export type OutputFormField = keyof OutputForm;
export type OutputFormProblems = Partial<Record<OutputFormField, string>>;

/** The override keys: written only when set, removed when cleared. */
const OVERRIDES = ['name', 'description', 'genre', 'station_url', 'user_agent'] as const;

export function newOutputForm(mount: string): OutputForm {
  return { id: '', enabled: true, mount, kind: 'icecast', host: '', port: '8000', remoteMount: '', user: 'source', password: '', name: '', description: '', genre: '', station_url: '', public: null, user_agent: '' };
}

/** An output's settings as the form shows them; the password is left out (the form keeps the stored one). */
export function outputFormOf(o: OutputConfig): OutputForm {
  const t = parseOutputUrl(o.url);
  const target: OutputTarget = typeof t === 'string' ? { protocol: 'icecast', host: '', port: 8000, user: 'source', password: '', mount: '' } : t;
  return {
    id: o.id,
    enabled: o.enabled,
    mount: o.mount,
    kind: target.protocol,
    host: target.host,
    port: String(target.port),
    remoteMount: target.mount,
    user: target.protocol === 'icecast' ? target.user : '',
    password: '',
    name: o.name,
    description: o.description,
    genre: o.genre,
    station_url: o.station_url,
    public: o.public,
    user_agent: o.user_agent,
  };
}

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

function hostProblem(host: string): string | undefined {
  if (host === '') return 'needs the remote server\'s host name or IP address';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) return 'just the host name, without the scheme: radio.example.org';
  if (host.includes(':') && /^[0-9A-Fa-f:.]+$/.test(host)) return undefined; // IPv6
  if (/:\d*$/.test(host)) return 'put the port in the Port field';
  if (host.length > 253 || !host.split('.').every((l) => LABEL.test(l))) return 'is not a host name or IP address (letters, digits, "-" and ".")';
  return undefined;
}

function portProblem(port: string, kind: OutputServerKind): string | undefined {
  if (!/^\d{1,5}$/.test(port.trim())) return 'must be a number from 1 to 65535';
  const n = Number(port);
  if (n < 1 || n > 65535) return `must be from 1 to 65535, got ${n}`;
  if (kind === 'shoutcast' && n === 65535) return 'must be below 65535: SHOUTcast sources log in on port + 1';
  return undefined;
}

/** "live" and "/live" alike: the remote mount as it goes into the URL. */
function remoteMountOf(f: OutputForm): string {
  const m = f.remoteMount.trim();
  return m.startsWith('/') ? m : `/${m}`;
}

/**
 * What is wrong with the form, by field, before anything is sent: `mounts` are the station's mounts, `takenIds`
 * the other outputs' names, `storedPassword` whether an empty password keeps one already in config.hcl.
 */
export function outputFormProblems(f: OutputForm, ctx: { mounts: readonly string[]; takenIds: readonly string[]; storedPassword: boolean }): OutputFormProblems {
  const p: OutputFormProblems = {};
  if (!OUTPUT_ID_PATTERN.test(f.id)) p.id = f.id === '' ? 'needs a name, like "hosted"' : 'must start with a letter or digit, then letters, digits, " ", ".", "_" or "-" (at most 64)';
  else if (ctx.takenIds.includes(f.id)) p.id = `an output named "${f.id}" already exists`;
  if (!ctx.mounts.includes(f.mount)) p.mount = f.mount === '' ? 'choose the mount to send' : `${f.mount} is not a mount of this station`;
  const host = hostProblem(f.host.trim());
  if (host) p.host = host;
  const port = portProblem(f.port, f.kind);
  if (port) p.port = port;
  if (f.kind === 'icecast') {
    const m = f.remoteMount.trim();
    if (m === '' || m === '/') p.remoteMount = 'needs the mount on the remote server, like /live';
    else if (/[\s\u0000-\u001f\u007f]/.test(m)) p.remoteMount = 'must not contain spaces or control characters';
    if (CONTROL.test(f.user) || f.user.includes(':')) p.user = 'must not contain ":" or control characters';
  }
  if (f.password === '' && !ctx.storedPassword) p.password = 'needs the remote server\'s source password';
  else if (CONTROL.test(f.password)) p.password = 'must not contain control characters';
  return p;
}

/** `icecast://user:pass@host:port/mount` or `shoutcast://:pass@host:port`, with what needs it percent-encoded. */
export function composeOutputUrl(f: OutputForm, password: string): string {
  const host = f.host.trim();
  const where = `${host.includes(':') ? `[${host}]` : host}:${Number(f.port)}`;
  if (f.kind === 'shoutcast') return `shoutcast://:${encodeURIComponent(password)}@${where}`;
  const mount = remoteMountOf(f).split('/').map(encodeURIComponent).join('/');
  return `icecast://${encodeURIComponent(f.user.trim() || 'source')}:${encodeURIComponent(password)}@${where}${mount}`;
}

function sameTarget(a: string, b: string): boolean {
  const x = parseOutputUrl(a);
  const y = parseOutputUrl(b);
  return typeof x !== 'string' && typeof y !== 'string' && JSON.stringify(x) === JSON.stringify(y);
}

/**
 * config.hcl text with the form written into its `output` block: `original` is the output being edited (null:
 * a new one). Only keys that changed are written, so comments and untouched keys stay; the URL is rewritten
 * only when the target changed. A rename is a removal and an addition (the block moves to the end).
 */
export function applyOutputForm(text: string, f: OutputForm, original: OutputConfig | null): string {
  const stored = original ? parseOutputUrl(original.url) : null;
  const password = f.password !== '' ? f.password : stored && typeof stored !== 'string' ? stored.password : '';
  const url = composeOutputUrl(f, password);
  let base = original;
  let out = text;
  if (original && original.id !== f.id) {
    out = removeHclBlock(out, 'output', original.id);
    base = null;
  }
  const edits: HclEdit[] = [];
  const set = (key: string, value: HclEdit['value']): void => void edits.push({ block: 'output', label: f.id, key, value });
  if (!base || base.mount !== f.mount) set('mount', f.mount);
  if (!base || !sameTarget(base.url, url)) set('url', url);
  if (base ? base.enabled !== f.enabled : !f.enabled) set('enabled', f.enabled);
  for (const key of OVERRIDES) {
    const v = f[key].trim();
    if (base ? base[key] !== v : v !== '') set(key, v === '' ? null : v);
  }
  if (base ? base.public !== f.public : f.public !== null) set('public', f.public);
  return applyHclEdits(out, edits);
}
