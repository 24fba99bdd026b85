// What applying a new config to a running engine changes, and whom it touches. The same list is shown
// before saving (the studio's "apply" preview) and logged when applied (UI, SIGHUP).

import type { CycastConfig, MountConfig } from '../../src-shared/config/schema.js';
import type { ConfigChange } from '../../src-shared/studio-api.js';

export interface MountState {
  listeners: number;
  live: boolean;
}

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? `[${v.map(show).join(', ')}]` : String(v));
const SECRET = /password|secret/;

/** Settings whose change needs the mount rebuilt (its listeners and source disconnected). */
const REBUILD_KEYS: (keyof MountConfig)[] = ['format'];
/** Settings that restart the mount's AutoDJ (listeners stay; the playlist reloads). */
const AUTODJ_KEYS: (keyof MountConfig)[] = ['playlist_directory', 'playlist_enabled'];

export function planConfigChange(prev: CycastConfig, next: CycastConfig, state: (path: string) => MountState | undefined): ConfigChange[] {
  const changes: ConfigChange[] = [];
  const add = (path: string, from: unknown, to: unknown, effect: string, disconnectsListeners = 0, disconnectsSource = false): void => {
    const secret = SECRET.test(path);
    changes.push({ path, from: secret ? '(hidden)' : show(from), to: secret ? '(hidden)' : show(to), effect, disconnectsListeners, disconnectsSource });
  };
  for (const block of ['server', 'buffer', 'playlist', 'broadcaster', 'metadata', 'advanced', 'admin', 'stats'] as const) {
    const a = prev[block] as unknown as Record<string, unknown>;
    const b = next[block] as unknown as Record<string, unknown>;
    for (const key of Object.keys(b)) {
      if (JSON.stringify(a[key]) === JSON.stringify(b[key])) continue;
      const path = `${block}.${key}`;
      let effect = 'takes effect at once; nobody is disconnected';
      if (path === 'server.host' || path.endsWith('_port')) effect = 'the server listens on the new address/port; connections already open stay connected';
      else if (path === 'server.mount_point' || path === 'server.format') {
        const st = state(prev.server.mount_point) ?? { listeners: 0, live: false };
        const who = `its ${st.listeners} listener(s)${st.live ? ' and its live source' : ''} are disconnected`;
        add(path, a[key], b[key], path === 'server.format' ? `the main mount restarts in the new format: ${who}` : `the main mount moves to ${show(b[key])}: ${who}`, st.listeners, st.live);
        continue;
      }
      else if (path === 'playlist.file' || path === 'playlist.extensions') effect = 'the AutoDJ playlists reload (the track on air stops); listeners stay connected';
      else if (block === 'playlist') effect = 'takes effect at once; the track on air keeps playing';
      else if (path === 'buffer.size_mb') effect = 'stream buffers resize as new audio arrives; listeners stay connected';
      else if (path.includes('password') || path.endsWith('_user')) effect = 'new logins must use it; connected sources stay on air';
      else if (path.startsWith('metadata.station_')) effect = 'new listeners get the new station details';
      add(path, a[key], b[key], effect);
    }
  }
  const before = new Map(prev.mounts.map((m) => [m.path, m]));
  const after = new Map(next.mounts.map((m) => [m.path, m]));
  for (const [path, m] of before) {
    const s = state(path) ?? { listeners: 0, live: false };
    const n = after.get(path);
    if (!n) {
      add(`mount "${path}"`, 'present', 'removed', `the mount is removed: its ${s.listeners} listener(s)${s.live ? ' and its live source' : ''} are disconnected`, s.listeners, s.live);
      continue;
    }
    for (const key of Object.keys(n) as (keyof MountConfig)[]) {
      if (key === 'path' || JSON.stringify(m[key]) === JSON.stringify(n[key])) continue;
      if (REBUILD_KEYS.includes(key)) {
        // the main mount's format comes from server.format, already listed with its effect
        if (path === prev.server.mount_point && changes.some((c) => c.path === 'server.format')) continue;
        add(`mount "${path}".${key}`, m[key], n[key], `the mount restarts in the new format: its ${s.listeners} listener(s)${s.live ? ' and its live source' : ''} are disconnected`, s.listeners, s.live);
      } else if (changes.some((c) => c.path.endsWith(`.${key}`) && !c.path.startsWith('mount'))) {
        // an inherited value: already listed as the global key's change
        continue;
      } else if (AUTODJ_KEYS.includes(key)) {
        add(`mount "${path}".${key}`, m[key], n[key], 'its AutoDJ restarts with the new playlist; listeners stay connected');
      } else {
        add(`mount "${path}".${key}`, m[key], n[key], 'takes effect at once; nobody is disconnected');
      }
    }
  }
  for (const [path, n] of after) {
    if (!before.has(path)) add(`mount "${path}"`, 'absent', `added (${n.format})`, 'a new mount opens; nobody is disconnected');
  }
  planLinkChanges(prev, next, state, add);
  return changes;
}

/** Outputs and relays added, removed or changed: each restarts on its own, local listeners stay. */
function planLinkChanges(prev: CycastConfig, next: CycastConfig, state: (path: string) => MountState | undefined, add: (path: string, from: unknown, to: unknown, effect: string, listeners?: number) => void): void {
  const outBefore = new Map(prev.outputs.map((o) => [o.id, o]));
  const outAfter = new Map(next.outputs.map((o) => [o.id, o]));
  for (const [id, o] of outBefore) {
    const n = outAfter.get(id);
    if (!n) add(`output "${id}"`, 'present', 'removed', `stops sending ${o.mount}; local listeners stay connected`);
    else if (JSON.stringify(n) !== JSON.stringify(o)) add(`output "${id}"`, '(hidden)', '(hidden)', 'reconnects to the remote with the new settings; local listeners stay connected');
  }
  for (const [id, n] of outAfter) if (!outBefore.has(id)) add(`output "${id}"`, 'absent', 'added', `starts sending ${n.mount}; nobody is disconnected`);
  const relBefore = new Map(prev.relays.map((r) => [r.path, r]));
  const relAfter = new Map(next.relays.map((r) => [r.path, r]));
  for (const [path, r] of relBefore) {
    const n = relAfter.get(path);
    const listeners = state(path)?.listeners ?? 0;
    const configured = next.mounts.some((m) => m.path === path);
    if (!n) add(`relay "${path}"`, 'present', 'removed', configured ? 'the mount stops relaying; its listeners stay' : `the relay mount closes: its ${listeners} listener(s) are disconnected`, configured ? 0 : listeners);
    else if (n.format !== r.format && !configured) add(`relay "${path}".format`, r.format ?? '(the upstream\'s)', n.format ?? '(the upstream\'s)', `the relay mount restarts in the new format: its ${listeners} listener(s) are disconnected`, listeners);
    else if (JSON.stringify(n) !== JSON.stringify(r)) add(`relay "${path}"`, '(hidden)', '(hidden)', 'reconnects to the upstream; listeners stay connected');
  }
  for (const path of relAfter.keys()) if (!relBefore.has(path)) add(`relay "${path}"`, 'absent', 'added', 'a relay mount opens; nobody is disconnected');
}
