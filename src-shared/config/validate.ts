// Turns the parsed config.hcl object (hcl2-parser's shape) into a CycastConfig, listing every problem at
// once with its position when the source positions are known.

import { closest } from '../text.js';
import { hclToObject, type HclNode, type SourcePos } from './hcl-syntax.js';
import {
  BLOCK_NAMES,
  MOUNT_SCHEMA,
  OUTPUT_ID_PATTERN,
  OUTPUT_SCHEMA,
  RELAY_SCHEMA,
  SCHEMA,
  type BlockName,
  type CycastConfig,
  type FieldSpec,
  type MountConfig,
  type OutputConfig,
  type RelayConfig,
} from './schema.js';

export interface ConfigIssue {
  severity: 'error' | 'notice';
  /** dotted path of the key, e.g. `buffer.size_mb` or `mount "/live".format` */
  path: string;
  message: string;
  line?: number;
  column?: number;
}

export interface ValidationResult {
  config: CycastConfig | null;
  errors: ConfigIssue[];
  notices: ConfigIssue[];
}

/** Where each block and key sits in the file, keyed like ConfigIssue.path. */
export type PositionMap = Map<string, SourcePos>;

export function positionsOf(nodes: HclNode[]): PositionMap {
  const map: PositionMap = new Map();
  for (const n of nodes) {
    if (n.kind === 'attribute') {
      map.set(n.name, n.pos);
      continue;
    }
    const blockPath = n.labels.length ? `${n.type} ${n.labels.map((l) => JSON.stringify(l)).join(' ')}` : n.type;
    if (!map.has(blockPath)) map.set(blockPath, n.pos);
    for (const a of n.body) {
      const key = `${blockPath}.${a.kind === 'attribute' ? a.name : a.type}`;
      if (!map.has(key)) map.set(key, a.pos);
    }
  }
  return map;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a block or map';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'a whole number' : 'a number';
  if (typeof v === 'boolean') return 'true/false';
  return typeof v;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + '...' : s;
}

const EXPECTED: Record<FieldSpec['type'], string> = {
  string: 'a string in double quotes',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  'string[]': 'a list of strings, like [".mp3", ".ogg"]',
};

/** Checks one value against its spec; returns the reason it is wrong. */
export function checkField(spec: FieldSpec, value: unknown): string | undefined {
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string') return `must be ${EXPECTED.string}, got ${show(value)} (${typeName(value)})`;
      if (spec.oneOf && !spec.oneOf.includes(value)) {
        return `must be one of ${spec.oneOf.map((o) => `"${o}"`).join(', ')}, got ${show(value)}`;
      }
      break;
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        return `must be ${EXPECTED[spec.type]}, got ${show(value)} (${typeName(value)})`;
      }
      if (spec.type === 'integer' && !Number.isInteger(value)) return `must be a whole number, got ${value}`;
      if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
        return `must be between ${spec.min} and ${spec.max}, got ${value}`;
      }
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return `must be true or false, got ${show(value)} (${typeName(value)})`;
      break;
    case 'string[]':
      if (!Array.isArray(value) || value.some((x) => typeof x !== 'string')) {
        return `must be ${EXPECTED['string[]']}, got ${show(value)}`;
      }
      break;
  }
  return spec.check ? spec.check(value as never) : undefined;
}

function blockOwning(key: string): BlockName | undefined {
  return BLOCK_NAMES.find((b) => key in SCHEMA[b]);
}

