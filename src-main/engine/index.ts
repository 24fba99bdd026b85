// The engine's public face: what code outside the engine (studio, web, electron, cli, station) may use.
// Nothing outside src-main/engine imports a file below this one.

export { Engine, type EngineEvents, type EngineOptions } from './engine.js';
export { PortInUseError, type BoundPorts } from './net/ports.js';
export { descriptorLimit } from './limits.js';
export type { Limits } from './net/context.js';
export type { HttpRoute } from './http/context.js';
export { provideStatsHistory, type StatsHistoryProvider } from './http/status.js';
export { Logger, formatLogLine, type LogEntry, type LogLevel } from './log/log.js';
export { RotatingLogFile } from './log/log-file.js';
export { SERVER_ID, SERVER_NAME, SERVER_VERSION } from './protocol/version.js';
export { parseBasicAuth } from './protocol/http-head.js';
export { refusal, type RefusalId } from './protocol/refusals.js';
export { lineSafe, logSafe } from './protocol/untrusted.js';
export type { Mount, LiveSource, HistoryEntry } from './stream/mount.js';
export type { Listener, DropReason } from './stream/broadcaster.js';
export type { Feeder, Clock } from './autodj/feeder.js';
export type { Playlist, PlaylistEntry } from './autodj/playlist.js';
export { displayTitle } from './autodj/track-probe.js';
export { writeFileAtomic } from './autodj/m3u8.js';
export { AUDIO_EXTENSIONS, createFramer, type Frame } from './protocol/framing/index.js';
