import { useMemo, useState } from 'react';
import type { ListenerView } from '../../src-shared/studio-api.js';
import { studio } from '../api.js';
import { useNow } from '../components/useNow.js';
import { bytes, since } from '../format.js';
import { run, useStudio } from '../store.js';

type Key = 'ip' | 'userAgent' | 'mount' | 'connectedAt' | 'bytesSent';
const COLS: { key: Key; label: string }[] = [
  { key: 'ip', label: 'Address' },
  { key: 'userAgent', label: 'Player' },
  { key: 'mount', label: 'Mount' },
  { key: 'connectedAt', label: 'Connected for' },
  { key: 'bytesSent', label: 'Sent' },
];
const ROW = 34;
const VIEWPORT = 560;

export function Listeners() {
  const listeners = useStudio((s) => s.listeners);
  const now = useNow(1000);
  const [sort, setSort] = useState<{ key: Key; dir: 1 | -1 }>({ key: 'connectedAt', dir: 1 });
  const [filter, setFilter] = useState('');
  const [scroll, setScroll] = useState(0);

  const rows = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const list = [...listeners.values()].filter((l) => !f || `${l.ip} ${l.userAgent} ${l.mount}`.toLowerCase().includes(f));
    const k = sort.key;
    list.sort((a: ListenerView, b: ListenerView) => {
      const x = a[k];
      const y = b[k];
      return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * sort.dir;
    });
    return list;
  }, [listeners, sort, filter]);

  // only the rows in view are rendered, so thousands of listeners stay smooth
  const first = Math.max(0, Math.floor(scroll / ROW) - 5);
  const last = Math.min(rows.length, first + Math.ceil(VIEWPORT / ROW) + 10);
  const visible = rows.slice(first, last);

  return (
    <div className="listeners">
      <div className="toolbar">
        <b data-testid="listeners-total">{rows.length}</b>&nbsp;listeners
        <input className="filter" placeholder="Filter by address, player, mount…" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Filter listeners" />
      </div>
      <div className="vhead">
        {COLS.map((c) => (
          <button key={c.key} className={`col col-${c.key}`} onClick={() => setSort({ key: c.key, dir: sort.key === c.key ? (-sort.dir as 1 | -1) : 1 })}>
            {c.label} {sort.key === c.key ? (sort.dir === 1 ? '▲' : '▼') : ''}
          </button>
        ))}
        <span className="col col-act" />
      </div>
      <div className="vbody" style={{ height: VIEWPORT }} onScroll={(e) => setScroll(e.currentTarget.scrollTop)} data-testid="listeners-table">
        <div style={{ height: rows.length * ROW, position: 'relative' }}>
          {visible.map((l, i) => (
            <div className="vrow" key={l.id} data-id={l.id} style={{ top: (first + i) * ROW, height: ROW }}>
              <span className="col col-ip">{l.ip}</span>
              <span className="col col-userAgent" title={l.userAgent}>
                {l.userAgent || '—'}
                {l.icy ? <span className="tag">ICY</span> : null}
              </span>
              <span className="col col-mount">{l.mount}</span>
              <span className="col col-connectedAt">{since(l.connectedAt, now)}</span>
              <span className="col col-bytesSent">{bytes(l.bytesSent)}</span>
              <span className="col col-act">
                <button className="small danger" onClick={() => void run('Kick', studio.kickListener(l.id))}>
                  Kick
                </button>
              </span>
            </div>
          ))}
        </div>
        {rows.length === 0 && <p className="muted empty">No listeners right now.</p>}
      </div>
    </div>
  );
}