/** Validates hcl2-parser's object for config.hcl. Positions make messages point at line:column. */
export function validateConfig(raw: Record<string, unknown>, positions: PositionMap = new Map()): ValidationResult {
  const errors: ConfigIssue[] = [];
  const notices: ConfigIssue[] = [];
  const issue = (severity: ConfigIssue['severity'], path: string, message: string, at = path): void => {
    const pos = positions.get(at);
    (severity === 'error' ? errors : notices).push({ severity, path, message, line: pos?.line, column: pos?.column });
  };

  const values = {} as Record<BlockName, Record<string, unknown>>;
  for (const b of BLOCK_NAMES) {
    values[b] = Object.fromEntries(Object.entries(SCHEMA[b]).map(([k, s]) => [k, (s as FieldSpec).default]));
  }
  const mountBlocks: { path: string; body: Record<string, unknown> }[] = [];
  const outputBlocks: LabeledBlock[] = [];
  const relayBlocks: LabeledBlock[] = [];

  for (const [name, val] of Object.entries(raw)) {
    if (name === 'mount') {
      collectMounts(val, mountBlocks, issue);
      continue;
    }
    if (name === 'output' || name === 'relay') {
      collectLabeled(name, val, name === 'output' ? outputBlocks : relayBlocks, issue);
      continue;
    }
    if (!(BLOCK_NAMES as string[]).includes(name)) {
      if (!Array.isArray(val)) {
        const owner = blockOwning(name);
        issue('error', name, owner
          ? `"${name}" must be inside the ${owner} { } block`
          : `unknown setting "${name}" outside any block${hint(name, [...BLOCK_NAMES, 'mount'])}`);
      } else {
        issue('error', name, `unknown block "${name}"${hint(name, [...BLOCK_NAMES, 'mount'])}`);
      }
      continue;
    }
    const block = name as BlockName;
    if (!Array.isArray(val)) {
      const labeled = val !== null && typeof val === 'object';
      issue('error', name, labeled ? `the ${block} block takes no label: write ${block} { ... }` : `"${block}" is a block: write ${block} { ... }, not ${block} = ...`);
      continue;
    }
    const seen = new Set<string>();
    if (!val.every((b) => b !== null && typeof b === 'object' && !Array.isArray(b))) {
      issue('error', name, `"${block}" is a block: write ${block} { ... }`);
      continue;
    }
    for (const body of val as Record<string, unknown>[]) {
      for (const [key, v] of Object.entries(body)) {
        const path = `${block}.${key}`;
        const spec = (SCHEMA[block] as Record<string, FieldSpec>)[key];
        if (!spec) {
          const owner = blockOwning(key);
          issue('error', path, owner
            ? `"${key}" belongs in the ${owner} { } block, not in ${block} { }`
            : `unknown setting "${key}" in the ${block} block${hint(key, Object.keys(SCHEMA[block]))}`);
          continue;
        }
        if (seen.has(key)) {
          issue('error', path, `${path} is set twice`);
          continue;
        }
        seen.add(key);
        const why = checkField(spec, v);
        if (why) {
          // a mistyped password must not be repeated into logs
          issue('error', path, `${path} ${/password|secret/.test(key) ? why.replace(/, got .*$/, '') : why}`);
          continue;
        }
        values[block][key] = v;
        if (spec.compat) issue('notice', path, `${path} is accepted for compatibility and ${spec.compat}`);
      }
    }
  }

  const server = values.server as unknown as CycastConfig['server'];
  const mounts: MountConfig[] = [];
  const inherited = (ref: string): unknown => {
    const [b, k] = ref.split('.') as [BlockName, string];
    return values[b][k];
  };
  const makeMount = (path: string, body: Record<string, unknown>): MountConfig => {
    const m = { path } as Record<string, unknown>;
    for (const [key, spec] of Object.entries(MOUNT_SCHEMA)) {
      m[key] = spec.inherits ? inherited(spec.inherits) : spec.default;
    }
    if (path === server.mount_point) m.format = server.format;
    for (const [key, v] of Object.entries(body)) {
      const spec = MOUNT_SCHEMA[key];
      const where = `mount ${JSON.stringify(path)}.${key}`;
      if (!spec) {
        issue('error', where, `unknown setting "${key}" in mount "${path}"${hint(key, Object.keys(MOUNT_SCHEMA))}`);
        continue;
      }
      const why = checkField(spec, v);
      if (why) issue('error', where, `${where} ${why}`);
      else m[key] = v;
    }
    return m as unknown as MountConfig;
  };
  const mainBlock = mountBlocks.find((b) => b.path === server.mount_point);
  mounts.push(makeMount(server.mount_point, mainBlock?.body ?? {}));
  for (const b of mountBlocks) if (b !== mainBlock) mounts.push(makeMount(b.path, b.body));

  for (const m of mounts) {
    if (m.burst_size >= m.queue_size) {
      const own = mountBlocks.some((b) => b.path === m.path && ('burst_size' in b.body || 'queue_size' in b.body));
      const at = own ? `mount ${JSON.stringify(m.path)}.burst_size` : 'broadcaster.burst_size';
      issue('error', at, `${own ? `mount "${m.path}": ` : ''}burst_size (${m.burst_size}) must be smaller than queue_size (${m.queue_size}), or every new listener would count as too slow`, at);
      break;
    }
  }
  const sc = server.shoutcast_port === -1 ? server.source_port + 1 : server.shoutcast_port;
  if (server.shoutcast_port === -1 && server.source_port === 65535) {
    issue('error', 'server.shoutcast_port', 'server.shoutcast_port: source_port + 1 is past 65535; set shoutcast_port explicitly (0 turns SHOUTcast v1 off)', 'server.source_port');
  } else if (sc !== 0 && server.source_port !== 0 && sc === server.source_port) {
    issue('error', 'server.shoutcast_port', `server.shoutcast_port must differ from source_port (${sc})`);
  }

  const outputs = outputBlocks.map((b) => blockValues('output', b, OUTPUT_SCHEMA, issue) as unknown as OutputConfig);
  const relays = relayBlocks.map((b) => blockValues('relay', b, RELAY_SCHEMA, issue) as unknown as RelayConfig);
  for (const o of outputs) {
    if (o.mount && !mounts.some((m) => m.path === o.mount) && !relays.some((r) => r.path === o.mount)) {
      issue('error', `output ${JSON.stringify(o.id)}.mount`, `output "${o.id}": mount ${JSON.stringify(o.mount)} is not a mount of this server (${[...mounts.map((m) => m.path), ...relays.map((r) => r.path)].join(', ')})`);
    }
  }
  for (const r of relays) {
    const bad = SCHEMA.server.mount_point.check(r.path);
    if (bad) issue('error', `relay ${JSON.stringify(r.path)}`, `relay ${JSON.stringify(r.path)}: the mount path ${bad}`);
    const m = mounts.find((x) => x.path === r.path);
    const explicit = relayBlocks.find((b) => b.label === r.path)?.body.format !== undefined;
    if (m && explicit && m.format !== r.format) {
      issue('error', `relay ${JSON.stringify(r.path)}.format`, `relay ${JSON.stringify(r.path)}: format "${r.format}" differs from the mount's "${m.format}"`);
    } else if (m) r.format = m.format;
  }

  const config: CycastConfig | null = errors.length
    ? null
    : {
        server,
        buffer: values.buffer as unknown as CycastConfig['buffer'],
        playlist: values.playlist as unknown as CycastConfig['playlist'],
        broadcaster: values.broadcaster as unknown as CycastConfig['broadcaster'],
        metadata: values.metadata as unknown as CycastConfig['metadata'],
        advanced: values.advanced as unknown as CycastConfig['advanced'],
        admin: values.admin as unknown as CycastConfig['admin'],
        limits: values.limits as unknown as CycastConfig['limits'],
        stats: values.stats as unknown as CycastConfig['stats'],
        record: values.record as unknown as CycastConfig['record'],
        mounts,
        outputs,
        relays,
      };
  const byPos = (a: ConfigIssue, b: ConfigIssue): number => (a.line ?? 1e9) - (b.line ?? 1e9) || (a.column ?? 0) - (b.column ?? 0);
  return { config, errors: errors.sort(byPos), notices: notices.sort(byPos) };
}

