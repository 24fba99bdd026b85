// One live show into one file. The mount hands over its frames as they enter the stream buffer; they wait
// in a bounded in-memory queue that async writes drain at least once a second, so listeners never wait on
// the disk and a crash loses at most the last second. When the disk is full, the folder vanishes, or the
// disk cannot keep up past the bound, the show stops recording with a reason: the stream is never touched.

import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Frame } from '../engine/index.js';
import type { RecordingTitle } from '../../src-shared/studio-api.js';
import { extensionFor, recordingBase } from './names.js';
import { writeSidecar, type Sidecar } from './sidecar.js';

export interface ShowWriterOptions {
  folder: string;
  /** bytes that may wait for the disk before recording stops */
  maxQueueBytes: number;
  /** longest time audio waits in memory, ms */
  flushMs: number;
  /** runs before the file is created (makes the folder) */
  prepare(): Promise<void>;
  /** called once when the show stops recording on its own (not at a normal end) */
  onProblem(w: ShowWriter, message: string): void;
}

/** The show as it begins: everything the sidecar says except what the recording adds. */
export type ShowInfo = Omit<Sidecar, 'cycastRecording' | 'file' | 'endedAt' | 'duration' | 'bytes' | 'titles' | 'state' | 'problem'>;

/** Audio waiting in memory past this is written at once rather than at the next tick. */
const WRITE_AT_BYTES = 64 * 1024;
/** titles kept per show: each title rewrites the sidecar, so a source flooding metadata must not make that grow without end */
export const MAX_TITLES = 5000;
/** shows beginning in the same minute with the same name get " (2)", " (3)"… */
const MAX_SAME_NAME = 100;

/** A readable reason for a file system error. */
export function diskProblem(e: unknown, folder: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') return `the disk is full (${folder})`;
  if (code === 'EDQUOT') return `the disk quota is used up (${folder})`;
  if (code === 'ENOENT') return `the recordings folder ${folder} is gone`;
  if (code === 'EROFS') return `the disk is read-only (${folder})`;
  if (code === 'EACCES' || code === 'EPERM') return `no permission to write in ${folder}`;
  return `cannot write in ${folder}: ${code ?? (e as Error).message}`;
}

export class ShowWriter {
  state: 'waiting' | 'recording' | 'done' = 'waiting';
  /** the audio file's name once it is created */
  file: string | null = null;
  /** seconds of audio taken so far (queued or written) */
  seconds = 0;
  problem: string | null = null;
  readonly titles: RecordingTitle[] = [];
  private fh: FileHandle | null = null;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** bytes of the write in progress */
  private writingBytes = 0;
  /** the file's length after the last complete write: always a frame boundary */
  private written = 0;
  private writing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private sidecarBusy: Promise<void> | null = null;
  private sidecarAgain = false;
  private opened: Promise<void> | null = null;
  private endedAt: number | null = null;

  /** the codec, as the mount's framer named it at the first frames (the mount's framer changes with the next source) */
  private codec = '';

  constructor(
    readonly info: ShowInfo,
    private readonly codecOf: () => string,
    private readonly opts: ShowWriterOptions,
  ) {}

  get path(): string | null {
    return this.file && join(this.opts.folder, this.file);
  }

  /** Bytes on disk plus bytes waiting. */
  get bytes(): number {
    return this.written + this.writingBytes + this.pendingBytes;
  }

  /** The mount's tap: takes a source read's frames. Per source read; no I/O here. */
  readonly onFrames = (frames: readonly Frame[]): void => {
    if (this.state === 'done') return;
    for (const f of frames) {
      this.pending.push(f.data);
      this.pendingBytes += f.data.length;
      if (f.sampleRate) this.seconds += f.samples / f.sampleRate;
    }
    if (this.pendingBytes + this.writingBytes > this.opts.maxQueueBytes) {
      const mb = ((this.pendingBytes + this.writingBytes) / 1048576).toFixed(1);
      this.fail(`the disk cannot keep up: ${mb} MB of audio were waiting to be written`);
      return;
    }
    if (this.state === 'waiting') this.opened ??= this.openFile();
    else if (this.pendingBytes >= WRITE_AT_BYTES && !this.writing) this.writeNext();
  };

  /** A title went on air: noted at the current offset, the sidecar is rewritten. */
  addTitle(title: string): void {
    if (this.state === 'done' || !title || this.titles.length >= MAX_TITLES) return;
    const last = this.titles[this.titles.length - 1];
    if (last?.title === title) return;
    this.titles.push({ offset: Math.round(this.seconds * 100) / 100, title, time: Date.now() });
    if (this.file) this.saveSidecar();
  }

