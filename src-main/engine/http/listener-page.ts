// The public listener page at `/`: the station, and per mount a play button, what is on air, what was, and
// links for players. Rendered on the server from the now-playing document, so it reads the same without
// script; /static/player.js then plays the stream and keeps it current from /api/nowplaying.

import { xmlEscape as esc } from '../protocol/untrusted.js';
import type { NowPlayingDocument, NowPlayingMount } from './now-playing.js';

/** "21:03 UTC": the server's rendering of a time; the script replaces it with the listener's local time. */
export function clock(iso: string): string {
  return `${iso.slice(11, 16)} UTC`;
}

const FORMAT_NAMES: Record<string, string> = { mp3: 'MP3', ogg: 'Ogg', aac: 'AAC' };

export function formatLabel(m: NowPlayingMount): string {
  return `${FORMAT_NAMES[m.format] ?? m.format.toUpperCase()}${m.bitrate ? ` · ${m.bitrate} kbit/s` : ''}`;
}

export function listenersLabel(n: number | null): string {
  return n === null ? '' : n === 1 ? '1 listener' : `${n} listeners`;
}

const PLAY_ICON = '<svg class="icon-play" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M8 5v14l11-7z"/></svg><svg class="icon-stop" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M7 7h10v10H7z"/></svg>';

/** Cover, play button and what is on air: shared by the page and the embed. */
export function playerBlock(m: NowPlayingMount, id: string, headingLevel: 2 | 3): string {
  const n = m.now;
  const h = `h${headingLevel}`;
  return `<div class="player">
  <div class="art">
    <img class="cover" alt=""${n.cover_url ? ` src="${esc(n.cover_url)}"` : ' hidden'} width="96" height="96">
    <button class="play" type="button" hidden aria-label="Play ${esc(m.name)}" aria-pressed="false">${PLAY_ICON}</button>
  </div>
  <div class="meta">
    <p class="onair"><span class="badge ${m.on_air}">${m.on_air === 'live' ? 'Live' : 'AutoDJ'}</span> <span class="listeners">${esc(listenersLabel(m.listeners))}</span></p>
    <${h} class="title" id="${id}-title">${esc(n.display)}</${h}>
    <p class="artist"${n.artist ? '' : ' hidden'}>${esc(n.artist)}</p>
    <p class="state" role="status"></p>
  </div>
</div>
<div class="volume" hidden><label for="${id}-volume">Volume</label><input type="range" id="${id}-volume" min="0" max="100" step="5" value="80"></div>
<noscript><audio controls preload="none" src="${esc(m.mount)}"></audio></noscript>
<p class="cannot" hidden>This browser cannot play ${esc(FORMAT_NAMES[m.format] ?? m.format)} streams: open the stream in your player with the links below.</p>`;
}

function songList(cls: string, heading: string, items: { song: string; played_at?: string }[]): string {
  const rows = items
    .map((s) => `<li>${s.played_at ? `<time datetime="${esc(s.played_at)}">${esc(clock(s.played_at))}</time> ` : ''}<span>${esc(s.song)}</span></li>`)
    .join('');
  return `<section class="${cls}"${items.length ? '' : ' hidden'}><h3>${heading}</h3><ol>${rows}</ol></section>`;
}

export function listenLinks(m: NowPlayingMount): string {
  return `<nav class="links" aria-label="Listen to ${esc(m.name)} in your player">
  <span>Listen in your player:</span>
  <a href="${esc(m.listen_url)}" class="direct">Direct stream</a>
  <a href="${esc(m.m3u_url)}" class="m3u">M3U</a>
  <a href="${esc(m.pls_url)}" class="pls">PLS</a>
</nav>`;
}

function mountSection(m: NowPlayingMount, i: number, station: string): string {
  const id = `m${i}`;
  // the station's name is the page's heading already: a mount named the same is just "On air"
  return `<section class="mount" data-mount="${esc(m.mount)}" data-type="${esc(m.content_type)}" aria-labelledby="${id}-name">
<h2 class="mount-name" id="${id}-name">${esc(m.name === station ? 'On air' : m.name)} <small>${esc(formatLabel(m))}</small></h2>
${playerBlock(m, id, 3)}
${listenLinks(m)}
${songList('next', 'Up next', m.next)}
${songList('history', 'Recently played', m.history)}
</section>`;
}

/** The HTML a web site pastes to show the embeddable player of `mount`. */
export function embedSnippet(base: string, m: NowPlayingMount): string {
  return `<iframe src="${base}/embed?mount=${encodeURIComponent(m.mount).replace(/%2F/g, '/')}" title="${m.name.replace(/["<>&]/g, '')} player" width="100%" height="132" style="border:0;max-width:560px" loading="lazy" allow="autoplay"></iframe>`;
}

/** URLs of the page's script and style sheet (versioned, see static-assets.ts) */
export interface PageAssets {
  script: string;
  style: string;
}

export function pageHead(title: string, description: string, bodyClass: string, assets: PageAssets): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark">
<title>${esc(title)}</title>
<meta name="description" content="${esc(description)}">
<link rel="icon" href="/favicon.ico">
<link rel="stylesheet" href="${esc(assets.style)}">
<script src="${esc(assets.script)}" defer></script>
</head>
<body class="${bodyClass}">
`;
}

export function listenerPage(doc: NowPlayingDocument, base: string, assets: PageAssets): string {
  const s = doc.station;
  const first = doc.mounts[0];
  const snippet = first
    ? `<details class="embed-code">
<summary>Put this player on your web site</summary>
<p>Copy this HTML into your page; change <code>mount=</code> for another stream.</p>
<textarea readonly rows="4" aria-label="HTML of the embeddable player">${esc(embedSnippet(base, first))}</textarea>
</details>`
    : '';
  return `${pageHead(s.name, s.description, 'listener', assets)}<header class="station">
<h1>${esc(s.name)}</h1>
<p class="description">${esc(s.description)}</p>
<p class="genre"${s.genre ? '' : ' hidden'}>${esc(s.genre)}</p>
</header>
<main>
${doc.mounts.length ? doc.mounts.map((m, i) => mountSection(m, i, s.name)).join('\n') : '<p class="empty">Nothing is on air right now. Please come back later.</p>'}
${snippet}
</main>
<footer><a href="/status">Server status</a> · <a href="/api/nowplaying">Now-playing API</a>${/^https?:\/\//i.test(s.url) ? ` · <a href="${esc(s.url)}" rel="noopener">Web site</a>` : ''}</footer>
</body>
</html>
`;
}
