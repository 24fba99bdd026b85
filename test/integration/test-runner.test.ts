// The suite's own commands (`npm test`, `npm run test:unit`) under the Node that runs this test: Node 20 and
// Node 22+ read `node --test FOLDER` differently (22+ run the folder as one file and fail it), so the
// commands must run each *.test.js of the folders they name, and only those, under every Node we support.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot } from '../helpers/paths.js';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const work = mkdtempSync(join(tmpdir(), 'cycast-test-runner-'));
const ran = join(work, 'ran');
mkdirSync(ran);

/** A test file (CommonJS, so no package.json is needed) that records that it ran, then runs `body`. */
function testFile(folder: string, name: string, body = ''): void {
  mkdirSync(join(work, folder), { recursive: true });
  writeFileSync(
    join(work, folder, name),
    `const test = require('node:test');\nrequire('node:fs').writeFileSync(${JSON.stringify(join(ran, `${folder}-${name}`))}, process.version);\ntest(${JSON.stringify(name)}, () => {${body}});\n`,
  );
}

for (const folder of ['unit', 'integration', 'ui']) {
  testFile(folder, 'passes.test.js');
  testFile(folder, 'helper.js'); // not a test file: must not run
}
testFile('unit', 'fails.test.js', "throw new Error('this one fails on purpose');");

/** The runner part of an npm script (after its build step), pointed at the fixture folders instead of dist/test/. */
function runnerOf(script: string): string {
  const runner = pkg.scripts[script].split('&&').pop()!.trim();
  assert.match(runner, /dist\/test\/unit\//, `${script} runs the unit folder`);
  return runner.replace(/dist\/test\/(\w+)\//g, (_, folder: string) => join(work, folder) + '/');
}

/** Runs a command line in the repository with this Node first on PATH (as `npm` run by this Node would). */
function sh(command: string, path = dirname(process.execPath) + delimiter + process.env.PATH) {
  rmSync(ran, { recursive: true, force: true });
  mkdirSync(ran);
  // a runner started inside a test file sees NODE_TEST_CONTEXT and acts as that file's child: drop it
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  return spawnSync('sh', ['-c', command], { cwd: repoRoot, env: { ...env, PATH: path }, encoding: 'utf8', timeout: 60_000 });
}

const wasRun = (folder: string, name: string): string | null => {
  const p = join(ran, `${folder}-${name}`);
  return existsSync(p) ? readFileSync(p, 'utf8') : null;
};

describe('the suite\'s test commands', () => {
  after(() => rmSync(work, { recursive: true, force: true }));

  for (const script of ['test:unit', 'test']) {
    it(`npm run ${script} runs every *.test.js in its folders, and only those, under ${process.version}`, () => {
      const r = sh(runnerOf(script));
      const output = r.stdout + r.stderr;
      assert.equal(r.status, 1, `one fixture test fails, so the run fails:\n${output}`);
      const folders = script === 'test' ? ['unit', 'integration', 'ui'] : ['unit'];
      for (const folder of folders) assert.equal(wasRun(folder, 'passes.test.js'), process.version, `${folder}/passes.test.js ran under this Node:\n${output}`);
      assert.equal(wasRun('unit', 'fails.test.js'), process.version, output);
      for (const folder of folders) assert.equal(wasRun(folder, 'helper.js'), null, `${folder}/helper.js is no test`);
      assert.doesNotMatch(output, /Cannot find module/);
    });
  }

  it('scripts/test.mjs starts the tests\' own `node` children with the Node that runs it, whatever PATH says', () => {
    // a `node` earlier on PATH that is not this Node: tests that spawn `node` must not reach it
    const shadow = join(work, 'shadow-bin');
    mkdirSync(shadow);
    writeFileSync(join(shadow, 'node'), '#!/bin/sh\necho v0.0.0-shadow\n');
    chmodSync(join(shadow, 'node'), 0o755);
    testFile('children', 'spawns-node.test.js', "const v = require('node:child_process').execFileSync('node', ['-v']).toString().trim(); require('node:assert').equal(v, process.version);");
    const r = sh(`"${process.execPath}" scripts/test.mjs ${join(work, 'children')}/`, shadow + delimiter + process.env.PATH);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(wasRun('children', 'spawns-node.test.js'), process.version);
  });
});
