// The studio's Outputs view in Chromium at phone width: each output's and relay's state, the remote's
// answer, enable/disable, and nothing wider than the screen.

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ICE_SOURCE_PW, startIcecast, type Icecast } from '../helpers/icecast.js';
import { freePort, waitFor } from '../helpers/server.js';
import { horizontalOverflow, launchBrowser, openView, screenshot, smallTargets, startStudio, studioPage, VIEWPORTS, type StudioServer } from '../helpers/studio.js';

describe('Outputs view', () => {
  let browser: Browser;
  let srv: StudioServer;
  let ice: Icecast;
  let page: Page;

  before(async () => {
    ice = await startIcecast();
    const closed = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'cycast-ui-out-'));
    srv = await startStudio(
      dir,
      `output "hosted-with-a-rather-long-name" {\n  mount = "/stream"\n  url = "icecast://source:${ICE_SOURCE_PW}@127.0.0.1:${ice.port}/a-very-long-mount-name-that-must-wrap-on-a-phone-screen.mp3"\n}\n` +
        `output "typo" {\n  mount = "/stream"\n  url = "icecast://source:wrong@127.0.0.1:${ice.port}/live"\n}\n` +
        `relay "/news" {\n  url = "http://127.0.0.1:${closed}/news"\n}\n`,
    );
    browser = await launchBrowser();
    page = await studioPage(browser, srv, VIEWPORTS.phone);
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
    await ice?.stop();
  });

  it('shows on air, refused with the reason, retrying in N s, and the remote answer, within 390 px', async () => {
    // on a phone the sixth view and later sit under the tab bar's "More"
    await openView(page, 'Outputs');
    const panel = page.getByTestId('outputs-panel');
    await panel.getByText('refused: wrong user name or password', { exact: false }).waitFor({ timeout: 8000 });
    await panel.getByText('on air', { exact: true }).waitFor({ timeout: 8000 });
    await page.getByTestId('relay-card').getByText(/retrying in \d+ s/).waitFor({ timeout: 8000 });
    assert.match((await panel.textContent()) ?? '', /401 Authentication Required/);
    assert.doesNotMatch((await panel.textContent()) ?? '', new RegExp(ICE_SOURCE_PW));
    // nothing in the view is wider than its column
    // (runs in the page: an element wider than its box that does not scroll on its own)
    const measure = new Function('el', `
      const all = [el, ...el.querySelectorAll('*')];
      const wide = all.filter((n) => n.scrollWidth > n.clientWidth + 1 && n.clientWidth > 0 && getComputedStyle(n).overflowX !== 'auto');
      return { panel: el.getBoundingClientRect().right, wide: wide.map((n) => n.tagName + '.' + n.className) };
    `) as (el: unknown) => { panel: number; wide: string[] };
    const overflow = await panel.evaluate(measure);
    assert.deepEqual(overflow.wide, []);
    assert.ok(overflow.panel <= 390, `the panel ends at ${overflow.panel} px`);
    assert.deepEqual(await horizontalOverflow(page), []);
    assert.deepEqual(await smallTargets(page), [], 'touch targets');
    await screenshot(page, 'outputs-390');
  });

  it('disables and enables an output', async () => {
    const card = page.getByTestId('output-card').filter({ hasText: 'hosted-with-a-rather-long-name' });
    await card.getByRole('button', { name: /Disable output/ }).click();
    await card.getByText('off', { exact: true }).waitFor({ timeout: 4000 });
    assert.equal(srv.engine.links.outputReports().find((o) => o.id === 'hosted-with-a-rather-long-name')?.state, 'off');
    await card.getByRole('button', { name: /Enable output/ }).click();
    await waitFor(() => srv.engine.links.outputReports().find((o) => o.id === 'hosted-with-a-rather-long-name')?.state === 'on-air', 8000, 'back on air');
  });
});
