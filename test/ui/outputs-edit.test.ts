// The Outputs view's form in Chromium against a private icecast2: an output added through the form goes on
// air there and lands in config.hcl with the file's comments intact; wrong input is named at its field; a save
// the disk changed under says so; disabling lasts across a restart; removing gives back the original file.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { checkConfigText } from '../../src-main/config/load.js';
import { ICE_SOURCE_PW, iceSources, startIcecast, type Icecast } from '../helpers/icecast.js';
import { waitFor } from '../helpers/server.js';
import { horizontalOverflow, launchBrowser, openView, screenshot, smallTargets, startStudio, studioPage, VIEWPORTS, type StudioServer } from '../helpers/studio.js';

const problemsOf = (page: Page): string[] => (page as Page & { problems?: string[] }).problems ?? [];

describe('Outputs view: adding, editing, disabling and removing an output', () => {
  let browser: Browser;
  let srv: StudioServer;
  let ice: Icecast;
  let page: Page;
  let dir: string;
  let original: string;
  const outputOf = (id: string) => srv.engine.links.outputReports().find((o) => o.id === id);
  const card = (id: string): Locator => page.getByTestId('output-card').filter({ has: page.getByText(id, { exact: true }) });
  const form = (): Locator => page.getByTestId('output-form');
  const fill = async (fields: Record<string, string>): Promise<void> => {
    for (const [name, value] of Object.entries(fields)) await form().locator(`[name="${name}"]`).fill(value);
  };

  before(async () => {
    ice = await startIcecast();
    dir = mkdtempSync(join(tmpdir(), 'cycast-ui-out-edit-'));
    srv = await startStudio(
      dir,
      '\n# A second mount, for the jingles. Keep this comment.\nmount "/jingles" {\n  format = "mp3" # same as the main one\n}\n\n' +
        `# already here: the form must refuse this name again\noutput "backup" {\n  enabled = false\n  mount = "/stream"\n  url = "icecast://source:${ICE_SOURCE_PW}@127.0.0.1:${ice.port}/backup"\n}\n`,
    );
    original = readFileSync(srv.configPath, 'utf8');
    browser = await launchBrowser();
    page = await studioPage(browser, srv, VIEWPORTS.desktop);
    await openView(page, 'Outputs');
    await card('backup').waitFor();
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
    await ice?.stop();
  });

  it('names the field at fault: a port out of range, no host, a name already used', async () => {
    await page.getByRole('button', { name: 'Add output', exact: true }).click();
    await form().waitFor();
    await fill({ id: 'backup', host: '', port: '99999', remoteMount: '/x', password: 'pw' });
    await form().getByRole('button', { name: 'Add output' }).click();
    const errorOf = (name: string): Locator => form().locator('label.field', { has: page.locator(`[name="${name}"]`) }).locator('em.error');
    assert.equal(await errorOf('id').textContent(), 'an output named "backup" already exists');
    assert.equal(await errorOf('host').textContent(), "needs the remote server's host name or IP address");
    assert.equal(await errorOf('port').textContent(), 'must be from 1 to 65535, got 99999');
    assert.equal(await form().locator('[aria-invalid="true"]').count(), 3);
    assert.equal(readFileSync(srv.configPath, 'utf8'), original, 'nothing written');
    await screenshot(page, 'outputs-form-errors-1366');
    // the same at phone width: fields stack, nothing sticks out, every control is thumb-sized
    const phone = await studioPage(browser, srv, VIEWPORTS.phone);
    await openView(phone, 'Outputs');
    await phone.getByRole('button', { name: 'Add output', exact: true }).click();
    await phone.getByTestId('output-form').locator('[name="port"]').fill('0');
    await phone.getByTestId('output-form').getByRole('button', { name: 'Add output' }).click();
    await phone.getByTestId('output-form').getByText('must be from 1 to 65535, got 0').waitFor();
    assert.deepEqual(await horizontalOverflow(phone), []);
    assert.deepEqual(await smallTargets(phone), [], 'touch targets');
    await screenshot(phone, 'outputs-form-errors-390');
    await phone.getByTestId('output-form').getByRole('button', { name: 'Cancel' }).click();
    await screenshot(phone, 'outputs-list-390');
    await phone.getByRole('button', { name: 'Edit output backup' }).click();
    await phone.getByTestId('output-form').locator('[name="host"]').waitFor();
    assert.equal(await phone.evaluate(() => document.activeElement?.getAttribute('name')), 'id', 'focus on the first field');
    assert.deepEqual(await horizontalOverflow(phone), []);
    await screenshot(phone, 'outputs-form-390');
    await phone.keyboard.press('Escape');
    await phone.getByTestId('output-form').waitFor({ state: 'detached' });
    assert.deepEqual(problemsOf(phone), []);
    await phone.context().close();
  });

  it('adds an output that goes on air at icecast2, saved in config.hcl with the comments intact', async () => {
    await fill({ id: 'hosted', host: '127.0.0.1', port: String(ice.port), remoteMount: 'from-studio', password: ICE_SOURCE_PW });
    await form().locator('summary').click();
    await fill({ genre: 'Jazz & more', name: 'Cycast "via" the studio' });
    await screenshot(page, 'outputs-form-1366');
    await form().getByRole('button', { name: 'Add output' }).click();
    await form().waitFor({ state: 'detached' });
    await card('hosted').getByText('on air', { exact: true }).waitFor({ timeout: 10_000 });
    // icecast2 lists a source once it has taken its first audio, a moment after its 200
    await waitFor(async () => (await iceSources(ice)).has('/from-studio'), 8000, 'icecast2 lists /from-studio');
    assert.equal((await iceSources(ice)).get('/from-studio')!.genre, 'Jazz & more');
    const disk = readFileSync(srv.configPath, 'utf8');
    assert.ok(disk.startsWith(original), 'the file as it was, comments and all, then the new block');
    assert.equal(
      disk.slice(original.length),
      `\noutput "hosted" {\n  mount = "/stream"\n  url = "icecast://source:${ICE_SOURCE_PW}@127.0.0.1:${ice.port}/from-studio"\n  name = "Cycast \\"via\\" the studio"\n  genre = "Jazz & more"\n}\n`,
    );
    assert.doesNotMatch((await card('hosted').textContent()) ?? '', new RegExp(ICE_SOURCE_PW), 'no password on the card');
    await screenshot(page, 'outputs-list-1366');
  });

  it('edits it keeping the stored password, which the form never shows', async () => {
    await card('hosted').getByRole('button', { name: 'Edit output hosted' }).click();
    await form().waitFor();
    const pw = form().locator('[name="password"]');
    assert.equal(await pw.getAttribute('type'), 'password');
    assert.equal(await pw.inputValue(), '');
    assert.equal(await form().locator('[name="host"]').inputValue(), '127.0.0.1');
    assert.equal(await form().locator('[name="remoteMount"]').inputValue(), '/from-studio');
    assert.doesNotMatch(await form().innerHTML(), new RegExp(ICE_SOURCE_PW));
    await form().locator('[name="mount"]').selectOption('/jingles');
    await form().getByRole('button', { name: 'Save & apply' }).click();
    await form().waitFor({ state: 'detached' });
    await waitFor(() => outputOf('hosted')?.mount === '/jingles', 5000, 'the edit applied');
    await card('hosted').getByText('on air', { exact: true }).waitFor({ timeout: 10_000 });
    const o = (await checkConfigText(readFileSync(srv.configPath, 'utf8'))).config!.outputs.find((x) => x.id === 'hosted')!;
    assert.equal(o.mount, '/jingles');
    assert.equal(o.url, `icecast://source:${ICE_SOURCE_PW}@127.0.0.1:${ice.port}/from-studio`, 'the stored password kept');
  });

  it('says so when config.hcl changed on disk since the form opened, and saves after a reload', async () => {
    await card('hosted').getByRole('button', { name: 'Edit output hosted' }).click();
    await form().waitFor();
    await form().locator('[name="genre"]').fill('Blues');
    const before = readFileSync(srv.configPath, 'utf8');
    writeFileSync(srv.configPath, `${before}# a hand edit meanwhile\n`);
    await form().getByRole('button', { name: 'Save & apply' }).click();
    await form().getByText(/config\.hcl was changed on disk .* nothing was written/).waitFor();
    assert.equal(readFileSync(srv.configPath, 'utf8'), `${before}# a hand edit meanwhile\n`);
    await form().getByRole('button', { name: 'Reload it' }).click();
    await form().getByRole('button', { name: 'Save & apply' }).and(page.locator(':enabled')).click();
    await form().waitFor({ state: 'detached' });
    const after = readFileSync(srv.configPath, 'utf8');
    assert.ok(after.includes('genre = "Blues"') && after.endsWith('# a hand edit meanwhile\n'), after);
  });

  it('disables it from the card for good: still off after a restart from the same file', async () => {
    await card('hosted').getByRole('button', { name: 'Disable output hosted' }).click();
    await card('hosted').getByText('off', { exact: true }).waitFor({ timeout: 5000 });
    assert.equal(outputOf('hosted')?.state, 'off');
    assert.match(readFileSync(srv.configPath, 'utf8'), /output "hosted" \{[^}]*\n {2}enabled = false\n\}/);
    await page.context().close();
    await srv.stop();
    srv = await startStudio(dir, '', true);
    page = await studioPage(browser, srv, VIEWPORTS.desktop);
    await openView(page, 'Outputs');
    await card('hosted').getByRole('button', { name: 'Enable output hosted' }).waitFor();
    assert.equal(await card('hosted').getByTestId('link-state').textContent(), 'off');
    assert.equal(outputOf('hosted')?.state, 'off');
    assert.equal(outputOf('hosted')?.enabled, false);
  });

  it('removes it, and config.hcl is the file it started as (plus the hand edit)', async () => {
    await card('hosted').getByRole('button', { name: 'Edit output hosted' }).click();
    await form().getByRole('button', { name: 'Remove output' }).click();
    await page.getByRole('dialog', { name: 'Remove output "hosted"?' }).getByRole('button', { name: 'Remove' }).click();
    await form().waitFor({ state: 'detached' });
    await card('hosted').waitFor({ state: 'detached' });
    assert.equal(outputOf('hosted'), undefined);
    assert.equal(readFileSync(srv.configPath, 'utf8'), `${original}\n# a hand edit meanwhile\n`);
    assert.deepEqual(problemsOf(page), []);
  });
});

