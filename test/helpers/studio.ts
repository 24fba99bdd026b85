/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// A headless engine with the studio attached, and Debian's Chromium driven by playwright-core.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Engine } from '../../src-main/engine/engine.js';
import { checkConfigText } from '../../src-main/config/load.js';
import { Logger, formatLogLine } from '../../src-main/engine/log/log.js';
import { Station } from '../../src-main/station.js';
import type { StudioService } from '../../src-main/studio/service.js';
import type { Recorder } from '../../src-main/recording/recorder.js';
import { ADMIN, freePort, freePortPair, PASSWORD } from './server.js';
import { repoRoot } from './paths.js';

export const ARTIFACTS = join(repoRoot, 'test-artifacts');

export interface StudioServer {
  engine: Engine;
  service: StudioService;
  /** the station's recorder (records only when the config's record block says so) */
  recorder: Recorder;
  configPath: string;
  listenPort: number;
  sourcePort: number;
  logs: string[];
  url(p: string): string;
  stop(): Promise<void>;
}

/** Writes config.hcl into `dir` (unless `reuse`) and starts an engine + studio from it, as the CLI does. */
export async function startStudio(dir: string, body: string, reuse = false): Promise<StudioServer> {
  const configPath = join(dir, 'config.hcl');
  if (!reuse) {
    const sourcePort = await freePortPair();
    const listenPort = await freePort();
    mkdirSync(dir, { recursive: true });
    writeFileSync(configPath, `# studio test config\nserver {\n  host = "127.0.0.1"\n  source_port = ${sourcePort}\n  listen_port = ${listenPort}\n  source_password = "${PASSWORD}"\n}\n\nadmin {\n  user = "${ADMIN.user}"\n  password = "${ADMIN.password}"\n}\n${body}`);
  }
  const { readFileSync } = await import('node:fs');
  const r = await checkConfigText(readFileSync(configPath, 'utf8'));
  if (!r.config) throw new Error(JSON.stringify(r.errors));
  const logs: string[] = [];
  const logger = new Logger(false);
  logger.subscribe((e) => logs.push(formatLogLine(e)));
  const station = new Station({ config: r.config, configPath, logger, demoTracks: [] });
  const { engine, studio: service } = station;
  const ports = await station.start();
  return {
    engine,
    service,
    recorder: station.recorder,
    configPath,
    listenPort: ports.listen,
    sourcePort: ports.source,
    logs,
    url: (p) => `http://127.0.0.1:${ports.listen}${p}`,
    stop: () => station.stop(),
  };
}

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** The window sizes every view is checked at: a laptop and a phone (portrait). */
export const VIEWPORTS = { desktop: { width: 1366, height: 768 }, phone: { width: 390, height: 844 } } as const;

/** A page logged in to the studio (HTTP Basic, as a browser prompt would send it), 1366×768 unless told. */
export async function studioPage(browser: Browser, srv: StudioServer, viewport: { width: number; height: number } = VIEWPORTS.desktop): Promise<Page> {
  const narrow = viewport.width < 720;
  const ctx = await browser.newContext({ viewport, isMobile: narrow, hasTouch: narrow, httpCredentials: { username: ADMIN.user, password: ADMIN.password } });
  const page = await ctx.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  (page as Page & { problems?: string[] }).problems = problems;
  await page.goto(srv.url('/studio/'));
  await page.getByTestId('onair-lamp').waitFor();
  return page;
}

/**
 * What sticks out sideways in the page: the document and the main panes must not scroll horizontally, and
 * no visible control may end past the window's right edge (cut off, out of reach). Empty when all is well.
 */
export async function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth) out.push(`document: scrollWidth ${doc.scrollWidth} > clientWidth ${doc.clientWidth}`);
    for (const sel of ['.app', '.topbar', '.content', 'nav.sidebar', 'nav.tabbar', '.modal']) {
      for (const el of document.querySelectorAll<HTMLElement>(sel)) {
        if (el.offsetParent === null && getComputedStyle(el).position !== 'fixed') continue;
        if (el.scrollWidth > el.clientWidth + 1) out.push(`${sel}: scrollWidth ${el.scrollWidth} > clientWidth ${el.clientWidth}`);
      }
    }
    const w = window.innerWidth;
    for (const el of document.querySelectorAll<HTMLElement>('button, select, input:not([type=hidden]), textarea, a')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if (r.right > w + 1 || r.left < -1) out.push(`${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 30)}" spans ${Math.round(r.left)}..${Math.round(r.right)} of ${w}`);
    }
    return out;
  });
}

/** Visible controls smaller than a thumb (44 px tall; checkboxes count by their label). */
export async function smallTargets(page: Page, min = 44): Promise<string[]> {
  return page.evaluate((min) => {
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('button, select, input:not([type=hidden]), .toggle, .pick-row')) {
      const target = el instanceof HTMLInputElement && el.type === 'checkbox' ? (el.closest('label') ?? el) : el;
      const r = target.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
      if (r.height < min - 0.5) out.push(`${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute('aria-label') || el.getAttribute('name') || '').trim().slice(0, 30)}" is ${Math.round(r.height)} px tall`);
    }
    return out;
  }, min);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Opens a studio view by its label, as a person would: the sidebar on wide windows; on phones the tab bar, or its "More" menu. */
export async function openView(page: Page, label: string): Promise<void> {
  const side = page.locator('nav.sidebar button', { hasText: label });
  if (await side.isVisible()) return side.click();
  const tab = page.locator('nav.tabbar button', { hasText: label });
  if (await tab.isVisible()) return tab.click();
  await page.locator('nav.tabbar button', { hasText: 'More' }).click();
  await page.getByRole('menuitem', { name: new RegExp(label) }).click();
}
