// The recorder: listens to the engine and turns every live show on a recorded mount into one file (see
// ShowWriter), keeps the folder within record.max_total_mb and record.keep_days, and finishes the sidecars
// of shows a crash interrupted. It reads engine.config.record at each show's start, so an applied config
// takes effect from the next show. The engine knows nothing of it: it only sets a mount's liveTap.

import { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Engine, Logger, Mount } from '../engine/index.js';
import type { RecordingsView, RecordingView } from '../../src-shared/studio-api.js';
import { deleteRecording, planRetention, readRecording, recoverInterrupted, scanRecordings, type RecordingEntry } from './library.js';
import { ShowWriter } from './show-writer.js';
import type { Sidecar } from './sidecar.js';

export interface RecorderOptions {
  engine: Engine;
  /** folder record.folder is relative to (config.hcl's); default: the engine's */
  baseDir?: string;
  log?: Logger;
  /** audio that may wait for the disk before a show stops recording (default 16 MB, minutes of audio) */
  maxQueueBytes?: number;
  /** longest time audio waits in memory before it is written, ms (default 1000) */
  flushMs?: number;
}

export interface RecorderProblem {
  time: number;
  mount: string;
  message: string;
}

export interface RecorderEvents {
  /** a show stopped recording on its own (disk full, folder gone, disk too slow) */
  problem: [p: RecorderProblem];
  /** a recording began, ended, or was deleted */
  change: [];
}

const RETENTION_EVERY_MS = 3_600_000;
const PROBLEMS_KEPT = 20;
const CONTENT_TYPES: Record<string, string> = { '.mp3': 'audio/mpeg', '.ogg': 'audio/ogg', '.opus': 'audio/ogg; codecs=opus', '.aac': 'audio/aac' };

export class Recorder extends EventEmitter<RecorderEvents> {
  private readonly engine: Engine;
  private readonly baseDir: string;
  private readonly log: Logger;
  private readonly maxQueueBytes: number;
  private readonly flushMs: number;
  private readonly shows = new Map<Mount, ShowWriter>();
  readonly problems: RecorderProblem[] = [];
  private readonly timer: NodeJS.Timeout;
  private housekeeping: Promise<void> = Promise.resolve();
  private closed = false;
  /** the start-up pass (interrupted shows finished, retention applied) */
  readonly ready: Promise<void>;

  private readonly onConnect = (m: Mount): void => this.showBegins(m);
  private readonly onDisconnect = (m: Mount): void => this.showEnds(m);
  private readonly onTitle = (m: Mount): void => {
    if (m.titleOrigin === 'live') this.shows.get(m)?.addTitle(m.title);
  };

  constructor(opts: RecorderOptions) {
    super();
    this.engine = opts.engine;
    this.baseDir = opts.baseDir ?? opts.engine.baseDir;
    this.log = opts.log ?? opts.engine.log;
    this.maxQueueBytes = opts.maxQueueBytes ?? 16 * 1024 * 1024;
    this.flushMs = opts.flushMs ?? 1000;
    this.engine.on('source-connect', this.onConnect);
    this.engine.on('source-disconnect', this.onDisconnect);
    this.engine.on('title', this.onTitle);
    this.timer = setInterval(() => void this.applyRetention(), RETENTION_EVERY_MS);
    this.timer.unref();
    this.ready = this.serially(() => this.startUp());
  }

  get folder(): string {
    return resolve(this.baseDir, this.engine.config.record.folder);
  }

  private recorded(m: Mount): boolean {
    const r = this.engine.config.record;
    return r.enabled && r.mounts.includes(m.path);
  }

  /** Housekeeping (recovery, retention, deletes) runs one job at a time. */
  private serially(job: () => Promise<void>): Promise<void> {
    const run = this.housekeeping.then(job).catch((e) => this.log.error(`recordings: ${(e as Error).message}`));
    this.housekeeping = run;
    return run;
  }

  private showBegins(m: Mount): void {
    if (this.closed || !this.recorded(m) || !m.source) return;
    this.shows.get(m)?.end();
    const s = m.source;
    const d = m.description;
    const folder = this.folder;
    const w = new ShowWriter(
      {
        mount: m.path,
        name: d.name || m.path,
        description: d.description,
        genre: d.genre,
        url: d.url,
        source: { ip: s.ip, userAgent: s.userAgent, protocol: s.protocol },
        format: m.format,
        contentType: m.contentType,
        codec: '',
        startedAt: s.connectedAt,
      },
      () => m.framer.info?.codec ?? '',
      { folder, maxQueueBytes: this.maxQueueBytes, flushMs: this.flushMs, prepare: () => mkdir(folder, { recursive: true }).then(() => undefined), onProblem: (_w, message) => this.problem(m, message) },
    );
    this.shows.set(m, w);
    m.liveTap = w.onFrames;
    this.log.info(`recording the live show on ${m.path} into ${folder}`);
    this.emit('change');
  }

  private showEnds(m: Mount): void {
    const w = this.shows.get(m);
    if (!w) return;
    this.shows.delete(m);
    if (m.liveTap === w.onFrames) m.liveTap = null;
    void w.end().then(() => {
      if (w.file && !w.problem) this.log.info(`recording of ${m.path} finished: ${w.file} (${formatSeconds(w.seconds)}, ${(w.bytes / 1048576).toFixed(1)} MB, ${w.titles.length} titles)`);
      this.emit('change');
      return this.applyRetention();
    });
  }

