// The studio's state: the last snapshot with pushed events applied, plus UI state.

import { create } from 'zustand';
import type { ListenerView, LogLine, MountView, PlaylistView, ServerView, StudioEvent, StudioSnapshot } from '../src-shared/studio-api.js';

export type ViewName = 'onair' | 'playlist' | 'listeners' | 'config' | 'log' | 'stats';

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
  /** applies a batch of events with one state update (bursts of thousands of events stay cheap) */
  applyAll(events: StudioEvent[]): void;
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
  apply: (e) => get().applyAll([e]),
  applyAll: (events) => {
    const st = get();
    let { mounts, server, log, playlists, connection } = st;
    let listeners: Map<number, ListenerView> | null = null;
    const copy = (): Map<number, ListenerView> => (listeners ??= new Map(st.listeners));
    for (const e of events) {
      switch (e.type) {
        case 'mounts':
          mounts = e.mounts;
          break;
        case 'listener-join':
          copy().set(e.listener.id, e.listener);
          break;
        case 'listener-leave':
          copy().delete(e.id);
          break;
        case 'listener-bytes': {
          const m = copy();
          for (const [id, bytes] of e.bytes) {
            const l = m.get(id);
            if (l) m.set(id, { ...l, bytesSent: bytes });
          }
          break;
        }
        case 'playlist':
          playlists = { ...playlists, [e.playlist.mount]: e.playlist };
          break;
        case 'log':
          // a line already in the snapshot (events are subscribed to before it is taken)
          if (log.length && e.line.seq <= log[log.length - 1].seq) break;
          log = log.concat(e.line);
          if (log.length > LOG_KEEP) log = log.slice(-LOG_KEEP);
          break;
        case 'server':
          server = e.server;
          break;
        case 'notice':
          if (e.message.startsWith('Connection to the server lost')) connection = 'lost';
          else if (e.message === '') connection = 'ok';
          else st.toast(e.level, e.message);
          break;
      }
    }
    set({ mounts, server, log, playlists, connection, ...(listeners ? { listeners } : {}) });
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
