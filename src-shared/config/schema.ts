// The one schema of config.hcl: every block, every key, its type, default, range and documentation.
// Both the main process (loading, --check) and the studio UI (inline validation) use it.

export type AudioFormat = 'mp3' | 'ogg' | 'aac';
export const AUDIO_FORMATS: readonly AudioFormat[] = ['mp3', 'ogg', 'aac'];

/** The value type a field's spec describes (a oneOf list narrows a string to its choices). */
type FieldValue<F> = F extends { oneOf: readonly (infer O)[] }
  ? O
  : F extends { type: 'string' }
    ? string
    : F extends { type: 'integer' | 'number' }
      ? number
      : F extends { type: 'boolean' }
        ? boolean
        : F extends { type: 'string[]' }
          ? string[]
          : never;

/** A block's settings, as the schema below defines them: the one statement of their names and types. */
type BlockValues<B> = { -readonly [K in keyof B]: FieldValue<B[K]> };

export type ServerConfig = BlockValues<typeof SCHEMA.server>;
export type BufferConfig = BlockValues<typeof SCHEMA.buffer>;
export type PlaylistConfig = BlockValues<typeof SCHEMA.playlist>;
export type BroadcasterConfig = BlockValues<typeof SCHEMA.broadcaster>;
export type MetadataConfig = BlockValues<typeof SCHEMA.metadata>;
export type AdvancedConfig = BlockValues<typeof SCHEMA.advanced>;
export type RecordConfig = BlockValues<typeof SCHEMA.record>;
export type AdminConfig = BlockValues<typeof SCHEMA.admin>;
export type LimitsConfig = BlockValues<typeof SCHEMA.limits>;
export type StatsConfig = BlockValues<typeof SCHEMA.stats>;

/** `output "name" { }`: this server pushes one of its mounts to a remote Icecast or SHOUTcast v1 server. */
export interface OutputConfig {
  /** the block's label */
  id: string;
  enabled: boolean;
  mount: string;
  /** icecast://user:password@host:port/mount or shoutcast://:password@host:port */
  url: string;
  /** overrides of the mount's station description ("": the mount's own) */
  name: string;
  description: string;
  genre: string;
  station_url: string;
  /** null: the mount's own setting */
  public: boolean | null;
  user_agent: string;
}

/** `relay "/path" { }`: this server pulls a stream from another server onto a mount of its own. */
export interface RelayConfig {
  path: string;
  url: string;
  on_demand: boolean;
  /** the mount's format; null: the one the upstream's Content-Type announces, at each connect */
  format: AudioFormat | null;
  /** PEM file of a certificate authority to trust for an https:// upstream, besides the standard ones ("": none) */
  tls_ca_file: string;
}

/** What an output's name (its block label) may be: it shows in logs, metrics and the studio. */
export const OUTPUT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;

/** An output URL taken apart; null with the reason when it is not one. */
export interface OutputTarget {
  protocol: 'icecast' | 'shoutcast';
  host: string;
  port: number;
  user: string;
  password: string;
  /** Icecast only */
  mount: string;
}

/** scheme://[user[:password]@]host[:port][/path], taken apart without a URL class (src-shared has no DOM or Node). */
export interface UrlParts {
  scheme: string;
  user: string;
  password: string;
  host: string;
  /** 0 when the URL has none */
  port: number;
  /** "/" when the URL has none; the query kept */
  path: string;
}

export function splitUrl(url: string): UrlParts | string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(?:([^@/?#]*)@)?(\[[0-9A-Fa-f:.]+\]|[^:/?#@\[\]]+)(?::(\d{1,5}))?([/?][^#\s]*)?$/.exec(url);
  if (!m) return 'must be a URL like "scheme://host:port/path"';
  const [, scheme, userinfo = '', host, port = '', path = '/'] = m;
  const colon = userinfo.indexOf(':');
  let user: string;
  let password: string;
  try {
    user = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon));
    password = colon < 0 ? '' : decodeURIComponent(userinfo.slice(colon + 1));
  } catch {
    return 'has a malformed %-escape in its user name or password';
  }
  const p = port ? Number(port) : 0;
  if (port && (p < 1 || p > 65535)) return `has port ${port}; ports are 1 to 65535`;
  return { scheme: scheme.toLowerCase(), user, password, host: host.replace(/^\[|\]$/g, ''), port: p, path: path.startsWith('?') ? '/' + path : path };
}

