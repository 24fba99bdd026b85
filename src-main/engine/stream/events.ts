import type { DropReason, Listener } from './broadcaster.js';
import type { Mount } from './mount.js';

/** What the engine tells its subscribers (studio, pages, station memory, recorder, outputs). */
export interface EngineEvents {
  'source-connect': [mount: Mount];
  'source-disconnect': [mount: Mount, reason: string];
  'listener-connect': [mount: Mount, listener: Listener];
  'listener-disconnect': [mount: Mount, listener: Listener, reason: DropReason];
  title: [mount: Mount];
  'playlist-change': [mount: Mount];
  'autodj-state': [mount: Mount];
}

/** Subscribing to engine events (an EventEmitter<EngineEvents>'s `on`). */
export type OnEngineEvent = <K extends keyof EngineEvents>(event: K, listener: (...args: EngineEvents[K]) => void) => void;
