// Metadata tags that appear inside MPEG and ADTS byte streams (ffmpeg's icecast output starts with an ID3v2
// tag; files carry ID3v1 and APE tags). They are not audio and must not reach listeners.

/**
 * The largest tag believed. A tag's size field is the sender's claim (ID3v2 can say 256 MiB, APE 4 GiB) and
 * everything it covers is skipped unseen, so a bigger claim is taken for garbage, not a tag. Real tags with
 * cover art run to a few MiB.
 */
export const MAX_TAG_BYTES = 16 * 1024 * 1024;

/** Bytes needed at `pos` to tell whether a tag starts there, and how long it is. */
export function tagHeaderSize(buf: Buffer, pos: number): number {
  return buf[pos] === 0x41 ? 32 : 10; // "APETAGEX" header, else an ID3v2 header (ID3v1 needs 3)
}

/** Length of a tag starting at `pos`, 0 if none starts there, -1 if more bytes are needed to tell. */
export function tagLengthAt(buf: Buffer, pos: number): number {
  const avail = buf.length - pos;
  if (avail < 3) return -1;
  const b0 = buf[pos];
  if (b0 === 0x49 && buf[pos + 1] === 0x44 && buf[pos + 2] === 0x33) {
    // "ID3" v2: 10-byte header, syncsafe size, optional 10-byte footer
    if (avail < 10) return -1;
    const major = buf[pos + 3];
    const s6 = buf[pos + 6];
    const s7 = buf[pos + 7];
    const s8 = buf[pos + 8];
    const s9 = buf[pos + 9];
    if (major === 0xff || buf[pos + 4] === 0xff || (s6 | s7 | s8 | s9) & 0x80) return 0;
    const size = (s6 << 21) | (s7 << 14) | (s8 << 7) | s9;
    const footer = buf[pos + 5] & 0x10 ? 10 : 0;
    const length = 10 + size + footer;
    return length <= MAX_TAG_BYTES ? length : 0;
  }
  if (b0 === 0x54 && buf[pos + 1] === 0x41 && buf[pos + 2] === 0x47) {
    return 128; // "TAG": ID3v1
  }
  if (b0 === 0x41 && buf[pos + 1] === 0x50 && buf[pos + 2] === 0x45) {
    // "APETAGEX": 32-byte header or footer; the size field counts items + footer, not the header
    if (avail < 32) return -1;
    if (buf.toString('latin1', pos, pos + 8) !== 'APETAGEX') return 0;
    const size = buf.readUInt32LE(pos + 12);
    const flags = buf.readUInt32LE(pos + 20);
    const isHeader = (flags & 0x20000000) !== 0;
    const length = isHeader ? 32 + size : 32;
    return length <= MAX_TAG_BYTES ? length : 0;
  }
  return 0;
}
