// The Stats view in Debian's Chromium against an engine with its station memory, wired as the composition
// root does: real listener visits from raw sockets, the figures and players shown, the CSV download, and no
// sideways scrolling of the view on a 390 px wide phone screen.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { checkConfigText } from '../../src-main/config/load.js';
import type { Engine } from '../../src-main/engine/engine.js';
import { Logger } from '../../src-main/engine/log/log.js';
import type { StationMemory } from '../../src-main/memory/station-memory.js';
import { Station } from '../../src-main/station.js';
import { makeTrack } from '../helpers/audio.js';
import { ADMIN, freePort, freePortPair, PASSWORD, waitFor } from '../helpers/server.js';
import { launchBrowser, openView, screenshot, studioPage, type StudioServer } from '../helpers/studio.js';

const AGENTS = ['VLC/3.0.18 LibVLC/3.0.18', 'mpv 0.35.1', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'];

function visit(port: number, ua: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => {});
    s.once('data', () => setTimeout(() => s.destroy(), ms));
    s.once('close', () => resolve());
    s.write(`GET /stream HTTP/1.0\r\nUser-Agent: ${ua}\r\n\r\n`);
  });
}

describe('Stats view in Chromium', () => {
  let browser: Browser;
  let engine: Engine;
  let station: Station;
  let memory: StationMemory;
  let page: Page;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycast-ui-stats-'));
    mkdirSync(join(dir, 'music'));
    makeTrack(join(dir, 'music', 'a.mp3'), { seconds: 20, title: 'Stats Song' });
    const text = `server {\n  host = "127.0.0.1"\n  source_port = ${await freePortPair()}\n  listen_port = ${await freePort()}\n  source_password = "${PASSWORD}"\n}\nadmin {\n  user = "${ADMIN.user}"\n  password = "${ADMIN.password}"\n}\nplaylist {\n  directory = "./music"\n}\n`;
    writeFileSync(join(dir, 'config.hcl'), text);
    const r = await checkConfigText(text);
    if (!r.config) throw new Error(JSON.stringify(r.errors));
    // the composition root opens the memory before the ports, and the studio reads it
    station = new Station({ config: r.config, configPath: join(dir, 'config.hcl'), logger: new Logger(false), demoTracks: [] });
    engine = station.engine;
    memory = station.memory;
    const ports = await station.start();
    // 30 visits: 10 per player, up to 10 at once
    for (let round = 0; round < 3; round++) await Promise.all(Array.from({ length: 10 }, (_, i) => visit(ports.listen, AGENTS[(round * 10 + i) % 3], 50 + i * 10)));
    await waitFor(() => engine.mounts.totalListeners === 0, 5000, 'listeners gone');
    browser = await launchBrowser();
    page = await studioPage(browser, { url: (p: string) => `http://127.0.0.1:${ports.listen}${p}` } as StudioServer);
  });
  after(async () => {
    await browser?.close();
    await station?.stop();
  });

  it('shows the visits, the players and the chart, and exports them as CSV', async () => {
    await openView(page, 'Stats');
    await page.getByTestId('stats-visits').filter({ hasText: '30' }).waitFor({ timeout: 5000 });
    assert.match((await page.getByTestId('stats-uniques').textContent()) ?? '', /^3Unique/, 'three players from one address: three listeners');
    for (const family of ['VLC', 'mpv', 'Chrome']) await page.locator('.stats-bar-name', { hasText: family }).waitFor();
    await page.getByTestId('stats-chart').waitFor();
    await screenshot(page, 'stats-day');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('stats-csv').click()]);
    const csv = readFileSync((await dl.path())!, 'utf8');
    assert.match(csv, /^time,mount,listeners_avg,listeners_peak\r\n/);
    assert.match(csv, /\r\nplayer,mount,visits,listening_hours\r\n/);
    assert.match(csv, /\r\nVLC,all,10,/);
    await page.getByRole('button', { name: 'Month' }).click();
    await page.locator('.stats-section h3', { hasText: 'over the last 30 days' }).waitFor();
  });

  it('fits a 390 px wide phone screen without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Day' }).click();
    await page.getByTestId('stats-visits').waitFor();
    // (the test's tsconfig has no DOM types: the element is described by what is used of it)
    type Box = { right: number };
    type El = { scrollWidth: number; clientWidth: number; tagName: string; getAttribute(n: string): string | null; getBoundingClientRect(): Box; querySelectorAll(s: string): Iterable<El> };
    const overflow = await page.locator('.stats').evaluate((node) => {
      const view = node as unknown as El;
      const box = view.getBoundingClientRect();
      const outside = [...view.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > box.right + 0.5).map((e) => e.getAttribute('class') || e.tagName);
      return { scroll: view.scrollWidth, client: view.clientWidth, outside: outside.slice(0, 5) };
    });
    await screenshot(page, 'stats-390px');
    assert.ok(overflow.scroll <= overflow.client, `the view scrolls sideways: ${JSON.stringify(overflow)}`);
    assert.deepEqual(overflow.outside, []);
  });
});
