import { useEffect, useMemo, useRef, useState } from 'react';
import type { MountView } from '../../src-shared/studio-api.js';
import { isDesktop, studio, uploadFile } from '../api.js';
import { PathPicker } from '../components/PathPicker.js';
import { duration } from '../format.js';
import { run, useStudio } from '../store.js';

export function PlaylistPanel({ mount }: { mount: MountView }) {
  const playlist = useStudio((s) => s.playlists[mount.path]);
  const toast = useStudio((s) => s.toast);
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState<number | null>(null);
  const [dragId, setDragId] = useState<number | null>(null);
  const [overIdx, setOverIdx] = useState<number | null>(null);
  const [picker, setPicker] = useState(false);
  const [uploading, setUploading] = useState(0);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const t = e.target as HTMLElement;
      if (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'n' && selected !== null) void run('Play next', studio.playlistPlayNext(mount.path, selected));
      if (e.key === 'Delete' && selected !== null) void run('Remove', studio.playlistRemove(mount.path, [selected]));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [selected, mount.path]);

  const rows = useMemo(() => {
    const all = playlist?.entries ?? [];
    const f = filter.trim().toLowerCase();
    return all.map((e, index) => ({ e, index })).filter(({ e }) => !f || `${e.display} ${e.album} ${e.path}`.toLowerCase().includes(f));
  }, [playlist, filter]);

  if (!playlist) return <div className="card muted">{mount.path} has no AutoDJ playlist (enable it in Config).</div>;

  const addPaths = async (paths: string[]): Promise<void> => {
    const n = await run('Add', studio.playlistAdd(mount.path, paths));
    if (n !== undefined) toast('info', `Added ${n} track${n === 1 ? '' : 's'}`);
  };
  const addViaDialog = async (folders: boolean): Promise<void> => {
    if (isDesktop && window.studio?.pickFiles) {
      const paths = await window.studio.pickFiles(folders);
      if (paths.length) await addPaths(paths);
    } else setPicker(true);
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
  const onRowDrop = (to: number): void => {
    if (dragId !== null) void run('Move', studio.playlistMove(mount.path, dragId, to));
    setDragId(null);
    setOverIdx(null);
  };
  const playable = playlist.entries.filter((e) => !e.problem);
  const total = playable.reduce((s, e) => s + e.duration, 0);

  return (
    <div className="playlist" onDragOver={(e) => e.dataTransfer.types.includes('Files') && e.preventDefault()} onDrop={onDropFiles}>
      <div className="toolbar">
        <button className="primary" onClick={() => void addViaDialog(false)}>
          + Add files
        </button>
        <button onClick={() => void addViaDialog(true)}>+ Add folder</button>
        {!isDesktop && (
          <>
            <button onClick={() => fileInput.current?.click()}>Upload…</button>
            <input ref={fileInput} type="file" multiple accept=".mp3,.ogg,.oga,.opus,.aac" hidden onChange={(e) => e.target.files && void upload(e.target.files)} />
          </>
        )}
        <span className="sep" />
        <button disabled={selected === null} onClick={() => selected !== null && void run('Play next', studio.playlistPlayNext(mount.path, selected))} title="Shortcut: N">
          Play next
        </button>
        <button disabled={selected === null} onClick={() => selected !== null && void run('Remove', studio.playlistRemove(mount.path, [selected]))} title="Shortcut: Delete">
          Remove
        </button>
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
      <div className="summary muted">
        {playable.length} playable of {playlist.entries.length} · {duration(total)} · folder <code>{playlist.directory}</code>
        {uploading > 0 && <span className="badge"> uploading {uploading}…</span>}
      </div>
      <table className="tracks" data-testid="playlist-table">
        <thead>
          <tr>
            <th>#</th>
            <th>Title</th>
            <th>Artist</th>
            <th>Album</th>
            <th className="num">Length</th>
            <th>Format</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ e, index }) => (
            <tr
              key={e.id}
              data-id={e.id}
              className={[e.id === playlist.currentId ? 'playing' : '', e.id === selected ? 'selected' : '', e.problem ? 'unplayable' : '', overIdx === index ? 'drop-target' : ''].join(' ')}
              draggable={!filter}
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
              onClick={() => setSelected(e.id)}
              onDoubleClick={() => void run('Play next', studio.playlistPlayNext(mount.path, e.id))}
              title={e.problem ?? e.path}
            >
              <td className="muted">{e.id === playlist.currentId ? '▶' : index + 1}</td>
              <td>{e.title || e.display}</td>
              <td>{e.artist}</td>
              <td className="muted">{e.album}</td>
              <td className="num">{duration(e.duration)}</td>
              <td>
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
                {filter ? 'No track matches the filter.' : 'The playlist is empty: add files, or drop them here.'}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {picker && (
        <PathPicker
          onClose={() => setPicker(false)}
          onPick={(paths) => {
            setPicker(false);
            void addPaths(paths);
          }}
        />
      )}
    </div>
  );
}
