// A mount's fallback playlist: the tracks in play order, the cursor, play-next requests, shuffle and repeat,
// persisted as M3U8 and kept in step with the music folder. Tracks the DJ removed are remembered (beside
// the M3U8, in NAME.m3u8.excluded) so that a rescan, a restart or a new music folder never brings them back.

import { EventEmitter } from 'node:events';
import { existsSync, lstatSync, realpathSync, statSync, unlinkSync, watch, type FSWatcher } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import type { AudioFormat } from '../../../src-shared/config/schema.js';
import type { Logger } from '../log/log.js';
import { readM3u8, serializeM3u8, writeFileAtomic } from './m3u8.js';
import { displayTitle, probeTrack, type TrackInfo } from './track-probe.js';

/** The most audio files one folder scan takes (a mistaken "add /" must not exhaust memory). */
const MAX_SCAN_FILES = 50_000;
const FOLDER_POLL_MS = 2000;
/** The most exclusions remembered (oldest forgotten first): as many as a folder scan takes. */
const MAX_EXCLUDED = MAX_SCAN_FILES;

/** A file the DJ removed from the playlist: it stays out until it is added back. */
export interface ExcludedTrack {
  path: string;
  title: string;
  duration: number;
}

/** Where a playlist's exclusions are kept: beside its M3U8. */
export function excludedFileOf(m3u8: string): string {
  return `${m3u8}.excluded`;
}

export interface PlaylistEntry {
  id: number;
  track: TrackInfo;
  /** why this entry cannot play on this mount, null if it can */
  problem: string | null;
  /** a bundled demo track standing in for an empty music folder */
  fallback?: boolean;
}

export interface PlaylistOptions {
  mount: string;
  format: AudioFormat;
  /** music folder (absolute); may not exist */
  directory: string;
  extensions: string[];
  /** where the M3U8 lives */
  file: string;
  shuffle: boolean;
  /** reshuffle at the end of every pass */
  shuffleEachPass: boolean;
  repeat: boolean;
  /** files to play when the folder and the saved playlist give nothing (the bundled demo) */
  fallbackFiles: string[];
  log: Logger;
  /** shuffle's source of randomness (tests pass a seeded one) */
  random?: () => number;
}

export class Playlist extends EventEmitter<{ change: [] }> {
  private entries: PlaylistEntry[] = [];
  private nextId = 1;
  /** index of the entry playing now, -1 before the first */
  private cursor = -1;
  private watcher: FSWatcher | null = null;
  private rescanTimer: NodeJS.Timeout | null = null;
  /** polls for the music folder while it is gone (unmounted, deleted); a watcher cannot see it come back */
  private returnPoll: NodeJS.Timeout | null = null;
  private closed = false;
  private saveWarned = false;
  /** a track to continue after once the playlist has loaded (see resumeAfter) */
  private resumePath: string | null = null;
  /** removed by the DJ, by path, oldest first */
  private readonly excludedPaths = new Map<string, ExcludedTrack>();
  usingFallbackFiles = false;

  constructor(public opts: PlaylistOptions) {
    super();
  }

  get list(): readonly PlaylistEntry[] {
    return this.entries;
  }

  /** Files removed from this playlist that stay out until added back, oldest first. */
  get excluded(): ExcludedTrack[] {
    return [...this.excludedPaths.values()];
  }

  get current(): PlaylistEntry | null {
    return this.entries[this.cursor] ?? null;
  }

  get shuffleEachPass(): boolean {
    return this.opts.shuffleEachPass;
  }

  get repeat(): boolean {
    return this.opts.repeat;
  }

  /** Entries that will play next, in order. */
  upcoming(count = 5): PlaylistEntry[] {
    const out: PlaylistEntry[] = [];
    for (let i = 1; out.length < count && i <= this.entries.length; i++) {
      const idx = this.cursor + i;
      if (idx >= this.entries.length && !this.opts.repeat) break;
      const e = this.entries[idx % this.entries.length];
      if (!e.problem) out.push(e);
    }
    return out.slice(0, count);
  }