  /** A show stopped recording on its own: the tap goes at once (nothing more is queued), the stream goes on. */
  private problem(m: Mount, message: string): void {
    const w = this.shows.get(m);
    if (w && m.liveTap === w.onFrames) m.liveTap = null;
    this.shows.delete(m);
    const p = { time: Date.now(), mount: m.path, message };
    this.problems.unshift(p);
    if (this.problems.length > PROBLEMS_KEPT) this.problems.length = PROBLEMS_KEPT;
    this.log.warn(`recording of ${m.path} stopped: ${message}; the stream goes on${w?.file ? ` (${w.file} keeps what was written)` : ''}`);
    this.emit('problem', p);
    this.emit('change');
  }

  private async startUp(): Promise<void> {
    const active = this.activeIds();
    for (const e of await scanRecordings(this.folder)) {
      if (e.sidecar.state !== 'recording' || active.has(e.id)) continue;
      const sc = await recoverInterrupted(e);
      this.log.warn(`recordings: ${e.id} was not finished (the server stopped while recording); it keeps ${formatSeconds(sc.duration)} of audio`);
    }
    await this.retentionPass();
  }

  private activeIds(): Set<string> {
    const ids = new Set<string>();
    for (const w of this.shows.values()) if (w.file) ids.add(w.file);
    return ids;
  }

  /** Deletes, oldest first, what is too old or over the size limit; never a show being recorded. */
  applyRetention(): Promise<void> {
    return this.serially(() => this.retentionPass());
  }

  private async retentionPass(): Promise<void> {
    const r = this.engine.config.record;
    const plan = planRetention(await scanRecordings(this.folder), {
      maxBytes: r.max_total_mb * 1048576,
      keepDays: r.keep_days,
      now: Date.now(),
      keep: this.activeIds(),
    });
    for (const { entry, why } of plan) {
      await deleteRecording(entry);
      this.log.info(`recordings: deleted ${entry.id} (${formatDate(entry.sidecar.startedAt)}, ${(entry.totalBytes / 1048576).toFixed(2)} MB): ${why}`);
    }
    if (plan.length) this.emit('change');
  }

  /** Everything the studio shows, newest first; shows being recorded carry their live length and size. */
  async list(): Promise<RecordingsView> {
    const r = this.engine.config.record;
    const live = new Map<string, ShowWriter>();
    for (const w of this.shows.values()) if (w.file) live.set(w.file, w);
    const entries = await scanRecordings(this.folder);
    const recordings = entries.map((e) => viewOf(e, live.get(e.id))).reverse();
    return {
      enabled: r.enabled,
      folder: this.folder,
      mounts: [...r.mounts],
      recordings,
      totalBytes: entries.reduce((n, e) => n + e.totalBytes, 0),
      maxBytes: r.max_total_mb * 1048576,
      keepDays: r.keep_days,
      problems: [...this.problems],
    };
  }

  /** The recording with this id, if it is one of ours. */
  async find(id: string): Promise<RecordingEntry | null> {
    return readRecording(this.folder, id);
  }

  /** Where a recording's audio is and what it is, for HTTP serving; null if there is no such recording. */
  async file(id: string): Promise<{ path: string; contentType: string } | null> {
    const e = await this.find(id);
    if (!e) return null;
    const ext = /\.[^.]+$/.exec(e.id)?.[0].toLowerCase() ?? '';
    return { path: e.audioPath, contentType: CONTENT_TYPES[ext] ?? e.sidecar.contentType };
  }

  /** Deletes a recording; a show still being recorded cannot be deleted. */
  async delete(id: string): Promise<boolean> {
    if (this.activeIds().has(id)) throw new Error(`${id} is being recorded; it can be deleted when the show ends`);
    let found = false;
    await this.serially(async () => {
      const e = await this.find(id);
      if (!e) return;
      await deleteRecording(e);
      found = true;
      this.log.info(`recordings: deleted ${id} from the studio`);
    });
    if (found) this.emit('change');
    return found;
  }

  /** Stops listening to the engine and finishes every show being recorded. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.engine.off('source-connect', this.onConnect);
    this.engine.off('source-disconnect', this.onDisconnect);
    this.engine.off('title', this.onTitle);
    const ending: Promise<void>[] = [];
    for (const [m, w] of this.shows) {
      if (m.liveTap === w.onFrames) m.liveTap = null;
      ending.push(w.end());
    }
    this.shows.clear();
    await Promise.all(ending);
    await this.housekeeping;
  }
}

/** Starts recording live shows as engine.config.record says. */
export function startRecorder(opts: RecorderOptions): Recorder {
  return new Recorder(opts);
}

function viewOf(e: RecordingEntry, live: ShowWriter | undefined): RecordingView {
  const sc: Sidecar = live ? live.sidecar() : e.sidecar;
  return {
    id: e.id,
    mount: sc.mount,
    name: sc.name,
    startedAt: sc.startedAt,
    endedAt: sc.endedAt,
    duration: sc.duration,
    bytes: live ? live.bytes : e.audioBytes,
    format: sc.format,
    codec: sc.codec,
    titles: sc.titles,
    state: sc.state,
    problem: sc.problem,
    url: `recordings/${encodeURIComponent(e.id)}`,
  };
}

export function formatSeconds(s: number): string {
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor(t / 60) % 60;
  const sec = t % 60;
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

function formatDate(t: number): string {
  return new Date(t).toISOString().slice(0, 16).replace('T', ' ');
}

