import { useEffect, useMemo, useRef, useState } from 'react';
import type { LogLevelName } from '../../src-shared/studio-api.js';
import { clock } from '../format.js';
import { useStudio } from '../store.js';

const LEVELS: LogLevelName[] = ['debug', 'info', 'warn', 'error'];
const WHAT: Record<LogLevelName, string> = { debug: 'lines', info: 'info lines, warnings or errors', warn: 'warnings or errors', error: 'errors' };

export function LogPanel() {
  const log = useStudio((s) => s.log);
  const [min, setMin] = useState<LogLevelName>('info');
  const [text, setText] = useState('');
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLDivElement>(null);
  const lines = useMemo(() => {
    const t = text.toLowerCase();
    return log.filter((l) => LEVELS.indexOf(l.level) >= LEVELS.indexOf(min) && (!t || l.message.toLowerCase().includes(t))).slice(-1000);
  }, [log, min, text]);
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, follow]);
  return (
    <div className="log">
      <div className="toolbar">
        {LEVELS.map((l) => (
          <button key={l} className={min === l ? 'active' : ''} onClick={() => setMin(l)}>
            {l === 'debug' ? 'All' : `${l}+`}
          </button>
        ))}
        <input className="filter" placeholder="Filter…" value={text} onChange={(e) => setText(e.target.value)} aria-label="Filter log" />
        <label className="toggle">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
      </div>
      <div className="logbox" ref={box} data-testid="log">
        {lines.map((l) => (
          <div key={l.seq} className={`line ${l.level}`}>
            <span className="muted">{clock(l.time)}</span> <span className="lvl">{l.level.toUpperCase()}</span> {l.message}
          </div>
        ))}
        {lines.length === 0 && (
          <p className="empty muted" data-testid="log-empty">
            {text ? `Nothing at this level matches “${text}”.` : min === 'debug' ? 'No log lines yet.' : `Nothing at this level: no ${WHAT[min]} among the last ${log.length} log lines.`}
          </p>
        )}
      </div>
    </div>
  );
}
