// A new config's mounts applied to the running ones: mounts it drops, or whose format it changes, are
// removed (their listeners disconnected); the others take their new settings and keep their listeners; an
// AutoDJ is rebuilt only when its set of files changes (the track on air would stop).

import type { CycastConfig, MountConfig } from '../../src-shared/config/schema.js';
import type { AutoDjs } from './autodj/autodj.js';
import { ringCapacity, type Mount } from './stream/mount.js';
import type { MountRegistry } from './stream/registry.js';

export interface MountApplyHost {
  readonly mounts: MountRegistry;
  readonly autodj: AutoDjs;
  /** the ports are bound and the AutoDJs run */
  readonly started: boolean;
  createMount(cfg: MountConfig): Mount;
  removeMount(m: Mount): void;
}

export function applyMounts(host: MountApplyHost, prev: CycastConfig, next: CycastConfig): void {
  const { mounts, autodj } = host;
  const filesChanged = prev.playlist.file !== next.playlist.file || JSON.stringify(prev.playlist.extensions) !== JSON.stringify(next.playlist.extensions);
  const wanted = new Map(next.mounts.map((m) => [m.path, m]));
  for (const m of [...mounts]) {
    const cfg = wanted.get(m.path);
    if (!m.dynamic && (!cfg || cfg.format !== m.format)) host.removeMount(m);
  }
  const ordered: Mount[] = [];
  for (const cfg of next.mounts) {
    let m = mounts.get(cfg.path);
    if (m && !m.dynamic) {
      const rebuild = filesChanged || m.config.playlist_directory !== cfg.playlist_directory || m.config.playlist_enabled !== cfg.playlist_enabled;
      m.reconfigure(cfg, next.broadcaster.chunk_size, next.broadcaster.write_interval_ms);
      m.ring.capacity = ringCapacity(next.buffer.size_mb, cfg);
      if (rebuild && host.started) {
        autodj.stop(m);
        if (cfg.playlist_enabled) autodj.start(m, next);
      } else autodj.retune(m, next);
    } else {
      if (m) host.removeMount(m); // a dynamic mount on a path the config now claims
      m = host.createMount(cfg);
      if (host.started && cfg.playlist_enabled) autodj.start(m, next);
    }
    ordered.push(m);
  }
  for (const m of mounts) if (m.dynamic && !wanted.has(m.path)) ordered.push(m);
  mounts.replaceAll(ordered);
}
