// The title in an Ogg stream's comment header (Vorbis "\x03vorbis", Opus "OpusTags"): what icecast2 shows for
// a live Ogg source. Reads the cached header pages of a logical stream; every length is checked against
// the bytes that are there, so a hostile header costs at most one pass over it.

import { parseOggPage } from './ogg.js';

/** The second packet (the comment header) of the first logical stream in `pages`, or null. */
function commentPacket(pages: Buffer): Buffer | null {
  const parts: Buffer[] = [];
  let serial: number | null = null;
  let packet = 0;
  let pos = 0;
  while (pos < pages.length) {
    const p = parseOggPage(pages, pos);
    if (p === null || p === 'short' || pos + p.length > pages.length) return null;
    if (serial === null) serial = p.serial;
    if (p.serial === serial) {
      let at = p.bodyStart;
      for (const lace of p.segments) {
        if (packet === 1) parts.push(pages.subarray(at, at + lace));
        at += lace;
        if (lace < 255) {
          if (packet === 1) return Buffer.concat(parts);
          packet++;
        }
      }
    }
    pos += p.length;
  }
  return null;
}

/** The comments of a Vorbis/Opus comment packet, keys upper-cased; null if it is not one. */
export function parseCommentPacket(packet: Buffer): Map<string, string> | null {
  let pos: number;
  if (packet.length >= 7 && packet[0] === 3 && packet.toString('latin1', 1, 7) === 'vorbis') pos = 7;
  else if (packet.length >= 8 && packet.toString('latin1', 0, 8) === 'OpusTags') pos = 8;
  else return null;
  const u32 = (): number => {
    if (pos + 4 > packet.length) return -1;
    const v = packet.readUInt32LE(pos);
    pos += 4;
    return v;
  };
  const vendor = u32();
  if (vendor < 0 || pos + vendor > packet.length) return null;
  pos += vendor;
  const count = u32();
  if (count < 0) return null;
  const out = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const len = u32();
    if (len < 0 || pos + len > packet.length) break;
    const entry = packet.toString('utf8', pos, pos + Math.min(len, 4096));
    pos += len;
    const eq = entry.indexOf('=');
    if (eq > 0) {
      const key = entry.slice(0, eq).toUpperCase();
      if (!out.has(key)) out.set(key, entry.slice(eq + 1));
    }
  }
  return out;
}

/** "Artist - Title" (or just the title) from a logical stream's header pages; null when it names none. */
export function oggCommentTitle(headerPages: Buffer): string | null {
  const packet = commentPacket(headerPages);
  const c = packet && parseCommentPacket(packet);
  if (!c) return null;
  const title = c.get('TITLE')?.trim() ?? '';
  const artist = c.get('ARTIST')?.trim() ?? '';
  if (!title && !artist) return null;
  return artist && title ? `${artist} - ${title}` : title || artist;
}
