// The studio's one contract: snapshots, pushed events and commands. The main process implements it once
// (src-main/studio); the renderer reaches it through Electron IPC (window.studio) or HTTP + server-sent
// events (/studio/ in a browser). Plain data only, so it crosses either transport unchanged.

import type { ConfigIssue } from './config/validate.js';

export type AudioFormatName = 'mp3' | 'ogg' | 'aac';
export type LogLevelName = 'debug' | 'info' | 'warn' | 'error';

export interface LogLine {
  seq: number;
  time: number;
  level: LogLevelName;
  message: string;
}

export interface SourceView {
  ip: string;
  userAgent: string;
  protocol: 'icecast-put' | 'icecast-source' | 'shoutcast' | 'relay';
  contentType: string;
  connectedAt: number;
  bytesIn: number;
  name: string;
  bitrate: number;
}

export interface TrackRef {
  id: number;
  title: string;
  duration: number;
}

export interface AutoDjView {
  state: 'auto' | 'live' | 'grace' | 'stopped';
  nowPlaying: (TrackRef & { startedAt: number }) | null;
  upNext: TrackRef[];
  shuffle: boolean;
  repeat: boolean;
  usingDemo: boolean;
}

export interface MountView {
  path: string;
  format: AudioFormatName;
  contentType: string;
  live: boolean;
  title: string;
  titleOrigin: 'live' | 'auto';
  source: SourceView | null;
  autodj: AutoDjView | null;
  listeners: number;
  listenerPeak: number;
  maxListeners: number;
  bitrate: number;
  sampleRate: number;
  channels: number;
  codec: string;
  history: { time: number; title: string; origin: 'live' | 'auto' }[];
  /** listener count samples over the last hour: [time ms, count], oldest first */
  listenerGraph: [number, number][];
}

export interface ListenerView {
  id: number;
  mount: string;
  ip: string;
  userAgent: string;
  connectedAt: number;
  bytesSent: number;
  icy: boolean;
}

export interface PlaylistEntryView {
  id: number;
  path: string;
  title: string;
  artist: string;
  album: string;
  /** "Artist - Title" as it goes on air */
  display: string;
  duration: number;
  format: AudioFormatName | null;
  codec: string;
  bitrate: number;
  sampleRate: number;
  /** why it cannot play on this mount, null if it can */
  problem: string | null;
}

/** A file removed from a playlist: it stays out (rescans, restarts, folder changes) until added back. */
export interface ExcludedTrackView {
  path: string;
  title: string;
  duration: number;
}

export interface PlaylistView {
  mount: string;
  entries: PlaylistEntryView[];
  /** the "not playing" list, oldest first */
  excluded: ExcludedTrackView[];
  currentId: number | null;
  shuffle: boolean;
  repeat: boolean;
  directory: string;
  file: string;
}

export interface ServerView {
  name: string;
  version: string;
  stationName: string;
  startedAt: number;
  host: string;
  ports: { listen: number; source: number; shoutcast: number };
  configPath: string;
  /** false under a browser; true in the Electron window (native dialogs available) */
  desktop: boolean;
  /** seconds a kicked DJ's address may not log in again (advanced.kick_ban) */
  kickBanSeconds: number;
}

export interface StudioSnapshot {
  server: ServerView;
  mounts: MountView[];
  listeners: ListenerView[];
  playlists: PlaylistView[];
  log: LogLine[];
}

/** Pushed by the main process; the UI applies them to its snapshot. */
export type StudioEvent =
  | { type: 'mounts'; mounts: MountView[] }
  | { type: 'listener-join'; listener: ListenerView }
  | { type: 'listener-leave'; id: number }
  | { type: 'listener-bytes'; bytes: [number, number][] }
  | { type: 'playlist'; playlist: PlaylistView }
  | { type: 'log'; line: LogLine }
  | { type: 'server'; server: ServerView }
  | { type: 'notice'; level: 'info' | 'warn'; message: string };

