// An admin's kicks: a listener or a mount's live source is disconnected, and its address kept off that mount
// for a while (access/bans.ts), so an automatic reconnect does not bring it straight back.

import { listenerBanKey, type KickBans } from './access/bans.js';
import type { Logger } from './log/log.js';
import type { MountRegistry } from './stream/registry.js';

/** Disconnects listener `id`; its address may not tune in to that mount for `banSeconds`. False if none. */
export function kickListener(mounts: MountRegistry, bans: KickBans, id: number, banSeconds: number): boolean {
  for (const m of mounts) {
    const l = m.broadcaster.audience().find((x) => x.id === id);
    if (l) {
      bans.ban(listenerBanKey(m.path), l.ip, banSeconds);
      m.broadcaster.remove(l, 'kicked');
      return true;
    }
  }
  return false;
}

/** Disconnects the live source on `path`; its address may not log in there for `banSeconds`. False if none. */
export function kickSource(mounts: MountRegistry, bans: KickBans, log: Logger, path: string, banSeconds: number): boolean {
  const s = mounts.get(path)?.source;
  if (!s) return false;
  bans.ban(path, s.ip, banSeconds);
  log.info(`source on ${path} from ${s.ip} kicked by an admin${banSeconds > 0 ? `; it may not log in again for ${banSeconds}s` : ''}`);
  s.disconnect();
  return true;
}
