// A reader for the subset of HCL that config.hcl uses: attributes, literals, lists, objects,
// labeled blocks and comments. hcl2-parser stays the semantic parser; this reader exists because
// hcl2-parser reports a syntax error with no message and no position, and because the studio needs
// source positions (diagnostics at line:column, comment-preserving edits).

export interface SourcePos {
  /** 1-based line */
  line: number;
  /** 1-based column, counted in characters */
  column: number;
  /** 0-based offset into the source string */
  offset: number;
}

export type HclValue =
  | { kind: 'string'; value: string; start: SourcePos; end: SourcePos }
  | { kind: 'number'; value: number; start: SourcePos; end: SourcePos }
  | { kind: 'bool'; value: boolean; start: SourcePos; end: SourcePos }
  | { kind: 'null'; value: null; start: SourcePos; end: SourcePos }
  | { kind: 'list'; items: HclValue[]; start: SourcePos; end: SourcePos }
  | { kind: 'object'; entries: { key: string; keyPos: SourcePos; value: HclValue }[]; start: SourcePos; end: SourcePos }
  | { kind: 'reference'; name: string; start: SourcePos; end: SourcePos };

export interface HclAttribute {
  kind: 'attribute';
  name: string;
  pos: SourcePos;
  value: HclValue;
}

export interface HclBlock {
  kind: 'block';
  type: string;
  labels: string[];
  pos: SourcePos;
  /** position of '{' and of the matching '}' */
  open: SourcePos;
  close: SourcePos;
  body: HclNode[];
}

export type HclNode = HclAttribute | HclBlock;

