// The AutoDJ playlist of the current mount: add (native dialog, server-disk picker, upload, drop), reorder,
// play next, remove (the file stays on disk and out of the playlist until added back), delete the file from
// the music folder (asked first), and the "not playing" list of removed tracks.
import { AUDIO_EXTENSIONS } from '../../src-shared/audio-files.js';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { MountView, PlaylistEntryView, PlaylistView } from '../../src-shared/studio-api.js';
import { isDesktop, studio, uploadFile } from '../api.js';
import { PathPicker, type PickMode } from '../components/PathPicker.js';
import { duration } from '../format.js';
import { attempt, run, useCurrentMount, useStudio } from '../store.js';

export function PlaylistPanel() {
  const mount = useCurrentMount();
  const playlist = useStudio((s) => (mount ? s.playlists[mount.path] : undefined));
  if (!mount) return <p className="muted">No mount is configured.</p>;
  if (!playlist) return <div className="card muted">{mount.path} has no AutoDJ playlist (enable it in Config).</div>;
  return <PlaylistOf mount={mount} playlist={playlist} />;
}

function inFolder(path: string, folder: string): boolean {
  return path.startsWith(folder.endsWith('/') ? folder : `${folder}/`);
}

/** Asks, then deletes a track's file from the music folder. */
function useDeleteFile(mount: string, directory: string): (path: string, title: string) => void {
  const ask = useStudio((s) => s.ask);
  const toast = useStudio((s) => s.toast);
  return (path, title) =>
    ask({
      title: `Delete “${title}” from the disk?`,
      body: `${path} is deleted from the music folder ${directory}. This cannot be undone. (To just stop playing it, use Remove.)`,
      confirm: 'Delete file',
      onConfirm: () =>
        void attempt('Delete file', studio.playlistDeleteFile(mount, path)).then((ok) => ok && toast('info', `Deleted ${path}`)),
    });
}

