// Adding, editing and removing a push output from the Outputs view: a form over one `output "id" { }` block
// of config.hcl. What it writes goes through the same save as the settings form (checked, applied to the
// running station first, written atomically with a .bak, comments kept); the save's errors come back at the
// field they concern. The stored password is never shown: an empty password field keeps it.

import { useEffect, useRef, useState } from 'react';
import { removeHclBlock } from '../../src-shared/config/hcl-edit.js';
import { applyOutputForm, newOutputForm, outputFormOf, outputFormProblems, type OutputForm, type OutputFormField } from '../../src-shared/config/output-form.js';
import type { OutputConfig } from '../../src-shared/config/schema.js';
import type { ConfigIssue } from '../../src-shared/config/validate.js';
import { FormActions, FormField as Field, FormMessages, focusFirstInvalid, useConfigBlockForm } from '../components/ConfigBlockForm.js';
import { Modal } from '../components/Modal.js';
import { useStudio } from '../store.js';

/** The form field a save error is about (`output "x".url` is the server fields), or null for the form as a whole. */
function fieldOf(issue: ConfigIssue, id: string): OutputFormField | null {
  const where = `output ${JSON.stringify(id)}`;
  if (issue.path === where) return /defined more than once/.test(issue.message) ? 'id' : null;
  if (!issue.path.startsWith(`${where}.`)) return null;
  const key = issue.path.slice(where.length + 1);
  if (key === 'url') return 'host';
  return (['mount', 'name', 'description', 'genre', 'station_url', 'public', 'user_agent', 'enabled'] as const).find((k) => k === key) ?? null;
}

/** The dialog: `editing` is the id of the output to edit, null to add one. */
export function OutputFormDialog({ editing, onClose, onSaved }: { editing: string | null; onClose(): void; onSaved(message: string): void }) {
  const ask = useStudio((s) => s.ask);
  const cf = useConfigBlockForm<OutputFormField>();
  const { state, problems, setProblems, busy } = cf;
  const [form, setForm] = useState<OutputForm | null>(null);
  const box = useRef<HTMLFormElement>(null);

  const original: OutputConfig | null = (editing !== null && state?.config?.outputs.find((o) => o.id === editing)) || null;
  const mounts = state?.config ? [...state.config.mounts.map((m) => m.path), ...state.config.relays.map((r) => r.path)] : [];

  const load = (keepForm: boolean): void =>
    cf.load((s) => {
      const o = editing !== null ? s.config?.outputs.find((x) => x.id === editing) : undefined;
      if (editing !== null && s.config && !o) cf.setFormErrors([`config.hcl has no output "${editing}" any more (it was changed on disk).`]);
      if (!keepForm && s.config) setForm(o ? outputFormOf(o) : newOutputForm(s.config.mounts[0]?.path ?? ''));
    });
  useEffect(() => load(false), [editing]);
  // the fields arrive after the dialog opened (config.hcl is read first): focus goes to the first one then
  const ready = form !== null;
  useEffect(() => {
    if (ready) box.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
  }, [ready]);

  const set = <K extends OutputFormField>(key: K, value: OutputForm[K]): void => {
    setForm((f) => f && { ...f, [key]: value });
    setProblems(({ [key]: _, ...rest }) => rest);
  };

  const save = async (text: string, id: string, done: string): Promise<void> => {
    if (await cf.save(text, (i) => fieldOf(i, id))) onSaved(done);
  };

  const submit = (): void => {
    if (!form || !state?.config) return;
    const takenIds = state.config.outputs.map((o) => o.id).filter((id) => id !== original?.id);
    const found = outputFormProblems(form, { mounts, takenIds, storedPassword: original !== null });
    setProblems(found);
    cf.setFormErrors([]);
    if (Object.keys(found).length) return focusFirstInvalid(box.current);
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
      {cf.loadError && <p className="error">{cf.loadError}</p>}
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
          <FormMessages stale={cf.stale} errors={cf.formErrors} onReload={() => load(true)} />
          <FormActions noun="output" editing={!!original} busy={busy} stale={cf.stale} onRemove={remove} onClose={onClose} />
        </form>
      )}
      {!form && !cf.loadError && !(state && !state.config) && <p className="muted">Loading…</p>}
    </Modal>
  );
}
