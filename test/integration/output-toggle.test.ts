// Switching an output on or off from the studio lasts: over the browser studio's HTTP transport, the service
// writes `enabled` into that output's block of config.hcl (comments kept), applies it, and says why when it
// cannot (no such block in the file any more, a file that does not parse, a file with errors).

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ConfigApplyResult } from '../../src-shared/studio-api.js';
import { ADMIN, basic, freePort, waitFor } from '../helpers/server.js';
import { startStudio, type StudioServer } from '../helpers/studio.js';

const AUTH = { Authorization: basic(ADMIN.user, ADMIN.password), 'X-Cycast-Studio': '1', 'Content-Type': 'application/json' };

describe('setOutputEnabled writes config.hcl', () => {
  let srv: StudioServer;
  let dir: string;
  const call = async (args: unknown[]): Promise<{ status: number; body: { ok: boolean; result?: ConfigApplyResult; error?: string } }> => {
    const r = await fetch(srv.url('/studio/api/call'), { method: 'POST', headers: AUTH, body: JSON.stringify({ method: 'setOutputEnabled', args }) });
    return { status: r.status, body: (await r.json()) as never };
  };
  const stateOf = (id: string) => srv.engine.links.outputReports().find((o) => o.id === id);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cycast-out-toggle-'));
    const closed = await freePort();
    srv = await startStudio(dir, `\n# the hosted server\noutput "hosted" {\n  mount = "/stream" # ours\n  url = "icecast://source:pw@127.0.0.1:${closed}/live"\n}\n`);
  });
  after(() => srv?.stop());

  it('switches off and on in the file and in the running station, keeping every other byte', async () => {
    const before = readFileSync(srv.configPath, 'utf8');
    const off = await call(['hosted', false]);
    assert.equal(off.status, 200, JSON.stringify(off.body));
    assert.equal(off.body.result!.saved, true);
    assert.equal(off.body.result!.applied, true);
    assert.deepEqual(off.body.result!.changes.map((c) => c.path), ['output "hosted"']);
    const text = readFileSync(srv.configPath, 'utf8');
    assert.equal(text, before.replace(/(url = "[^"]*"\n)\}/, '$1  enabled = false\n}'));
    assert.equal(readFileSync(`${srv.configPath}.bak`, 'utf8'), before);
    assert.equal(stateOf('hosted')?.state, 'off');
    assert.equal(stateOf('hosted')?.enabled, false);
    const on = await call(['hosted', true]);
    assert.equal(on.body.result!.saved, true);
    assert.equal(readFileSync(srv.configPath, 'utf8'), text.replace('enabled = false', 'enabled = true'));
    await waitFor(() => stateOf('hosted')?.state !== 'off', 3000, 'the output started again');
    assert.equal(stateOf('hosted')?.enabled, true);
  });

  it('refuses, writing nothing, when the file no longer has that output, does not parse, or has errors', async () => {
    const good = readFileSync(srv.configPath, 'utf8');
    writeFileSync(srv.configPath, good.replace('output "hosted"', 'output "renamed"'));
    const gone = await call(['hosted', false]);
    assert.equal(gone.status, 400);
    assert.equal(gone.body.error, 'there is no output "hosted" in config.hcl');
    writeFileSync(srv.configPath, `${good}server {\n`);
    const broken = await call(['hosted', false]);
    assert.equal(broken.status, 400);
    assert.match(broken.body.error!, /^config\.hcl cannot be read \(\d+:\d+: .*\); fix it in the Config view first$/);
    const invalid = `${good}buffer {\n  size_mb = 5000\n}\n`;
    writeFileSync(srv.configPath, invalid);
    const refused = await call(['hosted', false]);
    assert.equal(refused.status, 200);
    assert.equal(refused.body.result!.saved, false);
    assert.match(refused.body.result!.errors[0].message, /buffer\.size_mb must be between 1 and 1000, got 5000/);
    assert.equal(readFileSync(srv.configPath, 'utf8'), invalid, 'nothing written');
    assert.notEqual(stateOf('hosted')?.state, 'off', 'and the running output untouched');
    writeFileSync(srv.configPath, good);
  });
});