/**
 * The transport's link to the server, reported beside the events: `connected` (events flow), `reconnecting`
 * (the link dropped a moment ago; retrying), `unreachable` (retrying for a while without an answer). The
 * Electron IPC link is in-process and always connected.
 */
export type ConnectionState = 'connected' | 'reconnecting' | 'unreachable';

/** What a kick did: false when there was nobody to kick; `banSeconds` the address may not come back (0: none). */
export interface KickResult {
  kicked: boolean;
  banSeconds: number;
}

export interface ConfigDocument {
  path: string;
  text: string;
  /** identifies the file's content; pass it back to configSave to refuse overwriting someone else's edit */
  version: string;
}

export interface ConfigCheckResult {
  ok: boolean;
  errors: ConfigIssue[];
  notices: ConfigIssue[];
}

/** One change applying a new config makes, and whom it touches. */
export interface ConfigChange {
  path: string;
  from: string;
  to: string;
  /** what happens on apply, in a sentence ("Listeners of /old (3) will be disconnected") */
  effect: string;
  disconnectsListeners: number;
  disconnectsSource: boolean;
}

export interface ConfigApplyResult extends ConfigCheckResult {
  /** false when the config was refused (nothing written) */
  saved: boolean;
  /** true when it was refused because the file changed since the `version` the save was given */
  stale?: boolean;
  applied: boolean;
  changes: ConfigChange[];
}

/** What a DJ types into Mixxx, BUTT, VLC or ffmpeg to reach this server. */
export interface ConnectionInfo {
  /** addresses other machines can use (LAN first), then 127.0.0.1 */
  addresses: string[];
  sourcePort: number;
  shoutcastPort: number;
  listenPort: number;
  mount: string;
  user: string;
  password: string;
  adminUser: string;
  /** the admin password (the source password while admin.password is empty) */
  adminPassword: string;
  /** true while the source password is still the well-known default */
  weakPassword: boolean;
}

/** One folder of the server's disk, within the folders the config allows (playlist.allowed_folders). */
export interface DirectoryListing {
  path: string;
  /** the folder above, null at the top of an allowed folder */
  parent: string | null;
  /** the allowed folders (each mount's music folder first) */
  roots: string[];
  entries: { name: string; path: string; kind: 'dir' | 'audio' }[];
}

/** The Stats view's periods: the last 24 hours (per minute), 7 days or 30 days (per hour). */
export type StatsRange = 'day' | 'week' | 'month';
export const STATS_RANGES: readonly StatsRange[] = ['day', 'week', 'month'];

/** Listener statistics over a period, from the station memory (visits are recorded when they end). */
export interface StatsReport {
  range: StatsRange;
  /** one mount, or null for all of them together */
  mount: string | null;
  from: number;
  to: number;
  /** width of one series point, ms: a minute for a day, an hour for a week or a month */
  bucketMs: number;
  /** listeners over time, oldest first: average over the bucket, and its peak (summed over mounts) */
  series: { time: number; avg: number; peak: number }[];
  /** calendar days (the station's local time) that visits started on */
  days: { day: string; visits: number; uniques: number; listeningHours: number; medianSeconds: number; peak: number }[];
  totals: {
    visits: number;
    listeningHours: number;
    medianSeconds: number;
    /** most listeners at once in the period */
    peak: number;
    peakAt: number | null;
    /** unique listeners per day, averaged over the days with visits */
    uniquesPerDay: number;
  };
  /** player families by visits, most first */
  players: { family: string; visits: number; listeningHours: number }[];
  /** every mount the memory has data for */
  mounts: string[];
}

/** A title of a recorded show, and when it went on air: seconds into the recording. */
export interface RecordingTitle {
  offset: number;
  title: string;
  /** wall-clock time, ms */
  time: number;
}

