// The studio UI in Debian's Chromium (playwright-core) against a running engine, through the browser
// transport. Screenshots of every view land in test-artifacts/.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { checkConfigText } from '../../src-main/config/load.js';
import { makeTrack } from '../helpers/audio.js';
import { ffmpegSource, kill, listen, sleep, waitFor } from '../helpers/server.js';
import { launchBrowser, screenshot, startStudio, studioPage, type StudioServer } from '../helpers/studio.js';

/** Opens a view from the sidebar (a click: key shortcuts would type into a focused field). */
async function view(page: Page, name: string): Promise<void> {
  await page.locator('nav.sidebar button', { hasText: name }).click();
}

describe('studio UI in Chromium', () => {
  let browser: Browser;
  let srv: StudioServer;
  let page: Page;
  let dir: string;
  let outside: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cycast-ui-'));
    const music = join(dir, 'music');
    mkdirSync(music);
    for (const [i, t] of ['Morning Song', 'Noon Song', 'Evening Song'].entries()) makeTrack(join(music, `${i + 1}.mp3`), { seconds: 40, title: t, artist: 'The Testers', freq: 300 + i * 150 });
    outside = join(dir, 'crate');
    mkdirSync(outside);
    makeTrack(join(outside, 'Night Song.mp3'), { seconds: 20, title: 'Night Song', artist: 'Guest' });
    srv = await startStudio(dir, `metadata {\n  station_name = "UI Test FM"\n}\nplaylist {\n  directory = "./music"\n  shuffle = false\n  resume_delay = 0\n}\n`);
    await waitFor(() => srv.engine.feederOf('/stream')?.nowPlaying !== null, 5000);
    browser = await launchBrowser();
    page = await studioPage(browser, srv);
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it('shows On Air with the AutoDJ track, and skip changes the ICY title a real listener hears', async () => {
    await page.getByTestId('now-playing').filter({ hasText: 'The Testers - Morning Song' }).waitFor();
    assert.equal(await page.getByTestId('onair-lamp').textContent(), 'AUTODJ');
    const connect = page.getByTestId('connect-card');
    await connect.getByText(`Port ${srv.sourcePort}`, { exact: false }).first().waitFor().catch(() => undefined);
    assert.match((await connect.textContent()) ?? '', new RegExp(`Mixxx.*Icecast 2.*127\\.0\\.0\\.1.*${srv.sourcePort}.*/stream.*source`));
    await connect.getByRole('button', { name: 'Show' }).click();
    assert.equal(await connect.getByTestId('source-password').textContent(), 'test-source-pw');
    const cap = await listen(srv.listenPort, '/stream', { icy: true });
    await waitFor(() => cap.titles.includes('The Testers - Morning Song'), 5000, 'first ICY title');
    await screenshot(page, '1-on-air');
    await page.getByRole('button', { name: /Skip track/ }).click();
    await waitFor(() => cap.titles.includes('The Testers - Noon Song'), 5000, 'ICY title after skip');
    await page.getByTestId('now-playing').filter({ hasText: 'Noon Song' }).waitFor({ timeout: 2000 });
    cap.close();
  });

  it('adds a track from outside the music folder through the server-path picker, and reorders by dragging', async () => {
    await view(page, 'Playlist');
    const table = page.getByTestId('playlist-table');
    await table.getByText('Evening Song').waitFor();
    await page.getByRole('button', { name: '+ Add files' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add from the server' });
    await dialog.getByRole('button', { name: '↑ Up' }).click();
    await dialog.getByRole('button', { name: 'crate' }).click();
    await dialog.locator('li', { hasText: 'Night Song.mp3' }).getByRole('checkbox').check();
    await dialog.getByRole('button', { name: /Add 1 item/ }).click();
    await table.getByText('Night Song').waitFor();
    const titles = async (): Promise<string[]> => (await table.locator('tbody tr td:nth-child(2)').allTextContents()).map((s) => s.trim());
    assert.deepEqual(await titles(), ['Morning Song', 'Noon Song', 'Evening Song', 'Night Song']);
    // drag "Night Song" onto the first row
    await table.locator('tr', { hasText: 'Night Song' }).dragTo(table.locator('tr', { hasText: 'Morning Song' }));
    await waitFor(async () => (await titles())[0] === 'Night Song', 3000, 'reordered');
    assert.deepEqual(srv.engine.playlistOf('/stream')!.list.map((e) => e.track.title), ['Night Song', 'Morning Song', 'Noon Song', 'Evening Song']);
    // the order is saved in the M3U8 beside config.hcl
    assert.match(readFileSync(join(dir, 'playlist.m3u8'), 'utf8'), /crate\/Night Song\.mp3\n[\s\S]*music\/1\.mp3/);
    await page.getByLabel('Filter tracks').fill('even');
    assert.deepEqual(await titles(), ['Evening Song']);
    await page.getByLabel('Filter tracks').fill('');
    await screenshot(page, '2-playlist');
  });

  it('shows a DJ connecting with ffmpeg on On Air within a second, and kicks them', async () => {
    await view(page, 'On Air');
    const dj = makeTrack(join(dir, 'dj.mp3'), { seconds: 30, tags: false, sampleRate: 48000 });
    const src = ffmpegSource(srv.sourcePort, '/stream', dj, { contentType: 'audio/mpeg', format: 'mp3', name: 'DJ Test' });
    try {
      const m = srv.engine.mounts.get('/stream')!;
      await waitFor(() => m.source !== null, 8000, 'DJ on air');
      const t0 = Date.now();
      await page.getByTestId('onair-lamp').filter({ hasText: 'ON AIR · LIVE' }).waitFor({ timeout: 1000 });
      const shownAfter = Date.now() - t0;
      assert.ok(shownAfter < 1000, `shown after ${shownAfter} ms`);
      console.log(`# studio: the DJ appeared on On Air ${shownAfter} ms after connecting`);
      await page.getByTestId('live-source').filter({ hasText: 'Lavf' }).waitFor();
      await screenshot(page, '3-on-air-live');
      await page.getByRole('button', { name: 'Kick DJ' }).click();
      await waitFor(() => m.source === null, 3000, 'DJ kicked');
      await page.getByTestId('onair-lamp').filter({ hasText: 'AUTODJ' }).waitFor({ timeout: 3000 });
    } finally {
      await kill(src.child);
    }
  });

  it('lists listeners, kicks one (its socket closes), and stays virtualised with 5000 of them', async () => {
    const cap = await listen(srv.listenPort, '/stream', { headers: { 'User-Agent': 'KickTarget/1.0' } });
    await view(page, 'Listeners');
    const table = page.getByTestId('listeners-table');
    const row = table.locator('.vrow', { hasText: 'KickTarget/1.0' });
    await row.waitFor();
    await row.getByRole('button', { name: 'Kick' }).click();
    await Promise.race([cap.closed, sleep(3000).then(() => assert.fail('the kicked listener is still connected'))]);
    await row.waitFor({ state: 'detached', timeout: 3000 });
    // 5000 idle listeners on a mount with no audio (bounded: opened here, closed below)
    const quiet = `/quiet-${Date.now()}`;
    await srv.service.configSave(readFileSync(srv.configPath, 'utf8') + `\nmount "${quiet}" {\n  playlist_enabled = false\n}\n`, true);
    const sockets = [];
    for (let i = 0; i < 5000; i++) {
      const s = connect(srv.listenPort, '127.0.0.1');
      s.on('error', () => {});
      s.write(`GET ${quiet} HTTP/1.0\r\nUser-Agent: Bulk/${i}\r\n\r\n`);
      sockets.push(s);
      if (i % 500 === 499) await sleep(50);
    }
    try {
      await waitFor(() => srv.engine.mounts.totalListeners >= 5000, 20_000, '5000 listeners');
      await page.getByTestId('listeners-total').filter({ hasText: /^50\d\d$/ }).waitFor({ timeout: 5000 });
      const rendered = await table.locator('.vrow').count();
      assert.ok(rendered < 60, `${rendered} rows in the DOM for 5000 listeners`);
      const t0 = Date.now();
      await table.evaluate((el) => (el.scrollTop = el.scrollHeight));
      await table.locator('.vrow', { hasText: /Bulk\// }).first().waitFor();
      console.log(`# studio: 5000 listeners, ${rendered} rows rendered, scrolled to the end in ${Date.now() - t0} ms`);
      await screenshot(page, '4-listeners');
    } finally {
      for (const s of sockets) s.destroy();
    }
    await waitFor(() => srv.engine.mounts.totalListeners < 10, 10_000, 'bulk listeners gone');
  });

  it('refuses an invalid config edit with line:column, leaving config.hcl byte-identical', async () => {
    await view(page, 'Config');
    const editor = page.getByTestId('config-editor');
    await editor.waitFor();
    const before = readFileSync(srv.configPath);
    const text = await editor.inputValue();
    await editor.fill(text.replace('station_name = "UI Test FM"', 'station_name = "UI Test FM"\n  statoin_genre = "Jazz"'));
    const diag = page.getByTestId('diagnostics');
    await diag.getByText(/did you mean "station_genre"/).waitFor();
    assert.match((await diag.locator('li.error').first().textContent()) ?? '', /^\d+:3 error: unknown setting "statoin_genre"/);
    await screenshot(page, '5-config-error');
    await page.getByTestId('save-apply').click();
    await page.getByText('Not saved: the file on disk is unchanged.').waitFor();
    assert.ok(readFileSync(srv.configPath).equals(before), 'config.hcl unchanged');
    await page.getByRole('button', { name: 'Revert' }).click();
  });

  it('applies a valid edit from the form (comments kept) and it survives a restart', async () => {
    const name = page.locator('input[name="metadata.station_name"]');
    await name.fill('Renamed FM');
    await name.press('Enter');
    await page.getByRole('button', { name: 'Check & preview' }).click();
    await page.getByText('Applying this would change').waitFor();
    await page.getByText(/metadata\.station_name/).first().waitFor();
    await page.getByTestId('save-apply').click();
    await page.locator('.brand', { hasText: 'Renamed FM' }).waitFor({ timeout: 3000 }).catch(() => undefined);
    await waitFor(() => srv.engine.config.metadata.station_name === 'Renamed FM', 3000, 'applied');
    const saved = readFileSync(srv.configPath, 'utf8');
    assert.match(saved, /^# studio test config\n/, 'comments kept');
    assert.match(saved, /station_name = "Renamed FM"/);
    assert.ok(readFileSync(`${srv.configPath}.bak`, 'utf8').includes('UI Test FM'), 'previous version kept as .bak');
    const cap = await listen(srv.listenPort, '/stream');
    assert.equal(cap.headers.get('icy-name'), 'Renamed FM');
    cap.close();
    await screenshot(page, '6-config-applied');
    // restart from the saved file
    await srv.stop();
    srv = await startStudio(dir, '', true);
    assert.equal(srv.engine.config.metadata.station_name, 'Renamed FM');
    assert.equal(checkConfigText(readFileSync(srv.configPath, 'utf8')).config?.metadata.station_name, 'Renamed FM');
    page = await studioPage(browser, srv);
  });

  it('shows the log, filterable by level (reached with its keyboard shortcut)', async () => {
    await page.locator('nav.sidebar button', { hasText: 'On Air' }).focus();
    await page.keyboard.press('5');
    const log = page.getByTestId('log');
    await log.getByText(/AutoDJ playing/).first().waitFor();
    await page.getByRole('button', { name: 'warn+' }).click();
    assert.equal(await log.getByText(/AutoDJ playing/).count(), 0);
    await page.getByRole('button', { name: 'info+' }).click();
    await screenshot(page, '7-log');
    const problems = (page as Page & { problems?: string[] }).problems ?? [];
    assert.deepEqual(problems, [], 'no script errors in the page');
  });
});