  private byId(id: number): PlaylistEntry | undefined {
    return this.entries.find((e) => e.id === id);
  }

  private problemOf(t: TrackInfo): string | null {
    if (t.problem) return t.problem;
    if (t.format !== this.opts.format) {
      return `${t.format?.toUpperCase() ?? 'this file'} cannot play on ${this.opts.mount}, which streams ${this.opts.format.toUpperCase()}`;
    }
    return null;
  }

  private entryFor(t: TrackInfo): PlaylistEntry {
    return { id: this.nextId++, track: t, problem: this.problemOf(t) };
  }

  private changed(save = true): void {
    if (save) this.save();
    this.emit('change');
  }

  /** Loads the saved M3U8 (its order wins), then adds what is new in the music folder. */
  async load(): Promise<void> {
    const { file, directory } = this.opts;
    let paths: string[] = [];
    const saved = existsSync(file);
    if (saved) {
      try {
        paths = readM3u8(file).map((e) => e.path);
      } catch (e) {
        this.opts.log.warn(`playlist ${file} could not be read (${(e as Error).message}); starting from the music folder`);
      }
    }
    this.loadExcluded();
    const inFolder = await this.scanFolder();
    const known = new Set(paths);
    for (const p of inFolder) if (!known.has(p)) paths.push(p);
    paths = paths.filter((p) => !this.excludedPaths.has(p));
    // a saved file under the music folder that is gone was deleted there: drop it; a missing file from
    // elsewhere stays listed (as not found) so the DJ sees what went missing. A missing folder drops
    // nothing: an unmounted drive keeps its tracks listed until it is back.
    const folderThere = existsSync(directory);
    paths = paths.filter((p) => !folderThere || existsSync(p) || !this.underFolder(p));
    const tracks = await this.probeAll(paths);
    this.entries = tracks.map((t) => this.entryFor(t));
    this.usingFallbackFiles = false;
    if (!this.entries.some((e) => !e.problem) && this.opts.fallbackFiles.length) {
      const demo = (await this.probeAll(this.opts.fallbackFiles.filter((f) => !this.excludedPaths.has(f)))).map((t) => ({ ...this.entryFor(t), fallback: true })).filter((e) => !e.problem);
      if (demo.length) {
        this.usingFallbackFiles = true;
        this.entries.push(...demo);
        this.opts.log.info(`${this.opts.mount}: no playable music in ${directory}; playing the bundled demo until you add some`);
      }
    }
    if (this.opts.shuffle && !saved) this.shuffleEntries();
    if (this.resumePath !== null) this.applyResume();
    const bad = this.entries.filter((e) => e.problem);
    for (const e of bad) this.opts.log.warn(`${this.opts.mount}: skipping ${e.track.path}: ${e.problem}`);
    this.opts.log.info(`${this.opts.mount}: playlist has ${this.entries.length - bad.length} playable track${this.entries.length - bad.length === 1 ? '' : 's'}${bad.length ? ` (${bad.length} skipped)` : ''}`);
    this.changed(!this.usingFallbackFiles);
  }

  private underFolder(p: string): boolean {
    const dir = resolve(this.opts.directory);
    return resolve(p).startsWith(dir + '/') || resolve(p).startsWith(dir + '\\');
  }

