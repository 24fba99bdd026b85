// The studio UI in Debian's Chromium (playwright-core) against a running engine, through the browser
// transport. Screenshots of every view land in test-artifacts/.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { checkConfigText } from '../../src-main/config/load.js';
import { makeTrack } from '../helpers/audio.js';
import { ADMIN, ffmpegSource, kill, listen, PASSWORD, sleep, waitFor } from '../helpers/server.js';
import { horizontalOverflow, launchBrowser, openView, screenshot, smallTargets, startStudio, studioPage, VIEWPORTS, type StudioServer } from '../helpers/studio.js';

/** Opens a view from the navigation on screen: the sidebar, or the phone's tab bar (a click: key shortcuts would type into a focused field). */
async function view(page: Page, name: string): Promise<void> {
  await openView(page, name);
}

/** Answers the confirmation the studio asks before something that cannot be undone. */
async function confirm(page: Page, title: RegExp, yes: boolean): Promise<void> {
  const dialog = page.getByRole('dialog', { name: title });
  await dialog.waitFor();
  await dialog.getByRole('button', { name: yes ? /^(Kick|Kick DJ|Delete file)$/ : 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
}

const problemsOf = (page: Page): string[] => (page as Page & { problems?: string[] }).problems ?? [];

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
    makeTrack(join(outside, 'Late Song.mp3'), { seconds: 20, title: 'Late Song', artist: 'Guest' });
    mkdirSync(join(outside, 'sub'));
    makeTrack(join(outside, 'sub', 'Deep.mp3'), { seconds: 20, title: 'Deep Song', artist: 'Guest' });
    srv = await startStudio(dir, `metadata {\n  station_name = "UI Test FM"\n}\nplaylist {\n  directory = "./music"\n  shuffle = false\n  resume_delay = 0\n  allowed_folders = ["./crate"]\n}\n`);
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
    const dialog = page.getByRole('dialog', { name: 'Add files from the server' });
    // it starts in the music folder, at the top of what it may show
    await dialog.locator('.path code').filter({ hasText: join(dir, 'music') }).waitFor();
    assert.equal(await dialog.locator('.path code').textContent(), join(dir, 'music'));
    assert.equal(await dialog.getByRole('button', { name: 'Up one folder' }).isDisabled(), true);
    await dialog.getByRole('button', { name: 'crate', exact: true }).click();
    await dialog.getByRole('option', { name: /Night Song\.mp3/ }).click(); // a row click selects
    await dialog.getByRole('button', { name: 'Add 1 file' }).click();
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

  it('removes a track to "Not playing" until it is added back; Delete file asks first and deletes from the music folder only', async () => {
    const table = page.getByTestId('playlist-table');
    const notPlaying = page.getByTestId('not-playing');
    const selection = page.locator('.selection-bar');
    await table.locator('tr', { hasText: 'Evening Song' }).click();
    await selection.getByRole('button', { name: 'Remove', exact: true }).click();
    await notPlaying.getByText('The Testers - Evening Song').waitFor();
    await table.locator('tr', { hasText: 'Evening Song' }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Rescan folder' }).click();
    await sleep(500);
    assert.equal(await table.locator('tr', { hasText: 'Evening Song' }).count(), 0, 'a rescan does not bring it back');
    await screenshot(page, '2b-not-playing');
    await notPlaying.locator('li', { hasText: 'Evening Song' }).getByRole('button', { name: 'Add back' }).click();
    await table.locator('tr', { hasText: 'Evening Song' }).waitFor();
    await notPlaying.getByText('Not playing (0)').waitFor();
    const doomed = makeTrack(join(dir, 'music', '4.mp3'), { seconds: 10, title: 'Doomed Song', artist: 'The Testers' });
    await page.getByRole('button', { name: 'Rescan folder' }).click();
    await table.locator('tr', { hasText: 'Doomed Song' }).click();
    await selection.getByRole('button', { name: 'Delete file…' }).click();
    await confirm(page, /Delete “Doomed Song” from the disk/, false);
    assert.ok(existsSync(doomed), 'Cancel keeps the file');
    await selection.getByRole('button', { name: 'Delete file…' }).click();
    await confirm(page, /Delete “Doomed Song” from the disk/, true);
    await waitFor(() => !existsSync(doomed), 3000, 'file deleted');
    await table.locator('tr', { hasText: 'Doomed Song' }).waitFor({ state: 'detached' });
    // a file from outside the music folder can be removed, not deleted
    await table.locator('tr', { hasText: 'Night Song' }).click();
    assert.equal(await selection.getByRole('button', { name: 'Delete file…' }).isDisabled(), true);
  });

  it('the server-disk picker: Escape closes it, "Add folder" picks folders, and it works from the keyboard', async () => {
    const table = page.getByTestId('playlist-table');
    await page.getByRole('button', { name: '+ Add files' }).click();
    const files = page.getByRole('dialog', { name: 'Add files from the server' });
    await files.waitFor();
    await page.keyboard.press('Escape');
    await files.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: '+ Add folder' }).click();
    const folders = page.getByRole('dialog', { name: 'Add folders from the server' });
    await folders.getByRole('button', { name: 'crate', exact: true }).click();
    assert.equal(await folders.getByRole('option', { name: /Night Song/ }).getAttribute('aria-disabled'), 'true', 'files are not picked in folder mode');
    await folders.getByRole('option', { name: /sub/ }).click();
    await folders.getByRole('button', { name: 'Add 1 folder' }).click();
    await table.getByText('Deep Song').waitFor();
    // keyboard only: ↓ to a file, Space selects it, Enter opens a folder, Backspace goes back up
    await page.getByRole('button', { name: '+ Add files' }).click();
    await files.getByRole('button', { name: 'crate', exact: true }).click();
    const first = files.getByRole('option', { name: /sub/ });
    await first.waitFor();
    await waitFor(async () => (await first.evaluate((el) => el === document.activeElement)) === true, 2000, 'focus on the first row');
    await page.keyboard.press('Enter');
    await files.getByRole('option', { name: /Deep\.mp3/ }).waitFor();
    await page.keyboard.press('Backspace');
    await files.getByRole('option', { name: /Late Song/ }).waitFor();
    await waitFor(async () => (await first.evaluate((el) => el === document.activeElement)) === true, 2000, 'focus back on the first row');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press(' ');
    assert.equal(await files.getByRole('option', { name: /Late Song/ }).getAttribute('aria-selected'), 'true');
    await screenshot(page, '2c-picker');
    await files.getByRole('button', { name: 'Add 1 file' }).click();
    await table.getByText('Late Song').waitFor();
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
      // the live state on a phone: the source's details readable, Kick DJ in reach
      const phone = await studioPage(browser, srv, VIEWPORTS.phone);
      await phone.getByTestId('live-source').filter({ hasText: 'Lavf' }).waitFor();
      await phone.getByRole('button', { name: 'Kick DJ' }).click({ trial: true });
      assert.deepEqual(await horizontalOverflow(phone), [], 'live On Air on a phone');
      assert.deepEqual(await smallTargets(phone), [], 'live On Air on a phone: touch targets');
      await screenshot(phone, 'phone-on-air-live');
      await phone.locator('.content').evaluate((el) => (el.scrollTop = 400));
      await screenshot(phone, 'phone-on-air-live-details');
      await phone.context().close();
      // one click asks first: Cancel leaves the show on air
      await page.getByRole('button', { name: 'Kick DJ' }).click();
      await confirm(page, /Kick the DJ off \/stream/, false);
      assert.notEqual(m.source, null, 'still live after Cancel');
      await page.getByRole('button', { name: 'Kick DJ' }).click();
      await confirm(page, /Kick the DJ off \/stream/, true);
      await waitFor(() => m.source === null, 3000, 'DJ kicked');
      await page.getByTestId('toast').filter({ hasText: 'The DJ on /stream was kicked, banned for 10 s' }).waitFor({ timeout: 3000 });
      await page.getByTestId('onair-lamp').filter({ hasText: 'AUTODJ' }).waitFor({ timeout: 3000 });
    } finally {
      await kill(src.child);
    }
  });

  it('lists listeners, kicks one (its socket closes), and stays virtualised with 5000 of them', async () => {
    // from an address of its own: a kicked listener's address is kept off the mount for kick_ban seconds
    const cap = await listen(srv.listenPort, '/stream', { headers: { 'User-Agent': 'KickTarget/1.0' }, from: '127.0.4.1' });
    await view(page, 'Listeners');
    const table = page.getByTestId('listeners-table');
    const row = table.locator('.vrow', { hasText: 'KickTarget/1.0' });
    await row.waitFor();
    await row.getByRole('button', { name: 'Kick' }).click();
    await confirm(page, /Kick listener 127\.0\.4\.1/, true);
    await page.getByTestId('toast').filter({ hasText: /Listener 127\.0\.4\.1 kicked, banned for \d+ s/ }).waitFor({ timeout: 3000 });
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

  it('Check & preview counts the field that still has focus; the raw editor masks passwords and saves the real ones', async () => {
    await view(page, 'Config');
    const genre = page.locator('input[name="metadata.station_genre"]');
    await genre.fill('Focus Jazz');
    // a click that takes no focus (Safari, macOS) leaves the field focused, its value not yet committed
    await page.getByRole('button', { name: 'Check & preview' }).dispatchEvent('click');
    await page.locator('.plan').getByText(/metadata\.station_genre/).waitFor({ timeout: 3000 });
    const editor = page.getByTestId('config-editor');
    const masked = await editor.inputValue();
    assert.ok(!masked.includes(PASSWORD) && !masked.includes(ADMIN.password), 'no password in plain text');
    assert.match(masked, /source_password = "••••••••"/);
    assert.match(masked, /station_genre = "Focus Jazz"/);
    await editor.fill(masked.replace('station_name = "UI Test FM"', 'station_name = "UI Test FM"\n  station_url = "http://masked.example"'));
    const show = page.getByRole('checkbox', { name: 'Show passwords' });
    await show.check();
    assert.match(await editor.inputValue(), new RegExp(`source_password = "${PASSWORD}"`));
    await show.uncheck();
    await screenshot(page, '5b-config-masked');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await waitFor(() => readFileSync(srv.configPath, 'utf8').includes('masked.example'), 3000, 'saved');
    const saved = readFileSync(srv.configPath, 'utf8');
    assert.ok(saved.includes(`source_password = "${PASSWORD}"`), 'the real source password is saved');
    assert.ok(saved.includes(`password = "${ADMIN.password}"`), 'the real admin password is saved');
    assert.ok(!saved.includes('•'));
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
    assert.equal((await checkConfigText(readFileSync(srv.configPath, 'utf8'))).config?.metadata.station_name, 'Renamed FM');
    page = await studioPage(browser, srv);
  });

  it('shows the log, filterable by level (reached with its keyboard shortcut)', async () => {
    await page.locator('nav.sidebar button', { hasText: 'On Air' }).focus();
    await page.keyboard.press('5');
    const log = page.getByTestId('log');
    await log.getByText(/AutoDJ playing/).first().waitFor();
    await page.getByRole('button', { name: 'warn+' }).click();
    assert.equal(await log.getByText(/AutoDJ playing/).count(), 0);
    await page.getByRole('button', { name: 'error+' }).click();
    if ((await log.locator('.line').count()) === 0) await log.getByTestId('log-empty').filter({ hasText: 'Nothing at this level' }).waitFor();
    await page.getByRole('button', { name: 'info+' }).click();
    await screenshot(page, '7-log');
    assert.deepEqual(problemsOf(page), [], 'no script errors in the page');
  });

  it('greys out the on-air state while the server is unreachable, says so, and recovers on its own', async () => {
    await view(page, 'On Air');
    const lamp = page.getByTestId('onair-lamp');
    await lamp.filter({ hasText: 'AUTODJ' }).waitFor();
    await page.locator('.progress').waitFor();
    await srv.stop();
    await lamp.filter({ hasText: 'NO CONNECTION' }).waitFor({ timeout: 10_000 });
    await page.getByTestId('connection-banner').filter({ hasText: /The server does not answer/ }).waitFor();
    assert.match((await page.getByTestId('hero').getAttribute('class')) ?? '', /stale/);
    assert.equal(await page.locator('.progress').count(), 0, 'no frozen progress bar');
    assert.equal(await page.getByRole('button', { name: /Skip track/ }).isDisabled(), true);
    await screenshot(page, '8-unreachable');
    srv = await startStudio(dir, '', true); // the same ports, from the saved config
    await lamp.filter({ hasText: 'AUTODJ' }).waitFor({ timeout: 15_000 });
    await page.getByTestId('connection-banner').waitFor({ state: 'detached' });
    await page.locator('.progress').waitFor();
    assert.deepEqual(problemsOf(page), [], 'no script errors in the page');
  });

  /** per view, the controls that must be on screen and clickable (`select`: clicked for real) */
  const layoutChecks: Record<string, (p: Page) => (Locator | { select: Locator })[]> = {
    'On Air': (p) => [p.getByTestId('onair-lamp'), p.getByRole('button', { name: /Skip track/ }), p.getByTestId('connect-card').getByRole('button', { name: 'Show' })],
    Playlist: (p) => [p.getByRole('button', { name: '+ Add files' }), { select: p.getByTestId('playlist-table').locator('tbody tr').first() }, p.locator('.selection-bar').getByRole('button', { name: 'Play next' })],
    Listeners: (p) => [p.getByLabel('Filter listeners'), p.locator('.vrow').first().getByRole('button', { name: 'Kick' })],
    Config: (p) => [p.locator('input[name="metadata.station_name"]'), p.getByRole('button', { name: 'Check & preview' }), p.getByRole('button', { name: 'Revert' })],
    Log: (p) => [p.getByRole('button', { name: 'warn+' }), p.getByLabel('Filter log')],
    Stats: (p) => [p.getByRole('button', { name: 'Week' }), p.getByLabel('Mount for statistics')],
  };
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    it(`fits every view into ${viewport.width}×${viewport.height}: nothing sideways, key controls visible and clickable${size === 'phone' ? ', thumb-sized targets' : ''}`, async () => {
      const p = await studioPage(browser, srv, viewport);
      const cap = await listen(srv.listenPort, '/stream', { headers: { 'User-Agent': 'LayoutPlayer/1.0 (X11; a long user agent string as browsers send them)' } });
      try {
        for (const [name, controls] of Object.entries(layoutChecks)) {
          await view(p, name);
          for (const c of controls(p)) {
            const loc = 'select' in c ? c.select : c;
            await loc.waitFor({ timeout: 5000 });
            await loc.scrollIntoViewIfNeeded();
            await loc.click({ trial: !('select' in c), timeout: 3000 });
          }
          assert.deepEqual(await horizontalOverflow(p), [], `${name} at ${size}: nothing may stick out sideways`);
          if (size === 'phone') assert.deepEqual(await smallTargets(p), [], `${name} at ${size}: touch targets`);
          const file = `${size}-${name.toLowerCase().replace(/\W+/g, '-')}`;
          await p.locator('.content').evaluate((el) => (el.scrollTop = 0));
          await screenshot(p, file);
          await p.locator('.content').evaluate((el) => (el.scrollTop = el.scrollHeight));
          await screenshot(p, `${file}-end`);
        }
        await view(p, 'Playlist');
        await p.getByRole('button', { name: '+ Add files' }).click();
        await p.getByRole('dialog', { name: 'Add files from the server' }).getByRole('option').first().waitFor();
        assert.deepEqual(await horizontalOverflow(p), [], `picker at ${size}`);
        if (size === 'phone') assert.deepEqual(await smallTargets(p), [], `picker at ${size}: touch targets`);
        await screenshot(p, `${size}-picker`);
        await p.keyboard.press('Escape');
        await view(p, 'Listeners');
        await p.locator('.vrow').first().getByRole('button', { name: 'Kick' }).click();
        await p.getByRole('dialog', { name: /Kick listener/ }).waitFor();
        assert.deepEqual(await horizontalOverflow(p), [], `confirmation at ${size}`);
        await screenshot(p, `${size}-confirm`);
        await p.getByRole('dialog', { name: /Kick listener/ }).getByRole('button', { name: 'Cancel' }).click();
        assert.deepEqual(problemsOf(p), [], 'no script errors in the page');
      } finally {
        cap.close();
        await p.context().close();
      }
    });
  }
});
