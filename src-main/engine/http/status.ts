// Snapshots of the engine for the APIs: Cycast's /api/status and /api/stats, Icecast's status-json.xsl and
// admin XML, and Prometheus metrics. Field names follow those servers so existing tools keep working.

import { basename } from 'node:path';
import type { HttpContext } from './context.js';
import type { Mount } from '../stream/mount.js';
import type { MountRegistry } from '../stream/registry.js';
import { SERVER_ID } from '../protocol/version.js';
import { xmlEscape } from '../protocol/untrusted.js';

/**
 * What a station memory (src-main/memory, outside the engine) adds to /api/stats and /metrics. It registers
 * itself per engine, by the engine's mount registry (the object the engine and its pages share); without
 * one, both documents are as before.
 */
export interface StatsHistoryProvider {
  /** the `history` object of /api/stats */
  history(): unknown;
  /** visits recorded since the memory began, and their listening time, per mount */
  visitTotals(): Map<string, { visits: number; seconds: number }>;
}

const statsProviders = new WeakMap<MountRegistry, StatsHistoryProvider>();

export function provideStatsHistory(mounts: MountRegistry, provider: StatsHistoryProvider | null): void {
  if (provider) statsProviders.set(mounts, provider);
  else statsProviders.delete(mounts);
}

function uptimeFormatted(seconds: number): string {
  return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
}

/** "Artist - Title" split back, as Cycast's status reported artist and title. */
function splitTitle(title: string): { artist: string; title: string } {
  const i = title.indexOf(' - ');
  return i > 0 ? { artist: title.slice(0, i), title: title.slice(i + 3) } : { artist: '', title };
}

function autodjStatus(ctx: HttpContext, m: Mount) {
  const f = ctx.feederOf(m.path);
  if (!f) return null;
  const a = f.summary();
  // public: the file's name at most, never where it is on the server
  const track = (t: { id: number; title: string; path: string; duration: number }) => ({ id: t.id, title: t.title, file: basename(t.path), duration: Math.round(t.duration * 10) / 10 });
  return {
    state: a.state,
    now_playing: a.nowPlaying && { ...track(a.nowPlaying), elapsed: Math.round((Date.now() - a.nowPlaying.startedAt) / 100) / 10 },
    up_next: a.upNext.map(track),
    tracks: a.tracks,
    playable: a.playable,
  };
}

export function mountStatus(ctx: HttpContext, m: Mount) {
  const d = m.description;
  const info = m.info;
  return {
    mount: m.path,
    format: m.format,
    content_type: m.contentType,
    live: m.source !== null,
    title: m.title,
    listeners: m.broadcaster.count,
    listener_peak: m.listenerPeak,
    max_listeners: m.config.max_listeners,
    station_name: d.name,
    station_description: d.description,
    station_genre: d.genre,
    station_url: d.url,
    bitrate: d.bitrate || m.measuredBitrate,
    codec: info?.codec ?? null,
    samplerate: info?.sampleRate ?? null,
    channels: info?.channels ?? null,
    // public: the DJ's address is for the admin API and the studio only
    source: m.source && {
      user_agent: m.source.userAgent,
      protocol: m.source.protocol,
      content_type: m.source.contentType,
      connected_at: new Date(m.source.connectedAt).toISOString(),
      connected_seconds: Math.round((Date.now() - m.source.connectedAt) / 1000),
      bytes_received: m.source.bytesIn,
    },
    buffer: { bytes: m.ring.length, capacity: m.ring.capacity, chunks: m.ring.size },
    title_origin: m.titleOrigin,
    autodj: autodjStatus(ctx, m),
    history: m.history.slice(0, 20).map((h) => ({ time: new Date(h.time).toISOString(), title: h.title, origin: h.origin })),
  };
}