describe('Outputs view: adding, editing and removing a relay', () => {
  let browser: Browser;
  let srv: StudioServer;
  let page: Page;
  let original: string;
  const card = (path: string): Locator => page.getByTestId('relay-card').filter({ has: page.getByText(path, { exact: true }) });
  const form = (): Locator => page.getByTestId('relay-form');

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycast-ui-relay-edit-'));
    srv = await startStudio(dir, '\n# relays go below. Keep this comment.\n');
    original = readFileSync(srv.configPath, 'utf8');
    browser = await launchBrowser();
    page = await studioPage(browser, srv, VIEWPORTS.desktop);
    await openView(page, 'Outputs');
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it('adds a relay (of the station\'s own /stream) after naming wrong input at its field', async () => {
    await page.getByRole('button', { name: 'Add relay', exact: true }).click();
    await form().locator('[name="path"]').fill('relayed');
    await form().locator('[name="url"]').fill(`ftp://127.0.0.1:${srv.listenPort}/stream`);
    await form().locator('[name="tls_ca_file"]').fill('ca.pem');
    assert.equal(await form().locator('[name="format"]').inputValue(), '', 'a new relay follows its upstream\'s format');
    await form().getByRole('button', { name: 'Add relay' }).click();
    const errorOf = (name: string): Locator => form().locator('label.field', { has: page.locator(`[name="${name}"]`) }).locator('em.error');
    assert.match((await errorOf('path').textContent()) ?? '', /must be a URL path starting with "\/"/);
    assert.equal(await errorOf('url').textContent(), 'must be an http:// or https:// URL (got ftp://)');
    assert.match((await errorOf('tls_ca_file').textContent()) ?? '', /must be an absolute file path/);
    await screenshot(page, 'relay-form-errors-1366');
    await form().locator('[name="path"]').fill('/relayed');
    await form().locator('[name="url"]').fill(`http://127.0.0.1:${srv.listenPort}/stream`);
    await form().locator('[name="tls_ca_file"]').fill('');
    await form().getByRole('button', { name: 'Add relay' }).click();
    await form().waitFor({ state: 'detached' });
    await card('/relayed').getByText('on air', { exact: true }).waitFor({ timeout: 10_000 });
    const disk = readFileSync(srv.configPath, 'utf8');
    assert.equal(disk, `${original}\nrelay "/relayed" {\n  url = "http://127.0.0.1:${srv.listenPort}/stream"\n}\n`);
  });

  it('makes it on demand, then removes it, and config.hcl is the file it started as', async () => {
    await card('/relayed').getByRole('button', { name: 'Edit relay /relayed' }).click();
    await form().locator('[name="on_demand"]').check();
    await form().getByRole('button', { name: 'Save & apply' }).click();
    await form().waitFor({ state: 'detached' });
    await card('/relayed').getByText('idle (on demand)', { exact: true }).waitFor({ timeout: 5000 });
    assert.match(readFileSync(srv.configPath, 'utf8'), /relay "\/relayed" \{\n {2}url = "[^"]+"\n {2}on_demand = true\n\}\n$/);
    await card('/relayed').getByRole('button', { name: 'Edit relay /relayed' }).click();
    await form().getByRole('button', { name: 'Remove relay' }).click();
    await page.getByRole('dialog', { name: 'Remove relay /relayed?' }).getByRole('button', { name: 'Remove' }).click();
    await card('/relayed').waitFor({ state: 'detached' });
    assert.equal(readFileSync(srv.configPath, 'utf8'), original);
    assert.equal(srv.engine.links.relayReports().length, 0);
    assert.deepEqual(problemsOf(page), []);
  });
});