  /**
   * Audio files in a folder (the music folder by default), recursively, sorted by path. Asynchronous, and it
   * yields to the event loop every few hundred entries, so a huge tree never stalls the stream; at most
   * MAX_SCAN_FILES files, 16 folders deep. Folders and files are known by their real paths: a symlink loop
   * (`music/l1 -> .`) is walked once, and a file reachable by several paths is taken once, by the first.
   */
  private async scanFolder(folder = this.opts.directory): Promise<string[]> {
    const out: string[] = [];
    const exts = new Set(this.opts.extensions.map((e) => e.toLowerCase()));
    const seenDirs = new Set<string>();
    const seenFiles = new Set<string>();
    let sinceYield = 0;
    const walk = async (dir: string, depth: number): Promise<void> => {
      let real: string;
      let entries;
      try {
        real = await realpath(dir);
        if (seenDirs.has(real)) return;
        seenDirs.add(real);
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const d of entries) {
        if (out.length >= MAX_SCAN_FILES) return;
        if (++sinceYield >= 256) {
          sinceYield = 0;
          await new Promise((r) => setImmediate(r));
        }
        if (d.name.startsWith('.')) continue;
        const p = join(dir, d.name);
        let isDir = d.isDirectory();
        let isFile = d.isFile();
        if (d.isSymbolicLink()) {
          try {
            const st = await stat(p);
            isDir = st.isDirectory();
            isFile = st.isFile();
          } catch {
            continue; // dangling, or a loop the system refuses to follow
          }
        }
        if (isDir) {
          if (depth < 16) await walk(p, depth + 1);
        } else if (isFile && exts.has(extname(d.name).toLowerCase())) {
          const realFile = d.isSymbolicLink() ? await realpath(p).catch(() => p) : join(real, d.name);
          if (seenFiles.has(realFile)) continue;
          seenFiles.add(realFile);
          out.push(p);
        }
      }
    };
    if (existsSync(folder)) await walk(resolve(folder), 0);
    if (out.length >= MAX_SCAN_FILES) this.opts.log.warn(`${this.opts.mount}: ${folder} holds more than ${MAX_SCAN_FILES} audio files; only the first ${MAX_SCAN_FILES} are taken`);
    return out.sort();
  }

