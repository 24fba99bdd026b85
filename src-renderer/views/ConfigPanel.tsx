import { useEffect, useMemo, useRef, useState } from 'react';
import { applyHclEdits } from '../../src-shared/config/hcl-edit.js';
import { SCHEMA, type FieldSpec } from '../../src-shared/config/schema.js';
import { checkField, validateNodes, type ConfigIssue } from '../../src-shared/config/validate.js';
import { HclSyntaxError, parseHcl } from '../../src-shared/config/hcl-syntax.js';
import type { ConfigApplyResult, ConfigChange } from '../../src-shared/studio-api.js';
import { studio } from '../api.js';
import { maskSecrets, unmaskSecrets } from '../secrets.js';
import { run, useStudio } from '../store.js';

type Field = { block: keyof typeof SCHEMA; key: string; label: string; secret?: boolean };
const FORM: { title: string; fields: Field[] }[] = [
  { title: 'Station', fields: [
    { block: 'metadata', key: 'station_name', label: 'Station name' },
    { block: 'metadata', key: 'station_genre', label: 'Genre' },
    { block: 'metadata', key: 'station_description', label: 'Description' },
    { block: 'metadata', key: 'station_url', label: 'Web site' },
  ] },
  { title: 'Connections', fields: [
    { block: 'server', key: 'source_port', label: 'Source port' },
    { block: 'server', key: 'listen_port', label: 'Listener port' },
    { block: 'server', key: 'mount_point', label: 'Mount' },
    { block: 'server', key: 'format', label: 'Format' },
    { block: 'server', key: 'source_password', label: 'Source password', secret: true },
    { block: 'admin', key: 'password', label: 'Admin password', secret: true },
    { block: 'advanced', key: 'max_listeners', label: 'Max listeners (0 = no limit)' },
  ] },
  { title: 'AutoDJ', fields: [
    { block: 'playlist', key: 'directory', label: 'Music folder' },
    { block: 'playlist', key: 'resume_delay', label: 'Resume after DJ leaves (s)' },
    { block: 'playlist', key: 'repeat', label: 'Repeat' },
    { block: 'metadata', key: 'enable_icy', label: 'Titles in the stream (ICY)' },
  ] },
];

/** Positions issues for the editor: syntax errors from the shared reader, schema errors from validation. */
function localCheck(text: string): { values: Record<string, unknown> | null; issues: ConfigIssue[] } {
  try {
    const nodes = parseHcl(text);
    const r = validateNodes(nodes);
    const values: Record<string, unknown> = {};
    if (r.config) for (const b of Object.keys(SCHEMA)) for (const [k, v] of Object.entries((r.config as unknown as Record<string, Record<string, unknown>>)[b])) values[`${b}.${k}`] = v;
    return { values: r.config ? values : null, issues: [...r.errors, ...r.notices] };
  } catch (e) {
    if (e instanceof HclSyntaxError) return { values: null, issues: [{ severity: 'error', path: '', message: e.reason, line: e.line, column: e.column }] };
    throw e;
  }
}

