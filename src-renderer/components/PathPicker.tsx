// Browse the server's disk (the browser cannot see it) within the folders the server allows, and pick music
// files ("files") or whole folders ("folder"). Folders and files are listed apart; a row click selects; the
// keyboard works throughout: ↑/↓ move, Enter opens a folder, Space selects, Backspace goes up, Escape closes.
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { DirectoryListing } from '../../src-shared/studio-api.js';
import { studio } from '../api.js';
import { Modal } from './Modal.js';

export type PickMode = 'files' | 'folder';
type Entry = DirectoryListing['entries'][number];

export function PathPicker({ mode, onPick, onClose }: { mode: PickMode; onPick(paths: string[]): void; onClose(): void }) {
  const [listing, setListing] = useState<DirectoryListing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [active, setActive] = useState(0);
  const list = useRef<HTMLUListElement>(null);
  const open = useCallback((p: string | null): void => {
    studio.listDirectory(p).then(
      (l) => {
        setListing(l);
        setError(null);
        setActive(0);
      },
      (e: Error) => setError(e.message),
    );
  }, []);
  useEffect(() => open(null), [open]);
  useEffect(() => {
    list.current?.querySelector<HTMLElement>(`[data-index="${active}"]`)?.focus();
  }, [active, listing]);

  const selectable = (e: Entry): boolean => (mode === 'folder' ? e.kind === 'dir' : e.kind === 'audio');
  const toggle = (p: string): void => {
    const s = new Set(chosen);
    if (s.has(p)) s.delete(p);
    else s.add(p);
    setChosen(s);
  };
  const entries = listing?.entries ?? [];
  const folders = entries.filter((e) => e.kind === 'dir');
  const files = entries.filter((e) => e.kind === 'audio');
  const ordered = [...folders, ...files];
  const activate = (e: Entry): void => (selectable(e) ? toggle(e.path) : e.kind === 'dir' ? open(e.path) : undefined);
  const onKey = (ev: KeyboardEvent, e: Entry, i: number): void => {
    if (ev.key === 'ArrowDown') setActive(Math.min(ordered.length - 1, i + 1));
    else if (ev.key === 'ArrowUp') setActive(Math.max(0, i - 1));
    else if (ev.key === 'Enter' && e.kind === 'dir') open(e.path);
    else if (ev.key === 'Enter' || ev.key === ' ') activate(e);
    else if (ev.key === 'Backspace' && listing?.parent) open(listing.parent);
    else return;
    ev.preventDefault();
  };
  const row = (e: Entry, i: number) => (
    <PickRow
      key={e.path}
      entry={e}
      index={i}
      focusable={i === active}
      selectable={selectable(e)}
      chosen={chosen.has(e.path)}
      onClick={() => {
        setActive(i);
        activate(e);
      }}
      onOpen={() => open(e.path)}
      onKeyDown={(ev) => onKey(ev, e, i)}
    />
  );
  const title = mode === 'folder' ? 'Add folders from the server' : 'Add files from the server';
  return (
    <Modal label={title} onClose={onClose} className="picker-modal">
      <h3>{title}</h3>
      {listing && listing.roots.length > 1 && (
        <div className="pick-roots" aria-label="Allowed folders">
          {listing.roots.map((r) => (
            <button key={r} className={`small ${listing.path === r || listing.path.startsWith(r + '/') ? 'active' : ''}`} onClick={() => open(r)}>
              {r.split('/').filter(Boolean).pop() ?? r}
            </button>
          ))}
        </div>
      )}
      <div className="path">
        <button disabled={!listing?.parent} onClick={() => open(listing!.parent)} aria-label="Up one folder">
          ↑ Up
        </button>
        {/* right-to-left so a long path is cut at its start; the path itself stays left-to-right */}
        <code title={listing?.path}>
          <bdi dir="ltr">{listing?.path}</bdi>
        </code>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      <ul className="picker" ref={list} role="listbox" aria-multiselectable="true" aria-label="Folder contents">
        {folders.length > 0 && <li className="pick-group" role="presentation">Folders</li>}
        {folders.map((e, i) => row(e, i))}
        {files.length > 0 && <li className="pick-group" role="presentation">Audio files</li>}
        {files.map((e, i) => row(e, folders.length + i))}
        {listing && entries.length === 0 && <li className="muted pick-empty">No folders or audio files here.</li>}
      </ul>
      <p className="muted small pick-help">
        {mode === 'folder' ? 'Click a folder to select it (everything in it is added); Open › goes inside.' : 'Click files to select them; click a folder to open it.'} Keys: ↑ ↓ Enter Space Backspace Esc.
      </p>
      <div className="modal-actions">
        <button onClick={onClose}>Cancel</button>
        <button className="primary" disabled={!chosen.size} onClick={() => onPick([...chosen])}>
          Add {chosen.size || ''} {mode === 'folder' ? (chosen.size === 1 ? 'folder' : 'folders') : chosen.size === 1 ? 'file' : 'files'}
        </button>
      </div>
    </Modal>
  );
}

/** One folder or file: a row click selects it (or opens a folder that cannot be selected here). */
function PickRow(p: { entry: Entry; index: number; focusable: boolean; selectable: boolean; chosen: boolean; onClick(): void; onOpen(): void; onKeyDown(ev: KeyboardEvent): void }) {
  const e = p.entry;
  return (
    <li
      data-index={p.index}
      tabIndex={p.focusable ? 0 : -1}
      role="option"
      aria-selected={p.chosen}
      aria-disabled={!p.selectable && e.kind !== 'dir'}
      className={`pick-row ${e.kind} ${p.chosen ? 'chosen' : ''} ${p.selectable ? '' : 'inert'}`}
      onClick={p.onClick}
      onDoubleClick={() => e.kind === 'dir' && p.onOpen()}
      onKeyDown={p.onKeyDown}
    >
      <span className="pick-mark" aria-hidden>{p.selectable ? (p.chosen ? '☑' : '☐') : ''}</span>
      <span className="pick-icon" aria-hidden>{e.kind === 'dir' ? '📁' : '♪'}</span>
      <span className="pick-name">{e.name}</span>
      {e.kind === 'dir' && (
        <button
          className="small pick-open"
          tabIndex={-1}
          aria-label={`Open ${e.name}`}
          onClick={(ev) => {
            ev.stopPropagation();
            p.onOpen();
          }}
        >
          Open ›
        </button>
      )}
    </li>
  );
}
