import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { hclToObject, HclSyntaxError, parseHcl } from '../../src-shared/config/hcl-syntax.js';
import { repoRoot } from '../helpers/paths.js';

const hcl2 = createRequire(import.meta.url)('hcl2-parser') as { parseToObject(s: string): [unknown, unknown] };

function syntaxError(src: string): HclSyntaxError {
  try {
    parseHcl(src);
  } catch (e) {
    if (e instanceof HclSyntaxError) return e;
    throw e;
  }
  assert.fail('expected a syntax error');
}

describe('HCL reader', () => {
  const samples: Record<string, string> = {
    'bundled config.hcl': readFileSync(join(repoRoot, 'config/config.hcl'), 'utf8'),
    literals: 'a = 1\nb = -2.5\nc = 1e3\nd = "x\\"y\\\\z \\u00e9"\ne = true\nf = null\ng = [1, "two", [3]]\nh = { k = 1, "q" = "v" }\n',
    'blocks and comments': '# c\n// c2\n/* multi\nline */\nserver {\n  x = 1 # trailing\n}\nmount "/a" {\n y = "z"\n}\nmount "/b" { y = 2 }\nserver { w = [\n  "a",\n  "b",\n] }\n',
    heredoc: 'a = <<EOT\nline one\n  line two\nEOT\nb = <<-EOT\n    indented\n      more\n    EOT\n',
    'template-like strings': 'a = "price $${x} and ${y}"\n',
  };
  const cycastDir = resolve(repoRoot, '../shared/cycast-configs');
  if (existsSync(cycastDir)) {
    for (const f of readdirSync(cycastDir).filter((f) => f.endsWith('.hcl'))) samples[f] = readFileSync(join(cycastDir, f), 'utf8');
  }
  for (const [name, src] of Object.entries(samples)) {
    it(`reads ${name} exactly as hcl2-parser does`, () => {
      const [expected, err] = hcl2.parseToObject(src);
      assert.equal(err, null);
      assert.deepEqual(hclToObject(parseHcl(src)), expected);
    });
  }

  it('reports an unclosed string at its line and column', () => {
    const e = syntaxError('server {\n  host = "0.0.0.0\n}\n');
    assert.equal(e.line, 2);
    assert.equal(e.column, 10);
    assert.match(e.reason, /never closed/);
  });

  it('reports a missing "=" with the setting name', () => {
    const e = syntaxError('server {\n  source_port 8000\n}\n');
    assert.deepEqual([e.line, e.column], [2, 15]);
    assert.match(e.reason, /expected '=' after "source_port"|expected '\{' to open the block "source_port"/);
  });

  it('reports an unclosed block where it was opened', () => {
    const e = syntaxError('server {\n  x = 1\n\nbuffer {\n size_mb = 2\n}\n');
    assert.match(e.reason, /"server" opened at line 1 is never closed/);
  });

  it('reports a missing value, single quotes, and two settings on one line', () => {
    assert.match(syntaxError('a =\nb = 2\n').reason, /"a" has no value/);
    assert.match(syntaxError("a = 'x'\n").reason, /double quotes/);
    const e = syntaxError('a = 1 b = 2\n');
    assert.deepEqual([e.line, e.column], [1, 7]);
    assert.match(syntaxError('a = 8000abc\n').reason, /not a number/);
    assert.match(syntaxError('}\n').reason, /no block to close/);
    assert.match(syntaxError('a {\n x = 1 }\n').reason, /closing '\}' of "a" on a line of its own/);
    assert.match(syntaxError('a { x = 1, y = 2 }\n').reason, /one setting/);
    assert.match(syntaxError('a {\n x = 1\n} b {\n}\n').reason, /end of the line/);
  });

  it('gives every syntax error a line and column inside the file', () => {
 const broken = ['a { x = 1\n}\n', 'server {', 'a = [1, 2', 'a = {', 'a = "\\q"', 'x = 1\n/* open', 'a = <<EOF\nno end', 'mount "/x"'];
    for (const src of broken) {
      const e = syntaxError(src);
      const lines = src.split('\n');
      assert.ok(e.line >= 1 && e.line <= lines.length + 1, `${src}: line ${e.line}`);
      assert.ok(e.column >= 1, `${src}: column ${e.column}`);
      assert.ok(e.reason.length > 10);
      // hcl2-parser agrees that these are errors
      assert.notEqual(hcl2.parseToObject(src)[1], null, src);
    }
  });
});
