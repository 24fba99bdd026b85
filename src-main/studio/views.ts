// Plain-data views of engine state for the StudioApi (what crosses IPC and HTTP).

import { displayTitle, type Engine, type Feeder, type Listener, type Mount, type Playlist } from '../engine/index.js';
import type { ListenerView, MountView, PlaylistEntryView, PlaylistView } from '../../src-shared/studio-api.js';

export function autodjView(f: Feeder | undefined): MountView['autodj'] {
  if (!f) return null;
  const a = f.summary();
  return { state: a.state, nowPlaying: a.nowPlaying, upNext: a.upNext, shuffle: a.shuffle, repeat: a.repeat, usingDemo: a.usingDemo };
}

export function mountView(engine: Engine, m: Mount, graph: [number, number][]): MountView {
  const d = m.description;
  const info = m.info;
  return {
    path: m.path,
    format: m.format,
    contentType: m.contentType,
    live: m.source !== null,
    title: m.title,
    titleOrigin: m.titleOrigin,
    source: m.source && {
      ip: m.source.ip,
      userAgent: m.source.userAgent,
      protocol: m.source.protocol,
      contentType: m.source.contentType,
      connectedAt: m.source.connectedAt,
      bytesIn: m.source.bytesIn,
      name: m.source.description.name,
      bitrate: m.source.description.bitrate || info?.bitrate || 0,
    },
    autodj: autodjView(engine.feederOf(m.path)),
    listeners: m.broadcaster.count,
    listenerPeak: m.listenerPeak,
    maxListeners: m.config.max_listeners,
    bitrate: d.bitrate || m.measuredBitrate,
    sampleRate: info?.sampleRate ?? 0,
    channels: info?.channels ?? 0,
    codec: info?.codec ?? '',
    history: m.history.slice(0, 30),
    listenerGraph: graph,
  };
}

export function listenerView(l: Listener): ListenerView {
  return { id: l.id, mount: l.mount, ip: l.ip, userAgent: l.userAgent, connectedAt: l.connectedAt, bytesSent: l.bytesSent, icy: l.icy };
}

export function playlistView(mount: string, p: Playlist): PlaylistView {
  return {
    mount,
    entries: p.list.map(
      (e): PlaylistEntryView => ({
        id: e.id,
        path: e.track.path,
        title: e.track.title,
        artist: e.track.artist,
        album: e.track.album,
        display: displayTitle(e.track),
        duration: e.track.duration,
        format: e.track.format,
        codec: e.track.codec,
        bitrate: e.track.bitrate,
        sampleRate: e.track.sampleRate,
        problem: e.problem,
      }),
    ),
    excluded: p.excluded,
    currentId: p.current?.id ?? null,
    shuffle: p.shuffleEachPass,
    repeat: p.repeat,
    directory: p.opts.directory,
    file: p.opts.file,
  };
}