function collectMounts(
  val: unknown,
  out: { path: string; body: Record<string, unknown> }[],
  issue: (s: ConfigIssue['severity'], path: string, message: string, at?: string) => void,
): void {
  if (Array.isArray(val) || val === null || typeof val !== 'object') {
    issue('error', 'mount', 'a mount block needs its path as a label: mount "/name" { ... }');
    return;
  }
  for (const [path, bodies] of Object.entries(val as Record<string, unknown>)) {
    const where = `mount ${JSON.stringify(path)}`;
    if (!Array.isArray(bodies)) {
      issue('error', where, `${where}: a mount block takes exactly one label, its path`);
      continue;
    }
    const bad = SCHEMA.server.mount_point.check(path);
    if (bad) {
      issue('error', where, `${where}: the mount path ${bad}`);
      continue;
    }
    if (bodies.length > 1 || out.some((m) => m.path === path)) {
      issue('error', where, `${where} is defined more than once`);
      continue;
    }
    if (bodies.length !== 1 || bodies[0] === null || typeof bodies[0] !== 'object' || Array.isArray(bodies[0])) {
      issue('error', where, `${where} must be a block: mount "/path" { ... }`);
      continue;
    }
    out.push({ path, body: bodies[0] as Record<string, unknown> });
  }
}

