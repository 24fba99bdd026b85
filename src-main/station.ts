// The one composition root: a station is the engine, the studio service and the studio's web adapter,
// assembled and started the same way by the CLI (headless), the Electron main process and the tests.

import { dirname } from 'node:path';
import type { CycastConfig } from '../src-shared/config/schema.js';
import type { ConfigChecker } from './config/load.js';
import { Engine, formatLogLine, Logger, RotatingLogFile, type BoundPorts, type Clock } from './engine/index.js';
import { ASSETS_DIR, DEMO_TRACKS, OGG_SILENCE, RENDERER_DIR } from './paths.js';
import { startRecorder, type Recorder } from './recording/recorder.js';
import { openStationMemory, type StationMemory } from './memory/station-memory.js';
import { StudioService } from './studio/service.js';
import { attachStudioHttp } from './web/studio-http.js';

export interface StationOptions {
  config: CycastConfig;
  /** config.hcl: the studio edits it, and relative paths resolve beside it */
  configPath: string;
  logger: Logger;
  /** the desktop app (native dialogs in the studio) */
  desktop?: boolean;
  /** AutoDJ pacing clock (tests use a fake one) */
  clock?: Clock;
  /** what plays while the music folder has nothing playable (default: the bundled demo) */
  demoTracks?: string[];
  rendererDir?: string;
  /** how often the station memory writes queued visits (tests write more often) */
  memoryFlushMs?: number;
  /** where the studio checks config text (tests use one with a short timeout) */
  configChecker?: ConfigChecker;
}

export class Station {
  readonly engine: Engine;
  readonly studio: StudioService;
  /** records live shows as the config's record block says */
  readonly recorder: Recorder;
  /** history, AutoDJ position and listener statistics in station.db beside config.hcl */
  readonly memory: StationMemory;

  constructor(opts: StationOptions) {
    this.engine = new Engine(opts.config, opts.logger, {
      baseDir: dirname(opts.configPath),
      clock: opts.clock,
      demoTracks: opts.demoTracks ?? DEMO_TRACKS,
      oggSilence: OGG_SILENCE,
      assetsDir: ASSETS_DIR,
    });
    // the memory before the ports open: it restores the history and the AutoDJ position the engine starts with
    this.memory = openStationMemory({ dataDir: dirname(opts.configPath), engine: this.engine, log: opts.logger, flushMs: opts.memoryFlushMs });
    this.studio = new StudioService(this.engine, opts.configPath, opts.desktop ?? false, opts.configChecker);
    this.studio.useStatsSource(this.memory);
    this.recorder = startRecorder({ engine: this.engine, baseDir: dirname(opts.configPath), log: opts.logger });
    this.studio.attachRecorder(this.recorder);
    attachStudioHttp(this.engine, this.studio, opts.rendererDir ?? RENDERER_DIR);
  }

  /** Subscribes the studio, then binds the ports and starts the AutoDJs. On failure everything is stopped again. */
  async start(): Promise<BoundPorts> {
    this.studio.start();
    try {
      return await this.engine.start();
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  async stop(): Promise<void> {
    this.studio.stop();
    // the recorder first: the shows on air are finished (written, closed, sidecars complete)
    await this.recorder.close();
    await this.engine.stop();
    // after the engine: the visits that end with it are written too
    this.memory.close();
  }
}

/**
 * The station's logger: the console (warnings and errors to stderr) and, when `logDir` can be written, a
 * rotating log file there. Returns the file too (null if it could not be opened, with the reason logged).
 */
export function stationLogger(verbose: boolean, logDir: string | null): { logger: Logger; file: RotatingLogFile | null } {
  const logger = new Logger(verbose);
  logger.subscribe((e) => (e.level === 'error' || e.level === 'warn' ? console.error : console.log)(formatLogLine(e)));
  if (!logDir) return { logger, file: null };
  try {
    const file = new RotatingLogFile(logDir);
    logger.subscribe((e) => file.write(e));
    return { logger, file };
  } catch (e) {
    logger.warn(`no log file (${(e as Error).message}); logging to the console only`);
    return { logger, file: null };
  }
}
