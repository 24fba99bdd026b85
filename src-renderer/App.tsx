// The studio shell: top bar with the on-air lamp, navigation, the current view, toasts and confirmations.
// Every part reads the store through its own selectors, so a log line re-renders the log, not the shell.
import { useEffect } from 'react';
import { studio } from './api.js';
import { ConfirmDialog } from './components/ConfirmDialog.js';
import { Sidebar, TabBar } from './components/Navigation.js';
import { clock } from './format.js';
import { useStudioFeed } from './feed.js';
import { shortcutOf, VIEWS } from './navigation.js';
import { run, useCurrentMount, useStudio } from './store.js';

function typing(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  return !!t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
}

function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (typing(e) || e.ctrlKey || e.metaKey || e.altKey || useStudio.getState().confirmation) return;
      const i = VIEWS.findIndex((_, k) => shortcutOf(k) === e.key);
      if (i >= 0) useStudio.getState().setView(VIEWS[i].id);
      else if (e.key === 's') void run('Skip', studio.skip(useStudio.getState().mount));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

/** What the lamp says: the on-air state, or that it is unknown while the server does not answer. */
function OnAirLamp() {
  const current = useCurrentMount();
  const connection = useStudio((s) => s.connection);
  const live = current?.live ?? false;
  const grace = current?.autodj?.state === 'grace';
  if (connection !== 'connected') {
    return (
      <div className="onair-lamp offline" data-testid="onair-lamp" title="The server does not answer: the on-air state is unknown">
        {connection === 'unreachable' ? 'NO CONNECTION' : 'RECONNECTING'}
      </div>
    );
  }
  return (
    <div className={`onair-lamp ${live ? 'live' : grace ? 'grace' : current?.autodj ? 'auto' : 'off'}`} data-testid="onair-lamp">
      {live ? 'ON AIR · LIVE' : grace ? 'WAITING FOR DJ' : current?.autodj ? 'AUTODJ' : 'OFF AIR'}
    </div>
  );
}

function TopBar() {
  const stationName = useStudio((s) => s.server?.stationName);
  const mounts = useStudio((s) => s.mounts);
  const setMount = useStudio((s) => s.setMount);
  const current = useCurrentMount();
  const offline = useStudio((s) => s.connection !== 'connected');
  return (
    <header className={`topbar ${current?.live && !offline ? 'is-live' : ''}`}>
      <div className="brand" title={stationName}>
        <span className="logo">◉</span> {stationName}
      </div>
      <OnAirLamp />
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
      </div>
    </header>
  );
}

/** Says in words that the server is not answering, since when, and that the studio retries by itself. */
function ConnectionBanner() {
  const connection = useStudio((s) => s.connection);
  const since = useStudio((s) => s.connectionLostAt);
  if (connection === 'connected') return null;
  return (
    <div className={`conn-banner ${connection}`} role="status" data-testid="connection-banner">
      {connection === 'unreachable'
        ? `The server does not answer (since ${since ? clock(since) : 'a moment ago'}). What you see is from before; the studio keeps trying and picks up by itself.`
        : 'Connection to the server lost; reconnecting…'}
    </div>
  );
}

function CurrentView() {
  const view = useStudio((s) => s.view);
  const entry = VIEWS.find((v) => v.id === view) ?? VIEWS[0];
  const Component = entry.component;
  return <Component />;
}

function Toasts() {
  const toasts = useStudio((s) => s.toasts);
  const dismiss = useStudio((s) => s.dismiss);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast ${t.level}`} onClick={() => dismiss(t.id)} data-testid="toast">
          {t.message}
        </div>
      ))}
    </div>
  );
}

export function App() {
  useStudioFeed();
  useShortcuts();
  const ready = useStudio((s) => s.ready);
  const error = useStudio((s) => s.error);
  const offline = useStudio((s) => s.connection !== 'connected');
  if (!ready && error) return <div className="fatal">Cannot reach the studio: {error}. Retrying…</div>;
  if (!ready) return <div className="fatal">Connecting to Cycast Studio…</div>;
  return (
    <div className={`app ${offline ? 'offline' : ''}`}>
      <TopBar />
      <Sidebar />
      <main className="content">
        <ConnectionBanner />
        <CurrentView />
      </main>
      <TabBar />
      <Toasts />
      <ConfirmDialog />
    </div>
  );
}
