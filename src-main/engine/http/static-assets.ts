// The public pages' own files (script, style sheet, favicon), read once from assets/ and served with an
// ETag; page URLs carry that tag, so browsers may keep them for long and still never mix versions.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StaticAsset {
  body: Buffer;
  type: string;
  etag: string;
  /** the URL pages link to: path plus a version query */
  url: string;
}

/** URL path -> file under the assets folder, and its type */
const FILES: Record<string, [file: string, type: string]> = {
  '/static/player.js': ['web/player.js', 'text/javascript; charset=utf-8'],
  '/static/player.css': ['web/player.css', 'text/css; charset=utf-8'],
  '/favicon.ico': ['icons/favicon.ico', 'image/x-icon'],
};

export class StaticAssets {
  private readonly loaded = new Map<string, StaticAsset>();

  constructor(private readonly assetsDir: string) {}

  has(path: string): boolean {
    return Object.hasOwn(FILES, path);
  }

  /** The asset at a URL path; throws if its file is missing from the installation. */
  get(path: string): StaticAsset {
    let a = this.loaded.get(path);
    if (!a) {
      const [file, type] = FILES[path];
      const body = readFileSync(join(this.assetsDir, file));
      const tag = createHash('sha1').update(body).digest('base64url').slice(0, 12);
      a = { body, type, etag: `"${tag}"`, url: `${path}?v=${tag}` };
      this.loaded.set(path, a);
    }
    return a;
  }
}