/** One recorded live show (one source connection): an audio file with a .json (and .cue) beside it. */
export interface RecordingView {
  /** the audio file's name in the recordings folder: what the recording commands and URLs take */
  id: string;
  mount: string;
  /** the stream name the DJ sent (else the mount's station name) */
  name: string;
  startedAt: number;
  /** null while it is being recorded (or when the server stopped without finishing it) */
  endedAt: number | null;
  /** seconds of audio */
  duration: number;
  /** size of the audio file */
  bytes: number;
  format: AudioFormatName;
  codec: string;
  titles: RecordingTitle[];
  /** complete; recording now; stopped early (problem says why); interrupted (the server stopped without finishing it) */
  state: 'recording' | 'complete' | 'stopped' | 'interrupted';
  problem: string | null;
  /** where it plays, relative to the studio's base URL (HTTP range requests) */
  url: string;
}

export interface RecordingsView {
  enabled: boolean;
  folder: string;
  mounts: string[];
  /** newest first */
  recordings: RecordingView[];
  totalBytes: number;
  /** record.max_total_mb in bytes, 0: no limit */
  maxBytes: number;
  keepDays: number;
  /** why recordings stopped on their own (disk full, folder gone, disk too slow), newest first */
  problems: { time: number; mount: string; message: string }[];
}

/** State of a push output or a pull relay, as the studio shows it. */
export type LinkStateName = 'off' | 'connecting' | 'on-air' | 'retrying' | 'refused' | 'idle';

/** What every push output and pull relay reports (the engine keeps exactly this). */
export interface LinkStatusView {
  state: LinkStateName;
  /** when the state began (ms since epoch) */
  since: number;
  /** retrying / refused: when the next attempt is due (ms since epoch), 0 if none */
  retryAt: number;
  reason: string;
  /** the remote's last answer (status line and body, bounded) */
  lastAnswer: string;
  bytes: number;
  connects: number;
}

/** A push output (`output "id" { }`): our mount sent to a remote Icecast or SHOUTcast server. */
export interface OutputView extends LinkStatusView {
  id: string;
  mount: string;
  /** the remote's URL without its password */
  target: string;
  enabled: boolean;
}

/** A pull relay (`relay "/path" { }`): another server's stream on a mount of ours. */
export interface RelayView extends LinkStatusView {
  mount: string;
  upstream: string;
  on_demand: boolean;
}

export interface LinksView {
  outputs: OutputView[];
  relays: RelayView[];
}

/** Commands: each returns a promise of its result; failures reject with a readable message. */
export interface StudioCommands {
  snapshot(): Promise<StudioSnapshot>;
  skip(mount: string): Promise<boolean>;
  kickSource(mount: string): Promise<KickResult>;
  kickListener(id: number): Promise<KickResult>;
  playlistAdd(mount: string, paths: string[], at?: number): Promise<number>;
  /** takes tracks out of the playlist (files stay on disk) and keeps them out until added back */
  playlistRemove(mount: string, ids: number[]): Promise<number>;
  /** deletes a listed (or removed) track's file from the music folder; refused for anything outside it */
  playlistDeleteFile(mount: string, path: string): Promise<void>;
  playlistMove(mount: string, id: number, to: number): Promise<boolean>;
  playlistPlayNext(mount: string, id: number): Promise<boolean>;
  playlistShuffle(mount: string): Promise<void>;
  playlistSetShuffle(mount: string, on: boolean): Promise<void>;
  playlistSetRepeat(mount: string, on: boolean): Promise<void>;
  playlistRescan(mount: string): Promise<{ added: number; removed: number }>;
  /** null: the main music folder; refused outside the allowed folders */
  listDirectory(path: string | null): Promise<DirectoryListing>;
  configRead(): Promise<ConfigDocument>;
  configCheck(text: string): Promise<ConfigCheckResult & { changes: ConfigChange[] }>;
  /** `version`: from configRead; if the file changed since, nothing is written */
  configSave(text: string, apply: boolean, version?: string): Promise<ConfigApplyResult>;
  connectionInfo(): Promise<ConnectionInfo>;
  /** listener statistics for a period; `mount` null: all mounts */
  stats(range: StatsRange, mount: string | null): Promise<StatsReport>;
  recordingsList(): Promise<RecordingsView>;
  /** deletes a recording and its .json and .cue; false if there is none with that id */
  recordingDelete(id: string): Promise<boolean>;
  /** adds a recording to a mount's AutoDJ playlist (to rebroadcast it); the number of entries added */
  recordingToPlaylist(id: string, mount: string): Promise<number>;
  /** outputs and relays with their state */
  links(): Promise<LinksView>;
  /** switches an output on or off for good: writes `enabled` into its block of config.hcl and applies it */
  setOutputEnabled(id: string, on: boolean): Promise<ConfigApplyResult>;
}

