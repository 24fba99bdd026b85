// Edits values in config.hcl text without touching anything else: comments, order and spacing stay as the
// user wrote them. Used by the studio's settings form.

import { parseHcl, type HclBlock, type HclNode } from './hcl-syntax.js';

export type HclScalar = string | number | boolean | string[];

export interface HclEdit {
  block: string;
  /** for labeled blocks: `mount "/live"` has label "/live" */
  label?: string;
  key: string;
  value: HclScalar;
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
