import { useEffect } from 'react';
import { studio } from './api.js';
import { run, useStudio, type ViewName } from './store.js';
import type { StudioEvent } from '../src-shared/studio-api.js';
import { OnAir } from './views/OnAir.js';
import { PlaylistPanel } from './views/PlaylistPanel.js';
import { Listeners } from './views/Listeners.js';
import { ConfigPanel } from './views/ConfigPanel.js';
import { LogPanel } from './views/LogPanel.js';
import { StatsPanel } from './views/StatsPanel.js';

const VIEWS: { id: ViewName; label: string; key: string }[] = [
  { id: 'onair', label: 'On Air', key: '1' },
  { id: 'playlist', label: 'Playlist', key: '2' },
  { id: 'listeners', label: 'Listeners', key: '3' },
  { id: 'config', label: 'Config', key: '4' },
  { id: 'log', label: 'Log', key: '5' },
  { id: 'stats', label: 'Stats', key: '6' },
];

function typing(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  return !!t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
}

export function App() {
  const { ready, error, view, setView, mounts, mount, setMount, server, connection, toasts, dismiss } = useStudio();

  useEffect(() => {
    // subscribe first, then take the snapshot, so nothing between the two is lost; events are applied in
    // batches, at most every 50 ms (a timer, not an animation frame: a hidden window must keep up too)
    let queue: StudioEvent[] = [];
    let loaded = false;
    let scheduled = false;
    let opens = 0;
    const schedule = (): void => {
      if (scheduled || !loaded) return;
      scheduled = true;
      setTimeout(() => {
        scheduled = false;
        const batch = queue;
        queue = [];
        useStudio.getState().applyAll(batch);
      }, 50);
    };
    const load = (): void => {
      studio.snapshot().then(
        (s) => {
          useStudio.getState().load(s);
          loaded = true;
          schedule();
        },
        (e: Error) => useStudio.getState().fail(e.message),
      );
    };
    const off = studio.subscribe((e) => {
      // after a reconnect, what happened meanwhile is only in a fresh snapshot
      if (e.type === 'notice' && e.message === '' && ++opens > 1) load();
      queue.push(e);
      schedule();
    });
    load();
    return () => off();
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      const v = VIEWS.find((x) => x.key === e.key);
      if (v) setView(v.id);
      else if (e.key === 's') {
        const m = useStudio.getState().mount;
        void run('Skip', studio.skip(m));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setView]);

  if (error) return <div className="fatal">Cannot reach the studio: {error}</div>;
  if (!ready) return <div className="fatal">Connecting to Cycast Studio…</div>;
  const current = mounts.find((m) => m.path === mount) ?? mounts[0];
  const live = current?.live ?? false;

  return (
    <div className="app">
      <header className={`topbar ${live ? 'is-live' : ''}`}>
        <div className="brand">
          <span className="logo">◉</span> {server?.stationName}
        </div>
        <div className={`onair-lamp ${live ? 'live' : current?.autodj?.state === 'grace' ? 'grace' : 'auto'}`} data-testid="onair-lamp">
          {live ? 'ON AIR · LIVE' : current?.autodj?.state === 'grace' ? 'WAITING FOR DJ' : 'AUTODJ'}
        </div>
        <div className="top-right">
          {mounts.length > 1 && (
            <select value={current?.path} onChange={(e) => setMount(e.target.value)} aria-label="Mount">
              {mounts.map((m) => (
                <option key={m.path} value={m.path}>
                  {m.path}
                </option>
              ))}
            </select>
          )}
          <span className="count" title="Listeners on all mounts">
            <span className="muted small">LISTENERS</span> {mounts.reduce((n, m) => n + m.listeners, 0)}
          </span>
          {connection === 'lost' && <span className="badge warn">reconnecting…</span>}
        </div>
      </header>
      <nav className="sidebar">
        {VIEWS.map((v) => (
          <button key={v.id} className={view === v.id ? 'active' : ''} onClick={() => setView(v.id)} title={`Shortcut: ${v.key}`}>
            <span className="key">{v.key}</span> {v.label}
          </button>
        ))}
        <div className="shortcuts">
          <b>S</b> skip track · <b>N</b> play selected next · <b>1–6</b> views
        </div>
      </nav>
      <main className="content">
        {view === 'onair' && current && <OnAir mount={current} />}
        {view === 'playlist' && current && <PlaylistPanel mount={current} />}
        {view === 'listeners' && <Listeners />}
        {view === 'config' && <ConfigPanel />}
        {view === 'log' && <LogPanel />}
        {view === 'stats' && <StatsPanel />}
      </main>
      <div className="toasts">
        {toasts.map((t) => (
          <div key={t.id} className={`toast ${t.level}`} onClick={() => dismiss(t.id)}>
            {t.message}
          </div>
        ))}
      </div>
    </div>
  );
}