function PlaylistOf({ mount, playlist }: { mount: MountView; playlist: PlaylistView }) {
  const toast = useStudio((s) => s.toast);
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState<number | null>(null);
  const [picker, setPicker] = useState<PickMode | null>(null);
  const [uploading, setUploading] = useState(0);
  const fileInput = useRef<HTMLInputElement>(null);
  const deleteFile = useDeleteFile(mount.path, playlist.directory);
  const chosen = playlist.entries.find((e) => e.id === selected) ?? null;

  const remove = (e: PlaylistEntryView): void =>
    void run('Remove', studio.playlistRemove(mount.path, [e.id])).then((n) => {
      if (n) toast('info', `Removed “${e.title || e.display}”: it stays on disk, under Not playing`);
    });

  useEffect(() => {
    const onKey = (ev: KeyboardEvent): void => {
      const t = ev.target as HTMLElement;
      if (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || ev.ctrlKey || ev.metaKey || ev.altKey || useStudio.getState().confirmation) return;
      if (ev.key === 'n' && chosen) void run('Play next', studio.playlistPlayNext(mount.path, chosen.id));
      if (ev.key === 'Delete' && chosen) remove(chosen);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const rows = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return playlist.entries.map((e, index) => ({ e, index })).filter(({ e }) => !f || `${e.display} ${e.album} ${e.path}`.toLowerCase().includes(f));
  }, [playlist, filter]);

  const addPaths = async (paths: string[]): Promise<void> => {
    const n = await run('Add', studio.playlistAdd(mount.path, paths));
    if (n !== undefined) toast('info', `Added ${n} track${n === 1 ? '' : 's'}`);
  };
  const addViaDialog = async (mode: PickMode): Promise<void> => {
    if (isDesktop && window.studio?.pickFiles) {
      const paths = await window.studio.pickFiles(mode === 'folder');
      if (paths.length) await addPaths(paths);
    } else setPicker(mode);
  };
  const upload = async (files: FileList | File[]): Promise<void> => {
    const list = [...files];
    setUploading(list.length);
    for (const f of list) {
      try {
        await uploadFile(mount.path, f);
      } catch (e) {
        toast('error', `${f.name}: ${(e as Error).message}`);
      }
      setUploading((n) => n - 1);
    }
    toast('info', `Uploaded ${list.length} file${list.length === 1 ? '' : 's'}`);
  };
  const onDropFiles = (e: React.DragEvent): void => {
    if (!e.dataTransfer.files.length) return;
    e.preventDefault();
    const files = [...e.dataTransfer.files];
    // under Electron, dropped files have a real path on this machine
    const paths = files.map((f) => window.studio?.pathForFile?.(f) ?? '').filter((p) => p !== '');
    if (isDesktop && paths.length) void addPaths(paths);
    else void upload(files);
  };
  const playable = playlist.entries.filter((e) => !e.problem);
  const total = playable.reduce((s, e) => s + e.duration, 0);
  const deletable = chosen !== null && inFolder(chosen.path, playlist.directory);

  return (
    <div className="playlist" onDragOver={(e) => e.dataTransfer.types.includes('Files') && e.preventDefault()} onDrop={onDropFiles}>
      <div className="toolbar">
        <button className="primary" onClick={() => void addViaDialog('files')}>
          + Add files
        </button>
        <button onClick={() => void addViaDialog('folder')}>+ Add folder</button>
        {!isDesktop && (
          <>
            <button onClick={() => fileInput.current?.click()}>Upload…</button>
            <input ref={fileInput} type="file" multiple accept={Object.keys(AUDIO_EXTENSIONS).join(',')} hidden onChange={(e) => e.target.files && void upload(e.target.files)} />
          </>
        )}
        <span className="sep" />
        <button onClick={() => void run('Shuffle', studio.playlistShuffle(mount.path))}>Shuffle now</button>
        <label className="toggle">
          <input type="checkbox" checked={playlist.shuffle} onChange={(e) => void run('Shuffle', studio.playlistSetShuffle(mount.path, e.target.checked))} /> Reshuffle each pass
        </label>
        <label className="toggle">
          <input type="checkbox" checked={playlist.repeat} onChange={(e) => void run('Repeat', studio.playlistSetRepeat(mount.path, e.target.checked))} /> Repeat
        </label>
        <button onClick={() => void run('Rescan', studio.playlistRescan(mount.path))}>Rescan folder</button>
        <input className="filter" placeholder="Filter…" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Filter tracks" />
      </div>
      <div className="toolbar selection-bar" aria-label="Selected track">
        <span className="sel-name">{chosen ? chosen.title || chosen.display : <span className="muted">Select a track</span>}</span>
        <button disabled={!chosen} onClick={() => chosen && void run('Play next', studio.playlistPlayNext(mount.path, chosen.id))} title="Shortcut: N">
          Play next
        </button>
        <button disabled={!chosen} onClick={() => chosen && remove(chosen)} title="Take it out of the playlist; the file stays on disk (shortcut: Delete)">
          Remove
        </button>
        <button className="danger" disabled={!deletable} onClick={() => chosen && deleteFile(chosen.path, chosen.title || chosen.display)} title={chosen && !deletable ? 'Only files inside the music folder can be deleted' : 'Delete the file from the music folder'}>
          Delete file…
        </button>
      </div>
      <div className="summary muted">
        {playable.length} playable of {playlist.entries.length} · {duration(total)} · folder <code>{playlist.directory}</code>
        {uploading > 0 && <span className="badge"> uploading {uploading}…</span>}
      </div>
      <TrackTable mount={mount.path} playlist={playlist} rows={rows} filtered={filter !== ''} selected={selected} onSelect={setSelected} />
      <NotPlaying mount={mount.path} playlist={playlist} onDelete={deleteFile} />
      {picker && (
        <PathPicker
          mode={picker}
          onClose={() => setPicker(null)}
          onPick={(paths) => {
            setPicker(null);
            void addPaths(paths);
          }}
        />
      )}
    </div>
  );
}

/** The tracks in play order; rows are dragged to reorder, clicked to select, double-clicked to play next. */
function TrackTable({ mount, playlist, rows, filtered, selected, onSelect }: { mount: string; playlist: PlaylistView; rows: { e: PlaylistEntryView; index: number }[]; filtered: boolean; selected: number | null; onSelect(id: number | null): void }) {
  const [dragId, setDragId] = useState<number | null>(null);
  const [overIdx, setOverIdx] = useState<number | null>(null);
  const onRowDrop = (to: number): void => {
    if (dragId !== null) void run('Move', studio.playlistMove(mount, dragId, to));
    setDragId(null);
    setOverIdx(null);
  };
  return (
    <table className="tracks" data-testid="playlist-table">
      <thead>
        <tr>
          <th className="c-n">#</th>
          <th>Title</th>
          <th>Artist</th>
          <th className="c-album">Album</th>
          <th className="num">Length</th>
          <th className="c-format">Format</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ e, index }) => (
          <tr
            key={e.id}
            data-id={e.id}
            aria-selected={e.id === selected}
            className={[e.id === playlist.currentId ? 'playing' : '', e.id === selected ? 'selected' : '', e.problem ? 'unplayable' : '', overIdx === index ? 'drop-target' : ''].join(' ')}
            draggable={!filtered}
            onDragStart={(ev) => {
              setDragId(e.id);
              ev.dataTransfer.effectAllowed = 'move';
              ev.dataTransfer.setData('text/plain', String(e.id));
            }}
            onDragOver={(ev) => {
              if (dragId === null) return;
              ev.preventDefault();
              setOverIdx(index);
            }}
            onDrop={(ev) => {
              if (dragId === null) return;
              ev.preventDefault();
              ev.stopPropagation();
              onRowDrop(index);
            }}
            onClick={() => onSelect(e.id === selected ? null : e.id)}
            onDoubleClick={() => void run('Play next', studio.playlistPlayNext(mount, e.id))}
            title={e.problem ?? e.path}
          >
            <td className="muted c-n">{e.id === playlist.currentId ? '▶' : index + 1}</td>
            <td className="c-title">{e.title || e.display}</td>
            <td className="c-artist">{e.artist}</td>
            <td className="muted c-album">{e.album}</td>
            <td className="num c-len">{duration(e.duration)}</td>
            <td className="c-format">
              {e.problem ? (
                <span className="tag bad" title={e.problem}>
                  ⚠ {e.problem}
                </span>
              ) : (
                <span className="muted">
                  {(e.format ?? '').toUpperCase()} {e.bitrate ? `${e.bitrate}k` : ''} {e.sampleRate ? `${e.sampleRate / 1000}kHz` : ''}
                </span>
              )}
            </td>
          </tr>
        ))}
        {rows.length === 0 && (
          <tr>
            <td colSpan={6} className="muted empty">
              {filtered ? 'No track matches the filter.' : 'The playlist is empty: add files, or drop them here.'}
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

/** Tracks removed from the playlist: they stay out until added back here (or deleted for good). */
function NotPlaying({ mount, playlist, onDelete }: { mount: string; playlist: PlaylistView; onDelete(path: string, title: string): void }) {
  const toast = useStudio((s) => s.toast);
  const list = playlist.excluded;
  return (
    <section className="card not-playing" data-testid="not-playing">
      <h3>Not playing ({list.length})</h3>
      {list.length === 0 ? (
        <p className="muted">Tracks you remove are listed here and stay out of the playlist (rescans and restarts too) until you add them back.</p>
      ) : (
        <ul className="excluded">
          {[...list].reverse().map((x) => {
            const name = x.title || x.path.split('/').pop() || x.path;
            return (
              <li key={x.path} title={x.path}>
                <span className="x-name">{name}</span>
                <span className="muted x-len">{x.duration > 0 ? duration(x.duration) : ''}</span>
                <button onClick={() => void run('Add back', studio.playlistAdd(mount, [x.path])).then((n) => n !== undefined && toast('info', `“${name}” is back in the playlist`))}>
                  Add back
                </button>
                {inFolder(x.path, playlist.directory) && (
                  <button className="danger" onClick={() => onDelete(x.path, name)}>
                    Delete file…
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
