#!/usr/bin/env node
// Renders assets/icons/icon.svg to the PNG sizes the installers need (assets/icons/NxN.png, icon.png at
// 1024), with Debian's Chromium through playwright-core. Run by hand when the SVG changes; results are committed.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../assets/icons');
const svg = readFileSync(join(dir, 'icon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
for (const size of [16, 24, 32, 48, 64, 128, 256, 512, 1024]) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`);
  const file = size === 1024 ? join(dir, 'icon.png') : join(dir, `${size}x${size}.png`);
  await page.screenshot({ path: file, omitBackground: true });
  await page.close();
  console.log(file);
}
await browser.close();
