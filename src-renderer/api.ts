// The renderer's StudioApi: window.studio under Electron (the preload's bridge), else HTTP + server-sent
// events on the server that served this page.

import type { ConnectionState, StudioApi, StudioCommands, StudioEvent, StudioMethod } from '../src-shared/studio-api.js';
import { STUDIO_METHODS } from '../src-shared/studio-api.js';

declare global {
  interface Window {
    studio?: StudioApi & { pickFiles?(folders: boolean): Promise<string[]>; pathForFile?(file: File): string };
  }
}

/** Same-origin marker the server requires on state-changing requests. */
const CSRF = { 'X-Cycast-Studio': '1' };

/** Retrying this long without an answer makes the link "unreachable" rather than "reconnecting". */
const UNREACHABLE_AFTER_MS = 4000;
/** How soon a stream the server closed for good (an error status) is opened again. */
const REOPEN_MS = 2000;

/**
 * The server-sent event stream, reopened for as long as the page lives, with its state reported as a
 * ConnectionState: an EventSource retries by itself after a network error (every `retry:` ms, 2 s here),
 * but gives up after an error status, so then a fresh one is opened.
 */
function subscribeEvents(url: string, onEvent: (e: StudioEvent) => void, onConnection?: (s: ConnectionState) => void): () => void {
  let es: EventSource | null = null;
  let stopped = false;
  let down = false;
  let unreachableTimer: ReturnType<typeof setTimeout> | undefined;
  let reopenTimer: ReturnType<typeof setTimeout> | undefined;
  const open = (): void => {
    es = new EventSource(url);
    es.onmessage = (m) => onEvent(JSON.parse(m.data) as StudioEvent);
    es.onopen = () => {
      down = false;
      clearTimeout(unreachableTimer);
      onConnection?.('connected');
    };
    es.onerror = () => {
      if (stopped) return;
      if (!down) {
        down = true;
        onConnection?.('reconnecting');
        unreachableTimer = setTimeout(() => down && onConnection?.('unreachable'), UNREACHABLE_AFTER_MS);
      }
      if (es?.readyState === EventSource.CLOSED) {
        es.close();
        reopenTimer = setTimeout(open, REOPEN_MS);
      }
    };
  };
  open();
  return () => {
    stopped = true;
    clearTimeout(unreachableTimer);
    clearTimeout(reopenTimer);
    es?.close();
  };
}

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
  api.subscribe = (onEvent: (e: StudioEvent) => void, onConnection?: (s: ConnectionState) => void) => subscribeEvents(`${base}/api/events`, onEvent, onConnection);
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
