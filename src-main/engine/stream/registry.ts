// The mounts of a running engine, in config order (the main mount first), then the dynamic mounts sources
// created on paths the config does not name. Lookup is by path; totals are computed here so every status
// document counts the same way.
//
// stream/ is the hot path: the ring, the broadcaster, the mount and this registry. It may import protocol/
// and log/ only; nothing here knows about sockets being accepted, logins or pages.

import type { MountConfig } from '../../../src-shared/config/schema.js';
import type { Mount } from './mount.js';

export class MountRegistry implements Iterable<Mount> {
  private byPath = new Map<string, Mount>();

  get(path: string): Mount | undefined {
    return this.byPath.get(path);
  }

  has(path: string): boolean {
    return this.byPath.has(path);
  }

  values(): IterableIterator<Mount> {
    return this.byPath.values();
  }

  [Symbol.iterator](): IterableIterator<Mount> {
    return this.byPath.values();
  }

  get size(): number {
    return this.byPath.size;
  }

  /** The first configured mount (server.mount_point). */
  get main(): Mount | undefined {
    return this.byPath.values().next().value;
  }

  get totalListeners(): number {
    let n = 0;
    for (const m of this.byPath.values()) n += m.broadcaster.count;
    return n;
  }

  /** Mounts with a live source on air. */
  get liveSources(): number {
    let n = 0;
    for (const m of this.byPath.values()) if (m.source) n++;
    return n;
  }

  /** Adds a mount (configured or dynamic) at the end. */
  add(m: Mount): void {
    this.byPath.set(m.path, m);
  }

  /** Forgets `m` if it is the mount on its path. The caller closes it. */
  remove(m: Mount): boolean {
    if (this.byPath.get(m.path) !== m) return false;
    this.byPath.delete(m.path);
    return true;
  }

  /** Replaces the set and order of mounts (a config apply). */
  replaceAll(ordered: Iterable<Mount>): void {
    const next = new Map<string, Mount>();
    for (const m of ordered) next.set(m.path, m);
    this.byPath = next;
  }
}

/** Settings for a mount a source creates on a path the config does not name (like Icecast does). */
export function dynamicMountConfig(main: MountConfig, path: string, format: MountConfig['format']): MountConfig {
  return { ...main, path, format, max_listeners: 0, playlist_directory: '', playlist_enabled: false };
}