export function ConfigPanel() {
  const toast = useStudio((s) => s.toast);
  const [path, setPath] = useState('');
  const [saved, setSaved] = useState('');
  const [version, setVersion] = useState<string | undefined>(undefined);
  const [text, setText] = useState('');
  const [plan, setPlan] = useState<ConfigChange[] | null>(null);
  const [result, setResult] = useState<ConfigApplyResult | null>(null);
  const [serverIssues, setServerIssues] = useState<ConfigIssue[] | null>(null);
  /** what the form's fields hold but have not committed yet (the focused one, typically), by field id */
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [showSecrets, setShowSecrets] = useState(false);
  const editor = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    void run('Read config', studio.configRead()).then((d) => {
      if (!d) return;
      setPath(d.path);
      setSaved(d.text);
      setText(d.text);
      setVersion(d.version);
    });
  }, []);

  const local = useMemo(() => localCheck(text), [text]);
  // while the text has an error the form shows the last valid values, read-only
  const lastValid = useRef<Record<string, unknown> | null>(null);
  if (local.values) lastValid.current = local.values;
  const formValues = local.values ?? lastValid.current;
  const issues = serverIssues ?? local.issues;
  const errors = issues.filter((i) => i.severity === 'error');
  const dirty = text !== saved || Object.keys(drafts).length > 0;

  /** `base` with one field set; null when the value is not a number where one is needed (the inline message says so) */
  const withField = (base: string, f: Field, raw: string | boolean): string | null => {
    const spec = (SCHEMA[f.block] as Record<string, FieldSpec>)[f.key];
    const value = typeof raw === 'boolean' ? raw : spec.type === 'integer' || spec.type === 'number' ? (raw.trim() === '' ? NaN : Number(raw)) : raw;
    if (typeof value === 'number' && !Number.isFinite(value)) return null;
    return applyHclEdits(base, [{ block: f.block, key: f.key, value }]);
  };
  const setField = (f: Field, raw: string | boolean): void => {
    try {
      const next = withField(text, f, raw);
      if (next === null) return; // the text keeps the last valid number
      setText(next);
      setServerIssues(null);
      setPlan(null);
    } catch {
      toast('warn', 'Fix the syntax error in the text first');
    }
  };
  /**
   * The text with every field's uncommitted value applied: Check and Save must count the field that still has
   * focus (it commits on blur, and a button that takes no focus, or a shortcut, leaves it focused).
   */
  const commitDrafts = (): string => {
    let next = text;
    for (const [id, raw] of Object.entries(drafts)) {
      const f = FORM.flatMap((g) => g.fields).find((x) => `${x.block}.${x.key}` === id);
      if (!f) continue;
      try {
        next = withField(next, f, raw) ?? next;
      } catch {
        // a syntax error in the text: the form is read-only then, so there are no drafts to apply
      }
    }
    if (next !== text) setText(next);
    setDrafts({});
    return next;
  };
  const jump = (i: ConfigIssue): void => {
    const ta = editor.current;
    if (!ta || !i.line) return;
    const lines = text.split('\n');
    const offset = lines.slice(0, i.line - 1).reduce((n, l) => n + l.length + 1, 0) + (i.column ?? 1) - 1;
    ta.focus();
    ta.setSelectionRange(offset, offset);
    ta.scrollTop = Math.max(0, (i.line - 5) * 20);
  };
  const preview = async (): Promise<void> => {
    const current = commitDrafts();
    const r = await run('Check', studio.configCheck(current));
    if (!r) return;
    setServerIssues([...r.errors, ...r.notices]);
    setPlan(r.ok ? r.changes : null);
  };
  const save = async (apply: boolean): Promise<void> => {
    const current = commitDrafts();
    const r = await run('Save', studio.configSave(current, apply, version));
    if (!r) return;
    setResult(r);
    setServerIssues([...r.errors, ...r.notices]);
    if (r.saved) {
      setSaved(current);
      void studio.configRead().then((d) => setVersion(d.version));
      setPlan(null);
      toast('info', apply ? `Saved and applied (${r.changes.length} change${r.changes.length === 1 ? '' : 's'})` : 'Saved; applies at the next start');
    } else toast('error', `Not saved: ${r.errors.length} error${r.errors.length === 1 ? '' : 's'} in the config`);
  };

  return (
    <div className="config">
      <div className="config-form">
        {FORM.map((group) => (
          <section className="card" key={group.title}>
            <h3>{group.title}</h3>
            {group.fields.map((f) => {
              const spec = (SCHEMA[f.block] as Record<string, FieldSpec>)[f.key];
              const id = `${f.block}.${f.key}`;
              const v = formValues?.[id];
              const why = v === undefined ? undefined : checkField(spec, v);
              return (
                <label className={`field ${spec.type === 'boolean' ? 'field-check' : ''}`} key={id} title={spec.doc}>
                  {spec.type === 'boolean' ? (
                    <>
                      <input type="checkbox" name={id} checked={v === true} disabled={!local.values} onChange={(e) => setField(f, e.target.checked)} />
                      <span>{f.label}</span>
                    </>
                  ) : (
                    <span>{f.label}</span>
                  )}
                  {spec.type === 'boolean' ? null : spec.oneOf ? (
                    <select value={String(v ?? '')} disabled={!local.values} onChange={(e) => setField(f, e.target.value)}>
                      {spec.oneOf.map((o) => (
                        <option key={o}>{o}</option>
                      ))}
                    </select>
                  ) : (
                    <FieldInput
                      id={id}
                      spec={spec}
                      value={v}
                      secret={f.secret}
                      disabled={!local.values}
                      draft={drafts[id] ?? null}
                      onDraft={(d) => setDrafts((all) => ({ ...all, [id]: d }))}
                      onCommit={() => {
                        const d = drafts[id];
                        setDrafts(({ [id]: _, ...rest }) => rest);
                        if (d !== undefined) setField(f, d);
                      }}
                    />
                  )}
                  {why && <em className="error">{why}</em>}
                </label>
              );
            })}
          </section>
        ))}
      </div>
      <div className="config-raw">
        <div className="toolbar">
          <code className="muted">{path}</code>
          {dirty && <span className="badge">unsaved</span>}
          <span className="sep" />
          <label className="toggle">
            <input type="checkbox" checked={showSecrets} onChange={(e) => setShowSecrets(e.target.checked)} /> Show passwords
          </label>
          <button onClick={() => void preview()}>Check &amp; preview</button>
          <button
            onClick={() =>
              void run('Read config', studio.configRead()).then((d) => {
                if (!d) return;
                setSaved(d.text);
                setText(d.text);
                setVersion(d.version);
                setServerIssues(null);
                setPlan(null);
                setResult(null);
                setDrafts({});
              })
            }
            title="Load config.hcl from disk again, dropping unsaved edits"
          >
            Revert
          </button>
          <button disabled={!dirty} onClick={() => void save(false)}>
            Save
          </button>
          <button className="primary" disabled={!dirty} onClick={() => void save(true)} data-testid="save-apply">
            Save &amp; apply
          </button>
        </div>
        <textarea
          ref={editor}
          className="editor"
          spellCheck={false}
          value={showSecrets ? text : maskSecrets(text)}
          onChange={(e) => {
            // masked passwords map back to their real values, so a save never writes the dots
            setText(showSecrets ? e.target.value : unmaskSecrets(e.target.value, text));
            setServerIssues(null);
            setPlan(null);
            setResult(null);
          }}
          aria-label="config.hcl"
          data-testid="config-editor"
        />
        <ul className="diagnostics" data-testid="diagnostics">
          {issues.map((i, k) => (
            <li key={k} className={i.severity} onClick={() => jump(i)}>
              <b>{i.line ? `${i.line}:${i.column}` : '—'}</b> {i.severity}: {i.message}
            </li>
          ))}
          {errors.length === 0 && <li className="ok">No errors.</li>}
        </ul>
        {plan && (
          <div className="plan card">
            <h3>Applying this would change</h3>
            {plan.length === 0 ? <p className="muted">Nothing that affects the running server.</p> : (
              <ul>
                {plan.map((c, k) => (
                  <li key={k} className={c.disconnectsListeners || c.disconnectsSource ? 'warn' : ''}>
                    <code>{c.path}</code>: {c.from} → {c.to}. <span className="muted">{c.effect}</span>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        {result && !result.saved && <p className="error">Not saved: the file on disk is unchanged.</p>}
      </div>
    </div>
  );
}

function FieldInput({ id, spec, value, secret, disabled, draft, onDraft, onCommit }: { id: string; spec: FieldSpec; value: unknown; secret?: boolean; disabled: boolean; draft: string | null; onDraft(v: string): void; onCommit(): void }) {
  const shown = draft ?? (Array.isArray(value) ? value.join(', ') : value === undefined ? '' : String(value));
  const numeric = spec.type === 'integer' || spec.type === 'number';
  const invalid = draft !== null && numeric && (draft.trim() === '' || !Number.isFinite(Number(draft)) || checkField(spec, Number(draft)) !== undefined);
  return (
    <>
      <input
        name={id}
        type={secret ? 'password' : numeric ? 'number' : 'text'}
        value={shown}
        disabled={disabled}
        className={invalid ? 'invalid' : ''}
        onChange={(e) => onDraft(e.target.value)}
        onBlur={onCommit}
        onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
      />
      {invalid && <em className="error">{numeric && !Number.isFinite(Number(draft)) ? 'must be a number' : checkField(spec, Number(draft))}</em>}
    </>
  );
}