  private async openFile(): Promise<void> {
    this.codec = this.codecOf();
    const ext = extensionFor(this.info.format, this.codec);
    try {
      await this.opts.prepare();
    } catch (e) {
      this.fail(diskProblem(e, this.opts.folder));
      return;
    }
    for (let n = 1; n <= MAX_SAME_NAME; n++) {
      const name = recordingBase(this.info.startedAt, this.info.name, n) + ext;
      try {
        // O_EXCL: never over an existing recording, or anything else someone put there
        this.fh = await open(join(this.opts.folder, name), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
        this.file = name;
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST' && n < MAX_SAME_NAME) continue;
        this.fail(diskProblem(e, this.opts.folder));
        return;
      }
    }
    // the show ended (or failed) while the file was being created: end() writes and closes it
    if (this.state === 'done') return;
    this.state = 'recording';
    this.timer = setInterval(() => this.tick(), this.opts.flushMs);
    this.timer.unref();
    this.saveSidecar();
    this.writeNext();
  }

  /** Once a flush interval: writes what waits, and notices a folder that vanished (writes to a deleted folder still succeed). */
  private tick(): void {
    if (!this.writing) this.writeNext();
    const path = this.path;
    if (!path) return;
    stat(path).catch((e: NodeJS.ErrnoException) => {
      if (this.state !== 'done' && e.code === 'ENOENT') this.fail(`the recording ${this.file} or its folder ${this.opts.folder} was removed`);
    });
  }

  private writeNext(): void {
    if (!this.fh || !this.pendingBytes || this.writing) return;
    const data = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.writingBytes = data.length;
    this.pendingBytes = 0;
    const fh = this.fh;
    this.writing = (async () => {
      try {
        const { bytesWritten } = await fh.write(data, 0, data.length, this.written);
        if (bytesWritten < data.length) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
        this.written += data.length;
      } catch (e) {
        this.fail(diskProblem(e, this.opts.folder));
      } finally {
        this.writingBytes = 0;
        this.writing = null;
      }
      if (this.state === 'recording' && this.pendingBytes >= WRITE_AT_BYTES) this.writeNext();
    })();
  }

  /** Rewrites the .json and .cue; writes never overlap, and the last state always gets written. */
  private saveSidecar(): void {
    const path = this.path;
    if (!path) return;
    if (this.sidecarBusy) {
      this.sidecarAgain = true;
      return;
    }
    this.sidecarBusy = (async () => {
      do {
        this.sidecarAgain = false;
        try {
          await writeSidecar(path, this.sidecar());
        } catch (e) {
          if (this.state !== 'done') this.fail(diskProblem(e, this.opts.folder));
          break;
        }
      } while (this.sidecarAgain);
      this.sidecarBusy = null;
    })();
  }

  sidecar(): Sidecar {
    return {
      cycastRecording: 1,
      ...this.info,
      file: this.file ?? '',
      codec: this.codec,
      endedAt: this.endedAt,
      duration: Math.round(this.seconds * 100) / 100,
      bytes: this.written,
      titles: this.titles,
      state: this.state !== 'done' ? 'recording' : this.problem ? 'stopped' : 'complete',
      problem: this.problem,
    };
  }

  /** Stops recording for a reason other than the show's end; the file keeps what was written. */
  private fail(message: string): void {
    if (this.state === 'done') return;
    this.problem = message;
    // what waits will never be written: let go of it now, not when a stuck disk answers
    this.pending = [];
    this.pendingBytes = 0;
    this.opts.onProblem(this, message);
    void this.end();
  }

  private finished: Promise<void> | null = null;

  /** The show ended (or recording stopped): writes what waits, closes the file, writes the final sidecar. */
  end(): Promise<void> {
    if (this.finished) return this.finished;
    this.state = 'done';
    this.endedAt = Date.now();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.finished = (async () => {
      await this.opened; // a file being created is finished like any other
      await this.writing;
      if (!this.problem && this.pendingBytes) {
        this.writeNext();
        await this.writing;
      }
      this.pending = [];
      this.pendingBytes = 0;
      if (this.problem) {
        // whatever a failed write left past the last whole frame is cut off; a full disk gets the space back
        await this.fh?.truncate(this.written).catch(() => undefined);
      }
      await this.closeFile();
      if (!this.file) return;
      await this.sidecarBusy;
      this.saveSidecar();
      await this.sidecarBusy;
    })();
    return this.finished;
  }

  private async closeFile(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    await fh?.close().catch(() => undefined);
  }
}
