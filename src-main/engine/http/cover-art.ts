// Cover pictures of AutoDJ tracks, from the file's own tags (music-metadata's common.picture), for the
// listener page. Only the track on air is ever looked up (the file comes from the playlist, never from a
// request); pictures are checked to be the image type they claim, bounded in size, and cached per file.

import { createHash } from 'node:crypto';
import type { Mount } from '../stream/mount.js';
import type { HttpContext } from './context.js';
import type { CoverLookup } from './now-playing.js';

/** a cover bigger than this is not served (a tag can hold megabytes) */
export const MAX_COVER_BYTES = 1024 * 1024;
/** pictures kept in memory at most */
const CACHE_ENTRIES = 16;

export interface Cover {
  type: string;
  data: Buffer;
  /** stable per file version: the URL's cache-buster and the ETag */
  tag: string;
}

const SIGNATURES: [type: string, magic: number[]][] = [
  ['image/jpeg', [0xff, 0xd8, 0xff]],
  ['image/png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['image/gif', [0x47, 0x49, 0x46, 0x38]],
  ['image/webp', [0x52, 0x49, 0x46, 0x46]],
];

/** The image type the bytes really are (never the tag's say-so), or null for anything else. */
export function sniffImage(data: Uint8Array): string | null {
  for (const [type, magic] of SIGNATURES) {
    if (data.length >= magic.length && magic.every((b, i) => data[i] === b)) {
      if (type === 'image/webp' && String.fromCharCode(...data.subarray(8, 12)) !== 'WEBP') continue;
      return type;
    }
  }
  return null;
}

/** Reads the first servable picture from a file's tags; null if it has none. */
export async function readCover(path: string, version: number): Promise<Cover | null> {
  const { parseFile } = await import('music-metadata');
  const mm = await parseFile(path, { duration: false, skipCovers: false });
  for (const p of mm.common.picture ?? []) {
    const data = Buffer.from(p.data);
    const type = sniffImage(data);
    if (!type || data.length > MAX_COVER_BYTES) continue;
    const tag = createHash('sha1').update(path).update(String(version)).digest('base64url').slice(0, 16);
    return { type, data, tag };
  }
  return null;
}

/** Covers by file and version (mtime); lookups are started by the now-playing document, never by a request. */
export class CoverArt implements CoverLookup {
  /** file|mtime -> the cover, null (none), or the lookup in flight */
  private readonly cache = new Map<string, Cover | null | Promise<void>>();

  constructor(
    private readonly ctx: HttpContext,
    /** told when a lookup finished, so the document is rebuilt with the cover */
    private readonly onFound: () => void,
  ) {}

  private onAirTrack(m: Mount): { path: string; mtimeMs: number } | null {
    if (m.source) return null;
    return this.ctx.feederOf(m.path)?.nowPlaying?.entry.track ?? null;
  }

  coverUrl(m: Mount): string | null {
    const track = this.onAirTrack(m);
    if (!track) return null;
    const key = `${track.path}|${track.mtimeMs}`;
    const known = this.cache.get(key);
    if (known === undefined) {
      this.lookup(key, track.path, track.mtimeMs);
      return null;
    }
    if (known === null || known instanceof Promise) return null;
    return `/api/cover?mount=${encodeURIComponent(m.path)}&v=${known.tag}`;
  }

  /** The cover of the track on air on `m`, if it is known to have one. */
  current(m: Mount): Cover | null {
    const track = this.onAirTrack(m);
    const c = track && this.cache.get(`${track.path}|${track.mtimeMs}`);
    return c && !(c instanceof Promise) ? c : null;
  }

  private lookup(key: string, path: string, version: number): void {
    if (this.cache.size >= CACHE_ENTRIES) {
      // drop the oldest finished entry (Maps iterate in insertion order)
      for (const [k, v] of this.cache) {
        if (!(v instanceof Promise)) {
          this.cache.delete(k);
          break;
        }
      }
    }
    const done = readCover(path, version).then(
      (c) => {
        this.cache.set(key, c);
        if (c) this.onFound();
      },
      (e) => {
        this.cache.set(key, null);
        this.ctx.log.debug(`no cover for ${path}: ${(e as Error).message}`);
      },
    );
    this.cache.set(key, done);
  }
}
