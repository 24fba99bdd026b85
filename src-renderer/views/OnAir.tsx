import type { MountView } from '../../src-shared/studio-api.js';
import { studio } from '../api.js';
import { ConnectCard } from '../components/ConnectCard.js';
import { Graph } from '../components/Graph.js';
import { useNow } from '../components/useNow.js';
import { clock, duration, since } from '../format.js';
import { run, useCurrentMount, useOffline, useStudio } from '../store.js';

/** Asks, then kicks the DJ; the server's notice tells every studio window how it went (and the ban). */
function useKickDj(mount: MountView): () => void {
  const ask = useStudio((s) => s.ask);
  const toast = useStudio((s) => s.toast);
  const ban = useStudio((s) => s.server?.kickBanSeconds ?? 0);
  const who = mount.source ? `${mount.source.name || mount.source.userAgent || 'the DJ'} (${mount.source.ip})` : 'the DJ';
  return () =>
    ask({
      title: `Kick the DJ off ${mount.path}?`,
      body: `This ends the live show of ${who} now${ban ? `, and their address may not log in again for ${ban} s` : ''}. The playlist takes over.`,
      confirm: 'Kick DJ',
      onConfirm: () =>
        void run('Kick DJ', studio.kickSource(mount.path)).then((r) => {
          if (r && !r.kicked) toast('warn', `No DJ was live on ${mount.path}`);
        }),
    });
}

export function OnAir() {
  const mount = useCurrentMount();
  return mount ? <OnAirOf mount={mount} /> : <p className="muted">No mount is configured.</p>;
}

function OnAirOf({ mount }: { mount: MountView }) {
  const now = useNow(500);
  const offline = useOffline();
  const kickDj = useKickDj(mount);
  const a = mount.autodj;
  const np = a?.nowPlaying ?? null;
  const elapsed = np ? (now - np.startedAt) / 1000 : 0;
  const live = mount.live;
  const src = mount.source;
  return (
    <div className="onair">
      <section className={`hero ${live ? 'live' : ''} ${offline ? 'stale' : ''}`} data-testid="hero">
        <div className="hero-state" data-testid="onair-state">
          {offline ? 'UNKNOWN — NO CONNECTION TO THE SERVER' : live ? 'LIVE' : a?.state === 'grace' ? 'DJ LEFT — PLAYLIST RESUMES SHORTLY' : a ? 'AUTODJ' : 'OFF AIR'}
        </div>
        <div className="hero-title" data-testid="now-playing">
          {mount.title || (live ? src?.name || 'Live source' : '—')}
        </div>
        {!live && np && !offline && (
          <div className="progress">
            <div className="bar">
              <div style={{ width: `${Math.min(100, (elapsed / Math.max(1, np.duration)) * 100)}%` }} />
            </div>
            <span>{duration(elapsed)}</span>
            <span className="muted">−{duration(Math.max(0, np.duration - elapsed))}</span>
          </div>
        )}
        <div className="hero-actions">
          {!live && a && (
            <button className="primary" disabled={offline} onClick={() => void run('Skip', studio.skip(mount.path))} title="Shortcut: S">
              Skip track »
            </button>
          )}
          {live && (
            <button className="danger" disabled={offline} onClick={kickDj}>
              Kick DJ
            </button>
          )}
          {a?.usingDemo && <span className="badge">Playing the bundled demo: add music in Playlist</span>}
        </div>
      </section>

      <div className="grid2">
        <section className="card">
          <h3>Live source</h3>
          {src ? (
            <dl className="facts" data-testid="live-source">
              <dt>Client</dt>
              <dd>{src.userAgent || 'unknown'}</dd>
              <dt>Address</dt>
              <dd>{src.ip}</dd>
              <dt>Protocol</dt>
              <dd>{src.protocol}</dd>
              <dt>Format</dt>
              <dd>
                {src.contentType} {src.bitrate ? `· ${src.bitrate} kbit/s` : ''} {mount.sampleRate ? `· ${mount.sampleRate / 1000} kHz` : ''}
              </dd>
              <dt>Connected</dt>
              <dd>
                since {clock(src.connectedAt)} ({since(src.connectedAt, now)})
              </dd>
            </dl>
          ) : (
            <p className="muted">No DJ connected. The settings for your DJ software are below.</p>
          )}
        </section>
        <section className="card">
          <h3>Up next</h3>
          {a && a.upNext.length ? (
            <ol className="upnext">
              {a.upNext.map((t) => (
                <li key={t.id}>
                  <span>{t.title}</span>
                  <span className="muted">{duration(t.duration)}</span>
                </li>
              ))}
            </ol>
          ) : (
            <p className="muted">{a ? 'Nothing queued.' : 'This mount has no AutoDJ.'}</p>
          )}
        </section>
      </div>

      <section className="card">
        <h3>
          Listeners <span className="big" data-testid="listener-count">{mount.listeners}</span>
          <span className="muted small"> peak {mount.listenerPeak}{mount.maxListeners ? ` · limit ${mount.maxListeners}` : ''}</span>
        </h3>
        <Graph points={offline ? mount.listenerGraph : [...mount.listenerGraph, [now, mount.listeners]]} />
      </section>

      {!live && <ConnectCard />}

      <section className="card">
        <h3>History</h3>
        <table className="history">
          <tbody>
            {mount.history.slice(0, 12).map((h, i) => (
              <tr key={`${h.time}-${i}`}>
                <td className="muted">{clock(h.time)}</td>
                <td>{h.title}</td>
                <td>
                  <span className={`tag ${h.origin}`}>{h.origin === 'live' ? 'LIVE' : 'AUTO'}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
