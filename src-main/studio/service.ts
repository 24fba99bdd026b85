// StudioService: the one implementation of the StudioApi over the engine. Transports (Electron IPC, HTTP +
// server-sent events) only carry its calls and events.

import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { checkConfigText, MAX_CONFIG_CHARS, type ConfigChecker } from '../config/load.js';
import { applyHclEdits, hasHclBlock } from '../../src-shared/config/hcl-edit.js';
import { AUDIO_EXTENSIONS, SERVER_NAME, SERVER_VERSION, writeFileAtomic, type Engine, type LogEntry, type Mount } from '../engine/index.js';
import type {
  ConfigApplyResult, ConfigChange, ConfigCheckResult, ConfigDocument, ConnectionInfo, DirectoryListing, KickResult, LinksView, RecordingsView,
  ServerView, StudioCommands, StudioEvent, StudioSnapshot, StatsRange, StatsReport,
} from '../../src-shared/studio-api.js';
import { STATS_RANGES } from '../../src-shared/studio-api.js';
import { listenerView, mountView, playlistView } from './views.js';
import { lanAddresses } from '../host.js';
import type { Recorder, RecorderProblem } from '../recording/recorder.js';

const GRAPH_EVERY_MS = 10_000;
const GRAPH_POINTS = 360; // one hour

export class StudioError extends Error {}

/** Where the Stats view's numbers come from: the station memory (src-main/memory), when the station has one. */
export interface StatsSource {
  report(range: StatsRange, mount: string | null): StatsReport;
  /** [time, listeners] samples of a mount over the last `ms`, oldest first */
  listenerGraph(mount: string, ms: number): [number, number][];
}

