// The Recordings view in Chromium (playwright-core) against a server that records: real shows made by a raw
// SOURCE client, played back in the browser with seeking (range requests), a show being recorded, a
// recording stopped by a removed file, add to playlist, a confirmed delete; at 1366×768 and at 390×844 with
// no horizontal overflow. Screenshots land in test-artifacts/.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { fixture, makeTrack } from '../helpers/audio.js';
import { ADMIN, get, pacedSource, PASSWORD, sleep, waitFor } from '../helpers/server.js';
import { startRecordingStudio, type RecordingServer } from '../helpers/recording.js';
import { launchBrowser, openView, screenshot } from '../helpers/studio.js';

const LONG_NAME = 'Saturday_Night_Marathon_With_A_Stream_Name_That_Never_Ends_And_Has_No_Spaces_To_Break';

async function pageAt(browser: Browser, srv: RecordingServer, width: number, height: number): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width, height }, httpCredentials: { username: ADMIN.user, password: ADMIN.password } });
  const page = await ctx.newPage();
  await page.goto(srv.url('/studio/'));
  await page.getByTestId('onair-lamp').waitFor();
  await openView(page, 'Recordings');
  await page.getByTestId('recordings').waitFor();
  return page;
}

describe('Recordings view in Chromium', () => {
  let browser: Browser;
  let srv: RecordingServer;

  /** A show of `seconds` of audio sent at four times real time, with titles at the given audio offsets. */
  async function show(name: string, seconds: number, titles: [number, string][]): Promise<void> {
    const data = readFileSync(fixture('mp3', 30));
    const src = await pacedSource(srv.sourcePort, '/stream', data, 64_000, 'audio/mpeg', name);
    const t0 = Date.now();
    for (const [at, title] of titles) {
      await sleep(Math.max(0, (at * 1000) / 4 - (Date.now() - t0)));
      await get(srv.url(`/admin/metadata?mount=/stream&mode=updinfo&song=${encodeURIComponent(title)}`), { user: 'source', password: PASSWORD });
    }
    await sleep(Math.max(0, (seconds * 1000) / 4 - (Date.now() - t0)));
    await src.stop();
  }

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycast-rec-ui-'));
    mkdirSync(join(dir, 'music'));
    makeTrack(join(dir, 'music', 'Jingle.mp3'), { seconds: 20, title: 'Jingle', artist: 'Station' });
    srv = await startRecordingStudio(dir, `metadata {\n  station_name = "Recording FM"\n}\nplaylist {\n  directory = "./music"\n}\nrecord {\n  enabled = true\n  mounts = ["/stream"]\n  max_total_mb = 500\n}\n`);
    await show('Morning Show with Ana', 24, [[2, 'Ana - Sunrise'], [10, 'The Testers - Noon Song'], [18, 'Björk - Jóga']]);
    await show(LONG_NAME, 12, [[4, 'A title that is much too long to fit on one line of a phone screen, really']]);
    await waitFor(async () => (await srv.recorder.list()).recordings.filter((r) => r.state === 'complete').length === 2, 10_000, 'two recordings');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it('lists, plays with seeking (206 range replies), adds to the playlist and deletes with confirmation at 1366×768', async () => {
    const page = await pageAt(browser, srv, 1366, 768);
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    const ranged: number[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/studio/recordings/') && r.status() === 206) ranged.push(r.status());
    });
    const cards = page.getByTestId('rec-card');
    await waitFor(async () => (await cards.count()) === 2, 5000, 'two cards');
    const morning = cards.filter({ hasText: 'Morning Show with Ana' });
    assert.match((await morning.textContent()) ?? '', /0:2[345].*MPEG-1 Layer III.*3 titles/);
    await morning.getByRole('button', { name: 'Show titles' }).click();
    await morning.getByTestId('rec-titles').getByText('Björk - Jóga').waitFor();
    await screenshot(page, 'recordings-1366x768');

    // play, then seek from a title: the browser asks for byte ranges and gets 206
    await morning.getByRole('button', { name: /Play/ }).click();
    const audio = page.getByTestId('rec-audio');
    await audio.waitFor();
    await waitFor(async () => (await audio.evaluate((a) => (a as unknown as { readyState: number }).readyState)) >= 1, 10_000, 'the player to load the file');
    const duration = await audio.evaluate((a) => (a as unknown as { duration: number }).duration);
    assert.ok(Math.abs(duration - 24) < 1.5, `the browser sees ${duration} s`);
    const titleOffset = (await srv.recorder.list()).recordings.find((r) => r.name.startsWith('Morning'))!.titles[1].offset;
    await morning.getByTestId('rec-titles').locator('li', { hasText: 'Noon Song' }).getByRole('button').click();
    await waitFor(async () => Math.abs((await audio.evaluate((a) => (a as unknown as { currentTime: number }).currentTime)) - titleOffset) < 1.5, 5000, `seek to ${titleOffset} s`);
    await waitFor(() => ranged.length > 0, 5000, 'a 206 range reply to the player');
    await screenshot(page, 'recordings-1366x768-playing');

    // add to playlist, to rebroadcast
    await morning.getByRole('button', { name: 'Add to playlist' }).click();
    await page.locator('.toast', { hasText: 'added to the /stream playlist' }).waitFor();
    const pl = (await srv.service.snapshot()).playlists.find((p) => p.mount === '/stream')!;
    assert.ok(pl.entries.some((e) => e.path.endsWith('Morning Show with Ana.mp3')));

    // delete asks first; "Keep" keeps it, "Yes, delete" deletes it
    const long = cards.filter({ hasText: LONG_NAME });
    const longId = (await long.getAttribute('data-id'))!;
    await long.getByRole('button', { name: 'Delete' }).click();
    await long.getByRole('button', { name: 'Keep' }).click();
    assert.ok(existsSync(join(srv.recorder.folder, longId)));
    await long.getByRole('button', { name: 'Delete' }).click();
    await screenshot(page, 'recordings-1366x768-confirm-delete');
    await long.getByRole('button', { name: 'Yes, delete' }).click();
    await waitFor(async () => (await cards.count()) === 1, 5000, 'the card to go');
    assert.ok(!existsSync(join(srv.recorder.folder, longId)));
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  it('fits a 390×844 phone, with a show being recorded and one stopped by a removed file', async () => {
    await show(LONG_NAME, 12, [[4, 'A title that is much too long to fit on one line of a phone screen, really']]);
    await waitFor(async () => (await srv.recorder.list()).recordings.length === 2, 10_000, 'the long show again');
    // a show on air now, whose file someone deletes: it stops with a reason, the stream goes on
    const data = readFileSync(fixture('mp3', 30));
    const src = await pacedSource(srv.sourcePort, '/stream', data, 16_000);
    try {
      await waitFor(async () => (await srv.recorder.list()).recordings.some((r) => r.state === 'recording'), 10_000, 'a show being recorded');
      const page = await pageAt(browser, srv, 390, 844);
      await page.locator('.tag', { hasText: 'recording now' }).waitFor({ timeout: 5000 });
      // the view's own overflow, and the right edge of the widest thing in it (run in the page)
      const overflow = (): Promise<{ view: number; widest: number }> =>
        page.evaluate(`(() => {
          const v = document.querySelector('[data-testid="recordings"]');
          let widest = 0;
          for (const el of v.querySelectorAll('*')) widest = Math.max(widest, el.getBoundingClientRect().right);
          return { view: v.scrollWidth - v.clientWidth, widest };
        })()`);
      for (const card of await page.getByTestId('rec-card').all()) {
        const b = card.getByRole('button', { name: 'Show titles' });
        if (await b.count()) await b.click();
      }
      let o = await overflow();
      assert.equal(o.view, 0, 'the view itself never scrolls sideways');
      assert.ok(o.widest <= 390, `an element of the view reaches ${o.widest} px`);
      const top = (): Promise<void> => page.locator('main.content').evaluate((el) => el.scrollTo(0, 0));
      await top();
      await screenshot(page, 'recordings-390x844-recording-now');
      const live = (await srv.recorder.list()).recordings.find((r) => r.state === 'recording')!;
      rmSync(join(srv.recorder.folder, live.id));
      await page.getByTestId('rec-problem').filter({ hasText: 'was removed' }).waitFor({ timeout: 8000 });
      assert.ok(srv.engine.mounts.get('/stream')!.source, 'the show is still on air');
      o = await overflow();
      assert.equal(o.view, 0);
      assert.ok(o.widest <= 390, `an element of the view reaches ${o.widest} px`);
      await top();
      await screenshot(page, 'recordings-390x844-stopped');
      await page.context().close();
    } finally {
      await src.stop();
    }
  });
});