/** Cycast's /api/status, plus `mounts` with every mount. */
export function apiStatus(ctx: HttpContext) {
  const main = [...ctx.mounts.values()][0];
  const uptime = Math.floor((Date.now() - ctx.startedAt) / 1000);
  const live = main?.source !== null && main?.source !== undefined;
  return {
    source_connected: live,
    source_status: live ? 'Connected' : 'Playlist Fallback',
    metadata: { ...splitTitle(main?.title ?? ''), song: main?.title ?? '' },
    listeners: ctx.mounts.totalListeners,
    uptime_seconds: uptime,
    uptime_formatted: uptimeFormatted(uptime),
    station_name: ctx.config().metadata.station_name,
    station_genre: ctx.config().metadata.station_genre,
    mount_point: main?.path ?? ctx.config().server.mount_point,
    server: SERVER_ID,
    mounts: [...ctx.mounts.values()].map((m) => mountStatus(ctx, m)),
    ...linksStatus(ctx),
  };
}

/** Outputs and relays in /api/status: state, since when, the next attempt, bytes, the remote's last answer. */
function linksStatus(ctx: HttpContext) {
  const { outputs, relays } = ctx.links();
  const retryIn = (t: number): number | null => (t ? Math.max(0, Math.ceil((t - Date.now()) / 1000)) : null);
  return {
    outputs: outputs.map((o) => ({
      name: o.id, mount: o.mount, target: o.target, state: o.state, since: new Date(o.since).toISOString(),
      retry_in_seconds: retryIn(o.retryAt), reason: o.reason, bytes_sent: o.bytes, connects: o.connects, last_answer: o.lastAnswer,
    })),
    relays: relays.map((r) => ({
      mount: r.mount, upstream: r.upstream, on_demand: r.on_demand, state: r.state, since: new Date(r.since).toISOString(),
      retry_in_seconds: retryIn(r.retryAt), reason: r.reason, bytes_received: r.bytes, connects: r.connects, last_answer: r.lastAnswer,
    })),
  };
}

/** Cycast's /api/stats: listener details and buffer fill. */
export function apiStats(ctx: HttpContext) {
  const mounts = [...ctx.mounts.values()];
  const listeners = mounts.flatMap((m) =>
    m.broadcaster.audience().map((l) => ({
      id: l.id,
      mount: m.path,
      bytes_sent: l.bytesSent,
      connected_seconds: Math.floor((Date.now() - l.connectedAt) / 1000),
      active: !l.blocked,
      lag_bytes: m.broadcaster.lagOf(l),
    })),
  );
  const main = mounts[0];
  const capacity = main ? main.ring.capacity : 0;
  const available = main ? main.ring.length : 0;
  return {
    total_listeners: listeners.length,
    total_bytes_sent: mounts.reduce((n, m) => n + m.broadcaster.totalBytesSent, 0),
    listeners,
    buffer: {
      available,
      space: capacity - available,
      fill_percentage: capacity ? (available / capacity) * 100 : 0,
    },
    counters: { ...ctx.counters },
    ...(statsProviders.has(ctx.mounts) ? { history: statsProviders.get(ctx.mounts)!.history() } : {}),
  };
}

function isoNoMillis(t: number): string {
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, '+0000');
}

function hostOf(ctx: HttpContext, hostHeader?: string): string {
  return hostHeader || `${ctx.config().server.host === '0.0.0.0' ? '127.0.0.1' : ctx.config().server.host}:${ctx.listenPort()}`;
}