interface LabeledBlock {
  label: string;
  body: Record<string, unknown>;
}

type IssueFn = (s: ConfigIssue['severity'], path: string, message: string, at?: string) => void;

/** `output "name" { }` and `relay "/path" { }`: exactly one label, one body each, no label twice. */
function collectLabeled(kind: 'output' | 'relay', val: unknown, out: LabeledBlock[], issue: IssueFn): void {
  const example = kind === 'output' ? 'output "hosted" { ... }' : 'relay "/news" { ... }';
  if (Array.isArray(val) || val === null || typeof val !== 'object') {
    issue('error', kind, `a ${kind} block needs a label: ${example}`);
    return;
  }
  for (const [label, bodies] of Object.entries(val as Record<string, unknown>)) {
    const where = `${kind} ${JSON.stringify(label)}`;
    if (!Array.isArray(bodies) || bodies.length !== 1 || bodies[0] === null || typeof bodies[0] !== 'object' || Array.isArray(bodies[0])) {
      issue('error', where, Array.isArray(bodies) && bodies.length > 1 ? `${where} is defined more than once` : `${where} must be a block with one label: ${example}`);
      continue;
    }
    if (kind === 'output' && !OUTPUT_ID_PATTERN.test(label)) {
      issue('error', where, `${where}: the name must be letters, digits, " ", ".", "_" or "-" (at most 64)`);
      continue;
    }
    out.push({ label, body: bodies[0] as Record<string, unknown> });
  }
}

/** One labeled block's values with defaults; required keys (default null) must be present. */
function blockValues(kind: 'output' | 'relay', b: LabeledBlock, schema: Record<string, FieldSpec>, issue: IssueFn): Record<string, unknown> {
  const where = `${kind} ${JSON.stringify(b.label)}`;
  const v: Record<string, unknown> = kind === 'output' ? { id: b.label } : { path: b.label };
  for (const [key, spec] of Object.entries(schema)) v[key] = spec.default;
  for (const [key, x] of Object.entries(b.body)) {
    const spec = schema[key];
    if (!spec) {
      issue('error', `${where}.${key}`, `unknown setting "${key}" in ${where}${hint(key, Object.keys(schema))}`);
      continue;
    }
    const why = checkField(spec, x);
    // an output URL carries a password: its value never goes into a message
    if (why) issue('error', `${where}.${key}`, `${where}.${key} ${key === 'url' ? why.replace(/, got .*$/, '') : why}`);
    else v[key] = x;
  }
  for (const [key, spec] of Object.entries(schema)) {
    if (spec.default === null && v[key] === null && !spec.optional) issue('error', where, `${where} needs ${key} = ...`);
  }
  return v;
}

function hint(word: string, candidates: string[]): string {
  const best = closest(word, candidates);
  return best ? `; did you mean "${best}"?` : '';
}

/** Validates config text with this package's own reader (no hcl2-parser): used where only pure code can run. */
export function validateNodes(nodes: HclNode[]): ValidationResult {
  return validateConfig(hclToObject(nodes), positionsOf(nodes));
}
