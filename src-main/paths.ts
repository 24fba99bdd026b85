// Where the package's own files are, wherever it is installed (works from src via dist/src-main/*).
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/**
 * Files read at run time (default config, demo and silence audio). Inside an installed desktop app the
 * code is in resources/app.asar and these files sit beside it in resources/ (electron-builder's
 * extraResources); everywhere else they are in the package folder.
 */
export const RESOURCES_DIR = /[\\/]app\.asar$/.test(PACKAGE_ROOT) ? dirname(PACKAGE_ROOT) : PACKAGE_ROOT;
export const ASSETS_DIR = resolve(RESOURCES_DIR, 'assets');
export const BUNDLED_CONFIG = resolve(RESOURCES_DIR, 'config/config.hcl');
export const DEMO_TRACKS = [resolve(ASSETS_DIR, 'demo/cycast-demo.mp3')];
export const OGG_SILENCE = resolve(ASSETS_DIR, 'silence/silence.ogg');
export const RENDERER_DIR = resolve(PACKAGE_ROOT, 'dist/renderer');
