// Outputs: where the station is sent (push outputs to hosted Icecast/SHOUTcast servers) and what it pulls in
// (relays), each with its state, since when, bytes moved and the remote's last answer. Outputs are added,
// edited, removed and switched on or off here, each change saved in config.hcl (OutputForm.tsx). Narrow-screen
// safe: cards stack, long URLs and answers wrap instead of widening the page.

import { useEffect, useState, type CSSProperties } from 'react';
import type { LinksView, LinkStateName, OutputView, RelayView } from '../../src-shared/studio-api.js';
import { studio } from '../api.js';
import { useNow } from '../components/useNow.js';
import { bytes, since } from '../format.js';
import { run, useStudio } from '../store.js';
import { OutputFormDialog } from './OutputForm.js';
import { RelayFormDialog } from './RelayForm.js';
import './outputs.css';

const POLL_MS = 2000;

const wrap: CSSProperties = { overflowWrap: 'anywhere', wordBreak: 'break-word', minWidth: 0 };
const row: CSSProperties = { display: 'flex', flexWrap: 'wrap', gap: '6px 14px', alignItems: 'baseline', ...wrap };
const answer: CSSProperties = { whiteSpace: 'pre-wrap', ...wrap, maxHeight: 120, overflowY: 'auto', margin: '8px 0 0', fontSize: 12, padding: '6px 8px', borderRadius: 6, background: 'var(--panel2)' };

const COLORS: Record<LinkStateName, string> = {
  'on-air': 'var(--ok, #3c9)',
  connecting: 'var(--muted)',
  retrying: 'var(--warn)',
  refused: 'var(--bad, #e55)',
  idle: 'var(--muted)',
  off: 'var(--muted)',
};

/** "on air", "retrying in 8 s", "refused: wrong user name or password" */
export function stateText(v: { state: LinkStateName; retryAt: number; reason: string }, now: number): string {
  const inS = v.retryAt ? `${Math.max(0, Math.ceil((v.retryAt - now) / 1000))} s` : '';
  switch (v.state) {
    case 'on-air':
      return 'on air';
    case 'connecting':
      return 'connecting…';
    case 'retrying':
      return `retrying in ${inS}`;
    case 'refused':
      return `refused: ${v.reason}`;
    case 'idle':
      return 'idle (on demand)';
    case 'off':
      return 'off';
  }
}

function StateBadge({ v, now }: { v: OutputView | RelayView; now: number }) {
  return (
    <span className="badge" data-testid="link-state" style={{ borderColor: COLORS[v.state], color: COLORS[v.state], whiteSpace: 'normal', borderRadius: 8, ...wrap }}>
      {stateText(v, now)}
    </span>
  );
}

function OutputCard({ o, now, busy, onToggle, onEdit }: { o: OutputView; now: number; busy: boolean; onToggle: () => void; onEdit: () => void }) {
  return (
    <div className="card" data-testid="output-card" style={wrap}>
      <div className="out-head">
        <b style={wrap}>{o.id}</b>
        <span className="out-actions">
          <button onClick={onEdit} aria-label={`Edit output ${o.id}`}>
            Edit
          </button>
          <button onClick={onToggle} disabled={busy} aria-label={`${o.enabled ? 'Disable' : 'Enable'} output ${o.id}`}>
            {o.enabled ? 'Disable' : 'Enable'}
          </button>
        </span>
      </div>
      <div className="small muted" style={{ ...wrap, margin: '4px 0 8px' }}>
        {o.mount} → {o.target}
      </div>
      <div style={row}>
        <StateBadge v={o} now={now} />
        {o.state === 'retrying' && o.reason && <span className="small muted" style={wrap}>{o.reason}</span>}
        <span className="small">since {since(o.since, now)}</span>
        <span className="small">{bytes(o.bytes)} sent</span>
        <span className="small muted">{o.connects} connection{o.connects === 1 ? '' : 's'}</span>
      </div>
      {o.lastAnswer && <pre style={answer} title="The remote's last answer">{o.lastAnswer}</pre>}
    </div>
  );
}

