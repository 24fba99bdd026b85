// The studio's state: the last snapshot with pushed events applied, plus UI state.

import { create } from 'zustand';
import type { ConnectionState, ListenerView, LogLine, MountView, PlaylistView, ServerView, StudioEvent, StudioSnapshot } from '../src-shared/studio-api.js';

/** A view's id, as listed in navigation.tsx */
export type ViewName = string;

interface Toast {
  id: number;
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** A question the shell asks before a command that cannot be undone (kicks, deleting a file). */
export interface Confirmation {
  title: string;
  body: string;
  confirm: string;
  onConfirm(): void;
}

interface StudioState {
  ready: boolean;
  error: string | null;
  connection: ConnectionState;
  /** when the link last went down (ms), null while connected */
  connectionLostAt: number | null;
  confirmation: Confirmation | null;
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
  setConnection(c: ConnectionState): void;
  /** asks the user first; `onConfirm` runs only on yes */
  ask(c: Confirmation): void;
  answer(yes: boolean): void;
}

const LOG_KEEP = 2000;
let toastId = 1;

export const useStudio = create<StudioState>((set, get) => ({
  ready: false,
  error: null,
  connection: 'connected',
  connectionLostAt: null,
  confirmation: null,
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
    let { mounts, server, log, playlists } = st;
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
          st.toast(e.level, e.message);
          break;
      }
    }
    set({ mounts, server, log, playlists, ...(listeners ? { listeners } : {}) });
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
  setConnection: (connection) => {
    if (connection === get().connection) return;
    set({ connection, connectionLostAt: connection === 'connected' ? null : (get().connectionLostAt ?? Date.now()) });
  },
  ask: (confirmation) => set({ confirmation }),
  answer: (yes) => {
    const c = get().confirmation;
    set({ confirmation: null });
    if (yes) c?.onConfirm();
  },
}));

/** The mount the studio shows (the one picked in the top bar, else the first). */
export function useCurrentMount(): MountView | undefined {
  return useStudio((s) => s.mounts.find((m) => m.path === s.mount) ?? s.mounts[0]);
}

/** True while the link to the server is down: what the studio shows is from before. */
export function useOffline(): boolean {
  return useStudio((s) => s.connection !== 'connected');
}

/** Runs a command, turning a failure into an error toast. */
export async function run<T>(what: string, p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    useStudio.getState().toast('error', `${what}: ${(e as Error).message}`);
    return undefined;
  }
}

/** Runs a command for its effect: true when it worked, else false after an error toast. */
export async function attempt(what: string, p: Promise<unknown>): Promise<boolean> {
  try {
    await p;
    return true;
  } catch (e) {
    useStudio.getState().toast('error', `${what}: ${(e as Error).message}`);
    return false;
  }
}
