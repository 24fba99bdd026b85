// Recorded live shows: when, who, how long, how big, which titles; play (seeking through HTTP range
// requests), download, delete (confirmed), and add to a playlist to rebroadcast. Self-contained: its own
// data (polled while the view is open) and its own stylesheet; one column of cards, so it fits a phone.

import { useCallback, useEffect, useRef, useState } from 'react';
import type { RecordingsView, RecordingView } from '../../src-shared/studio-api.js';
import { isDesktop, studio } from '../api.js';
import { bytes, duration } from '../format.js';
import { run, useStudio } from '../store.js';
import './recordings.css';

const POLL_MS = 3000;

function when(t: number): string {
  return new Date(t).toLocaleString([], { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

const STATE_LABEL: Record<RecordingView['state'], string> = {
  recording: 'recording now',
  complete: '',
  stopped: 'stopped early',
  interrupted: 'interrupted',
};

export function RecordingsPanel() {
  const [data, setData] = useState<RecordingsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [playing, setPlaying] = useState<RecordingView | null>(null);
  const audio = useRef<HTMLAudioElement>(null);

  const refresh = useCallback(() => {
    studio.recordingsList().then(
      (v) => {
        setData(v);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  }, []);

  useEffect(() => {
    refresh();
    const t = setInterval(refresh, POLL_MS);
    return () => clearInterval(t);
  }, [refresh]);

  const seek = (r: RecordingView, offset: number): void => {
    if (playing?.id !== r.id) setPlaying(r);
    // the element may be new: seek once it knows the file
    requestAnimationFrame(() => {
      const a = audio.current;
      if (!a) return;
      const go = (): void => {
        a.currentTime = offset;
        void a.play().catch(() => undefined);
      };
      if (a.readyState >= 1) go();
      else a.addEventListener('loadedmetadata', go, { once: true });
    });
  };

  if (error && !data) return <div className="recordings"><p className="error">Recordings: {error}</p></div>;
  if (!data) return <div className="recordings"><p className="muted">Loading recordings…</p></div>;

  return (
    <div className="recordings" data-testid="recordings">
      <RecorderStatus data={data} />
      {playing && (
        <div className="rec-player card" data-testid="rec-player">
          <div className="rec-player-title">
            <b>{playing.name}</b> <span className="muted small">{when(playing.startedAt)}</span>
          </div>
          {isDesktop ? (
            <p className="muted small">Playback in the desktop window is not available yet: open the studio in a browser (/studio/) to listen.</p>
          ) : (
            <audio ref={audio} controls preload="metadata" src={playing.url} data-testid="rec-audio" />
          )}
        </div>
      )}
      {data.recordings.length === 0 && (
        <p className="muted empty">No recordings yet.{data.enabled ? ` The next live show on ${data.mounts.join(', ')} will be recorded.` : ''}</p>
      )}
      <ul className="rec-list">
        {data.recordings.map((r) => (
          <RecordingCard key={r.id} r={r} playing={playing?.id === r.id} onPlay={() => seek(r, 0)} onSeek={(o) => seek(r, o)} onChanged={refresh} />
        ))}
      </ul>
    </div>
  );
}

function RecorderStatus({ data }: { data: RecordingsView }) {
  const problem = data.problems[0];
  const limit = data.maxBytes ? ` of ${bytes(data.maxBytes)}` : '';
  return (
    <div className="rec-status card" data-testid="rec-status">
      <div>
        {data.enabled ? (
          <span>
            Recording live shows on <b>{data.mounts.join(', ') || 'no mount'}</b>
          </span>
        ) : (
          <span>Recording is off (record.enabled in the config).</span>
        )}
      </div>
      <div className="muted small rec-folder" title={data.folder}>
        {data.recordings.length} recordings · {bytes(data.totalBytes)}
        {limit} · {data.keepDays ? `kept ${data.keepDays} days` : 'kept for ever'} · {data.folder}
      </div>
      {problem && (
        <div className="rec-problem" data-testid="rec-problem">
          Recording of {problem.mount} stopped at {new Date(problem.time).toLocaleTimeString()}: {problem.message}. The stream went on.
        </div>
      )}
    </div>
  );
}

function RecordingCard(props: { r: RecordingView; playing: boolean; onPlay(): void; onSeek(offset: number): void; onChanged(): void }) {
  const { r } = props;
  const [confirming, setConfirming] = useState(false);
  const [showTitles, setShowTitles] = useState(false);
  const playlists = useStudio((s) => s.playlists);
  const mountFormats = useStudio((s) => s.mounts);
  const targets = Object.keys(playlists).filter((p) => mountFormats.find((m) => m.path === p)?.format === r.format);
  const [target, setTarget] = useState(targets.includes(r.mount) ? r.mount : targets[0] ?? '');
  const label = STATE_LABEL[r.state];

  const remove = async (): Promise<void> => {
    setConfirming(false);
    const ok = await run('Delete recording', studio.recordingDelete(r.id));
    if (ok) useStudio.getState().toast('info', `Deleted ${r.id}`);
    props.onChanged();
  };
  const rebroadcast = async (): Promise<void> => {
    const n = await run('Add to playlist', studio.recordingToPlaylist(r.id, target));
    if (n) useStudio.getState().toast('info', `${r.name} added to the ${target} playlist`);
  };

  return (
    <li className={`rec-card card ${props.playing ? 'is-playing' : ''}`} data-testid="rec-card" data-id={r.id}>
      <div className="rec-head">
        <span className="rec-when">{when(r.startedAt)}</span>
        {label && <span className={`tag ${r.state === 'recording' ? 'live' : 'bad'}`}>{label}</span>}
      </div>
      <div className="rec-name" title={r.id}>{r.name}</div>
      <div className="rec-facts muted small">
        <span>{r.mount}</span>
        <span data-testid="rec-length">{duration(r.duration)}</span>
        <span>{bytes(r.bytes)}</span>
        <span>{r.codec || r.format}</span>
        <span>{r.titles.length === 1 ? '1 title' : `${r.titles.length} titles`}</span>
      </div>
      {r.problem && <div className="small rec-why">{r.problem}</div>}
      {r.titles.length > 0 && (
        <div className="rec-titles">
          <button className="link small" onClick={() => setShowTitles(!showTitles)} aria-expanded={showTitles}>
            {showTitles ? 'Hide titles' : 'Show titles'}
          </button>
          {showTitles && (
            <ol data-testid="rec-titles">
              {r.titles.map((t, i) => (
                <li key={i}>
                  <button className="link rec-offset" onClick={() => props.onSeek(t.offset)} title="Play from here" disabled={isDesktop}>
                    {duration(t.offset)}
                  </button>
                  <span className="rec-title-text">{t.title}</span>
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
      <div className="rec-actions">
        {!isDesktop && (
          <>
            <button className="small primary" onClick={props.onPlay}>
              ▶ Play
            </button>
            <a className="button small" href={`${r.url}?download=1`} download={r.id}>
              Download
            </a>
          </>
        )}
        {targets.length > 0 && (
          <span className="rec-rebroadcast">
            {targets.length > 1 && (
              <select value={target} onChange={(e) => setTarget(e.target.value)} aria-label="Playlist to add to">
                {targets.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            )}
            <button className="small" onClick={() => void rebroadcast()} disabled={!target || r.state === 'recording'}>
              Add to playlist
            </button>
          </span>
        )}
        {confirming ? (
          <span className="rec-confirm" role="group" aria-label="Confirm delete">
            <span className="small">Delete for good?</span>
            <button className="small danger" onClick={() => void remove()}>
              Yes, delete
            </button>
            <button className="small" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </span>
        ) : (
          <button className="small danger" onClick={() => setConfirming(true)} disabled={r.state === 'recording'}>
            Delete
          </button>
        )}
      </div>
    </li>
  );
}
