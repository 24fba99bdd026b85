// Adding, editing and removing a push output from the Outputs view: a form over one `output "id" { }` block
// of config.hcl. What it writes goes through the same save as the settings form (checked, applied to the
// running station first, written atomically with a .bak, comments kept); the save's errors come back at the
// field they concern. The stored password is never shown: an empty password field keeps it.

import { useEffect, useRef, useState, type ReactNode } from 'react';
import { removeHclBlock } from '../../src-shared/config/hcl-edit.js';
import { HclSyntaxError, parseHcl } from '../../src-shared/config/hcl-syntax.js';
import { applyOutputForm, newOutputForm, outputFormOf, outputFormProblems, type OutputForm, type OutputFormField, type OutputFormProblems } from '../../src-shared/config/output-form.js';
import type { CycastConfig, OutputConfig } from '../../src-shared/config/schema.js';
import { validateNodes, type ConfigIssue } from '../../src-shared/config/validate.js';
import type { ConfigApplyResult, ConfigDocument } from '../../src-shared/studio-api.js';
import { studio } from '../api.js';
import { Modal } from '../components/Modal.js';
import { useStudio } from '../store.js';

/** config.hcl as the form needs it: the text and version it edits, and what the text holds (null: errors). */
interface ConfigState {
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

/** The form field a save error is about (`output "x".url` is the server fields), or null for the form as a whole. */
function fieldOf(issue: ConfigIssue, id: string): OutputFormField | null {
  const where = `output ${JSON.stringify(id)}`;
  if (issue.path === where) return /defined more than once/.test(issue.message) ? 'id' : null;
  if (!issue.path.startsWith(`${where}.`)) return null;
  const key = issue.path.slice(where.length + 1);
  if (key === 'url') return 'host';
  return (['mount', 'name', 'description', 'genre', 'station_url', 'public', 'user_agent', 'enabled'] as const).find((k) => k === key) ?? null;
}

function Field({ label, error, children, wide }: { label: string; error?: string; children: ReactNode; wide?: boolean }) {
  return (
    <label className={`field${wide ? ' of-wide' : ''}`}>
      <span>{label}</span>
      {children}
      {error && <em className="error" role="alert">{error}</em>}
    </label>
  );
}

/** The dialog: `editing` is the id of the output to edit, null to add one. */
export function OutputFormDialog({ editing, onClose, onSaved }: { editing: string | null; onClose(): void; onSaved(message: string): void }) {
  const ask = useStudio((s) => s.ask);
  const [state, setState] = useState<ConfigState | null>(null);
  const [loadError, setLoadError] = useState('');
  const [form, setForm] = useState<OutputForm | null>(null);
  const [problems, setProblems] = useState<OutputFormProblems>({});
  const [formErrors, setFormErrors] = useState<string[]>([]);
  const [stale, setStale] = useState(false);
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLFormElement>(null);

  const original: OutputConfig | null = (editing !== null && state?.config?.outputs.find((o) => o.id === editing)) || null;
  const mounts = state?.config ? [...state.config.mounts.map((m) => m.path), ...state.config.relays.map((r) => r.path)] : [];

  const load = (keepForm: boolean): void => {
    readConfig().then(
      (s) => {
        setState(s);
        setStale(false);
        setLoadError('');
        const o = editing !== null ? s.config?.outputs.find((x) => x.id === editing) : undefined;
        if (editing !== null && s.config && !o) setFormErrors([`config.hcl has no output "${editing}" any more (it was changed on disk).`]);
        if (!keepForm && s.config) setForm(o ? outputFormOf(o) : newOutputForm(s.config.mounts[0]?.path ?? ''));
      },
      (e: Error) => setLoadError(`Cannot read config.hcl: ${e.message}`),
    );
  };
  useEffect(() => load(false), [editing]);

  const set = <K extends OutputFormField>(key: K, value: OutputForm[K]): void => {
    setForm((f) => f && { ...f, [key]: value });
    setProblems(({ [key]: _, ...rest }) => rest);
  };

  /** Shows what the save said: the errors at their fields, a stale file as such. */
  const report = (r: ConfigApplyResult, id: string): void => {
    if (r.stale) return setStale(true);
    const at: OutputFormProblems = {};
    const rest: string[] = [];
    for (const i of r.errors) {
      const f = fieldOf(i, id);
      if (f && !at[f]) at[f] = i.message;
      else rest.push(i.message);
    }
    setProblems(at);
    setFormErrors(rest.length || Object.keys(at).length ? rest : ['Not saved.']);
  };

  const save = async (text: string, id: string, done: string): Promise<void> => {
    if (!state) return;
    setBusy(true);
    setFormErrors([]);
    try {
      const r = await studio.configSave(text, true, state.doc.version);
      if (r.saved) onSaved(done);
      else report(r, id);
    } catch (e) {
      setFormErrors([(e as Error).message]);
    } finally {
      setBusy(false);
    }
  };

  const submit = (): void => {
    if (!form || !state?.config) return;
    const takenIds = state.config.outputs.map((o) => o.id).filter((id) => id !== original?.id);
    const found = outputFormProblems(form, { mounts, takenIds, storedPassword: original !== null });
    setProblems(found);
    setFormErrors([]);
    if (Object.keys(found).length) {
      requestAnimationFrame(() => box.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    void save(applyOutputForm(state.doc.text, form, original), form.id, original ? `Output "${form.id}" saved and applied` : `Output "${form.id}" added`);
  };

  const remove = (): void => {
    if (!state || !original) return;
    const id = original.id;
    ask({
      title: `Remove output "${id}"?`,
      body: `Its block goes from config.hcl and the station stops sending ${original.mount} there. Listeners here stay connected.`,
      confirm: 'Remove',
      onConfirm: () => void save(removeHclBlock(state.doc.text, 'output', id), id, `Output "${id}" removed`),
    });
  };

  const input = (key: 'id' | 'host' | 'port' | 'remoteMount' | 'user' | 'name' | 'description' | 'genre' | 'station_url' | 'user_agent', extra: Record<string, string> = {}) => (
    <input name={key} value={form![key]} aria-invalid={problems[key] ? 'true' : 'false'} onChange={(e) => set(key, e.target.value)} autoComplete="off" spellCheck={false} {...extra} />
  );

  const title = editing === null ? 'Add an output' : `Edit output "${editing}"`;
  return (
    <Modal label={title} onClose={onClose} className="output-form">
      <h3>{title}</h3>
      {loadError && <p className="error">{loadError}</p>}
      {state && !state.config && <p className="error">{state.problem}. Fix it in the Config view first.</p>}
      {form && state?.config && (
        <form
          ref={box}
          className="of-body"
          data-testid="output-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <div className="of-grid">
            <Field label="Name (in config.hcl, logs and metrics)" error={problems.id}>
              {input('id', { placeholder: 'hosted', 'data-autofocus': '' })}
            </Field>
            <Field label="Send the mount" error={problems.mount}>
              <select name="mount" value={form.mount} aria-invalid={problems.mount ? 'true' : 'false'} onChange={(e) => set('mount', e.target.value)}>
                {!mounts.includes(form.mount) && <option value={form.mount}>{form.mount || 'choose…'}</option>}
                {mounts.map((m) => (
                  <option key={m}>{m}</option>
                ))}
              </select>
            </Field>
            <Field label="To a server of kind">
              <select name="kind" value={form.kind} onChange={(e) => set('kind', e.target.value as OutputForm['kind'])}>
                <option value="icecast">Icecast 2</option>
                <option value="shoutcast">SHOUTcast v1</option>
              </select>
            </Field>
            <div className="of-pair">
              <Field label="Host" error={problems.host}>
                {input('host', { placeholder: 'radio.example.org', inputMode: 'url' })}
              </Field>
              <Field label="Port" error={problems.port}>
                {input('port', { inputMode: 'numeric', placeholder: '8000' })}
              </Field>
            </div>
            {form.kind === 'icecast' && (
              <>
                <Field label="Mount on the remote" error={problems.remoteMount}>
                  {input('remoteMount', { placeholder: '/live' })}
                </Field>
                <Field label="User" error={problems.user}>
                  {input('user', { placeholder: 'source' })}
                </Field>
              </>
            )}
            <Field label={original ? 'Password (empty: keep the stored one)' : 'Password'} error={problems.password} wide>
              <input
                name="password"
                type="password"
                value={form.password}
                aria-invalid={problems.password ? 'true' : 'false'}
                placeholder={original ? '(unchanged)' : "the remote's source password"}
                autoComplete="new-password"
                onChange={(e) => set('password', e.target.value)}
              />
            </Field>
            <label className="field field-check of-wide">
              <input type="checkbox" name="enabled" checked={form.enabled} onChange={(e) => set('enabled', e.target.checked)} />
              <span>Send it (enabled)</span>
            </label>
          </div>
          <details className="of-details" open={Boolean(form.name || form.description || form.genre || form.station_url || form.user_agent || form.public !== null)}>
            <summary>Stream details sent to the remote (optional; empty: the mount's own)</summary>
            <div className="of-grid">
              <Field label="Stream name" error={problems.name}>{input('name')}</Field>
              <Field label="Genre" error={problems.genre}>{input('genre')}</Field>
              <Field label="Description" error={problems.description} wide>{input('description')}</Field>
              <Field label="Web site" error={problems.station_url}>{input('station_url', { inputMode: 'url' })}</Field>
              <Field label="Listed in directories" error={problems.public}>
                <select name="public" value={form.public === null ? '' : String(form.public)} onChange={(e) => set('public', e.target.value === '' ? null : e.target.value === 'true')}>
                  <option value="">as the mount says</option>
                  <option value="true">yes</option>
                  <option value="false">no</option>
                </select>
              </Field>
              <Field label="User-Agent" error={problems.user_agent} wide>{input('user_agent', { placeholder: 'this server’s name and version' })}</Field>
            </div>
          </details>
          {stale && (
            <p className="error of-stale" role="alert">
              config.hcl was changed on disk (or in another window) since this form opened; nothing was written.{' '}
              <button type="button" className="small" onClick={() => load(true)}>
                Reload it
              </button>{' '}
              keeps what you typed here; then save again.
            </p>
          )}
          {formErrors.map((m, k) => (
            <p className="error" role="alert" key={k} data-testid="output-form-error">
              {m}
            </p>
          ))}
          <div className="modal-actions">
            {original && (
              <button type="button" className="danger of-remove" onClick={remove} disabled={busy}>
                Remove output
              </button>
            )}
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={busy || stale}>
              {busy ? 'Saving…' : original ? 'Save & apply' : 'Add output'}
            </button>
          </div>
        </form>
      )}
      {!form && !loadError && !(state && !state.config) && <p className="muted">Loading…</p>}
    </Modal>
  );
}
