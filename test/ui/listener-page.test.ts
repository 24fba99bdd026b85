// The listener page and the embeddable player in Debian's Chromium (playwright-core): they play, show
// the title a raw ICY listener reads, follow a title change within 2 s, fit a 390 px phone, and the embed
// plays inside an iframe on another origin. Screenshots land in test-artifacts/listener-*.png.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { makeTrack } from '../helpers/audio.js';
import { freePort, get, listen, PASSWORD, startServer, waitFor, type TestServer } from '../helpers/server.js';
import { ARTIFACTS, CHROMIUM_ARGS } from '../helpers/studio.js';

const VIEWPORTS = { desktop: { width: 1366, height: 768 }, phone: { width: 390, height: 844 } } as const;

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Plays the mount of the page or frame `where` and waits until its audio has played `seconds`. */
async function playFor(where: Page | Frame, seconds: number): Promise<number> {
  await where.locator('button.play').first().click();
  // browser-side code as strings (the tests are compiled without the DOM library), polled with evaluate:
  // waitForFunction would compile it with eval, which the page's CSP rightly refuses
  const advanced = `(() => { const a = document.querySelector('audio.stream'); return a !== null && !a.paused && a.currentTime > ${seconds}; })()`;
  await waitFor(() => where.evaluate<boolean>(advanced), 10_000, `currentTime past ${seconds} s`);
  return where.evaluate<number>(`document.querySelector('audio.stream').currentTime`);
}

/** The document's scroll width and client width: a page that fits has no horizontal overflow. */
function widths(where: Page | Frame): Promise<{ scroll: number; client: number }> {
  return where.evaluate(`({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })`);
}

