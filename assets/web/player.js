// The listener page's and the embed's script: plays a mount in one <audio> element and keeps what is on
// air current from /api/nowplaying (revalidated with its ETag, so an unchanged document costs a 304).
// Served under a strict Content-Security-Policy: no inline script, no innerHTML, text only via textContent.
'use strict';
(() => {
  const POLL_MS = 1500;
  const audio = new Audio();
  audio.preload = 'none';
  audio.className = 'stream';
  audio.hidden = true;
  document.body.append(audio);
  let playing = null; // the section whose mount plays
  let lastBody = '';

  const storage = (() => {
    try {
      return window.localStorage; // may throw in a third-party iframe
    } catch {
      return null;
    }
  })();

  const $ = (root, sel) => root.querySelector(sel);
  const sections = [...document.querySelectorAll('section.mount[data-mount]')];

  function localTime(iso) {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  function setState(section, text) {
    $(section, '.state').textContent = text;
  }

  function showPlaying(section, on) {
    section.classList.toggle('playing', on);
    const b = $(section, 'button.play');
    b.setAttribute('aria-pressed', on ? 'true' : 'false');
    const name = b.dataset.name;
    b.setAttribute('aria-label', (on ? 'Stop ' : 'Play ') + name);
  }

  function stop() {
    if (!playing) return;
    const s = playing;
    playing = null;
    audio.pause();
    // drop the connection: a paused live stream would keep downloading
    audio.removeAttribute('src');
    audio.load();
    showPlaying(s, false);
    setState(s, '');
  }

  function play(section) {
    if (playing === section) return stop();
    stop();
    playing = section;
    showPlaying(section, true);
    setState(section, 'Connecting…');
    // a fresh URL each time: never a stale cached start of a live stream
    audio.src = section.dataset.mount + '?t=' + Date.now();
    audio.play().catch((e) => {
      if (playing !== section) return;
      stop();
      setState(section, e && e.name === 'NotAllowedError' ? 'Press play to listen.' : 'The stream could not be played.');
    });
  }

  audio.addEventListener('playing', () => playing && setState(playing, ''));
  audio.addEventListener('waiting', () => playing && setState(playing, 'Buffering…'));
  audio.addEventListener('error', () => {
    if (!playing || !audio.getAttribute('src')) return;
    const s = playing;
    stop();
    setState(s, 'The stream is not reachable right now.');
  });

  const volume = Number(storage?.getItem('cycast-volume') ?? 80);
  audio.volume = Math.min(1, Math.max(0, (Number.isFinite(volume) ? volume : 80) / 100));

  for (const section of sections) {
    const button = $(section, 'button.play');
    const slider = $(section, '.volume input');
    const type = section.dataset.type;
    button.dataset.name = button.getAttribute('aria-label').replace(/^Play /, '');
    if (type && audio.canPlayType(type) === '') {
      $(section, '.cannot').hidden = false;
      continue;
    }
    button.hidden = false;
    $(section, '.volume').hidden = false;
    slider.value = String(Math.round(audio.volume * 100));
    button.addEventListener('click', () => play(section));
    slider.addEventListener('input', () => {
      audio.volume = Number(slider.value) / 100;
      for (const other of document.querySelectorAll('.volume input')) if (other !== slider) other.value = slider.value;
      try {
        storage?.setItem('cycast-volume', slider.value);
      } catch {
        // storage full or refused: the volume just is not remembered
      }
    });
  }

  function fillList(section, cls, items, withTime) {
    const box = $(section, 'section.' + cls);
    if (!box) return;
    const ol = $(box, 'ol');
    ol.replaceChildren(
      ...items.map((s) => {
        const li = document.createElement('li');
        if (withTime) {
          const t = document.createElement('time');
          t.dateTime = s.played_at;
          t.textContent = localTime(s.played_at);
          li.append(t, ' ');
        }
        const span = document.createElement('span');
        span.textContent = s.song;
        li.append(span);
        return li;
      }),
    );
    box.hidden = items.length === 0;
  }

  function render(doc) {
    for (const section of sections) {
      const m = doc.mounts.find((x) => x.mount === section.dataset.mount);
      if (!m) continue;
      const title = $(section, '.title');
      if (title.textContent !== m.now.display) title.textContent = m.now.display;
      const artist = $(section, '.artist');
      artist.textContent = m.now.artist;
      artist.hidden = !m.now.artist;
      const badge = $(section, '.badge');
      badge.textContent = m.on_air === 'live' ? 'Live' : 'AutoDJ';
      badge.className = 'badge ' + m.on_air;
      $(section, '.listeners').textContent = m.listeners === null ? '' : m.listeners === 1 ? '1 listener' : m.listeners + ' listeners';
      const cover = $(section, 'img.cover');
      if (m.now.cover_url) {
        if (cover.getAttribute('src') !== m.now.cover_url) cover.src = m.now.cover_url;
        cover.hidden = false;
      } else {
        cover.hidden = true;
        cover.removeAttribute('src');
      }
      fillList(section, 'next', m.next, false);
      fillList(section, 'history', m.history, true);
      if (playing === section && 'mediaSession' in navigator && window.MediaMetadata) {
        navigator.mediaSession.metadata = new MediaMetadata({ title: m.now.title || m.now.display, artist: m.now.artist, album: m.name });
      }
    }
  }

  let timer = 0;
  async function poll() {
    timer = 0;
    try {
      const r = await fetch('/api/nowplaying', { cache: 'no-cache' });
      if (r.ok) {
        const body = await r.text();
        if (body !== lastBody) {
          lastBody = body;
          render(JSON.parse(body));
        }
      }
    } catch {
      // offline for a moment: the next poll tries again
    }
    if (!document.hidden) timer = setTimeout(poll, POLL_MS);
  }

  // times the server wrote in UTC, in the listener's own clock
  for (const t of document.querySelectorAll('time[datetime]')) t.textContent = localTime(t.dateTime);
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && !timer) poll();
  });
  const copy = document.querySelector('.embed-code textarea');
  if (copy) copy.addEventListener('focus', () => copy.select());
  poll();
})();