export class HclSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${line}:${column}: ${reason}`);
    this.name = 'HclSyntaxError';
  }
}

type TokenType = 'ident' | 'string' | 'number' | 'punct' | 'newline' | 'eof';

interface Token {
  type: TokenType;
  text: string;
  /** decoded value for strings and numbers */
  value?: string | number;
  start: SourcePos;
  end: SourcePos;
}

const PUNCT = new Set(['{', '}', '[', ']', '=', ',', ':', '(', ')', '.', '-', '+', '*', '/', '%', '!', '<', '>', '?', '&', '|']);

function describe(tok: Token): string {
  switch (tok.type) {
    case 'eof':
      return 'the end of the file';
    case 'newline':
      return 'the end of the line';
    case 'string':
      return `the string ${tok.text.length > 30 ? tok.text.slice(0, 27) + '..."' : tok.text}`;
    case 'number':
      return `the number ${tok.text}`;
    case 'ident':
      return `"${tok.text}"`;
    default:
      return `'${tok.text}'`;
  }
}

class Lexer {
  private i = 0;
  private line = 1;
  private col = 1;
  constructor(private readonly src: string) {}

  pos(): SourcePos {
    return { line: this.line, column: this.col, offset: this.i };
  }

  private fail(pos: SourcePos, reason: string): never {
    throw new HclSyntaxError(pos.line, pos.column, reason);
  }

  private advance(n = 1): void {
    for (let k = 0; k < n; k++) {
      if (this.src[this.i] === '\n') {
        this.line++;
        this.col = 1;
      } else {
        this.col++;
      }
      this.i++;
    }
  }

  tokens(): Token[] {
    const out: Token[] = [];
    const src = this.src;
    if (src.charCodeAt(0) === 0xfeff) this.advance();
    for (;;) {
      const c = src[this.i];
      if (c === undefined) {
        const p = this.pos();
        out.push({ type: 'eof', text: '', start: p, end: p });
        return out;
      }
      if (c === ' ' || c === '\t' || c === '\r') {
        this.advance();
        continue;
      }
      const start = this.pos();
      if (c === '\n') {
        this.advance();
        out.push({ type: 'newline', text: '\n', start, end: this.pos() });
        continue;
      }
      if (c === '#' || (c === '/' && src[this.i + 1] === '/')) {
        while (this.i < src.length && src[this.i] !== '\n') this.advance();
        continue;
      }
      if (c === '/' && src[this.i + 1] === '*') {
        const close = src.indexOf('*/', this.i + 2);
        if (close < 0) this.fail(start, 'this /* comment is never closed with */');
        // a block comment spanning lines still ends a statement, like a newline would
        const spans = src.slice(this.i, close).includes('\n');
        this.advance(close + 2 - this.i);
        if (spans) out.push({ type: 'newline', text: '\n', start, end: this.pos() });
        continue;
      }
      if (c === '"') {
        out.push(this.string(start));
        continue;
      }
      if (c === '<' && src[this.i + 1] === '<') {
        out.push(this.heredoc(start));
        continue;
      }
      if (/[0-9]/.test(c)) {
        const m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(src.slice(this.i, this.i + 64))!;
        this.advance(m[0].length);
        if (/[A-Za-z_]/.test(src[this.i] ?? '')) {
          this.fail(start, `"${m[0]}${src[this.i]}..." is not a number; put text values in double quotes`);
        }
        out.push({ type: 'number', text: m[0], value: Number(m[0]), start, end: this.pos() });
        continue;
      }
      if (/[A-Za-z_]/.test(c)) {
        const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(this.i, this.i + 256))!;
        this.advance(m[0].length);
        out.push({ type: 'ident', text: m[0], start, end: this.pos() });
        continue;
      }
      if (c === "'") this.fail(start, "strings use double quotes (\"...\"), not single quotes");
      if (PUNCT.has(c)) {
        this.advance();
        out.push({ type: 'punct', text: c, start, end: this.pos() });
        continue;
      }
      this.fail(start, `unexpected character '${c}'`);
    }
  }

  private string(start: SourcePos): Token {
    const src = this.src;
    this.advance(); // opening quote
    let value = '';
    for (;;) {
      const c = src[this.i];
      if (c === undefined || c === '\n') {
        this.fail(start, 'this string is never closed: add the closing double quote (") on the same line');
      }
      if (c === '"') {
        this.advance();
        break;
      }
      if (c === '\\') {
        const e = src[this.i + 1];
        const escPos = this.pos();
        const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };
        if (e !== undefined && e in simple) {
          value += simple[e];
          this.advance(2);
          continue;
        }
        if (e === 'u' || e === 'U') {
          const len = e === 'u' ? 4 : 8;
          const hex = src.slice(this.i + 2, this.i + 2 + len);
          if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(hex)) {
            this.fail(escPos, `\\${e} must be followed by ${len} hexadecimal digits`);
          }
          const cp = parseInt(hex, 16);
          if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) this.fail(escPos, `\\${e}${hex} is not a valid Unicode character`);
          value += String.fromCodePoint(cp);
          this.advance(2 + len);
          continue;
        }
        this.fail(escPos, `unknown escape sequence \\${e ?? ''} in a string (use \\\\ for a backslash)`);
      }
      if ((c === '$' || c === '%') && src[this.i + 1] === c && src[this.i + 2] === '{') {
        // "$${" and "%%{" are escapes for a literal "${" / "%{"
        value += c + '{';
        this.advance(3);
        continue;
      }
      value += c;
      this.advance();
    }
    return { type: 'string', text: src.slice(start.offset, this.i), value, start, end: this.pos() };
  }

  private heredoc(start: SourcePos): Token {
    const src = this.src;
    const m = /^<<(-?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n/.exec(src.slice(this.i, this.i + 300));
    if (!m) this.fail(start, 'a heredoc starts with <<NAME (or <<-NAME) followed by a new line');
    const indent = m[1] === '-';
    const marker = m[2];
    this.advance(m[0].length);
    const lines: string[] = [];
    for (;;) {
      if (this.i >= src.length) this.fail(start, `this heredoc is never closed with a line holding only ${marker}`);
      let eol = src.indexOf('\n', this.i);
      if (eol < 0) eol = src.length;
      const line = src.slice(this.i, eol).replace(/\r$/, '');
      if (line.trim() === marker) {
        this.advance(src.slice(this.i, eol).length);
        break;
      }
      lines.push(line);
      this.advance(eol - this.i + (eol < src.length ? 1 : 0));
    }
    let body = lines;
    if (indent) {
      const widths = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length);
      const cut = widths.length ? Math.min(...widths) : 0;
      body = lines.map((l) => l.slice(cut));
    }
    const value = body.length ? body.join('\n') + '\n' : '';
    return { type: 'string', text: src.slice(start.offset, this.i), value, start, end: this.pos() };
  }
}

const MAX_DEPTH = 64;

class Parser {
  private k = 0;
  private depth = 0;

  private enter(tok: Token): void {
    if (++this.depth > MAX_DEPTH) this.fail(tok, `nested more than ${MAX_DEPTH} levels deep`);
  }
  constructor(private readonly toks: Token[]) {}

  private peek(): Token {
    return this.toks[this.k];
  }

  private next(): Token {
    return this.toks[this.k++];
  }

  private fail(tok: Token, reason: string): never {
    throw new HclSyntaxError(tok.start.line, tok.start.column, reason);
  }

  private skipNewlines(): void {
    while (this.peek().type === 'newline') this.k++;
  }

  parseBody(closer: HclBlock | null): HclNode[] {
    const nodes: HclNode[] = [];
    const seen = new Map<string, SourcePos>();
    for (;;) {
      this.skipNewlines();
      const tok = this.peek();
      if (tok.type === 'eof') {
        if (closer) {
          this.fail(tok, `the block "${closer.type}" opened at line ${closer.open.line} is never closed: add a '}'`);
        }
        return nodes;
      }
      if (tok.type === 'punct' && tok.text === '}') {
        if (!closer) this.fail(tok, "this '}' has no block to close");
        return nodes;
      }
      if (tok.type !== 'ident') {
        this.fail(tok, `expected a setting name or a block name, found ${describe(tok)}`);
      }
      this.next();
      const after = this.peek();
      if (after.type === 'punct' && after.text === '=') {
        this.next();
        const value = this.parseValue(tok);
        const end = this.peek();
        if (!(end.type === 'newline' || end.type === 'eof')) {
          if (end.type === 'punct' && end.text === '}' && closer) {
            this.fail(end, `put the closing '}' of "${closer.type}" on a line of its own`);
          }
          this.fail(end, `expected the end of the line after the value of "${tok.text}", found ${describe(end)}`);
        }
        const first = seen.get(tok.text);
        if (first) this.fail(tok, `"${tok.text}" is set twice in this block (first at line ${first.line})`);
        seen.set(tok.text, tok.start);
        nodes.push({ kind: 'attribute', name: tok.text, pos: tok.start, value });
        continue;
      }
      const labels: string[] = [];
      while (this.peek().type === 'string' || this.peek().type === 'ident') {
        labels.push(String(this.next().value ?? this.toks[this.k - 1].text));
      }
      const open = this.peek();
      if (!(open.type === 'punct' && open.text === '{')) {
        if (labels.length === 0 && open.type === 'punct' && open.text === ':') {
          this.fail(open, `use '=' to set "${tok.text}", not ':'`);
        }
        if (labels.length === 0) {
          this.fail(open, `expected '=' after "${tok.text}" (a setting) or '{' (a block), found ${describe(open)}`);
        }
        this.fail(open, `expected '{' to open the block "${tok.text}", found ${describe(open)}`);
      }
      this.next();
      const block: HclBlock = { kind: 'block', type: tok.text, labels, pos: tok.start, open: open.start, close: open.start, body: [] };
      this.enter(open);
      block.body = this.peek().type === 'newline' ? this.parseBody(block) : this.parseOneLineBody(block);
      this.depth--;
      block.close = this.next().start; // the '}'
      const end = this.peek();
      if (!(end.type === 'newline' || end.type === 'eof')) {
        this.fail(end, `expected the end of the line after the closing '}' of "${tok.text}", found ${describe(end)}`);
      }
      nodes.push(block);
    }
  }

  /** `name { key = value }`: a block on one line holds at most one setting. */
  private parseOneLineBody(block: HclBlock): HclNode[] {
    const first = this.peek();
    if (first.type === 'punct' && first.text === '}') return [];
    if (first.type !== 'ident') this.fail(first, `expected a setting name in the block "${block.type}", found ${describe(first)}`);
    this.next();
    const eq = this.next();
    if (!(eq.type === 'punct' && eq.text === '=')) {
      this.fail(eq, `expected '=' after "${first.text}", found ${describe(eq)}`);
    }
    const value = this.parseValue(first);
    const end = this.peek();
    if (!(end.type === 'punct' && end.text === '}')) {
      this.fail(end, `a block written on one line holds one setting: put each setting of "${block.type}" on its own line`);
    }
    return [{ kind: 'attribute', name: first.text, pos: first.start, value }];
  }

  private parseValue(owner: Token): HclValue {
    const tok = this.next();
    switch (tok.type) {
      case 'string':
        return { kind: 'string', value: tok.value as string, start: tok.start, end: tok.end };
      case 'number':
        return { kind: 'number', value: tok.value as number, start: tok.start, end: tok.end };
      case 'ident':
        if (tok.text === 'true' || tok.text === 'false') {
          return { kind: 'bool', value: tok.text === 'true', start: tok.start, end: tok.end };
        }
        if (tok.text === 'null') return { kind: 'null', value: null, start: tok.start, end: tok.end };
        if (this.peek().type === 'punct' && ['(', '.', '['].includes(this.peek().text)) {
          this.fail(tok, `expressions are not supported here; give "${owner.text}" a plain value`);
        }
        return { kind: 'reference', name: tok.text, start: tok.start, end: tok.end };
      case 'punct':
        if (tok.text === '-' && this.peek().type === 'number') {
          const n = this.next();
          return { kind: 'number', value: -(n.value as number), start: tok.start, end: n.end };
        }
        if (tok.text === '[' || tok.text === '{') {
          this.enter(tok);
          const v = tok.text === '[' ? this.parseList(tok, owner) : this.parseObject(tok, owner);
          this.depth--;
          return v;
        }
        break;
      case 'newline':
      case 'eof':
        this.fail(tok, `"${owner.text}" has no value after '='`);
    }
    this.fail(tok, `expected a value for "${owner.text}" (a "string", a number, true/false, [a, list]), found ${describe(tok)}`);
  }

  private parseList(open: Token, owner: Token): HclValue {
    const items: HclValue[] = [];
    for (;;) {
      this.skipNewlines();
      const tok = this.peek();
      if (tok.type === 'punct' && tok.text === ']') {
        this.next();
        return { kind: 'list', items, start: open.start, end: tok.end };
      }
      if (tok.type === 'eof') this.fail(open, `the list of "${owner.text}" is never closed: add a ']'`);
      items.push(this.parseValue(owner));
      this.skipNewlines();
      const sep = this.peek();
      if (sep.type === 'punct' && sep.text === ',') {
        this.next();
        continue;
      }
      if (sep.type === 'punct' && sep.text === ']') continue;
      if (sep.type === 'eof') this.fail(open, `the list of "${owner.text}" is never closed: add a ']'`);
      this.fail(sep, `expected ',' or ']' in the list of "${owner.text}", found ${describe(sep)}`);
    }
  }

  private parseObject(open: Token, owner: Token): HclValue {
    const entries: { key: string; keyPos: SourcePos; value: HclValue }[] = [];
    for (;;) {
      this.skipNewlines();
      const tok = this.next();
      if (tok.type === 'punct' && tok.text === '}') {
        return { kind: 'object', entries, start: open.start, end: tok.end };
      }
      if (tok.type === 'eof') this.fail(open, `the map of "${owner.text}" is never closed: add a '}'`);
      if (tok.type !== 'ident' && tok.type !== 'string') {
        this.fail(tok, `expected a key in the map of "${owner.text}", found ${describe(tok)}`);
      }
      const eq = this.next();
      if (!(eq.type === 'punct' && (eq.text === '=' || eq.text === ':'))) {
        this.fail(eq, `expected '=' after the key "${String(tok.value ?? tok.text)}", found ${describe(eq)}`);
      }
      entries.push({ key: String(tok.value ?? tok.text), keyPos: tok.start, value: this.parseValue(tok) });
      const sep = this.peek();
      if (sep.type === 'punct' && sep.text === ',') this.next();
      else if (!(sep.type === 'newline' || (sep.type === 'punct' && sep.text === '}'))) {
        this.fail(sep, `expected ',' or a new line between entries of the map of "${owner.text}", found ${describe(sep)}`);
      }
    }
  }
}

/** Parses config.hcl text into nodes with positions; throws HclSyntaxError with line:column. */
export function parseHcl(src: string): HclNode[] {
  const toks = new Lexer(src).tokens();
  return new Parser(toks).parseBody(null);
}

/** The plain JS value of an HCL value, as hcl2-parser would give it. */
export function hclValueToJs(v: HclValue): unknown {
  switch (v.kind) {
    case 'list':
      return v.items.map(hclValueToJs);
    case 'object':
      return Object.fromEntries(v.entries.map((e) => [e.key, hclValueToJs(e.value)]));
    case 'reference':
      return '${' + v.name + '}';
    default:
      return v.value;
  }
}

/**
 * The same object shape hcl2-parser returns: attributes as properties, each block type as an array of
 * bodies, labeled blocks nested by label (`{ mount: { "/main": [ {...} ] } }`).
 */
export function hclToObject(nodes: HclNode[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of nodes) {
    if (n.kind === 'attribute') {
      out[n.name] = hclValueToJs(n.value);
      continue;
    }
    let holder = out as Record<string, unknown>;
    const keys = [n.type, ...n.labels];
    for (let i = 0; i < keys.length - 1; i++) {
      holder[keys[i]] ??= {};
      holder = holder[keys[i]] as Record<string, unknown>;
    }
    const last = keys[keys.length - 1];
    const list = (holder[last] ??= []) as unknown[];
    list.push(hclToObject(n.body));
  }
  return out;
}