/** A short fingerprint of config text, so a save can tell whether the file changed underneath it. */
function versionOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export class StudioService implements StudioCommands {
  private readonly subs = new Set<(e: StudioEvent) => void>();
  private readonly graphs = new Map<string, [number, number][]>();
  private timers: NodeJS.Timeout[] = [];
  private mountsTimer: NodeJS.Timeout | null = null;
  private readonly playlistTimers = new Map<string, NodeJS.Timeout>();
  private unsubscribeLog: (() => void) | null = null;
  private readonly engineHandlers: [string, (...a: never[]) => void][] = [];
  private statsSource: StatsSource | null = null;
  /** mounts whose source the studio just kicked, and the ban it got: its hang-up is told as a kick */
  private readonly kicked = new Map<string, number>();

  constructor(
    readonly engine: Engine,
    readonly configPath: string,
    private readonly desktop = false,
    /** where config text is checked (default: the shared checker, in its own process) */
    private readonly configChecker?: ConfigChecker,
  ) {}

  start(): void {
    const e = this.engine;
    const on = (name: string, fn: (...a: never[]) => void): void => {
      e.on(name as 'title', fn as () => void);
      this.engineHandlers.push([name, fn]);
    };
    on('title', () => this.mountsChanged());
    on('source-connect', (m: Mount) => {
      this.mountsChanged();
      this.emit({ type: 'notice', level: 'info', message: `Live: a source connected to ${m.path}${m.source?.description.name ? ` ("${m.source.description.name}")` : ''}` });
    });
    on('source-disconnect', (m: Mount, reason: string) => {
      this.mountsChanged();
      const ban = this.kicked.get(m.path);
      this.kicked.delete(m.path);
      const message = ban === undefined ? `The source on ${m.path} left (${reason})` : `The DJ on ${m.path} was kicked${ban ? `, banned for ${ban} s` : ''}`;
      this.emit({ type: 'notice', level: 'warn', message });
    });
    on('autodj-state', () => this.mountsChanged());
    on('listener-connect', (_m: Mount, l) => {
      this.mountsChanged();
      this.emit({ type: 'listener-join', listener: listenerView(l) });
    });
    on('listener-disconnect', (_m: Mount, l) => {
      this.mountsChanged();
      this.emit({ type: 'listener-leave', id: (l as { id: number }).id });
    });
    on('playlist-change', (m: Mount) => this.playlistChanged(m.path));
    this.unsubscribeLog = e.log.subscribe((line: LogEntry) => this.emit({ type: 'log', line }));
    this.sampleGraphs();
    this.timers.push(setInterval(() => this.sampleGraphs(), GRAPH_EVERY_MS));
    this.timers.push(
      setInterval(() => {
        if (!this.subs.size) return;
        const bytes: [number, number][] = [];
        for (const m of e.mounts.values()) for (const l of m.broadcaster.audience()) bytes.push([l.id, l.bytesSent]);
        if (bytes.length) this.emit({ type: 'listener-bytes', bytes });
      }, 2000),
    );
    for (const t of this.timers) t.unref();
  }

  /**
   * Takes the station memory: the Stats view reads it, and each mount's hour graph starts from the samples
   * it kept (a restart no longer empties the graph). Call before start().
   */
  useStatsSource(source: StatsSource): void {
    this.statsSource = source;
    for (const m of this.engine.mounts.values()) {
      const g = this.graphs.get(m.path) ?? [];
      const first = g.length ? g[0][0] : Infinity;
      this.graphs.set(m.path, [...source.listenerGraph(m.path, GRAPH_POINTS * GRAPH_EVERY_MS).filter((p) => p[0] < first), ...g].slice(-GRAPH_POINTS));
    }
  }

  async stats(range: StatsRange, mount: string | null): Promise<StatsReport> {
    if (!STATS_RANGES.includes(range)) throw new StudioError(`range must be one of ${STATS_RANGES.join(', ')}, got ${JSON.stringify(String(range).slice(0, 40))}`);
    if (!this.statsSource) throw new StudioError('listener statistics are not available (the station memory is not open)');
    return this.statsSource.report(range, mount);
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.mountsTimer) clearTimeout(this.mountsTimer);
    for (const t of this.playlistTimers.values()) clearTimeout(t);
    this.unsubscribeLog?.();
    this.recorder?.off('problem', this.onRecorderProblem);
    for (const [name, fn] of this.engineHandlers) this.engine.off(name as 'title', fn as () => void);
    this.subs.clear();
  }

  subscribe(fn: (e: StudioEvent) => void): () => void {
    this.subs.add(fn);
    return () => this.subs.delete(fn);
  }

  get subscriberCount(): number {
    return this.subs.size;
  }

  private emit(e: StudioEvent): void {
    for (const s of this.subs) {
      try {
        s(e);
      } catch {
        // a broken subscriber must not stop the others
      }
    }
  }

  /** Mount views go out at most four times a second, however busy the engine is. */
  private mountsChanged(): void {
    if (this.mountsTimer) return;
    this.mountsTimer = setTimeout(() => {
      this.mountsTimer = null;
      this.emit({ type: 'mounts', mounts: this.mountViews() });
    }, 250);
  }

  private playlistChanged(path: string): void {
    if (this.playlistTimers.has(path)) return;
    this.playlistTimers.set(
      path,
      setTimeout(() => {
        this.playlistTimers.delete(path);
        const p = this.engine.playlistOf(path);
        if (p) this.emit({ type: 'playlist', playlist: this.playlistViewOf(path) });
        this.mountsChanged();
      }, 250),
    );
  }

  private sampleGraphs(): void {
    const now = Date.now();
    for (const m of this.engine.mounts.values()) {
      let g = this.graphs.get(m.path);
      if (!g) this.graphs.set(m.path, (g = []));
      g.push([now, m.broadcaster.count]);
      if (g.length > GRAPH_POINTS) g.splice(0, g.length - GRAPH_POINTS);
    }
  }

  private mountViews() {
    return [...this.engine.mounts.values()].map((m) => mountView(this.engine, m, this.graphs.get(m.path) ?? []));
  }

  private playlistViewOf(path: string) {
    const p = this.engine.playlistOf(path)!;
    const v = playlistView(path, p);
    v.currentId = this.engine.feederOf(path)?.nowPlaying?.entry.id ?? null;
    return v;
  }

  private serverView(): ServerView {
    const e = this.engine;
    return {
      name: SERVER_NAME,
      version: SERVER_VERSION,
      stationName: e.config.metadata.station_name,
      startedAt: e.startedAt,
      host: e.config.server.host,
      ports: { ...e.ports },
      configPath: this.configPath,
      desktop: this.desktop,
      kickBanSeconds: e.config.advanced.kick_ban,
    };
  }

  private playlistOrThrow(mount: string) {
    const p = this.engine.playlistOf(mount);
    if (!p) throw new StudioError(`${mount} has no AutoDJ playlist`);
    return p;
  }

  async snapshot(): Promise<StudioSnapshot> {
    const e = this.engine;
    return {
      server: this.serverView(),
      mounts: this.mountViews(),
      listeners: [...e.mounts.values()].flatMap((m) => m.broadcaster.audience().map(listenerView)),
      playlists: [...e.mounts.values()].filter((m) => e.playlistOf(m.path)).map((m) => this.playlistViewOf(m.path)),
      log: e.log.recent().slice(-500),
    };
  }

  async skip(mount: string): Promise<boolean> {
    return this.engine.skip(mount);
  }

  async links(): Promise<LinksView> {
    return this.engine.links.reports();
  }

  /**
   * Switches an output on or off for good: `enabled` is written into its block of config.hcl (comments kept)
   * and applied, as a settings save would. Refused when the file has no such block (someone removed it).
   */
  setOutputEnabled(id: string, on: boolean): Promise<ConfigApplyResult> {
    return this.editConfigFile((text) => {
      let present: boolean;
      try {
        present = hasHclBlock(text, 'output', id);
      } catch (e) {
        throw new StudioError(`${basename(this.configPath)} cannot be read (${(e as Error).message}); fix it in the Config view first`);
      }
      if (!present) throw new StudioError(`there is no output ${JSON.stringify(id.slice(0, 80))} in ${basename(this.configPath)}`);
      return applyHclEdits(text, [{ block: 'output', label: id, key: 'enabled', value: on }]);
    }).then((r) => {
      if (r.saved) this.engine.log.info(`output "${id}" switched ${on ? 'on' : 'off'} in the studio (saved in ${basename(this.configPath)})`);
      return r;
    });
  }

  /** Reads config.hcl, edits it and saves and applies the result, in the save queue (no save can slip between). */
  private editConfigFile(edit: (text: string) => string): Promise<ConfigApplyResult> {
    const run = this.saving.then(() => this.saveNow(edit(readFileSync(this.configPath, 'utf8')), true));
    this.saving = run.catch(() => undefined);
    return run;
  }

  async kickSource(mount: string): Promise<KickResult> {
    const banSeconds = this.engine.config.advanced.kick_ban;
    const kicked = this.engine.kickSource(mount, banSeconds);
    if (kicked) this.kicked.set(mount, banSeconds);
    return { kicked, banSeconds: kicked ? banSeconds : 0 };
  }

  async kickListener(id: number): Promise<KickResult> {
    const banSeconds = this.engine.config.advanced.kick_ban;
    const kicked = this.engine.kickListener(id, banSeconds);
    if (kicked) this.engine.log.info(`listener #${id} kicked from the studio${banSeconds > 0 ? `; it may not tune in again for ${banSeconds}s` : ''}`);
    return { kicked, banSeconds: kicked ? banSeconds : 0 };
  }

  async playlistAdd(mount: string, paths: string[], at?: number): Promise<number> {
    // a path with a line break would become two lines of the M3U8 file
    const bad = paths.find((p) => /[\u0000-\u001f\u007f]/.test(p) || !p.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(p));
    if (bad !== undefined) throw new StudioError(`not an absolute file path: ${JSON.stringify(bad.slice(0, 200))}`);
    return (await this.playlistOrThrow(mount).add(paths, at)).length;
  }

  async playlistRemove(mount: string, ids: number[]): Promise<number> {
    return this.playlistOrThrow(mount).remove(ids);
  }

  async playlistDeleteFile(mount: string, path: string): Promise<void> {
    try {
      this.playlistOrThrow(mount).deleteFile(path);
    } catch (e) {
      throw new StudioError((e as Error).message);
    }
  }

  async playlistMove(mount: string, id: number, to: number): Promise<boolean> {
    return this.playlistOrThrow(mount).move(id, to);
  }

  async playlistPlayNext(mount: string, id: number): Promise<boolean> {
    return this.playlistOrThrow(mount).playNext(id);
  }

  async playlistShuffle(mount: string): Promise<void> {
    this.playlistOrThrow(mount).shuffleNow();
  }

  async playlistSetShuffle(mount: string, on: boolean): Promise<void> {
    this.playlistOrThrow(mount).setShuffleEachPass(on);
  }

  async playlistSetRepeat(mount: string, on: boolean): Promise<void> {
    this.playlistOrThrow(mount).setRepeat(on);
  }

  async playlistRescan(mount: string): Promise<{ added: number; removed: number }> {
    return this.playlistOrThrow(mount).rescan();
  }

  /** The music folder to start browsing from: the main mount's. */
  musicFolder(mount?: string): string {
    const p = this.engine.playlistOf(mount ?? this.engine.config.server.mount_point);
    return p?.opts.directory ?? resolve(this.engine.baseDir, this.engine.config.playlist.directory);
  }

  /**
   * The folders the server-disk picker may show: every mount's music folder, then playlist.allowed_folders
   * ("~" is the home folder; relative to config.hcl), each resolved through symlinks; missing ones left out.
   */
  allowedFolders(): string[] {
    const e = this.engine;
    const music = e.config.mounts.filter((m) => m.playlist_enabled).map((m) => e.playlistOf(m.path)?.opts.directory ?? resolve(e.baseDir, m.playlist_directory));
    const extra = e.config.playlist.allowed_folders.map((f) => (f === '~' || f.startsWith('~/') ? join(homedir(), f.slice(1)) : resolve(e.baseDir, f)));
    const out: string[] = [];
    for (const f of [this.musicFolder(), ...music, ...extra]) {
      let real: string;
      try {
        real = realpathSync(f);
        if (!statSync(real).isDirectory()) continue;
      } catch {
        continue;
      }
      if (!out.includes(real)) out.push(real);
    }
    return out;
  }

  async listDirectory(path: string | null): Promise<DirectoryListing> {
    const roots = this.allowedFolders();
    if (!roots.length) throw new StudioError('no folder to browse: the music folder does not exist yet, and playlist.allowed_folders names none that does');
    let dir: string;
    try {
      // resolved through symlinks, so a link inside an allowed folder cannot lead out of it
      dir = realpathSync(resolve(path ?? roots[0]));
    } catch {
      throw new StudioError(`${path} is not a folder`);
    }
    const root = roots.find((r) => dir === r || dir.startsWith(r.endsWith(sep) ? r : r + sep));
    if (root === undefined) throw new StudioError(`${dir} is outside the folders the studio may browse (the music folder and playlist.allowed_folders)`);
    if (!statSync(dir).isDirectory()) throw new StudioError(`${dir} is not a folder`);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (e) {
      throw new StudioError(`cannot read ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const entries: DirectoryListing['entries'] = [];
    for (const name of names.sort((a, b) => a.localeCompare(b))) {
      if (name.startsWith('.') || entries.length >= 5000) continue;
      const p = join(dir, name);
      try {
        const st = statSync(p);
        if (st.isDirectory()) entries.push({ name, path: p, kind: 'dir' });
        else if (st.isFile() && Object.hasOwn(AUDIO_EXTENSIONS, extname(name).toLowerCase())) entries.push({ name, path: p, kind: 'audio' });
      } catch {
        // unreadable entries are left out
      }
    }
    entries.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'dir' ? -1 : 1));
    return { path: dir, parent: dir === root ? null : dirname(dir), roots, entries };
  }

  async connectionInfo(): Promise<ConnectionInfo> {
    const c = this.engine.config;
    const lan = lanAddresses();
    const local = c.server.host === '0.0.0.0' || c.server.host === '::' ? [...lan, '127.0.0.1'] : [c.server.host];
    return {
      addresses: local,
      sourcePort: this.engine.ports.source,
      shoutcastPort: this.engine.ports.shoutcast,
      listenPort: this.engine.ports.listen,
      mount: c.server.mount_point,
      user: c.server.source_user || 'source',
      password: c.server.source_password,
      adminUser: c.admin.user,
      adminPassword: this.engine.access.adminPassword(),
      weakPassword: c.server.source_password === 'hackme',
    };
  }

  async configRead(): Promise<ConfigDocument> {
    const text = readFileSync(this.configPath, 'utf8');
    return { path: this.configPath, text, version: versionOf(text) };
  }

  async configCheck(text: string): Promise<ConfigCheckResult & { changes: ConfigChange[] }> {
    if (text.length > MAX_CONFIG_CHARS) throw new StudioError(`the config is larger than ${MAX_CONFIG_CHARS} characters`);
    const r = await checkConfigText(text, this.configChecker);
    return { ok: r.config !== null, errors: r.errors, notices: r.notices, changes: r.config ? this.engine.planConfig(r.config) : [] };
  }

  private saving: Promise<unknown> = Promise.resolve();

  /**
   * Saves config text: refused (nothing written) when invalid or too large. With `apply`, the running engine
   * takes it first, and the file is written only if that worked. The previous file is kept as NAME.bak and
   * the new one written atomically (through a symlink, to its target). Saves run one at a time.
   */
  configSave(text: string, apply: boolean, version?: string): Promise<ConfigApplyResult> {
    const run = this.saving.then(() => this.saveNow(text, apply, version));
    this.saving = run.catch(() => undefined);
    return run;
  }

  private async saveNow(text: string, apply: boolean, version?: string): Promise<ConfigApplyResult> {
    const refused = (message: string): ConfigApplyResult => ({ ok: false, errors: [{ severity: 'error', path: '', message }], notices: [], saved: false, applied: false, changes: [] });
    if (text.length > MAX_CONFIG_CHARS) return refused(`the config is larger than ${MAX_CONFIG_CHARS} characters`);
    if (version !== undefined && existsSync(this.configPath) && versionOf(readFileSync(this.configPath, 'utf8')) !== version) {
      return { ...refused(`${basename(this.configPath)} was changed on disk (or in another window) since you opened it; nothing was written. Revert to load it, then make your change again.`), stale: true };
    }
    const r = await checkConfigText(text, this.configChecker);
    if (!r.config) return { ok: false, errors: r.errors, notices: r.notices, saved: false, applied: false, changes: [] };
    let changes = this.engine.planConfig(r.config);
    if (apply) {
      try {
        changes = await this.engine.applyConfig(r.config);
      } catch (e) {
        return refused(`not applied, and not saved: ${(e as Error).message}`);
      }
    }
    const target = existsSync(this.configPath) ? realpathSync(this.configPath) : this.configPath;
    let mode = 0o600;
    if (existsSync(target)) {
      mode = statSync(target).mode & 0o777;
      copyFileSync(target, `${target}.bak`);
    }
    writeFileAtomic(target, text, mode);
    this.engine.log.info(`config saved to ${target} (previous version in ${basename(target)}.bak)${apply ? ' and applied' : ''}`);
    if (apply) {
      this.emit({ type: 'server', server: this.serverView() });
      this.mountsChanged();
    }
    return { ok: true, errors: [], notices: r.notices, saved: true, applied: apply, changes };
  }

  private recorder: Recorder | null = null;
  private readonly onRecorderProblem = (p: RecorderProblem): void => {
    this.emit({ type: 'notice', level: 'warn', message: `Recording of ${p.mount} stopped: ${p.message}. The stream goes on.` });
  };

  /** Gives the studio the recorder (the composition root makes both); its problems become notices. */
  attachRecorder(r: Recorder): void {
    this.recorder?.off('problem', this.onRecorderProblem);
    this.recorder = r;
    r.on('problem', this.onRecorderProblem);
  }

  private recorderOrThrow(): Recorder {
    if (!this.recorder) throw new StudioError('recording is not available in this studio');
    return this.recorder;
  }

  async recordingsList(): Promise<RecordingsView> {
    return this.recorderOrThrow().list();
  }

  async recordingDelete(id: string): Promise<boolean> {
    try {
      return await this.recorderOrThrow().delete(id);
    } catch (e) {
      throw new StudioError((e as Error).message);
    }
  }

  async recordingToPlaylist(id: string, mount: string): Promise<number> {
    const e = await this.recorderOrThrow().find(id);
    if (!e) throw new StudioError(`no recording ${JSON.stringify(id.slice(0, 200))}`);
    const m = this.engine.mounts.get(mount);
    if (m && m.format !== e.sidecar.format) throw new StudioError(`${e.id} is ${e.sidecar.format}; ${mount} plays ${m.format}`);
    return (await this.playlistOrThrow(mount).add([e.audioPath])).length;
  }

  /** A recording's audio file for the web adapter; null if there is no such recording. */
  async recordingFile(id: string): Promise<{ path: string; contentType: string } | null> {
    return this.recorder ? this.recorder.file(id) : null;
  }
}
