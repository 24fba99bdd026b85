// Where the package's own files are, wherever it is installed (works from src via dist/src-main/*).
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ASSETS_DIR = resolve(PACKAGE_ROOT, 'assets');
export const BUNDLED_CONFIG = resolve(PACKAGE_ROOT, 'config/config.hcl');
export const DEMO_TRACKS = [resolve(ASSETS_DIR, 'demo/cycast-demo.mp3')];
export const OGG_SILENCE = resolve(ASSETS_DIR, 'silence/silence.ogg');
export const RENDERER_DIR = resolve(PACKAGE_ROOT, 'dist/renderer');
