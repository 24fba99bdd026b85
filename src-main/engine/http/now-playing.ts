// The public now-playing document (/api/nowplaying): per mount, what is on air, what the AutoDJ plays next,
// the last titles and the listener count, in words meant for listeners and web sites. Built from the
// engine's state only when something changed, and served with an ETag so pollers mostly get 304.
// Public: titles and file names at most, never a server path, an address or an internal state name.

import { createHash } from 'node:crypto';
import type { HttpContext } from './context.js';
import type { Mount } from '../stream/mount.js';
import type { PlaylistEntry } from '../autodj/playlist.js';
import { displayTitle } from '../autodj/track-probe.js';

export const HISTORY_SHOWN = 10;
export const UP_NEXT_SHOWN = 3;
/** a listener count alone changing (churn) rebuilds the document at most this often */
const COUNT_REFRESH_MS = 1000;

export interface Song {
  /** what the stream calls it: "Artist - Title", or whatever the source sent */
  song: string;
  title: string;
  artist: string;
}

export interface NowPlayingMount {
  mount: string;
  name: string;
  description: string;
  genre: string;
  url: string;
  /** the stream, and playlist files for players */
  listen_url: string;
  m3u_url: string;
  pls_url: string;
  content_type: string;
  format: string;
  bitrate: number | null;
  /** "live": a DJ is on air; "autodj": the playlist */
  on_air: 'live' | 'autodj';
  now: Song & {
    /** what to show as the title (the artist goes beside it): the title, or the stream's name when there is none */
    display: string;
    started_at: string;
    /** seconds, AutoDJ tracks only */
    duration: number | null;
    /** the on-air track's cover picture (AutoDJ tracks with one in their tags), else null */
    cover_url: string | null;
  };
  /** the AutoDJ's next titles (empty while a DJ is live) */
  next: Song[];
  /** titles that were on air before this one, newest first */
  history: (Song & { played_at: string })[];
  /** null when the station hides it (metadata.show_listeners = false) */
  listeners: number | null;
}

export interface NowPlayingDocument {
  station: { name: string; description: string; genre: string; url: string };
  mounts: NowPlayingMount[];
}

/** The track a title came from, when the AutoDJ put it on air; otherwise "Artist - Title" split back. */
function songOf(title: string, entry?: PlaylistEntry): Song {
  if (entry && displayTitle(entry.track) === title) {
    const t = entry.track;
    return { song: title, title: t.title || title, artist: t.title ? t.artist : '' };
  }
  const i = title.indexOf(' - ');
  return i > 0 ? { song: title, artist: title.slice(0, i), title: title.slice(i + 3) } : { song: title, artist: '', title };
}

/** Only a plain host[:port] from the Host header goes into URLs; anything else falls back to ours. */
export function safeHost(header: string | undefined, fallback: string): string {
  return header && header.length <= 255 && /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(header) ? header : fallback;
}

export interface CoverLookup {
  /** the cover URL of the mount's on-air AutoDJ track if it is known to have one; starts a lookup if unknown */
  coverUrl(m: Mount): string | null;
}

function mountDocument(ctx: HttpContext, m: Mount, base: string, covers: CoverLookup): NowPlayingMount {
  const d = m.description;
  const feeder = ctx.feederOf(m.path);
  const live = m.source !== null;
  const playing = !live ? feeder?.nowPlaying : null;
  const current = songOf(m.title, playing?.entry);
  const entries = feeder?.playlist && !live ? feeder.playlist.upcoming(UP_NEXT_SHOWN) : [];
  // the history's newest entry is the title on air now
  const past = m.history[0]?.title === m.title && m.title ? m.history.slice(1) : m.history;
  const show = ctx.config().metadata.show_listeners;
  return {
    mount: m.path,
    name: d.name,
    description: d.description,
    genre: d.genre,
    url: d.url,
    listen_url: `${base}${m.path}`,
    m3u_url: `${base}${m.path}.m3u`,
    pls_url: `${base}${m.path}.pls`,
    content_type: m.contentType,
    format: m.format,
    bitrate: d.bitrate || m.measuredBitrate || null,
    on_air: live ? 'live' : 'autodj',
    now: {
      ...current,
      display: current.title || d.name,
      started_at: new Date(m.titleChangedAt).toISOString(),
      duration: playing ? Math.round(playing.entry.track.duration) : null,
      cover_url: playing ? covers.coverUrl(m) : null,
    },
    next: entries.map((e) => songOf(displayTitle(e.track), e)),
    history: past.slice(0, HISTORY_SHOWN).map((h) => ({ ...songOf(h.title), played_at: new Date(h.time).toISOString() })),
    listeners: show ? m.broadcaster.count : null,
  };
}

export function nowPlayingDocument(ctx: HttpContext, base: string, covers: CoverLookup): NowPlayingDocument {
  const md = ctx.config().metadata;
  return {
    station: { name: md.station_name, description: md.station_description, genre: md.station_genre, url: md.station_url },
    mounts: [...ctx.mounts.values()].map((m) => mountDocument(ctx, m, base, covers)),
  };
}

export interface Rendered {
  doc: NowPlayingDocument;
  body: string;
  etag: string;
}

/**
 * The document, rebuilt only when the engine reports a change: a title, a source, the AutoDJ, the playlist
 * at once; a listener count alone at most once a second, so listener churn does not rebuild it per request.
 * Keyed by the host the URLs are written for (a few at most: the names this server is reached by).
 */
export class NowPlayingFeed {
  private cache = new Map<string, Rendered & { at: number }>();
  private contentVersion = 0;
  private countVersion = 0;
  private builtContent = new Map<string, number>();
  private builtCount = new Map<string, number>();

  constructor(
    private readonly ctx: HttpContext,
    private readonly covers: CoverLookup,
  ) {
    const content = (): void => void this.contentVersion++;
    const count = (): void => void this.countVersion++;
    for (const e of ['title', 'source-connect', 'source-disconnect', 'playlist-change', 'autodj-state'] as const) ctx.on(e, content);
    ctx.on('listener-connect', count);
    ctx.on('listener-disconnect', count);
  }

  /** Something outside the engine's events changed what the document says (a cover became known). */
  invalidate(): void {
    this.contentVersion++;
  }

  get(host: string): Rendered {
    const now = Date.now();
    const hit = this.cache.get(host);
    const fresh =
      hit &&
      this.builtContent.get(host) === this.contentVersion &&
      (this.builtCount.get(host) === this.countVersion || now - hit.at < COUNT_REFRESH_MS) &&
      // a config apply (station name, show_listeners) emits no event: it shows within ten seconds
      now - hit.at < 10 * COUNT_REFRESH_MS;
    if (hit && fresh) return hit;
    if (!hit && this.cache.size >= 8) this.cache.clear();
    const contentVersion = this.contentVersion;
    const countVersion = this.countVersion;
    const doc = nowPlayingDocument(this.ctx, `http://${host}`, this.covers);
    const body = JSON.stringify(doc);
    const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`;
    const r = { doc, body, etag, at: now };
    this.cache.set(host, r);
    this.builtContent.set(host, contentVersion);
    this.builtCount.set(host, countVersion);
    return r;
  }
}
