// The studio's state: the last snapshot with pushed events applied, plus UI state.

import { create } from 'zustand';
import type { ListenerView, LogLine, MountView, PlaylistView, ServerView, StudioEvent, StudioSnapshot } from '../src-shared/studio-api.js';

export type ViewName = 'onair' | 'playlist' | 'listeners' | 'config' | 'log';

interface Toast {
  id: number;
  level: 'info' | 'warn' | 'error';
  message: string;
}

interface StudioState {
  ready: boolean;
  error: string | null;
  connection: 'ok' | 'lost';
  server: ServerView | null;
  mounts: MountView[];
  listeners: Map<number, ListenerView>;
  playlists: Record<string, PlaylistView>;
  log: LogLine[];
  view: ViewName;
  mount: string;
  toasts: Toast[];
  load(s: StudioSnapshot): void;
  apply(e: StudioEvent): void;
  setView(v: ViewName): void;
  setMount(m: string): void;
  toast(level: Toast['level'], message: string): void;
  dismiss(id: number): void;
  fail(message: string): void;
}

const LOG_KEEP = 2000;
let toastId = 1;

export const useStudio = create<StudioState>((set, get) => ({
  ready: false,
  error: null,
  connection: 'ok',
  server: null,
  mounts: [],
  listeners: new Map(),
  playlists: {},
  log: [],
  view: 'onair',
  mount: '',
  toasts: [],
  load: (s) =>
    set({
      ready: true,
      error: null,
      server: s.server,
      mounts: s.mounts,
      listeners: new Map(s.listeners.map((l) => [l.id, l])),
      playlists: Object.fromEntries(s.playlists.map((p) => [p.mount, p])),
      log: s.log,
      mount: get().mount || s.mounts[0]?.path || '',
    }),
  apply: (e) => {
    switch (e.type) {
      case 'mounts':
        return set({ mounts: e.mounts });
      case 'listener-join': {
        const m = new Map(get().listeners);
        m.set(e.listener.id, e.listener);
        return set({ listeners: m });
      }
      case 'listener-leave': {
        const m = new Map(get().listeners);
        m.delete(e.id);
        return set({ listeners: m });
      }
      case 'listener-bytes': {
        const m = new Map(get().listeners);
        for (const [id, bytes] of e.bytes) {
          const l = m.get(id);
          if (l) m.set(id, { ...l, bytesSent: bytes });
        }
        return set({ listeners: m });
      }
      case 'playlist':
        return set({ playlists: { ...get().playlists, [e.playlist.mount]: e.playlist } });
      case 'log': {
        const log = get().log.concat(e.line);
        return set({ log: log.length > LOG_KEEP ? log.slice(-LOG_KEEP) : log });
      }
      case 'server':
        return set({ server: e.server });
      case 'notice':
        if (e.message.startsWith('Connection to the server lost')) return set({ connection: 'lost' });
        if (e.message === '') return set({ connection: 'ok' });
        return get().toast(e.level, e.message);
    }
  },
  setView: (view) => set({ view }),
  setMount: (mount) => set({ mount }),
  toast: (level, message) => {
    const id = toastId++;
    set({ toasts: [...get().toasts.slice(-3), { id, level, message }] });
    setTimeout(() => get().dismiss(id), level === 'error' ? 8000 : 4000);
  },
  dismiss: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
  fail: (message) => set({ error: message }),
}));

/** Runs a command, turning a failure into an error toast. */
export async function run<T>(what: string, p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    useStudio.getState().toast('error', `${what}: ${(e as Error).message}`);
    return undefined;
  }
}