function RelayCard({ r, now, onEdit }: { r: RelayView; now: number; onEdit: () => void }) {
  return (
    <div className="card" data-testid="relay-card" style={wrap}>
      <div className="out-head">
        <span style={wrap}>
          <b>{r.mount}</b> <span className="small muted">{r.on_demand ? 'on demand' : 'always on'}</span>
        </span>
        <button onClick={onEdit} aria-label={`Edit relay ${r.mount}`}>
          Edit
        </button>
      </div>
      <div className="small muted" style={{ ...wrap, margin: '4px 0 8px' }}>
        from {r.upstream}
      </div>
      <div style={row}>
        <StateBadge v={r} now={now} />
        {r.state === 'retrying' && r.reason && <span className="small muted" style={wrap}>{r.reason}</span>}
        <span className="small">since {since(r.since, now)}</span>
        <span className="small">{bytes(r.bytes)} received</span>
      </div>
      {r.lastAnswer && <pre style={answer}>{r.lastAnswer}</pre>}
    </div>
  );
}

export function OutputsPanel() {
  const [links, setLinks] = useState<LinksView | null>(null);
  const [error, setError] = useState('');
  const now = useNow(1000);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = (): void => {
      studio.links().then(
        (l) => {
          if (stopped) return;
          setLinks(l);
          setError('');
        },
        (e: Error) => !stopped && setError(e.message),
      ).finally(() => {
        if (!stopped) timer = setTimeout(poll, POLL_MS);
      });
    };
    poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);

  const toast = useStudio((s) => s.toast);
  /** the open form: an output's or a relay's, `id` null when adding (an output's id, a relay's mount) */
  const [editing, setEditing] = useState<{ kind: 'output' | 'relay'; id: string | null } | null>(null);
  const [toggling, setToggling] = useState('');

  const refresh = async (): Promise<void> => {
    const l = await run('Outputs', studio.links());
    if (l) setLinks(l);
  };
  const toggle = async (o: OutputView): Promise<void> => {
    const what = o.enabled ? 'Disable output' : 'Enable output';
    setToggling(o.id);
    const r = await run(what, studio.setOutputEnabled(o.id, !o.enabled));
    setToggling('');
    if (r && !r.saved) toast('error', `${what}: not saved: ${r.errors[0]?.message ?? 'refused'}`);
    await refresh();
  };
  const saved = (message: string): void => {
    setEditing(null);
    toast('info', message);
    void refresh();
  };

  if (!links) return <div className="muted">{error ? `Cannot read the outputs: ${error}` : 'Loading…'}</div>;
  return (
    <div className="outputs" data-testid="outputs-panel" style={{ maxWidth: '100%', ...wrap }}>
      <div className="card" style={wrap}>
        <div className="out-head">
          <h3>Outputs</h3>
          <button className="primary" onClick={() => setEditing({ kind: 'output', id: null })}>
            Add output
          </button>
        </div>
        {links.outputs.length === 0 ? (
          <p className="small muted" style={wrap}>
            No outputs. Add one to send the station to a hosted Icecast or SHOUTcast server; it is saved in config.hcl as an{' '}
            <code>output "name" {'{ }'}</code> block.
          </p>
        ) : null}
      </div>
      {links.outputs.map((o) => (
        <OutputCard key={o.id} o={o} now={now} busy={toggling === o.id} onToggle={() => void toggle(o)} onEdit={() => setEditing({ kind: 'output', id: o.id })} />
      ))}
      <div className="card" style={wrap}>
        <div className="out-head">
          <h3>Relays</h3>
          <button className="primary" onClick={() => setEditing({ kind: 'relay', id: null })}>
            Add relay
          </button>
        </div>
        {links.relays.length === 0 && (
          <p className="small muted" style={wrap}>
            No relays. Add one to put another server's stream on a mount of this one; it is saved in config.hcl as a <code>relay "/path" {'{ }'}</code> block.
          </p>
        )}
      </div>
      {links.relays.map((r) => (
        <RelayCard key={r.mount} r={r} now={now} onEdit={() => setEditing({ kind: 'relay', id: r.mount })} />
      ))}
      {editing?.kind === 'output' && <OutputFormDialog editing={editing.id} onClose={() => setEditing(null)} onSaved={saved} />}
      {editing?.kind === 'relay' && <RelayFormDialog editing={editing.id} onClose={() => setEditing(null)} onSaved={saved} />}
    </div>
  );
}
