import { useMemo, useState } from 'react';
import type { ListenerView } from '../../src-shared/studio-api.js';
import { studio } from '../api.js';
import { useNarrow } from '../components/useNarrow.js';
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
/** row heights: one line of columns, or a two-line card with a thumb-sized Kick button on phones */
const ROW = 36;
const ROW_NARROW = 76;
const VIEWPORT = 560;

/** Asks, then kicks a listener and says so. */
function useKickListener(): (l: ListenerView) => void {
  const ask = useStudio((s) => s.ask);
  const toast = useStudio((s) => s.toast);
  return (l) =>
    ask({
      title: `Kick listener ${l.ip}?`,
      body: `${l.userAgent || 'This player'} on ${l.mount} is disconnected now, and its address may not tune in again for a while (advanced.kick_ban).`,
      confirm: 'Kick',
      onConfirm: () =>
        void run('Kick', studio.kickListener(l.id)).then((r) => {
          if (!r) return;
          if (!r.kicked) toast('warn', `Listener ${l.ip} had already left`);
          else toast('info', `Listener ${l.ip} kicked${r.banSeconds ? `, banned for ${r.banSeconds} s` : ''}`);
        }),
    });
}

export function Listeners() {
  const listeners = useStudio((s) => s.listeners);
  const now = useNow(1000);
  const [sort, setSort] = useState<{ key: Key; dir: 1 | -1 }>({ key: 'connectedAt', dir: 1 });
  const [filter, setFilter] = useState('');
  const [scroll, setScroll] = useState(0);
  const narrow = useNarrow();
  const kick = useKickListener();
  const row = narrow ? ROW_NARROW : ROW;
  const viewport = narrow ? Math.max(240, window.innerHeight - 260) : VIEWPORT;

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
  const first = Math.max(0, Math.floor(scroll / row) - 5);
  const last = Math.min(rows.length, first + Math.ceil(viewport / row) + 10);
  const visible = rows.slice(first, last);

  return (
    <div className={`listeners ${narrow ? 'narrow' : ''}`}>
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
      <div className="vbody" style={{ height: viewport }} onScroll={(e) => setScroll(e.currentTarget.scrollTop)} data-testid="listeners-table">
        <div style={{ height: rows.length * row, position: 'relative' }}>
          {visible.map((l, i) => (
            <div className="vrow" key={l.id} data-id={l.id} style={{ top: (first + i) * row, height: row }}>
              <span className="col col-ip">{l.ip}</span>
              <span className="col col-userAgent" title={l.userAgent}>
                {l.userAgent || '—'}
                {l.icy ? <span className="tag">ICY</span> : null}
              </span>
              <span className="col col-mount">{l.mount}</span>
              <span className="col col-connectedAt">{since(l.connectedAt, now)}</span>
              <span className="col col-bytesSent">{bytes(l.bytesSent)}</span>
              <span className="col col-act">
                <button className="small danger" onClick={() => kick(l)}>
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
