// Browse the server's disk and pick music files or folders (the browser can not see the server's disk).
import { useEffect, useState } from 'react';
import type { DirectoryListing } from '../../src-shared/studio-api.js';
import { studio } from '../api.js';

export function PathPicker({ onPick, onClose }: { onPick(paths: string[]): void; onClose(): void }) {
  const [listing, setListing] = useState<DirectoryListing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const open = (p: string | null): void => {
    studio.listDirectory(p).then(
      (l) => {
        setListing(l);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  };
  useEffect(() => open(null), []);
  const toggle = (p: string): void => {
    const s = new Set(chosen);
    if (s.has(p)) s.delete(p);
    else s.add(p);
    setChosen(s);
  };
  return (
    <div className="modal-back" onClick={onClose}>
      <div className="modal" onClick={(e) => e.stopPropagation()} role="dialog" aria-label="Add from the server">
        <h3>Add from the server's disk</h3>
        <div className="path">
          <button disabled={!listing?.parent} onClick={() => open(listing!.parent)}>
            ↑ Up
          </button>
          <code>{listing?.path}</code>
        </div>
        {error && <p className="error">{error}</p>}
        <ul className="picker">
          {listing?.entries.map((e) => (
            <li key={e.path}>
              <label>
                <input type="checkbox" checked={chosen.has(e.path)} onChange={() => toggle(e.path)} />
                <span className="muted small">{e.kind === 'dir' ? 'DIR' : 'AUDIO'}</span>
              </label>
              {e.kind === 'dir' ? (
                <button className="link" onClick={() => open(e.path)}>
                  {e.name}
                </button>
              ) : (
                <span>{e.name}</span>
              )}
            </li>
          ))}
          {listing && listing.entries.length === 0 && <li className="muted">No folders or audio files here.</li>}
        </ul>
        <div className="modal-actions">
          <button onClick={onClose}>Cancel</button>
          <button className="primary" disabled={!chosen.size} onClick={() => onPick([...chosen])}>
            Add {chosen.size || ''} {chosen.size === 1 ? 'item' : 'items'}
          </button>
        </div>
      </div>
    </div>
  );
}
