// The config check itself: hcl2-parser for the semantic parse, this project's reader for positions (hcl2-parser
// reports no line, column or reason for a syntax error), the shared schema for validation. It runs in the
// config checker's own process (checker-process.ts): hcl2-parser's Go runtime holds 30-50 MiB for the life of
// the process that loads it, and a parse blocks for hundreds of milliseconds. The station asks through
// checkConfigText (load.ts), which never loads this parser.

import { createRequire } from 'node:module';
import { HclSyntaxError, parseHcl, type HclNode, type HclValue } from '../../src-shared/config/hcl-syntax.js';
import { positionsOf, validateConfig, type ConfigIssue } from '../../src-shared/config/validate.js';
import type { CycastConfig } from '../../src-shared/config/schema.js';

interface Hcl2Parser {
  parseToObject(input: string): [Record<string, unknown> | null, unknown];
}

let hcl2: Hcl2Parser | null = null;
function hcl2parser(): Hcl2Parser {
  // a CommonJS GopherJS bundle whose bundled .d.ts does not type-check: loaded and typed here
  hcl2 ??= createRequire(import.meta.url)('hcl2-parser') as Hcl2Parser;
  return hcl2;
}

export interface ConfigCheck {
  config: CycastConfig | null;
  errors: ConfigIssue[];
  notices: ConfigIssue[];
}

/** Parses and validates config text in this process. Never throws for bad input: problems come back as issues. */
export function checkInThisProcess(text: string): ConfigCheck {
  try {
    return check(text);
  } catch (e) {
    // whatever the text, the answer is a report, not an exception (a parser bug or a stack overflow)
    return { config: null, errors: [{ severity: 'error', path: '', message: `the file could not be read as config.hcl (${(e as Error).message})` }], notices: [] };
  }
}

function check(text: string): ConfigCheck {
  let nodes: HclNode[] | null = null;
  let syntax: HclSyntaxError | null = null;
  try {
    nodes = parseHcl(text);
  } catch (e) {
    if (!(e instanceof HclSyntaxError)) throw e;
    syntax = e;
  }
  const [obj, err] = hcl2parser().parseToObject(text);
  if (!obj || err) {
    const issue: ConfigIssue = syntax
      ? { severity: 'error', path: '', message: syntax.reason, line: syntax.line, column: syntax.column }
      : { severity: 'error', path: '', message: 'the file is not valid HCL (the HCL parser gave no position)' };
    return { config: null, errors: [issue], notices: [] };
  }
  // hcl2-parser accepted it; positions come from our reader when it could read the file too
  const r = validateConfig(obj, nodes ? positionsOf(nodes) : new Map());
  // a bare word (`source_password = Secret`) is an HCL variable reference, which config.hcl has no use
  // for: hcl2-parser turns it into the text "${Secret}", which is never what was meant
  const refs = nodes ? bareWords(nodes) : [];
  if (refs.length) {
    const errors = [...refs, ...r.errors].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    return { config: null, errors, notices: r.notices };
  }
  return r;
}

function bareWords(nodes: HclNode[]): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const visit = (v: HclValue, owner: string): void => {
    if (v.kind === 'reference') {
      out.push({ severity: 'error', path: owner, message: `${owner}: ${v.name} is not a value; put text in double quotes ("${v.name}"), or use true/false or a number`, line: v.start.line, column: v.start.column });
    } else if (v.kind === 'list') v.items.forEach((x) => visit(x, owner));
    else if (v.kind === 'object') v.entries.forEach((e) => visit(e.value, owner));
  };
  const walk = (list: HclNode[], prefix: string): void => {
    for (const n of list) {
      if (n.kind === 'attribute') visit(n.value, prefix + n.name);
      else walk(n.body, `${prefix}${n.type}${n.labels.map((l) => ` "${l}"`).join('')}.`);
    }
  };
  walk(nodes, '');
  return out;
}