export function parseOutputUrl(url: string): OutputTarget | string {
  const u = splitUrl(url);
  if (typeof u === 'string') return u.replace('scheme://host:port/path', 'icecast://source:PASSWORD@radio.example.org:8000/live');
  const protocol = u.scheme === 'icecast' || u.scheme === 'http' ? 'icecast' : u.scheme === 'shoutcast' ? 'shoutcast' : null;
  if (!protocol) return `has scheme "${u.scheme}"; use icecast:// (Icecast 2) or shoutcast:// (SHOUTcast v1)`;
  if (!u.password) return 'has no password: write icecast://source:PASSWORD@host:port/mount';
  const port = u.port || 8000;
  let mount = '';
  if (protocol === 'icecast') {
    try {
      mount = decodeURIComponent(u.path.split('?')[0]);
    } catch {
      return 'has a malformed %-escape in its mount';
    }
    if (mount === '/' || /[\0-\x20]/.test(mount)) return 'has no usable mount: write icecast://source:PASSWORD@host:port/mount';
  }
  if (protocol === 'shoutcast' && port >= 65535) return 'has port 65535; SHOUTcast sources log in on port + 1';
  return { protocol, host: u.host, port, user: u.user || 'source', password: u.password, mount };
}

/** A relay URL: http:// or https:// (the relay speaks TLS itself). */
export function relayUrlProblem(url: string): string | undefined {
  const u = splitUrl(url);
  if (typeof u === 'string') return u.replace('scheme://host:port/path', 'http://other.example:8000/news');
  return u.scheme === 'http' || u.scheme === 'https' ? undefined : `must be an http:// or https:// URL (got ${u.scheme}://)`;
}

/** A file named in the config that the engine reads itself: an absolute path ("" for none). */
const absoluteFile = (v: string): string | undefined =>
  v === '' || ((v.startsWith('/') || /^[A-Za-z]:[\\/]/.test(v)) && v.length <= 4096 && !/[\u0000-\u001f]/.test(v)) ? undefined : 'must be an absolute file path, like "/etc/ssl/private-ca.pem"';


/** A mount's settings after defaults from the global blocks have been applied. */
export interface MountConfig {
  path: string;
  source_password: string;
  source_user: string;
  format: AudioFormat;
  max_listeners: number;
  burst_size: number;
  queue_size: number;
  icy_metaint: number;
  enable_icy: boolean;
  station_name: string;
  station_description: string;
  station_genre: string;
  station_url: string;
  public: boolean;
  playlist_directory: string;
  playlist_enabled: boolean;
}

export interface CycastConfig {
  server: ServerConfig;
  buffer: BufferConfig;
  playlist: PlaylistConfig;
  broadcaster: BroadcasterConfig;
  metadata: MetadataConfig;
  advanced: AdvancedConfig;
  admin: AdminConfig;
  limits: LimitsConfig;
  stats: StatsConfig;
  record: RecordConfig;
  /** every mount, the server's mount_point first; keyed by path */
  mounts: MountConfig[];
  /** push outputs to remote servers, in file order */
  outputs: OutputConfig[];
  /** pull relays onto mounts of ours, in file order */
  relays: RelayConfig[];
}

export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'string[]';

