// The AutoDJ of every configured mount that has one: builds each mount's playlist (its music folder, its
// M3U8 file beside config.hcl) and its real-time feeder, and takes them down again.
//
// autodj/ holds the playlist, the track probe, the real-time feeder and silence. It may import stream/,
// protocol/ and log/.

import { basename, resolve } from 'node:path';
import type { CycastConfig } from '../../../src-shared/config/schema.js';
import type { Logger } from '../log/log.js';
import type { Mount } from '../stream/mount.js';
import { Feeder, realClock, type Clock } from './feeder.js';
import { Playlist } from './playlist.js';

export interface AutoDjOptions {
  /** folder relative paths in the config are resolved against (config.hcl's folder) */
  baseDir: string;
  clock?: Clock;
  /** what plays when a mount's music folder has nothing playable */
  demoTracks: string[];
  /** Ogg silence for Ogg mounts with nothing to play ('' : none) */
  oggSilence: string;
  log: Logger;
  onState(m: Mount): void;
  onPlaylistChange(m: Mount): void;
}

export class AutoDjs {
  private readonly feeders = new Map<Mount, Feeder>();
  private stopped = false;

  constructor(private readonly opts: AutoDjOptions) {}

  of(m: Mount): Feeder | undefined {
    return this.feeders.get(m);
  }

  /** The M3U8 file of a mount's playlist: playlist.file for the main mount, playlist-NAME.m3u8 for others. */
  playlistFile(m: Mount, config: CycastConfig): string {
    const file = resolve(this.opts.baseDir, config.playlist.file);
    if (m.path === config.server.mount_point) return file;
    const name = m.path.slice(1).replace(/[^A-Za-z0-9._-]+/g, '_');
    return resolve(this.opts.baseDir, `${basename(file).replace(/\.m3u8?$/i, '')}-${name}.m3u8`);
  }

  /** Builds the mount's playlist and starts its AutoDJ (silence until the playlist has loaded). */
  start(m: Mount, config: CycastConfig): void {
    const pl = config.playlist;
    const { log } = this.opts;
    const playlist = new Playlist({
      mount: m.path,
      format: m.format,
      directory: resolve(this.opts.baseDir, m.config.playlist_directory),
      extensions: pl.extensions,
      file: this.playlistFile(m, config),
      shuffle: pl.shuffle,
      shuffleEachPass: pl.reshuffle,
      repeat: pl.repeat,
      fallbackFiles: this.opts.demoTracks,
      log,
    });
    const feeder = new Feeder(m, playlist, log, this.opts.clock ?? realClock, { oggSilenceFile: this.opts.oggSilence, onState: () => this.opts.onState(m) });
    playlist.on('change', () => this.opts.onPlaylistChange(m));
    this.feeders.set(m, feeder);
    feeder.start();
    playlist
      .load()
      .then(() => {
        if (!this.stopped && this.feeders.get(m) === feeder) playlist.watchFolder();
      })
      .catch((e) => log.error(`${m.path}: the playlist could not be loaded: ${(e as Error).message}`));
  }

  stop(m: Mount): void {
    const f = this.feeders.get(m);
    if (!f) return;
    f.stop();
    f.playlist?.close();
    this.feeders.delete(m);
  }

  /** Applies playlist settings that need no rebuild (repeat, reshuffle) to a running AutoDJ. */
  retune(m: Mount, config: CycastConfig): void {
    const p = this.feeders.get(m)?.playlist;
    if (p && p.repeat !== config.playlist.repeat) p.setRepeat(config.playlist.repeat);
    if (p && p.shuffleEachPass !== config.playlist.reshuffle) p.setShuffleEachPass(config.playlist.reshuffle);
  }

  stopAll(): void {
    this.stopped = true;
    for (const m of [...this.feeders.keys()]) this.stop(m);
  }
}
