// The layering rule, as a test: every import (type imports included) of every file in src-main and
// src-shared is mapped to its layer; an edge the table does not allow, or any import cycle, fails.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../helpers/paths.js';

/** Layer of a repository path (first match wins). */
const LAYERS: [name: string, test: RegExp][] = [
  ['shared', /^src-shared\//],
  ['engine/protocol', /^src-main\/engine\/protocol\//],
  ['engine/log', /^src-main\/engine\/log\//],
  ['engine/stream', /^src-main\/engine\/stream\//],
  ['engine/autodj', /^src-main\/engine\/autodj\//],
  ['engine/access', /^src-main\/engine\/access\//],
  ['engine/net', /^src-main\/engine\/net\//],
  ['engine/http', /^src-main\/engine\/http\//],
  ['engine/public', /^src-main\/engine\/index\.ts$/],
  ['engine/root', /^src-main\/engine\/[^/]+\.ts$/],
  ['config', /^src-main\/config\//],
  ['recording', /^src-main\/recording\//],
  ['studio', /^src-main\/studio\//],
  ['memory', /^src-main\/memory\//],
  ['web', /^src-main\/web\//],
  ['setup', /^src-main\/setup\//],
  ['electron', /^src-main\/electron\//],
  ['station', /^src-main\/station\.ts$/],
  ['cli', /^src-main\/cli\.ts$/],
  ['support', /^src-main\/(paths|host)\.ts$/],
];

/** What each layer may import besides itself. */
const ALLOWED: Record<string, string[]> = {
  shared: [],
  'engine/protocol': ['shared'],
  'engine/log': ['engine/protocol'],
  'engine/stream': ['engine/protocol', 'engine/log', 'shared'],
  'engine/autodj': ['engine/stream', 'engine/protocol', 'engine/log', 'shared'],
  'engine/access': ['engine/protocol', 'engine/log', 'shared'],
  'engine/net': ['engine/access', 'engine/stream', 'engine/autodj', 'engine/protocol', 'engine/log', 'shared'],
  'engine/http': ['engine/access', 'engine/stream', 'engine/autodj', 'engine/protocol', 'engine/log', 'shared'],
  'engine/root': ['engine/net', 'engine/http', 'engine/access', 'engine/stream', 'engine/autodj', 'engine/protocol', 'engine/log', 'shared'],
  'engine/public': ['engine/root', 'engine/net', 'engine/http', 'engine/access', 'engine/stream', 'engine/autodj', 'engine/protocol', 'engine/log', 'shared'],
  config: ['shared'],
  // code outside the engine sees its public face only
  recording: ['engine/public', 'shared'],
  // the station memory listens to the engine's events; the engine never imports it
  memory: ['engine/public', 'shared'],
  studio: ['engine/public', 'recording', 'config', 'support', 'shared'],
  web: ['engine/public', 'studio', 'support', 'shared'],
  setup: ['engine/public', 'support', 'shared'],
  // the composition root hands the studio its config checker
  station: ['engine/public', 'recording', 'memory', 'studio', 'config', 'web', 'support', 'shared'],
  cli: ['station', 'engine/public', 'config', 'setup', 'support', 'shared'],
  electron: ['cli', 'station', 'engine/public', 'config', 'studio', 'support', 'shared'],
  support: [],
};

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.(ts|cts)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function layerOf(rel: string): string {
  const hit = LAYERS.find(([, re]) => re.test(rel));
  assert.ok(hit, `${rel} belongs to no layer: add it to the table in test/unit/layers.test.ts`);
  return hit[0];
}

/** Relative imports of a file (static, dynamic and type-only), as repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = resolve(dirname(file), m[1]).replace(/\.js$/, '.ts').replace(/\.cjs$/, '.cts');
    out.push(relative(repoRoot, target).split('\\').join('/'));
  }
  return out;
}

describe('layers', () => {
  const files = [...sources(join(repoRoot, 'src-main')), ...sources(join(repoRoot, 'src-shared'))].map((f) => relative(repoRoot, f).split('\\').join('/'));
  const graph = new Map(files.map((f) => [f, importsOf(join(repoRoot, f))]));

  it('imports only point down the layer table', () => {
    const bad: string[] = [];
    for (const [file, deps] of graph) {
      const from = layerOf(file);
      for (const dep of deps) {
        const to = layerOf(dep);
        if (to !== from && !ALLOWED[from].includes(to)) bad.push(`${file} (${from}) imports ${dep} (${to})`);
      }
    }
    assert.deepEqual(bad, [], `edges the layer table does not allow:\n${bad.join('\n')}`);
    console.log(`  layers: ${Object.keys(ALLOWED).join(', ')}; ${files.length} files, ${[...graph.values()].flat().length} imports checked`);
  });

  it('has no import cycle', () => {
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(f)), f].join(' -> '));
        return;
      }
      state.set(f, 'visiting');
      for (const d of graph.get(f) ?? []) visit(d, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of graph.keys()) visit(f, []);
    assert.deepEqual(cycles, [], `import cycles:\n${cycles.join('\n')}`);
  });
});