/** Icecast's /status-json.xsl: `icestats`, with `source` an object for one live mount, an array for several. */
export function icestats(ctx: HttpContext, hostHeader?: string) {
  const host = hostOf(ctx, hostHeader);
  // mounts on air: a live source, or the AutoDJ
  const onAir = (m: Mount): boolean => m.source !== null || ['auto', 'grace'].includes(ctx.feederOf(m.path)?.state ?? '');
  const sources = [...ctx.mounts.values()]
    .filter(onAir)
    .map((m) => {
      const since = m.source?.connectedAt ?? m.createdAt;
      const d = m.description;
      return {
        audio_info: d.audioInfo || undefined,
        bitrate: d.bitrate || m.measuredBitrate || undefined,
        channels: m.info?.channels,
        genre: d.genre,
        listener_peak: m.listenerPeak,
        listeners: m.broadcaster.count,
        listenurl: `http://${host}${m.path}`,
        samplerate: m.info?.sampleRate,
        server_description: d.description,
        server_name: d.name,
        server_type: m.contentType,
        server_url: d.url,
        stream_start: new Date(since).toUTCString(),
        stream_start_iso8601: isoNoMillis(since),
        title: m.title || undefined,
        dummy: null,
      };
    });
  return {
    icestats: {
      admin: ctx.config().metadata.admin_contact,
      host: host.replace(/:\d+$/, ''),
      location: 'Cycast Studio',
      server_id: SERVER_ID,
      server_start: new Date(ctx.startedAt).toUTCString(),
      server_start_iso8601: isoNoMillis(ctx.startedAt),
      ...(sources.length === 0 ? {} : { source: sources.length === 1 ? sources[0] : sources }),
    },
  };
}


function el(name: string, value: string | number): string {
  return `<${name}>${xmlEscape(String(value))}</${name}>`;
}

/** Icecast's /admin/stats XML. */
export function adminStatsXml(ctx: HttpContext, hostHeader?: string): string {
  const host = hostOf(ctx, hostHeader);
  const mounts = [...ctx.mounts.values()];
  const body = mounts
    .map((m) => {
      const d = m.description;
      return (
        `<source mount="${xmlEscape(m.path)}">` +
        el('genre', d.genre) +
        el('listener_peak', m.listenerPeak) +
        el('listeners', m.broadcaster.count) +
        el('listenurl', `http://${host}${m.path}`) +
        el('max_listeners', m.config.max_listeners || 'unlimited') +
        el('public', d.public ? 1 : 0) +
        el('server_description', d.description) +
        el('server_name', d.name) +
        el('server_type', m.contentType) +
        el('server_url', d.url) +
        el('slow_listeners', m.slowListenerDrops) +
        el('source_ip', m.source?.ip ?? '') +
        el('stream_start', m.source ? new Date(m.source.connectedAt).toUTCString() : '') +
        el('title', m.title) +
        el('total_bytes_read', m.bytesIn) +
        el('total_bytes_sent', m.broadcaster.totalBytesSent) +
        el('user_agent', m.source?.userAgent ?? '') +
        `</source>`
      );
    })
    .join('');
  return (
    '<?xml version="1.0"?>\n<icestats>' +
    el('admin', ctx.config().metadata.admin_contact) +
    el('client_connections', ctx.counters.clientConnections) +
    el('clients', ctx.mounts.totalListeners + mounts.filter((m) => m.source).length) +
    el('connections', ctx.counters.clientConnections) +
    el('host', host.replace(/:\d+$/, '')) +
    el('listener_connections', ctx.counters.listenerConnections) +
    el('listeners', ctx.mounts.totalListeners) +
    el('server_id', SERVER_ID) +
    el('server_start', new Date(ctx.startedAt).toUTCString()) +
    el('source_client_connections', ctx.counters.sourceConnections) +
    el('sources', mounts.filter((m) => m.source).length) +
    body +
    '</icestats>\n'
  );
}

export function listClientsXml(m: Mount): string {
  const rows = m.broadcaster
    .audience()
    .map(
      (l) =>
        `<listener id="${l.id}">` +
        el('IP', l.ip) +
        el('UserAgent', l.userAgent) +
        el('Connected', Math.floor((Date.now() - l.connectedAt) / 1000)) +
        el('ID', l.id) +
        el('BytesSent', l.bytesSent) +
        '</listener>',
    )
    .join('');
  return `<?xml version="1.0"?>\n<icestats><source mount="${xmlEscape(m.path)}">${el('Listeners', m.broadcaster.count)}${rows}</source></icestats>\n`;
}