export interface FieldSpec {
  type: FieldType;
  default: unknown;
  min?: number;
  max?: number;
  oneOf?: readonly string[];
  /** extra rule; returns the reason the value is wrong */
  check?: (value: never) => string | undefined;
  doc: string;
  /** accepted so that older configs load, but has no effect: the notice shown when it is set */
  compat?: string;
  /** a null default means "unset" (the value is decided elsewhere), not "required" */
  optional?: true;
}

/** Paths the server's own pages use: no mount (configured or created by a source) may take them. */
export function reservedPath(v: string): boolean {
  return v === '/' || /^\/(admin|api|studio|static)(\/|$)/.test(v) || /^\/(admin\.cgi|metrics|status|status-json\.xsl|status-json\.xml|status\.xsl|index\.html|embed|favicon\.ico)$/.test(v) || /\.(m3u|pls)$/i.test(v);
}

export const mountPath = (v: string): string | undefined =>
  !/^\/[A-Za-z0-9._~!$&'()*+,;=:@\/-]*$/.test(v) || v.includes('..') || v.includes('//')
    ? 'must be a URL path starting with "/" (letters, digits, "-", "_", "." and "/"), like "/stream"'
    : reservedPath(v)
      ? `cannot be ${v}: the server's own pages use that path`
      : undefined;

const plainFileName = (v: string): string | undefined =>
  /^[A-Za-z0-9][A-Za-z0-9 ._-]*\.m3u8?$/.test(v) ? undefined : 'must be a file name ending in .m3u8 (it is kept beside config.hcl), like "playlist.m3u8"';

const nonEmpty = (v: string): string | undefined => (v.length > 0 ? undefined : 'must not be empty');

const extension = (v: string[]): string | undefined =>
  v.every((e) => /^\.[A-Za-z0-9]+$/.test(e)) ? undefined : 'must be a list of extensions like [".mp3", ".ogg"]';

const folderList = (v: string[]): string | undefined =>
  v.every((f) => f.length > 0 && f.length <= 4096 && !/[\u0000-\u001f]/.test(f)) ? undefined : 'must be a list of folder paths, like ["~/Music", "/srv/crates"]';

const hostCheck = (v: string): string | undefined =>
  v.length > 0 && !/\s/.test(v) ? undefined : 'must be an IP address or host name, like "0.0.0.0"';

const mountPaths = (v: string[]): string | undefined => {
  for (const p of v) {
    const bad = mountPath(p);
    if (bad) return `must be a list of mount paths like ["/stream"]: ${JSON.stringify(p)} ${bad}`;
  }
  return undefined;
};

const addressList = (v: string[]): string | undefined =>
  v.every((a) => /^[0-9A-Fa-f.:]+$/.test(a) && a.length <= 45) ? undefined : 'must be a list of IP addresses, like ["127.0.0.1"]';

const hostList = (v: string[]): string | undefined =>
  v.every((h) => /^[A-Za-z0-9.-]+$/.test(h) && h.length <= 253) ? undefined : 'must be a list of host names, like ["radio.example.org"]';

const port = (doc: string, def: number): FieldSpec => ({ type: 'integer', default: def, min: 0, max: 65535, doc });

export const SCHEMA = {
  server: {
    host: { type: 'string', default: '0.0.0.0', check: hostCheck, doc: 'Address to listen on: "0.0.0.0" for every interface, "127.0.0.1" for this machine only.' },
    source_port: port('Port where sources (Mixxx, BUTT, ffmpeg) connect. May equal listen_port: one port then serves both, like Icecast. 0 picks a free port.', 8000),
    listen_port: port('Port where listeners connect, and where the status page and APIs are served. 0 picks a free port.', 8001),
    shoutcast_port: { type: 'integer', default: -1, min: -1, max: 65535, doc: 'Port for SHOUTcast v1 sources (password line, then icy-* headers). -1: source_port + 1, as SHOUTcast encoders expect; 0: off.' },
    source_password: { type: 'string', default: 'hackme', check: nonEmpty, doc: 'Password sources send (HTTP Basic auth, or the SHOUTcast password line). Change it.' },
    source_user: { type: 'string', default: 'source', doc: 'User name sources must send; "" accepts any user name (some encoders send their own).' },
    mount_point: { type: 'string', default: '/stream', check: mountPath, doc: 'The main mount: listeners tune in at http://host:listen_port/stream.' },
    format: { type: 'string', default: 'mp3', oneOf: ['mp3', 'ogg', 'aac'], doc: 'Audio format of the main mount: "mp3", "ogg" (Vorbis or Opus) or "aac" (ADTS). A source sending another format is refused.' },
  },
  buffer: {
    size_mb: { type: 'number', default: 10, min: 1, max: 1000, doc: 'Most memory a mount\'s stream buffer may take, in megabytes. It keeps only the audio a listener can still be sent (queue_size or burst_size, the larger) and 1 MB for what arrives between two writes (1.5 MB by default), so this bounds only a larger queue_size.' },
  },
  playlist: {
    enabled: { type: 'boolean', default: true, doc: 'Play the playlist (AutoDJ) whenever no live source is on air.' },
    directory: { type: 'string', default: './music', doc: 'Folder of music for the fallback playlist, relative to config.hcl. Watched: files added or removed there join or leave the playlist.' },
    shuffle: { type: 'boolean', default: true, doc: 'Shuffle the playlist when it is first built from the music folder (a saved playlist keeps its order).' },
    reshuffle: { type: 'boolean', default: false, doc: 'Shuffle again at the end of every pass through the playlist.' },
    repeat: { type: 'boolean', default: true, doc: 'Start again from the top after the last track; false: silence after the last track.' },
    extensions: { type: 'string[]', default: ['.mp3', '.ogg'], check: extension, doc: 'File extensions taken from the music folder.' },
    file: { type: 'string', default: 'playlist.m3u8', check: plainFileName, doc: 'The playlist, saved as M3U8 beside config.hcl (other mounts: playlist-NAME.m3u8).' },
    resume_delay: { type: 'number', default: 3, min: 0, max: 300, doc: 'Seconds after a live source leaves before the playlist resumes (silence meanwhile), so a DJ whose connection blips takes over again without the playlist cutting in.' },
    allowed_folders: { type: 'string[]', default: ['~/Music'], check: folderList, doc: 'Folders the studio\'s "Add from the server\'s disk" may browse and add from, besides each mount\'s music folder (always allowed). Relative to config.hcl; "~" is the home folder; folders that do not exist are left out.' },
  },
  broadcaster: {
    chunk_size: { type: 'integer', default: 8192, min: 1024, max: 65536, doc: 'Largest piece of audio, in bytes, stored in the stream buffer as one chunk; bigger source writes are split at frame boundaries.' },
    write_interval_ms: { type: 'integer', default: null, optional: true, min: 0, max: 1000, doc: 'Milliseconds new audio may wait so several pieces go to each listener in one write: less CPU per listener for at most this much more latency. Unset: the audience decides, from 26 ms (one MP3 frame) for a handful of listeners to 100 ms from about 60. 0 sends every piece at once (lowest latency).' },
    burst_size: { type: 'integer', default: 65536, min: 0, max: 8388608, doc: 'Bytes of recent audio a new listener receives at once, so playback starts without waiting (Icecast\'s burst-size).' },
    queue_size: { type: 'integer', default: 524288, min: 16384, max: 1073741824, doc: 'A listener more than this many bytes behind the live point is disconnected, so a slow listener never holds up the others (Icecast\'s queue-size).' },
    sleep_high: { type: 'number', default: 0.001, min: 0, max: 10, doc: 'Accepted for compatibility with Cycast; has no effect (the broadcaster is event-driven).', compat: 'has no effect: the broadcaster sends as soon as audio arrives, with no sleep loop' },
    sleep_medium: { type: 'number', default: 0.005, min: 0, max: 10, doc: 'Accepted for compatibility with Cycast; has no effect.', compat: 'has no effect: the broadcaster sends as soon as audio arrives, with no sleep loop' },
    sleep_low: { type: 'number', default: 0.01, min: 0, max: 10, doc: 'Accepted for compatibility with Cycast; has no effect.', compat: 'has no effect: the broadcaster sends as soon as audio arrives, with no sleep loop' },
  },
  metadata: {
    station_name: { type: 'string', default: 'Cycast Radio', doc: 'Station name sent to listeners (icy-name) unless the source names its stream.' },
    station_description: { type: 'string', default: 'Internet radio powered by Cycast Studio', doc: 'Station description (icy-description).' },
    station_genre: { type: 'string', default: 'Various', doc: 'Genre (icy-genre).' },
    station_url: { type: 'string', default: '', doc: 'Station web site (icy-url).' },
    enable_icy: { type: 'boolean', default: true, doc: 'Send ICY in-stream titles to listeners that ask for them (Icy-MetaData: 1). MP3 and AAC mounts only.' },
    icy_metaint: { type: 'integer', default: 16000, min: 256, max: 65536, doc: 'Audio bytes between two ICY metadata blocks.' },
    admin_contact: { type: 'string', default: '', doc: 'Contact address shown as "admin" in /status-json.xsl and /admin/stats (Icecast puts an e-mail address there); empty: none.' },
    show_listeners: { type: 'boolean', default: true, doc: 'Show the listener count on the public listener page, the embeddable player and /api/nowplaying.' },
  },
  advanced: {
    max_listeners: { type: 'integer', default: 0, min: 0, max: 1000000, doc: 'Most listeners at once over all mounts; 0: no limit. Over it, new listeners get 503.' },
    source_timeout: { type: 'number', default: 10, min: 1, max: 3600, doc: 'Seconds a connected source may send nothing, or nothing playable (only tags or garbage), before it is dropped.' },
    header_timeout: { type: 'number', default: 10, min: 1, max: 300, doc: 'Seconds a client has to send its complete request head.' },
    verbose_logging: { type: 'boolean', default: false, doc: 'Log every request and more detail per connection.' },
    enable_stats: { type: 'boolean', default: true, doc: 'Serve /api/stats.' },
    kick_ban: { type: 'number', default: 10, min: 0, max: 86400, doc: 'Seconds a source (or listener) kicked by an admin may not log in (or tune in) again from the same address, so its automatic reconnect does not put it straight back.' },
    trusted_proxies: { type: 'string[]', default: [], check: addressList, doc: 'Addresses of reverse proxies (nginx, Caddy) in front of this server. Only from these is X-Forwarded-For / Forwarded believed, so that behind a proxy each listener is its own address (limits, login slow-down, logs, stats). Empty: the header is ignored.' },
    flask_debug: { type: 'boolean', default: false, doc: 'Accepted for compatibility with Cycast (which used Flask); has no effect.', compat: 'has no effect: Cycast Studio has no Flask' },
    flask_secret_key: { type: 'string', default: '', doc: 'Accepted for compatibility with Cycast (which used Flask); has no effect.', compat: 'has no effect: Cycast Studio has no Flask' },
  },
  admin: {
    user: { type: 'string', default: 'admin', doc: 'User name for /admin/ and the studio.' },
    password: { type: 'string', default: '', doc: 'Password for /admin/ and the studio; empty: the source password.' },
    relay_user: { type: 'string', default: 'relay', doc: 'User name Icecast slaves send (their <master-username>) to list our mounts at /admin/streamlist.txt.' },
    relay_password: { type: 'string', default: '', doc: 'Password Icecast slaves send (their <master-password>); empty: relaying to slaves is off.' },
    allowed_hosts: { type: 'string[]', default: [], check: hostList, doc: 'Host names (besides this machine\'s addresses, localhost and server.host) the studio answers to: a browser request whose Host header names another host is refused, so a web page cannot reach the studio through DNS rebinding. Add the names you use, like "radio.example.org".' },
  },
  limits: {
    clients: { type: 'integer', default: 0, min: 0, max: 1000000, doc: 'Most connections at once, of every kind. 0: the process\'s open-file limit less 64. Listeners stop being admitted 32 below it, so a DJ, the admin and the status page always get in.' },
    sources: { type: 'integer', default: 8, min: 1, max: 10000, doc: 'Most live sources at once over all mounts, dynamic ones included (Icecast\'s <sources>); over it a source gets 503.' },
    listeners_per_address: { type: 'integer', default: 0, min: 0, max: 1000000, doc: 'Most listeners from one address; 0: no limit. Behind NAT (a school, an office) many real listeners share one address, so set it with care.' },
    event_streams: { type: 'integer', default: 8, min: 1, max: 1000, doc: 'Most studio event streams (open studio windows and tabs) at once; over it the studio answers 503.' },
  },
  stats: {
    enabled: { type: 'boolean', default: true, doc: 'Record every listener visit when it ends (mount, times, bytes, player family, a daily-salted visitor key) for the Stats view, /api/stats and /metrics. Off: no visits are recorded; the title history and the AutoDJ position are still remembered.' },
    retention_days: { type: 'integer', default: 90, min: 1, max: 3650, doc: 'Days listener visits and the hourly listener series are kept (per-minute samples: two days).' },
    store_addresses: { type: 'boolean', default: false, doc: 'Also store each visit\'s IP address. Off: only a key hashed from address and User-Agent with a salt that changes daily, which cannot be traced back.' },
  },
  record: {
    enabled: { type: 'boolean', default: false, doc: 'Record every live show (one source connection) on the mounts listed in record.mounts, as sent: no re-encoding. Takes effect from the next show.' },
    folder: { type: 'string', default: './recordings', check: nonEmpty, doc: 'Folder for recordings, relative to config.hcl. Each show is one audio file ("2026-12-01 20-15 Stream Name.mp3") with a .json and a .cue of its titles.' },
    mounts: { type: 'string[]', default: ['/stream'], check: mountPaths, doc: 'Mounts whose live shows are recorded (AutoDJ is never recorded).' },
    max_total_mb: { type: 'number', default: 20000, min: 0, max: 100000000, doc: 'Most megabytes all recordings may take; past it the oldest are deleted. 0: no size limit.' },
    keep_days: { type: 'number', default: 90, min: 0, max: 36500, doc: 'Recordings older than this many days are deleted. 0: kept for ever.' },
  },
} as const satisfies Record<string, Record<string, FieldSpec>>;

/** Keys of a `mount "/path" { }` block. Unset keys take the global value named in `inherits`. */
export const MOUNT_SCHEMA: Record<string, FieldSpec & { inherits?: string }> = {
  source_password: { type: 'string', default: null, inherits: 'server.source_password', check: nonEmpty, doc: 'Password for sources of this mount.' },
  source_user: { type: 'string', default: null, inherits: 'server.source_user', doc: 'User name for sources of this mount.' },
  format: { type: 'string', default: 'mp3', oneOf: AUDIO_FORMATS, doc: 'Audio format: "mp3", "ogg" or "aac".' },
  max_listeners: { type: 'integer', default: 0, min: 0, max: 1000000, doc: 'Most listeners on this mount; 0: no limit of its own.' },
  burst_size: { type: 'integer', default: null, min: 0, max: 8388608, inherits: 'broadcaster.burst_size', doc: 'Burst for new listeners, bytes.' },
  queue_size: { type: 'integer', default: null, min: 16384, max: 1073741824, inherits: 'broadcaster.queue_size', doc: 'Slow-listener limit, bytes.' },
  icy_metaint: { type: 'integer', default: null, min: 256, max: 65536, inherits: 'metadata.icy_metaint', doc: 'Bytes between ICY metadata blocks.' },
  enable_icy: { type: 'boolean', default: null, inherits: 'metadata.enable_icy', doc: 'ICY titles on this mount.' },
  station_name: { type: 'string', default: null, inherits: 'metadata.station_name', doc: 'Station name for this mount.' },
  station_description: { type: 'string', default: null, inherits: 'metadata.station_description', doc: 'Description for this mount.' },
  station_genre: { type: 'string', default: null, inherits: 'metadata.station_genre', doc: 'Genre for this mount.' },
  station_url: { type: 'string', default: null, inherits: 'metadata.station_url', doc: 'Web site for this mount.' },
  public: { type: 'boolean', default: false, doc: 'Advertised as public (icy-pub) when the source does not say.' },
  playlist_directory: { type: 'string', default: null, inherits: 'playlist.directory', doc: 'Music folder for this mount\'s fallback playlist.' },
  playlist_enabled: { type: 'boolean', default: null, inherits: 'playlist.enabled', doc: 'AutoDJ on this mount.' },
};

/** Keys of an `output "name" { }` block. */
export const OUTPUT_SCHEMA: Record<string, FieldSpec> = {
  enabled: { type: 'boolean', default: true, doc: 'Send this output (false: configured but off).' },
  mount: { type: 'string', default: null, check: nonEmpty, doc: 'Which mount of ours to send, like "/stream".' },
  url: { type: 'string', default: null, check: (v: string) => { const t = parseOutputUrl(v); return typeof t === 'string' ? t : undefined; }, doc: 'Where to: icecast://source:PASSWORD@host:port/mount (Icecast 2.4+: PUT, falls back to SOURCE) or shoutcast://:PASSWORD@host:port (SHOUTcast v1: the password goes to port + 1).' },
  name: { type: 'string', default: '', doc: 'Stream name sent to the remote (ice-name); empty: the mount\'s.' },
  description: { type: 'string', default: '', doc: 'Description sent to the remote; empty: the mount\'s.' },
  genre: { type: 'string', default: '', doc: 'Genre sent to the remote; empty: the mount\'s.' },
  station_url: { type: 'string', default: '', doc: 'Web site sent to the remote (ice-url); empty: the mount\'s.' },
  public: { type: 'boolean', default: null, optional: true, doc: 'Ask the remote to list the stream in directories (ice-public); unset: the mount\'s setting.' },
  user_agent: { type: 'string', default: '', doc: 'User-Agent sent to the remote; empty: this server\'s name and version.' },
};

/** Keys of a `relay "/path" { }` block. */
export const RELAY_SCHEMA: Record<string, FieldSpec> = {
  url: { type: 'string', default: null, check: relayUrlProblem, doc: 'The upstream stream: any Icecast, SHOUTcast or HTTP audio stream, http:// or https:// (the certificate is verified against the standard certificate authorities; redirects are followed, at most 5).' },
  on_demand: { type: 'boolean', default: false, doc: 'Connect to the upstream only while the relay mount has listeners.' },
  format: { type: 'string', default: null, optional: true, oneOf: AUDIO_FORMATS, doc: 'Format of the relay mount ("mp3", "ogg", "aac"); an upstream of another format is refused with a message saying so. Unset: the format the upstream announces (its Content-Type), at each connect; when it changes, listeners tuned in are disconnected so their players reconnect and get the new type, and a listener who tunes in while the relay connects waits (at most 10 s) for the upstream\'s answer. A relay onto a mount block takes that mount\'s format.' },
  tls_ca_file: { type: 'string', default: '', check: absoluteFile, doc: 'For an https:// upstream with a private or self-signed certificate: absolute path of a PEM file with the certificate authority (or the upstream\'s own certificate) to trust, besides the standard ones. It costs what it says: whoever holds that key can pose as any https server to this relay. Certificates are always verified; there is no way to skip that.' },
};

export type BlockName = keyof typeof SCHEMA;
export const BLOCK_NAMES = Object.keys(SCHEMA) as BlockName[];
