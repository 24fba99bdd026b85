// The view switcher, from the VIEWS list: a sidebar in wide windows, a bottom tab bar on phones (the views
// past TAB_LIMIT under "More").
import { useState } from 'react';
import { shortcutOf, TAB_LIMIT, VIEWS } from '../navigation.js';
import { useStudio } from '../store.js';

export function Sidebar() {
  const view = useStudio((s) => s.view);
  const setView = useStudio((s) => s.setView);
  return (
    <nav className="sidebar" aria-label="Views">
      {VIEWS.map((v, i) => (
        <button key={v.id} className={view === v.id ? 'active' : ''} aria-current={view === v.id ? 'page' : undefined} onClick={() => setView(v.id)} title={shortcutOf(i) ? `Shortcut: ${shortcutOf(i)}` : undefined}>
          <span className="key">{shortcutOf(i)}</span> {v.label}
        </button>
      ))}
      <div className="shortcuts">
        <b>S</b> skip track · <b>N</b> play selected next · <b>1–{Math.min(9, VIEWS.length)}</b> views
      </div>
    </nav>
  );
}

export function TabBar() {
  const view = useStudio((s) => s.view);
  const setView = useStudio((s) => s.setView);
  const [more, setMore] = useState(false);
  const overflow = VIEWS.length > TAB_LIMIT;
  const tabs = overflow ? VIEWS.slice(0, TAB_LIMIT - 1) : VIEWS;
  const rest = overflow ? VIEWS.slice(TAB_LIMIT - 1) : [];
  const go = (id: string): void => {
    setView(id);
    setMore(false);
  };
  return (
    <nav className="tabbar" aria-label="Views">
      {tabs.map((v) => (
        <button key={v.id} className={view === v.id ? 'active' : ''} aria-current={view === v.id ? 'page' : undefined} onClick={() => go(v.id)}>
          <span className="tab-icon" aria-hidden>{v.icon}</span>
          <span className="tab-label">{v.label}</span>
        </button>
      ))}
      {overflow && (
        <button className={rest.some((v) => v.id === view) ? 'active' : ''} aria-expanded={more} onClick={() => setMore(!more)}>
          <span className="tab-icon" aria-hidden>⋯</span>
          <span className="tab-label">More</span>
        </button>
      )}
      {more && (
        <div className="tab-more" role="menu">
          {rest.map((v) => (
            <button key={v.id} role="menuitem" className={view === v.id ? 'active' : ''} onClick={() => go(v.id)}>
              {v.icon} {v.label}
            </button>
          ))}
        </div>
      )}
    </nav>
  );
}
