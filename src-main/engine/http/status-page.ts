// The server status page at `/status` (the listener page is at `/`): station, on-air state, title,
// listeners per mount. Rendered on the server so it works without script, then kept current from
// /api/status every two seconds.

import type { HttpContext } from './context.js';
import { apiStatus } from './status.js';
import { xmlEscape as esc } from '../protocol/untrusted.js';

export function statusPage(ctx: HttpContext): string {
  const s = apiStatus(ctx);
  const rows = s.mounts
    .map(
      (m) => `<tr data-mount="${esc(m.mount)}">
  <td><a href="${esc(m.mount)}">${esc(m.mount)}</a> <small><a href="${esc(m.mount)}.m3u">m3u</a> · <a href="${esc(m.mount)}.pls">pls</a></small></td>
  <td class="state">${m.live ? 'LIVE' : 'AutoDJ'}</td>
  <td class="title">${esc(m.title || '—')}</td>
  <td class="fmt">${esc(m.format.toUpperCase())}${m.bitrate ? ` ${m.bitrate} kbit/s` : ''}</td>
  <td class="listeners">${m.listeners}</td>
</tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(s.station_name)} — Cycast Studio</title>
<style>
  :root { color-scheme: dark; }
  body { margin: 0; font: 16px/1.5 system-ui, sans-serif; background: #111418; color: #e8eaed; }
  main { max-width: 960px; margin: 0 auto; padding: 32px 20px; }
  h1 { margin: 0 0 4px; font-size: 28px; }
  .genre { color: #9aa0a6; margin: 0 0 24px; }
  .onair { display: flex; gap: 16px; align-items: center; background: #1b1f24; border-radius: 12px; padding: 20px; margin-bottom: 24px; }
  .badge { font-weight: 700; letter-spacing: .08em; padding: 6px 12px; border-radius: 6px; background: #3c4043; }
  .badge.live { background: #d93025; color: #fff; }
  .now { font-size: 22px; font-weight: 600; }
  .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 12px; margin-bottom: 24px; }
  .card { background: #1b1f24; border-radius: 10px; padding: 14px 16px; }
  .card b { display: block; font-size: 24px; }
  .card span { color: #9aa0a6; font-size: 13px; text-transform: uppercase; letter-spacing: .05em; }
  table { width: 100%; border-collapse: collapse; background: #1b1f24; border-radius: 10px; overflow: hidden; }
  th, td { text-align: left; padding: 10px 14px; border-bottom: 1px solid #2a2f36; }
  th { color: #9aa0a6; font-weight: 500; font-size: 13px; text-transform: uppercase; }
  a { color: #8ab4f8; }
  footer { margin-top: 24px; color: #9aa0a6; font-size: 13px; }
</style>
</head>
<body>
<main>
  <h1 id="station">${esc(s.station_name)}</h1>
  <p class="genre" id="genre">${esc(s.station_genre)}</p>
  <section class="onair">
    <span id="badge" class="badge${s.source_connected ? ' live' : ''}">${s.source_connected ? 'LIVE' : 'AUTODJ'}</span>
    <div><div style="color:#9aa0a6;font-size:13px">NOW PLAYING</div><div class="now" id="now">${esc(s.metadata.song || '—')}</div></div>
  </section>
  <section class="cards">
    <div class="card"><span>Listeners</span><b id="listeners">${s.listeners}</b></div>
    <div class="card"><span>Status</span><b id="status">${esc(s.source_status)}</b></div>
    <div class="card"><span>Uptime</span><b id="uptime">${esc(s.uptime_formatted)}</b></div>
  </section>
  <table>
    <thead><tr><th>Mount</th><th>On air</th><th>Title</th><th>Format</th><th>Listeners</th></tr></thead>
    <tbody id="mounts">
${rows}
    </tbody>
  </table>
  <footer><a href="/">Listener page</a> · ${esc(s.server)} · <a href="/api/status">/api/status</a> · <a href="/api/stats">/api/stats</a> · <a href="/status-json.xsl">status-json.xsl</a> · <a href="/metrics">metrics</a> · <span id="updated"></span></footer>
</main>
<script>
(() => {
  const $ = (id) => document.getElementById(id);
  async function refresh() {
    try {
      const r = await fetch('/api/status', { cache: 'no-store' });
      if (!r.ok) throw new Error(String(r.status));
      const s = await r.json();
      $('station').textContent = s.station_name;
      $('genre').textContent = s.station_genre;
      $('now').textContent = s.metadata.song || '—';
      $('listeners').textContent = s.listeners;
      $('status').textContent = s.source_status;
      $('uptime').textContent = s.uptime_formatted;
      const badge = $('badge');
      badge.textContent = s.source_connected ? 'LIVE' : 'AUTODJ';
      badge.className = 'badge' + (s.source_connected ? ' live' : '');
      const body = $('mounts');
      body.replaceChildren(...s.mounts.map((m) => {
        const tr = document.createElement('tr');
        const cell = (t) => { const td = document.createElement('td'); td.textContent = t; tr.append(td); return td; };
        const first = cell('');
        const link = (href, label) => { const a = document.createElement('a'); a.href = href; a.textContent = label; return a; };
        // the same cell as the server renders: the stream, then its playlist files
        const small = document.createElement('small');
        small.append(link(m.mount + '.m3u', 'm3u'), ' · ', link(m.mount + '.pls', 'pls'));
        first.append(link(m.mount, m.mount), ' ', small);
        cell(m.live ? 'LIVE' : 'AutoDJ');
        cell(m.title || '—');
        cell(m.format.toUpperCase() + (m.bitrate ? ' ' + m.bitrate + ' kbit/s' : ''));
        cell(String(m.listeners));
        return tr;
      }));
      $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    } catch (e) {
      $('updated').textContent = 'server unreachable, retrying…';
    }
  }
  setInterval(refresh, 2000);
})();
</script>
</body>
</html>
`;
}