  private async probeAll(paths: string[]): Promise<TrackInfo[]> {
    const out: TrackInfo[] = new Array(paths.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < paths.length) {
        const i = next++;
        try {
          out[i] = await probeTrack(paths[i]);
        } catch (e) {
          const err = e as NodeJS.ErrnoException;
          out[i] = { path: paths[i], title: '', artist: '', album: '', duration: 0, bitrate: 0, sampleRate: 0, channels: 0, codec: '', format: null, size: 0, mtimeMs: 0, problem: err.code === 'ENOENT' ? 'file not found' : `unreadable: ${err.message}` };
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    return out;
  }

  /** Adds files and folders (also from outside the music folder); returns the new entries. */
  async add(paths: string[], at?: number): Promise<PlaylistEntry[]> {
    const files: string[] = [];
    for (const p of paths.map((x) => resolve(x))) {
      let st;
      try {
        st = statSync(p);
      } catch {
        files.push(p); // probe reports it as missing
        continue;
      }
      if (st.isDirectory()) files.push(...(await this.scanFolder(p)));
      else files.push(p);
    }
    const existing = new Set(this.entries.map((e) => e.track.path));
    // adding a file (or its folder) back is what ends its exclusion
    let unexcluded = false;
    for (const f of files) unexcluded = this.excludedPaths.delete(f) || unexcluded;
    if (unexcluded) this.saveExcluded();
    const probed = await this.probeAll(files.filter((f) => !existing.has(f)));
    // another add or rescan may have listed some of these while they were probed
    const now = new Set(this.entries.map((e) => e.track.path));
    const added = probed.filter((t) => !now.has(t.path)).map((t) => this.entryFor(t));
    if (this.usingFallbackFiles && added.some((e) => !e.problem)) this.dropFallbackFiles();
    const pos = at === undefined ? this.entries.length : Math.max(0, Math.min(at, this.entries.length));
    this.entries.splice(pos, 0, ...added);
    if (pos <= this.cursor) this.cursor += added.length;
    for (const e of added) if (e.problem) this.opts.log.warn(`${this.opts.mount}: added ${e.track.path}, which cannot play: ${e.problem}`);
    this.changed();
    return added;
  }

  private dropFallbackFiles(): void {
    const cur = this.current;
    this.entries = this.entries.filter((e) => !e.fallback);
    this.cursor = cur ? this.entries.indexOf(cur) : -1;
    this.usingFallbackFiles = false;
  }

  /**
   * Removes entries from this playlist and remembers their files as excluded, so no rescan, restart or
   * folder change brings them back until they are added again. The files stay on disk.
   */
  remove(ids: number[]): number {
    const drop = new Set(ids);
    const leaving = this.entries.filter((e) => drop.has(e.id));
    for (const e of leaving) {
      this.excludedPaths.delete(e.track.path); // re-inserted: newest last
      this.excludedPaths.set(e.track.path, { path: e.track.path, title: displayTitle(e.track), duration: e.track.duration });
    }
    while (this.excludedPaths.size > MAX_EXCLUDED) this.excludedPaths.delete(this.excludedPaths.keys().next().value!);
    if (leaving.length) this.saveExcluded();
    return this.drop(ids);
  }

  /**
   * Deletes a track's file from the music folder: refused for anything this playlist does not list (or
   * exclude), and for anything not inside the music folder, symlinked folders included. A symlinked file
   * inside the folder loses the link only. The file leaves the playlist and the exclusions.
   */
  deleteFile(path: string): void {
    const p = resolve(path);
    const entry = this.entries.find((e) => e.track.path === p);
    if (!entry && !this.excludedPaths.has(p)) throw new Error(`${p} is not in the playlist of ${this.opts.mount}`);
    if (!this.insideMusicFolder(p)) throw new Error(`${p} is not inside the music folder ${this.opts.directory}; only files there can be deleted`);
    let st;
    try {
      st = lstatSync(p);
    } catch (e) {
      throw new Error(`cannot delete ${p}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'it is already gone' : (e as Error).message}`);
    }
    if (!st.isFile() && !st.isSymbolicLink()) throw new Error(`${p} is not a file`);
    unlinkSync(p);
    this.opts.log.info(`${this.opts.mount}: deleted ${p} from the music folder`);
    if (this.excludedPaths.delete(p)) this.saveExcluded();
    if (entry) this.drop([entry.id]);
    else this.changed(false);
  }

  /** True when `p`'s folder, with every symlink resolved, lies inside the music folder (also resolved). */
  private insideMusicFolder(p: string): boolean {
    try {
      const root = realpathSync(this.opts.directory);
      const parent = realpathSync(dirname(p));
      return parent === root || parent.startsWith(root + sep);
    } catch {
      return false;
    }
  }

  /** Takes entries out without excluding their files (they are gone from disk). */
  private drop(ids: number[]): number {
    const drop = new Set(ids);
    const before = this.entries.length;
    // the cursor ends on the last surviving entry at or before it, so the next track is still the one
    // that followed the current one
    let kept = 0;
    for (let i = 0; i <= this.cursor && i < before; i++) if (!drop.has(this.entries[i].id)) kept++;
    this.entries = this.entries.filter((e) => !drop.has(e.id));
    this.cursor = this.cursor < 0 ? -1 : kept - 1;
    const n = before - this.entries.length;
    if (n) this.changed();
    return n;
  }

  /** Moves an entry so that it ends up at index `to`. */
  move(id: number, to: number): boolean {
    const from = this.entries.findIndex((e) => e.id === id);
    if (from < 0) return false;
    const cur = this.current;
    const [e] = this.entries.splice(from, 1);
    this.entries.splice(Math.max(0, Math.min(to, this.entries.length)), 0, e);
    this.cursor = cur ? this.entries.indexOf(cur) : -1;
    this.changed();
    return true;
  }

  private shuffleEntries(): void {
    const rnd = this.opts.random ?? Math.random;
    const cur = this.current;
    for (let i = this.entries.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [this.entries[i], this.entries[j]] = [this.entries[j], this.entries[i]];
    }
    // the track on air goes first, so everything else is still to come
    if (cur) {
      this.entries.splice(this.entries.indexOf(cur), 1);
      this.entries.unshift(cur);
      this.cursor = 0;
    }
  }

  /** Shuffles the list once, now. */
  shuffleNow(): void {
    this.shuffleEntries();
    this.changed();
  }

  setShuffleEachPass(eachPass: boolean): void {
    this.opts.shuffleEachPass = eachPass;
    this.changed(false);
  }

  setRepeat(repeat: boolean): void {
    this.opts.repeat = repeat;
    this.changed(false);
  }

  /** Moves this entry right after the track on air, so it plays next (the list shows the real order). */
  playNext(id: number): boolean {
    const e = this.byId(id);
    if (!e || e.problem) return false;
    const from = this.entries.indexOf(e);
    if (from === this.cursor) return false;
    return this.move(id, from < this.cursor ? this.cursor : this.cursor + 1);
  }

  /**
   * The next track is the one after `path` (the track on air when the station last stopped), not the top of
   * the list. Before the playlist has loaded it waits for the load; once a track has played it does nothing.
   */
  resumeAfter(path: string): void {
    this.resumePath = path;
    if (this.entries.length) this.applyResume();
  }

  private applyResume(): void {
    const path = this.resumePath;
    this.resumePath = null;
    if (this.cursor >= 0 || path === null) return;
    const i = this.entries.findIndex((e) => e.track.path === path);
    if (i < 0) return;
    this.cursor = i;
    this.opts.log.info(`${this.opts.mount}: AutoDJ continues after ${displayTitle(this.entries[i].track) || path}, which was on air when the station stopped`);
  }

  /** Advances to the next playable entry; null when there is none (or the list ended without repeat). */
  advance(): PlaylistEntry | null {
    const n = this.entries.length;
    for (let step = 1; step <= n + 1; step++) {
      let idx = this.cursor + 1;
      if (idx >= n) {
        if (!this.opts.repeat || n === 0) {
          // stay on the last entry: a track added later is the next one
          this.cursor = n - 1;
          return null;
        }
        if (this.opts.shuffleEachPass) {
          this.cursor = -1;
          this.shuffleEntries();
          this.save();
        }
        idx = 0;
      }
      this.cursor = idx;
      if (!this.entries[idx].problem) {
        this.emit('change');
        return this.entries[idx];
      }
    }
    return null;
  }

  /** Marks an entry unplayable (it failed while playing: vanished, corrupt) so it is skipped until a rescan. */
  markBroken(id: number, why: string): void {
    const e = this.byId(id);
    if (!e) return;
    e.problem = why;
    this.changed(false);
  }

  /** Rereads the music folder: new files are appended, deleted ones dropped, changed ones probed again. */
  rescan(): Promise<{ added: number; removed: number }> {
    // one at a time: two rescans reading the folder at once would both add what is new
    const run = this.rescanning.then(() => this.rescanNow());
    this.rescanning = run.catch(() => undefined);
    return run;
  }

  private rescanning: Promise<unknown> = Promise.resolve();

  private async rescanNow(): Promise<{ added: number; removed: number }> {
    if (!existsSync(this.opts.directory)) {
      this.folderGone();
      return { added: 0, removed: 0 };
    }
    const inFolder = await this.scanFolder();
    const folderSet = new Set(inFolder);
    const known = new Set(this.entries.map((e) => e.track.path));
    const gone = this.entries.filter((e) => (this.underFolder(e.track.path) && !folderSet.has(e.track.path)) || !existsSync(e.track.path));
    for (const e of gone) this.opts.log.info(`${this.opts.mount}: ${e.track.path} is gone from disk; removed from the playlist`);
    const removed = gone.length ? this.drop(gone.map((e) => e.id)) : 0;
    const fresh = inFolder.filter((p) => !known.has(p) && !this.excludedPaths.has(p));
    const added = fresh.length ? (await this.add(fresh)).length : 0;
    // files replaced in place (same name, new content) are probed again
    for (const e of this.entries) {
      try {
        const st = statSync(e.track.path);
        if (st.size !== e.track.size || st.mtimeMs !== e.track.mtimeMs) {
          e.track = await probeTrack(e.track.path);
          e.problem = this.problemOf(e.track);
        } else if (e.problem && !e.track.problem && e.track.format === this.opts.format) e.problem = null;
      } catch {
        // vanished between the scan and now: the next rescan drops it
      }
    }
    if (added || removed) this.opts.log.info(`${this.opts.mount}: music folder changed: ${added} added, ${removed} removed`);
    this.changed(added > 0 || removed > 0);
    return { added, removed };
  }

  /**
   * The music folder itself is gone. Its tracks stay listed (marked) and the saved playlist is left alone,
   * so a drive that is unmounted and mounted again, or a folder restored, brings back the DJ's order.
   */
  private folderGone(): void {
    if (this.returnPoll || this.closed) return;
    const dir = this.opts.directory;
    this.opts.log.warn(`${this.opts.mount}: the music folder ${dir} is gone; its tracks stay in the playlist and play again when it is back`);
    this.watcher?.close();
    this.watcher = null;
    for (const e of this.entries) if (this.underFolder(e.track.path)) e.problem = 'the music folder is gone';
    this.changed(false);
    this.returnPoll = setInterval(() => {
      if (!existsSync(dir)) return;
      clearInterval(this.returnPoll!);
      this.returnPoll = null;
      this.opts.log.info(`${this.opts.mount}: the music folder ${dir} is back`);
      this.watchFolder();
      this.rescan().catch((e) => this.opts.log.warn(`${this.opts.mount}: rescan failed: ${(e as Error).message}`));
    }, FOLDER_POLL_MS);
    this.returnPoll.unref();
  }

  /** Watches the music folder and rescans (debounced) when it changes. */
  watchFolder(): void {
    if (this.watcher || this.closed) return;
    if (!existsSync(this.opts.directory)) return this.folderGone();
    try {
      this.watcher = watch(this.opts.directory, { recursive: true }, () => {
        if (this.rescanTimer) clearTimeout(this.rescanTimer);
        this.rescanTimer = setTimeout(() => {
          this.rescanTimer = null;
          this.rescan().catch((e) => this.opts.log.warn(`${this.opts.mount}: rescan failed: ${(e as Error).message}`));
        }, 500);
      });
      this.watcher.on('error', (e) => this.opts.log.warn(`${this.opts.mount}: cannot watch ${this.opts.directory}: ${e.message}`));
    } catch (e) {
      this.opts.log.warn(`${this.opts.mount}: cannot watch ${this.opts.directory}: ${(e as Error).message}`);
    }
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    this.watcher = null;
    if (this.rescanTimer) clearTimeout(this.rescanTimer);
    if (this.returnPoll) clearInterval(this.returnPoll);
    this.returnPoll = null;
  }

  save(): void {
    const entries = this.entries
      .filter((e) => !e.fallback)
      .map((e) => ({ path: e.track.path, duration: e.track.duration || -1, title: displayTitle(e.track) }));
    try {
      writeFileAtomic(this.opts.file, serializeM3u8(entries, dirname(this.opts.file)));
    } catch (e) {
      if (!this.saveWarned) this.opts.log.warn(`${this.opts.mount}: cannot save the playlist to ${this.opts.file}: ${(e as Error).message}`);
      this.saveWarned = true;
    }
  }

  private loadExcluded(): void {
    this.excludedPaths.clear();
    const file = excludedFileOf(this.opts.file);
    if (!existsSync(file)) return;
    try {
      for (const e of readM3u8(file).slice(-MAX_EXCLUDED)) this.excludedPaths.set(e.path, { path: e.path, title: e.title, duration: e.duration });
    } catch (e) {
      this.opts.log.warn(`${this.opts.mount}: the removed-tracks list ${file} could not be read (${(e as Error).message}); removed tracks may come back`);
    }
  }

  private saveExcluded(): void {
    const file = excludedFileOf(this.opts.file);
    try {
      writeFileAtomic(file, serializeM3u8(this.excluded, dirname(this.opts.file)));
    } catch (e) {
      this.opts.log.warn(`${this.opts.mount}: cannot save the removed-tracks list to ${file}: ${(e as Error).message}`);
    }
  }
}
