// What the studio's forms over one block of config.hcl share (the output and relay forms): reading the file
// and what it holds, saving an edited text through the config save (checked, applied first, written atomically
// with a .bak) with the version read, the save's errors sorted to their fields, and a file changed on disk
// meanwhile said as such, with a reload that keeps what was typed.

import { useState, type Dispatch, type ReactNode, type SetStateAction } from 'react';
import { HclSyntaxError, parseHcl } from '../../src-shared/config/hcl-syntax.js';
import type { CycastConfig } from '../../src-shared/config/schema.js';
import { validateNodes, type ConfigIssue } from '../../src-shared/config/validate.js';
import type { ConfigDocument } from '../../src-shared/studio-api.js';
import { studio } from '../api.js';

/** config.hcl as a form needs it: the text and version it edits, and what the text holds (null: errors). */
export interface ConfigState {
  doc: ConfigDocument;
  config: CycastConfig | null;
  problem: string;
}

async function readConfig(): Promise<ConfigState> {
  const doc = await studio.configRead();
  try {
    const r = validateNodes(parseHcl(doc.text));
    return { doc, config: r.config, problem: r.config ? '' : `config.hcl has ${r.errors.length} error(s): ${r.errors[0]?.message ?? ''}` };
  } catch (e) {
    if (e instanceof HclSyntaxError) return { doc, config: null, problem: `config.hcl does not parse (${e.message})` };
    throw e;
  }
}

export interface ConfigBlockForm<F extends string> {
  state: ConfigState | null;
  loadError: string;
  problems: Partial<Record<F, string>>;
  setProblems: Dispatch<SetStateAction<Partial<Record<F, string>>>>;
  /** messages that belong to no field */
  formErrors: string[];
  setFormErrors(m: string[]): void;
  stale: boolean;
  busy: boolean;
  /** reads config.hcl (again); `then` gets what it holds */
  load(then?: (s: ConfigState) => void): void;
  /** saves and applies `text`; true when saved, else the errors are shown (at `fieldOf` their field) */
  save(text: string, fieldOf: (issue: ConfigIssue) => F | null): Promise<boolean>;
}

export function useConfigBlockForm<F extends string>(): ConfigBlockForm<F> {
  const [state, setState] = useState<ConfigState | null>(null);
  const [loadError, setLoadError] = useState('');
  const [problems, setProblems] = useState<Partial<Record<F, string>>>({});
  const [formErrors, setFormErrors] = useState<string[]>([]);
  const [stale, setStale] = useState(false);
  const [busy, setBusy] = useState(false);

  const load = (then?: (s: ConfigState) => void): void => {
    readConfig().then(
      (s) => {
        setState(s);
        setStale(false);
        setLoadError('');
        setFormErrors([]);
        then?.(s);
      },
      (e: Error) => setLoadError(`Cannot read config.hcl: ${e.message}`),
    );
  };

  const save = async (text: string, fieldOf: (issue: ConfigIssue) => F | null): Promise<boolean> => {
    if (!state) return false;
    setBusy(true);
    setFormErrors([]);
    try {
      const r = await studio.configSave(text, true, state.doc.version);
      if (r.saved) return true;
      if (r.stale) {
        setStale(true);
        return false;
      }
      const at: Partial<Record<F, string>> = {};
      const rest: string[] = [];
      for (const i of r.errors) {
        const f = fieldOf(i);
        if (f && !at[f]) at[f] = i.message;
        else rest.push(i.message);
      }
      setProblems(at);
      setFormErrors(rest.length || Object.keys(at).length ? rest : ['Not saved.']);
      return false;
    } catch (e) {
      setFormErrors([(e as Error).message]);
      return false;
    } finally {
      setBusy(false);
    }
  };

  return { state, loadError, problems, setProblems, formErrors, setFormErrors, stale, busy, load, save };
}

/** One labelled control with its message under it. */
export function FormField({ label, error, children, wide }: { label: string; error?: string; children: ReactNode; wide?: boolean }) {
  return (
    <label className={`field${wide ? ' of-wide' : ''}`}>
      <span>{label}</span>
      {children}
      {error && <em className="error" role="alert">{error}</em>}
    </label>
  );
}

/** The save's messages that belong to no field, and a stale file with its reload. */
export function FormMessages({ stale, errors, onReload }: { stale: boolean; errors: string[]; onReload(): void }) {
  return (
    <>
      {stale && (
        <p className="error of-stale" role="alert">
          config.hcl was changed on disk (or in another window) since this form opened; nothing was written.{' '}
          <button type="button" className="small" onClick={onReload}>
            Reload it
          </button>{' '}
          keeps what you typed here; then save again.
        </p>
      )}
      {errors.map((m, k) => (
        <p className="error" role="alert" key={k} data-testid="form-error">
          {m}
        </p>
      ))}
    </>
  );
}

/** Moves focus to the first field the checks marked (after React has rendered the marks). */
/** The form's buttons: Remove (when editing), Cancel, and the submit that adds or saves `noun`. */
export function FormActions({ noun, editing, busy, stale, onRemove, onClose }: { noun: string; editing: boolean; busy: boolean; stale: boolean; onRemove(): void; onClose(): void }) {
  return (
    <div className="modal-actions">
      {editing && (
        <button type="button" className="danger of-remove" onClick={onRemove} disabled={busy}>
          Remove {noun}
        </button>
      )}
      <button type="button" onClick={onClose}>
        Cancel
      </button>
      <button type="submit" className="primary" disabled={busy || stale}>
        {busy ? 'Saving…' : editing ? 'Save & apply' : `Add ${noun}`}
      </button>
    </div>
  );
}

export function focusFirstInvalid(box: HTMLElement | null): void {
  requestAnimationFrame(() => box?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
}