describe('listener page in Chromium', () => {
  let srv: TestServer;
  let browser: Browser;
  let site: Server;
  let sitePort: number;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycast-listen-ui-'));
    const music = join(dir, 'music');
    mkdirSync(music);
    for (const [i, t] of ['Morning Song', 'Noon Song'].entries()) makeTrack(join(music, `${i + 1}.mp3`), { seconds: 60, title: t, artist: 'The Testers', freq: 330 + i * 110 });
    srv = await startServer('metadata {\n  station_name = "Tune In FM"\n  station_description = "Test tones, day and night"\n  station_genre = "Sine"\n}\n', '', {
      playlist: `enabled = true\n  directory = "${music}"\n  shuffle = false`,
    });
    await waitFor(() => srv.engine.feederOf('/stream')?.nowPlaying !== null, 8000, 'the AutoDJ on air');
    // another origin (another port) whose page embeds the player
    sitePort = await freePort();
    site = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>A fan site</title></head><body style="font-family:sans-serif;margin:24px"><h1>My favourite station</h1><iframe src="http://127.0.0.1:${srv.listenPort}/embed?mount=/stream" title="Tune In FM player" width="100%" height="132" style="border:0;max-width:560px" allow="autoplay"></iframe><p>Some text below the player.</p></body></html>`);
    });
    await new Promise<void>((r) => site.listen(sitePort, '127.0.0.1', r));
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'] });
  });
  after(async () => {
    await browser?.close();
    await new Promise((r) => site?.close(r));
    await srv?.stop();
  });

  it('plays the stream, shows the ICY title, and follows a title change within 2 s', async () => {
    const page = await browser.newPage({ viewport: VIEWPORTS.desktop });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(srv.url('/'));
    const cap = await listen(srv.listenPort, '/stream', { icy: true });
    try {
      await waitFor(() => cap.titles.length > 0, 5000, 'an ICY title');
      const section = page.locator('section.mount').first();
      const shown = `${await section.locator('.artist').textContent()} - ${await section.locator('.title').textContent()}`;
      assert.equal(shown, cap.titles.at(-1));
      const t = await playFor(page, 1.5);
      assert.ok(t > 1.5, `currentTime advanced to ${t}`);
      assert.equal(await section.locator('button.play').getAttribute('aria-pressed'), 'true');
      await waitFor(async () => (await section.locator('.listeners').textContent()) === '2 listeners', 4000, 'the count with the page and the raw listener');
      await shot(page, 'listener-page-1366');
      const t0 = Date.now();
      const r = await get(srv.url('/admin/metadata?mount=/stream&mode=updinfo&song=' + encodeURIComponent('Nina Simone - Sinnerman')), { user: 'source', password: PASSWORD });
      assert.equal(r.status, 200);
      await section.locator('.title', { hasText: 'Sinnerman' }).waitFor({ timeout: 2000 });
      const took = Date.now() - t0;
      assert.equal(await section.locator('.artist').textContent(), 'Nina Simone');
      await waitFor(() => cap.titles.at(-1) === 'Nina Simone - Sinnerman', 5000, 'the raw listener hears the new title');
      assert.ok(took <= 2000, `title on the page after ${took} ms`);
      // the previous title moved into the history
      await section.locator('section.history li', { hasText: 'The Testers - Morning Song' }).waitFor({ timeout: 2000 });
      // stop: the stream connection is dropped
      await section.locator('button.play').click();
      await waitFor(async () => (await section.locator('.listeners').textContent()) === '1 listener', 5000, 'the page stopped listening');
      assert.deepEqual(errors, []);
    } finally {
      cap.close();
      await page.close();
    }
  });

  it('is keyboard operable and labelled', async () => {
    const page = await browser.newPage({ viewport: VIEWPORTS.desktop });
    await page.goto(srv.url('/'));
    const play = page.getByRole('button', { name: 'Play Tune In FM' });
    await play.waitFor();
    await play.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Stop Tune In FM' }).waitFor({ timeout: 5000 });
    await page.getByLabel('Volume').waitFor();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Play Tune In FM' }).waitFor({ timeout: 5000 });
    await page.close();
  });

  it('fits a 390 px phone without horizontal overflow', async () => {
    const page = await browser.newPage({ viewport: VIEWPORTS.phone });
    await page.goto(srv.url('/'));
    await page.locator('button.play').first().waitFor();
    // a long title must wrap, not widen the page
    srv.engine.mounts.get('/stream')!.setTitle('A Band With A Really Quite Long Name - Supercalifragilisticexpialidocious_and_then_some_more_words (Extended Club Remix)');
    await page.locator('.title', { hasText: 'Supercalifragilistic' }).waitFor({ timeout: 3000 });
    const { scroll, client } = await widths(page);
    assert.ok(scroll <= client, `scrollWidth ${scroll} <= clientWidth ${client}`);
    await shot(page, 'listener-page-390');
    await page.close();
  });

  it('plays the embed from a page on another origin', async () => {
    for (const [name, viewport] of Object.entries(VIEWPORTS)) {
      const page = await browser.newPage({ viewport });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`http://127.0.0.1:${sitePort}/`);
      const frame = page.frame({ url: /\/embed\?mount=\/stream$/ });
      assert.ok(frame, 'the embed loaded in the iframe');
      await frame.locator('button.play').waitFor({ state: 'visible' });
      assert.ok(((await frame.locator('.title').textContent()) ?? '').length > 0, 'a title');
      if (name === 'desktop') {
        const t = await playFor(frame, 1);
        assert.ok(t > 1, `currentTime in the iframe advanced to ${t}`);
      }
      const { scroll, client } = await widths(frame);
      assert.ok(scroll <= client, `the embed fits its frame (${scroll} <= ${client})`);
      await shot(page, `listener-embed-${name === 'desktop' ? 1366 : 390}`);
      assert.deepEqual(errors, []);
      await page.close();
    }
  });

  it('keeps the m3u and pls links on the status page after it refreshes', async () => {
    const page = await browser.newPage({ viewport: VIEWPORTS.desktop });
    await page.goto(srv.url('/status'));
    await page.locator('#updated', { hasText: 'updated' }).waitFor({ timeout: 5000 });
    const row = page.locator('#mounts tr').first();
    assert.equal(await row.locator('a', { hasText: 'm3u' }).getAttribute('href'), '/stream.m3u');
    assert.equal(await row.locator('a', { hasText: 'pls' }).getAttribute('href'), '/stream.pls');
    await page.close();
  });
});
