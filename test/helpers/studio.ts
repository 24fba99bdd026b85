// A headless engine with the studio attached, and Debian's Chromium driven by playwright-core.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Engine } from '../../src-main/engine/engine.js';
import { checkConfigText } from '../../src-main/config/load.js';
import { Logger, formatLogLine } from '../../src-main/engine/log/log.js';
import { Station } from '../../src-main/station.js';
import type { StudioService } from '../../src-main/studio/service.js';
import { ADMIN, freePort, freePortPair, PASSWORD } from './server.js';
import { repoRoot } from './paths.js';

export const ARTIFACTS = join(repoRoot, 'test-artifacts');

export interface StudioServer {
  engine: Engine;
  service: StudioService;
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
  const r = checkConfigText(readFileSync(configPath, 'utf8'));
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

/** A page logged in to the studio (HTTP Basic, as a browser prompt would send it) at 1280×720. */
export async function studioPage(browser: Browser, srv: StudioServer): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 }, httpCredentials: { username: ADMIN.user, password: ADMIN.password } });
  const page = await ctx.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  (page as Page & { problems?: string[] }).problems = problems;
  await page.goto(srv.url('/studio/'));
  await page.getByTestId('onair-lamp').waitFor();
  return page;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
