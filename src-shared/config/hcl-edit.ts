// Edits values in config.hcl text without touching anything else: comments, order and spacing stay as the
// user wrote them. Used by the studio's settings form and its Outputs view.

import { parseHcl, type HclBlock, type HclNode } from './hcl-syntax.js';

export type HclScalar = string | number | boolean | string[];

export interface HclEdit {
  block: string;
  /** for labeled blocks: `mount "/live"` has label "/live" */
  label?: string;
  key: string;
  /** null removes the key (nothing happens when it is not there) */
  value: HclScalar | null;
}

/** A value written as HCL source. */
export function hclLiteral(v: HclScalar): string {
  if (Array.isArray(v)) return `[${v.map(hclLiteral).join(', ')}]`;
  if (typeof v === 'string') {
    const esc = v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
    return `"${esc}"`;
  }
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot write ${v} in config.hcl`);
    return String(v);
  }
  return v ? 'true' : 'false';
}

function findBlock(nodes: HclNode[], type: string, label?: string): HclBlock | undefined {
  return nodes.find((n): n is HclBlock => n.kind === 'block' && n.type === type && (label === undefined ? n.labels.length === 0 : n.labels[0] === label));
}

/** Applies edits to config text; throws HclSyntaxError if the text does not parse. */
export function applyHclEdits(text: string, edits: HclEdit[]): string {
  let out = text;
  for (const e of edits) {
    const nodes = parseHcl(out);
    const block = findBlock(nodes, e.block, e.label);
    if (e.value === null) {
      if (block) out = removeAttribute(out, block, e.key);
      continue;
    }
    const literal = hclLiteral(e.value);
    if (block) {
      const attr = block.body.find((n) => n.kind === 'attribute' && n.name === e.key);
      if (attr && attr.kind === 'attribute') {
        out = out.slice(0, attr.value.start.offset) + literal + out.slice(attr.value.end.offset);
        continue;
      }
      if (block.open.line === block.close.line) {
        // `name { a = 1 }` holds one setting: write the block out over several lines
        const inner = out.slice(block.open.offset + 1, block.close.offset).trim();
        const body = `{\n${inner ? `  ${inner}\n` : ''}  ${e.key} = ${literal}\n}`;
        out = out.slice(0, block.open.offset) + body + out.slice(block.close.offset + 1);
        continue;
      }
      // a new key goes on its own line just before the block's closing brace, indented like its siblings
      const first = block.body.find((n) => n.kind === 'attribute');
      const indent = first ? ' '.repeat(first.pos.column - 1) : '  ';
      const closeLineStart = out.lastIndexOf('\n', block.close.offset - 1) + 1;
      const onOwnLine = out.slice(closeLineStart, block.close.offset).trim() === '';
      const insertAt = onOwnLine ? closeLineStart : block.close.offset;
      const line = `${onOwnLine ? '' : '\n'}${indent}${e.key} = ${literal}\n`;
      out = out.slice(0, insertAt) + line + out.slice(insertAt);
      continue;
    }
    const head = e.label === undefined ? e.block : `${e.block} ${hclLiteral(e.label)}`;
    out = `${out}${out.endsWith('\n') || out === '' ? '' : '\n'}\n${head} {\n  ${e.key} = ${literal}\n}\n`;
  }
  return out;
}

/** Where the line holding `offset` starts. */
function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Just past the end of the line holding `offset` (past its newline; the text's end on the last line). */
function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

/**
 * The span [from, to) that removing a node from `start` to `end` (exclusive) takes out: whole lines when the node
 * has its lines to itself (what follows it on its last line may only be blanks or a comment, which goes with it).
 */
function nodeSpan(text: string, start: number, end: number): [number, number] {
  const from = lineStart(text, start);
  const before = text.slice(from, start);
  const to = lineEnd(text, end);
  const after = text.slice(end, to).trim();
  const ownLines = before.trim() === '' && (after === '' || after.startsWith('#') || after.startsWith('//'));
  return ownLines ? [from, to] : [start, end];
}

function removeAttribute(text: string, block: HclBlock, key: string): string {
  const attr = block.body.find((n) => n.kind === 'attribute' && n.name === key);
  if (!attr || attr.kind !== 'attribute') return text;
  if (block.open.line === block.close.line) {
    // `name { key = 1 }`: the block stays, empty
    return `${text.slice(0, block.open.offset)}{}${text.slice(block.close.offset + 1)}`;
  }
  const [from, to] = nodeSpan(text, attr.pos.offset, attr.value.end.offset);
  return text.slice(0, from) + text.slice(to);
}

/**
 * Removes a top-level block (`output "hosted" { ... }`) with everything inside it; the text around it stays as
 * it was, comments above it included. One of the blank lines around it goes too, so that adding a block and
 * removing it again gives back the text it started from. Unchanged when there is no such block; throws
 * HclSyntaxError if the text does not parse.
 */
export function removeHclBlock(text: string, type: string, label?: string): string {
  const block = findBlock(parseHcl(text), type, label);
  if (!block) return text;
  let [from, to] = nodeSpan(text, block.pos.offset, block.close.offset + 1);
  const blankBefore = from >= 1 && text[from - 1] === '\n' && (from === 1 || text[from - 2] === '\n');
  const blankAfter = to >= text.length || text[to] === '\n';
  if (from === lineStart(text, from) && blankBefore && blankAfter) from -= 1;
  else if (from === lineStart(text, from) && from === 0 && to < text.length && text[to] === '\n') to += 1;
  return text.slice(0, from) + text.slice(to);
}

/** Whether the text has that top-level block; throws HclSyntaxError if the text does not parse. */
export function hasHclBlock(text: string, type: string, label?: string): boolean {
  return findBlock(parseHcl(text), type, label) !== undefined;
}
