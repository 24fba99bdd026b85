// The studio's views, in navigation order. Append an entry to add a view: the sidebar (wide windows), the
// bottom tabs (phones; past TAB_LIMIT the rest go under "More") and the number-key shortcuts follow this list.
import type { ComponentType } from 'react';
import { ConfigPanel } from './views/ConfigPanel.js';
import { Listeners } from './views/Listeners.js';
import { LogPanel } from './views/LogPanel.js';
import { OnAir } from './views/OnAir.js';
import { OutputsPanel } from './views/OutputsPanel.js';
import { PlaylistPanel } from './views/PlaylistPanel.js';
import { StatsPanel } from './views/StatsPanel.js';
import { RecordingsPanel } from './views/RecordingsPanel.js';

export interface ViewEntry {
  /** stable id, kept in the store */
  id: string;
  label: string;
  /** a short glyph for the phone tab bar */
  icon: string;
  component: ComponentType;
}

export const VIEWS: ViewEntry[] = [
  { id: 'onair', label: 'On Air', icon: '◉', component: OnAir },
  { id: 'playlist', label: 'Playlist', icon: '☰', component: PlaylistPanel },
  { id: 'listeners', label: 'Listeners', icon: '♫', component: Listeners },
  { id: 'config', label: 'Config', icon: '⚙', component: ConfigPanel },
  { id: 'log', label: 'Log', icon: '≡', component: LogPanel },
  { id: 'stats', label: 'Stats', icon: '▤', component: StatsPanel },
  { id: 'recordings', label: 'Recordings', icon: '●', component: RecordingsPanel },
  { id: 'outputs', label: 'Outputs', icon: '⇪', component: OutputsPanel },
];

/** Tabs the phone bar shows before the rest go under "More". */
export const TAB_LIMIT = 5;

/** The number key of the view at `index` (1–9), or null past the ninth. */
export function shortcutOf(index: number): string | null {
  return index < 9 ? String(index + 1) : null;
}