/** Prometheus text exposition format. */
export function prometheusMetrics(ctx: HttpContext): string {
  const out: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, rows: [Record<string, string> | null, number][]): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of rows) {
      const l = labels ? '{' + Object.entries(labels).map(([k, x]) => `${k}="${x.replace(/["\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\' + c))}"`).join(',') + '}' : '';
      out.push(`${name}${l} ${v}`);
    }
  };
  const mounts = [...ctx.mounts.values()];
  const per = (f: (m: Mount) => number): [Record<string, string>, number][] => mounts.map((m) => [{ mount: m.path }, f(m)]);
  metric('cycast_up', 'gauge', 'Whether the engine is running.', [[null, 1]]);
  metric('cycast_uptime_seconds', 'gauge', 'Seconds since the engine started.', [[null, Math.floor((Date.now() - ctx.startedAt) / 1000)]]);
  metric('cycast_listeners', 'gauge', 'Listeners connected now.', per((m) => m.broadcaster.count));
  metric('cycast_listener_peak', 'gauge', 'Most listeners at once since start.', per((m) => m.listenerPeak));
  metric('cycast_source_connected', 'gauge', '1 when a live source is on the mount.', per((m) => (m.source ? 1 : 0)));
  metric('cycast_buffer_bytes', 'gauge', 'Bytes held in the stream buffer.', per((m) => m.ring.length));
  metric('cycast_received_bytes_total', 'counter', 'Audio bytes received from sources.', per((m) => m.bytesIn));
  metric('cycast_sent_bytes_total', 'counter', 'Bytes sent to listeners.', per((m) => m.broadcaster.totalBytesSent));
  metric('cycast_listener_connections_total', 'counter', 'Listener connections accepted.', per((m) => m.listenerConnections));
  metric('cycast_source_connections_total', 'counter', 'Source logins accepted.', [[null, ctx.counters.sourceConnections]]);
  metric('cycast_source_login_failures_total', 'counter', 'Source logins refused for wrong credentials.', [[null, ctx.counters.failedSourceLogins]]);
  metric('cycast_slow_listener_drops_total', 'counter', 'Listeners dropped for falling behind.', [[null, ctx.counters.slowListenerDrops]]);
  metric('cycast_client_connections_total', 'counter', 'TCP connections accepted.', [[null, ctx.counters.clientConnections]]);
  const visits = statsProviders.get(ctx.mounts)?.visitTotals();
  if (visits) {
    const rows = [...visits].sort(([x], [y]) => x.localeCompare(y));
    metric('cycast_listener_visits_total', 'counter', 'Listener visits recorded when they ended (kept across restarts).', rows.map(([mount, t]) => [{ mount }, t.visits]));
    metric('cycast_listening_seconds_total', 'counter', 'Seconds listened in the recorded visits (kept across restarts).', rows.map(([mount, t]) => [{ mount }, Math.round(t.seconds * 1000) / 1000]));
  }
  const { outputs, relays } = ctx.links();
  metric('cycast_output_on_air', 'gauge', '1 while a push output is streaming to its remote.', outputs.map((o) => [{ output: o.id, mount: o.mount }, o.state === 'on-air' ? 1 : 0]));
  metric('cycast_output_sent_bytes_total', 'counter', 'Audio bytes a push output sent to its remote.', outputs.map((o) => [{ output: o.id, mount: o.mount }, o.bytes]));
  metric('cycast_output_connects_total', 'counter', 'Connection attempts of a push output.', outputs.map((o) => [{ output: o.id, mount: o.mount }, o.connects]));
  metric('cycast_relay_on_air', 'gauge', '1 while a pull relay is receiving from its upstream.', relays.map((r) => [{ mount: r.mount }, r.state === 'on-air' ? 1 : 0]));
  metric('cycast_relay_received_bytes_total', 'counter', 'Bytes a pull relay received from its upstream.', relays.map((r) => [{ mount: r.mount }, r.bytes]));
  const mem = process.memoryUsage();
  metric('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [[null, mem.rss]]);
  metric('process_heap_bytes', 'gauge', 'V8 heap used in bytes.', [[null, mem.heapUsed]]);
  return out.join('\n') + '\n';
}