export type StudioMethod = keyof StudioCommands;


/** Argument shapes, checked by every transport before a call reaches the service. The one list of methods. */
type ArgKind = 'string' | 'number' | 'boolean' | 'string[]' | 'number[]' | 'string|null' | 'number?' | 'string?';
export const STUDIO_ARGS: Record<StudioMethod, ArgKind[]> = {
  snapshot: [],
  skip: ['string'],
  kickSource: ['string'],
  kickListener: ['number'],
  playlistAdd: ['string', 'string[]', 'number?'],
  playlistRemove: ['string', 'number[]'],
  playlistDeleteFile: ['string', 'string'],
  playlistMove: ['string', 'number', 'number'],
  playlistPlayNext: ['string', 'number'],
  playlistShuffle: ['string'],
  playlistSetShuffle: ['string', 'boolean'],
  playlistSetRepeat: ['string', 'boolean'],
  playlistRescan: ['string'],
  listDirectory: ['string|null'],
  configRead: [],
  configCheck: ['string'],
  configSave: ['string', 'boolean', 'string?'],
  connectionInfo: [],
  stats: ['string', 'string|null'],
  recordingsList: [],
  recordingDelete: ['string'],
  recordingToPlaylist: ['string', 'string'],
  links: [],
  setOutputEnabled: ['string', 'boolean'],
};

/** The names the transports accept (STUDIO_ARGS's keys); anything else is refused before it reaches the service. */
export const STUDIO_METHODS = Object.keys(STUDIO_ARGS) as readonly StudioMethod[];

/** Checks a call's method and arguments; returns the reason it is refused, or null. */
export function checkStudioCall(method: unknown, args: unknown): string | null {
  if (typeof method !== 'string' || !(STUDIO_METHODS as readonly string[]).includes(method)) return `unknown method ${JSON.stringify(method)}`;
  if (!Array.isArray(args)) return 'args must be an array';
  const kinds = STUDIO_ARGS[method as StudioMethod];
  const required = kinds.filter((k) => !k.endsWith('?')).length;
  if (args.length < required || args.length > kinds.length) {
    return `${method} takes ${required === kinds.length ? required : `${required} to ${kinds.length}`} argument(s), got ${args.length}`;
  }
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const k = kinds[i];
    const ok =
      k === 'string' ? typeof a === 'string' && a.length <= 1_000_000 :
      k === 'number' ? typeof a === 'number' && Number.isFinite(a) :
      k === 'number?' ? a === undefined || (typeof a === 'number' && Number.isFinite(a)) :
      k === 'string?' ? a === undefined || (typeof a === 'string' && a.length <= 1_000) :
      k === 'boolean' ? typeof a === 'boolean' :
      k === 'string|null' ? a === null || typeof a === 'string' :
      k === 'string[]' ? Array.isArray(a) && a.length <= 10_000 && a.every((x) => typeof x === 'string') :
      Array.isArray(a) && a.length <= 100_000 && a.every((x) => typeof x === 'number' && Number.isFinite(x));
    if (!ok) return `${method}: argument ${i + 1} must be ${k.replace('?', '')}`;
  }
  return null;
}

/** What the renderer sees: the commands plus a subscription to pushed events. */
export interface StudioApi extends StudioCommands {
  /**
   * Calls `onEvent` for every pushed event, and `onConnection` when the link to the server changes state
   * (never, for an in-process link); returns the unsubscribe function.
   */
  subscribe(onEvent: (e: StudioEvent) => void, onConnection?: (state: ConnectionState) => void): () => void;
}
