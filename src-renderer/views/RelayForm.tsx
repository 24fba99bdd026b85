// Adding, editing and removing a pull relay from the Outputs view: a form over one `relay "/path" { }` block
// of config.hcl, saved like the output form (ConfigBlockForm). The upstream's password, if it has one, is
// never shown: an empty password field keeps it.

import { useEffect, useRef, useState } from 'react';
import { removeHclBlock } from '../../src-shared/config/hcl-edit.js';
import { applyRelayForm, newRelayForm, relayFormOf, relayFormProblems, relayHasPassword, type RelayForm, type RelayFormField } from '../../src-shared/config/relay-form.js';
import { AUDIO_FORMATS, type AudioFormat, type RelayConfig } from '../../src-shared/config/schema.js';
import type { ConfigIssue } from '../../src-shared/config/validate.js';
import { FormActions, FormField as Field, FormMessages, focusFirstInvalid, useConfigBlockForm } from '../components/ConfigBlockForm.js';
import { Modal } from '../components/Modal.js';
import { useStudio } from '../store.js';

function fieldOf(issue: ConfigIssue, path: string): RelayFormField | null {
  const where = `relay ${JSON.stringify(path)}`;
  if (issue.path === where) return 'path';
  if (issue.path === `${where}.url`) return 'url';
  if (issue.path === `${where}.format`) return 'format';
  if (issue.path === `${where}.on_demand`) return 'on_demand';
  if (issue.path === `${where}.tls_ca_file`) return 'tls_ca_file';
  return null;
}

/** The dialog: `editing` is the mount path of the relay to edit, null to add one. */
export function RelayFormDialog({ editing, onClose, onSaved }: { editing: string | null; onClose(): void; onSaved(message: string): void }) {
  const ask = useStudio((s) => s.ask);
  const cf = useConfigBlockForm<RelayFormField>();
  const { state, problems, setProblems, busy } = cf;
  const [form, setForm] = useState<RelayForm | null>(null);
  const box = useRef<HTMLFormElement>(null);
  const original: RelayConfig | null = (editing !== null && state?.config?.relays.find((r) => r.path === editing)) || null;

  const load = (keepForm: boolean): void =>
    cf.load((s) => {
      const r = editing !== null ? s.config?.relays.find((x) => x.path === editing) : undefined;
      if (editing !== null && s.config && !r) cf.setFormErrors([`config.hcl has no relay "${editing}" any more (it was changed on disk).`]);
      if (!keepForm && s.config) setForm(r ? relayFormOf(r) : newRelayForm());
    });
  useEffect(() => load(false), [editing]);
  // the fields arrive after the dialog opened (config.hcl is read first): focus goes to the first one then
  const ready = form !== null;
  useEffect(() => {
    if (ready) box.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
  }, [ready]);

  const set = <K extends RelayFormField>(key: K, value: RelayForm[K]): void => {
    setForm((f) => f && { ...f, [key]: value });
    setProblems(({ [key]: _, ...rest }) => rest);
  };
  const save = async (text: string, path: string, done: string): Promise<void> => {
    if (await cf.save(text, (i) => fieldOf(i, path))) onSaved(done);
  };
  const submit = (): void => {
    if (!form || !state?.config) return;
    const takenPaths = state.config.relays.map((r) => r.path).filter((p) => p !== original?.path);
    const found = relayFormProblems(form, { takenPaths });
    setProblems(found);
    cf.setFormErrors([]);
    if (Object.keys(found).length) return focusFirstInvalid(box.current);
    void save(applyRelayForm(state.doc.text, form, original), form.path, original ? `Relay ${form.path} saved and applied` : `Relay ${form.path} added`);
  };
  const remove = (): void => {
    if (!state || !original) return;
    const path = original.path;
    ask({
      title: `Remove relay ${path}?`,
      body: `Its block goes from config.hcl and ${path} stops relaying; unless config.hcl has a mount on ${path}, the mount closes and its listeners are disconnected.`,
      confirm: 'Remove',
      onConfirm: () => void save(removeHclBlock(state.doc.text, 'relay', path), path, `Relay ${path} removed`),
    });
  };

  const title = editing === null ? 'Add a relay' : `Edit relay ${editing}`;
  return (
    <Modal label={title} onClose={onClose} className="output-form">
      <h3>{title}</h3>
      {cf.loadError && <p className="error">{cf.loadError}</p>}
      {state && !state.config && <p className="error">{state.problem}. Fix it in the Config view first.</p>}
      {form && state?.config && (
        <form
          ref={box}
          className="of-body"
          data-testid="relay-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <div className="of-grid">
            <Field label="Mount of this station it fills" error={problems.path}>
              <input name="path" value={form.path} placeholder="/news" aria-invalid={problems.path ? 'true' : 'false'} onChange={(e) => set('path', e.target.value)} autoComplete="off" spellCheck={false} data-autofocus="" />
            </Field>
            <Field label="Format" error={problems.format}>
              <select name="format" value={form.format ?? ''} aria-invalid={problems.format ? 'true' : 'false'} onChange={(e) => set('format', (e.target.value || null) as AudioFormat | null)}>
                <option value="">the upstream's (its Content-Type)</option>
                {AUDIO_FORMATS.map((f) => (
                  <option key={f}>{f}</option>
                ))}
              </select>
            </Field>
            <Field label="Upstream stream (http:// or https://host:port/path)" error={problems.url} wide>
              <input name="url" value={form.url} placeholder="https://other.example/news" inputMode="url" aria-invalid={problems.url ? 'true' : 'false'} onChange={(e) => set('url', e.target.value)} autoComplete="off" spellCheck={false} />
            </Field>
            <Field label="Upstream user (optional)" error={problems.user}>
              <input name="user" value={form.user} aria-invalid={problems.user ? 'true' : 'false'} onChange={(e) => set('user', e.target.value)} autoComplete="off" spellCheck={false} />
            </Field>
            <Field label={original && relayHasPassword(original) ? 'Password (empty: keep the stored one)' : 'Upstream password (optional)'} error={problems.password}>
              <input name="password" type="password" value={form.password} placeholder={original && relayHasPassword(original) ? '(unchanged)' : ''} aria-invalid={problems.password ? 'true' : 'false'} autoComplete="new-password" onChange={(e) => set('password', e.target.value)} />
            </Field>
            <Field label="CA to trust for https (PEM file, optional)" error={problems.tls_ca_file} wide>
              <input name="tls_ca_file" value={form.tls_ca_file} placeholder="/etc/cycast/private-ca.pem" aria-invalid={problems.tls_ca_file ? 'true' : 'false'} onChange={(e) => set('tls_ca_file', e.target.value)} autoComplete="off" spellCheck={false} />
            </Field>
            <label className="field field-check of-wide">
              <input type="checkbox" name="on_demand" checked={form.on_demand} onChange={(e) => set('on_demand', e.target.checked)} />
              <span>On demand: connect to the upstream only while the mount has listeners</span>
            </label>
          </div>
          <FormMessages stale={cf.stale} errors={cf.formErrors} onReload={() => load(true)} />
          <FormActions noun="relay" editing={!!original} busy={busy} stale={cf.stale} onRemove={remove} onClose={onClose} />
        </form>
      )}
      {!form && !cf.loadError && !(state && !state.config) && <p className="muted">Loading…</p>}
    </Modal>
  );
}
