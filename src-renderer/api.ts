// The renderer's StudioApi: window.studio under Electron (the preload's bridge), else HTTP + server-sent
// events on the server that served this page.

import type { StudioApi, StudioCommands, StudioEvent, StudioMethod } from '../src-shared/studio-api.js';
import { STUDIO_METHODS } from '../src-shared/studio-api.js';

declare global {
  interface Window {
    studio?: StudioApi & { pickFiles?(folders: boolean): Promise<string[]>; pathForFile?(file: File): string };
  }
}

/** Same-origin marker the server requires on state-changing requests. */
const CSRF = { 'X-Cycast-Studio': '1' };

function webApi(base: string): StudioApi {
  const call = async (method: StudioMethod, args: unknown[]): Promise<unknown> => {
    const res = await fetch(`${base}/api/call`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...CSRF },
      body: JSON.stringify({ method, args }),
      credentials: 'same-origin',
    });
    let body: { ok: boolean; result?: unknown; error?: string };
    try {
      body = await res.json();
    } catch {
      throw new Error(`the server answered ${res.status} ${res.statusText}`);
    }
    if (!body.ok) throw new Error(body.error ?? `failed (${res.status})`);
    return body.result;
  };
  const api = {} as Record<string, unknown>;
  for (const m of STUDIO_METHODS) api[m] = (...args: unknown[]) => call(m, args.filter((a, i) => !(a === undefined && i === args.length - 1)));
  api.snapshot = async () => {
    const res = await fetch(`${base}/api/snapshot`, { credentials: 'same-origin' });
    if (!res.ok) throw new Error(`the server answered ${res.status} ${res.statusText}`);
    return res.json();
  };
  api.subscribe = (onEvent: (e: StudioEvent) => void) => {
    const es = new EventSource(`${base}/api/events`);
    es.onmessage = (m) => onEvent(JSON.parse(m.data) as StudioEvent);
    es.onerror = () => onEvent({ type: 'notice', level: 'warn', message: 'Connection to the server lost; reconnecting…' });
    es.onopen = () => onEvent({ type: 'notice', level: 'info', message: '' });
    return () => es.close();
  };
  return api as unknown as StudioApi;
}

export const studio: StudioApi = window.studio ?? webApi(location.pathname.replace(/\/[^/]*$/, '').replace(/\/$/, '') || '/studio');
export const isDesktop = window.studio !== undefined;

/** Browser upload of music files into a mount's music folder. */
export async function uploadFile(mount: string, file: File, onProgress?: (done: number) => void): Promise<void> {
  const base = location.pathname.replace(/\/[^/]*$/, '').replace(/\/$/, '') || '/studio';
  const res = await fetch(`${base}/api/upload?mount=${encodeURIComponent(mount)}&name=${encodeURIComponent(file.name)}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/octet-stream', ...CSRF },
    body: file,
    credentials: 'same-origin',
  });
  const body = (await res.json().catch(() => ({ ok: false, error: res.statusText }))) as { ok: boolean; error?: string };
  if (!body.ok) throw new Error(body.error ?? `upload failed (${res.status})`);
  onProgress?.(file.size);
}

export type { StudioCommands };
