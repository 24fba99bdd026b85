// The studio's relay form: a `relay "/path" { url, on_demand, format, tls_ca_file }` block as fields (the upstream URL
// without its credentials, the user and password apart so the password is never shown), the checks that name
// the field at fault, and the comment-preserving edit that writes it into config.hcl text. Pure.

import { applyHclEdits, removeHclBlock, type HclEdit } from './hcl-edit.js';
import { AUDIO_FORMATS, mountPath, RELAY_SCHEMA, relayUrlProblem, splitUrl, type AudioFormat, type RelayConfig } from './schema.js';

export interface RelayForm {
  /** the mount of ours it fills: the block's label */
  path: string;
  /** http:// or https://host:port/path, without user or password */
  url: string;
  user: string;
  /** empty while editing: keep the stored password */
  password: string;
  on_demand: boolean;
  /** null: the format the upstream announces */
  format: AudioFormat | null;
  /** PEM file of a certificate authority to trust for https ("": the standard ones only) */
  tls_ca_file: string;
}

export type RelayFormField = keyof RelayForm;
export type RelayFormProblems = Partial<Record<RelayFormField, string>>;

export function newRelayForm(): RelayForm {
  return { path: '', url: '', user: '', password: '', on_demand: false, format: null, tls_ca_file: '' };
}

/** `http://user:pass@host/x` as [`http://host/x`, user, password]. */
function splitCredentials(url: string): [string, string, string] {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^@/?#]*)@(.*)$/.exec(url);
  if (!m) return [url, '', ''];
  const u = splitUrl(url);
  return typeof u === 'string' ? [url, '', ''] : [m[1] + m[3], u.user, u.password];
}

/** A relay's settings as the form shows them; the password is left out (the form keeps the stored one). */
export function relayFormOf(r: RelayConfig): RelayForm {
  const [url, user] = splitCredentials(r.url);
  return { path: r.path, url, user, password: '', on_demand: r.on_demand, format: r.format, tls_ca_file: r.tls_ca_file };
}

/** Whether the stored URL carries a password (an empty password field then keeps it). */
export function relayHasPassword(r: RelayConfig): boolean {
  return splitCredentials(r.url)[2] !== '';
}

/** What is wrong with the form, by field: `takenPaths` are the other relays' mounts. */
export function relayFormProblems(f: RelayForm, ctx: { takenPaths: readonly string[] }): RelayFormProblems {
  const p: RelayFormProblems = {};
  const path = mountPath(f.path);
  if (f.path === '') p.path = 'needs the mount of this station it fills, like /news';
  else if (path) p.path = path;
  else if (ctx.takenPaths.includes(f.path)) p.path = `a relay on ${f.path} already exists`;
  const url = f.url.trim();
  if (url === '') p.url = "needs the upstream stream's address, like http://other.example:8000/news";
  else if (/^[^/]*@|:\/\/[^/]*@/.test(url)) p.url = 'put the user name and password in their own fields';
  else {
    const bad = relayUrlProblem(url);
    if (bad) p.url = bad;
  }
  if (/[\u0000-\u001f\u007f:]/.test(f.user)) p.user = 'must not contain ":" or control characters';
  if (/[\u0000-\u001f\u007f]/.test(f.password)) p.password = 'must not contain control characters';
  if (f.format !== null && !AUDIO_FORMATS.includes(f.format)) p.format = `must be one of ${AUDIO_FORMATS.join(', ')}, or unset`;
  const ca = RELAY_SCHEMA.tls_ca_file.check?.(f.tls_ca_file.trim() as never);
  if (ca) p.tls_ca_file = ca;
  return p;
}

/** The upstream URL with the user and password put in, percent-encoded. */
export function composeRelayUrl(f: RelayForm, password: string): string {
  const url = f.url.trim();
  const user = f.user.trim();
  if (user === '' && password === '') return url;
  const i = url.indexOf('://') + 3;
  return `${url.slice(0, i)}${encodeURIComponent(user)}${password ? `:${encodeURIComponent(password)}` : ''}@${url.slice(i)}`;
}

/**
 * config.hcl text with the form written into its `relay` block: `original` is the relay being edited (null: a
 * new one). Only keys that changed are written; a new mount path is a removal and an addition.
 */
export function applyRelayForm(text: string, f: RelayForm, original: RelayConfig | null): string {
  const password = f.password !== '' ? f.password : original ? splitCredentials(original.url)[2] : '';
  const url = composeRelayUrl(f, password);
  let base = original;
  let out = text;
  if (original && original.path !== f.path) {
    out = removeHclBlock(out, 'relay', original.path);
    base = null;
  }
  const edits: HclEdit[] = [];
  const set = (key: string, value: HclEdit['value']): void => void edits.push({ block: 'relay', label: f.path, key, value });
  if (!base || base.url !== url) set('url', url);
  if (base ? base.on_demand !== f.on_demand : f.on_demand) set('on_demand', f.on_demand);
  // an unset format or CA file is no key at all (the upstream's format; the standard certificate authorities)
  if (base ? base.format !== f.format : f.format !== null) set('format', f.format);
  const ca = f.tls_ca_file.trim();
  if (base ? base.tls_ca_file !== ca : ca !== '') set('tls_ca_file', ca || null);
  return applyHclEdits(out, edits);
}
