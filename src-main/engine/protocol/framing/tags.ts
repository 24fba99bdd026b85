// Metadata tags that appear inside MPEG and ADTS byte streams (ffmpeg's icecast output starts with an ID3v2
// tag; files carry ID3v1 and APE tags). They are not audio and must not reach listeners.

/** Length of a tag starting at `pos`, 0 if none starts there, -1 if more bytes are needed to tell. */
export function tagLengthAt(buf: Buffer, pos: number): number {
  const avail = buf.length - pos;
  if (avail < 3) return -1;
  const b0 = buf[pos];
  if (b0 === 0x49 && buf[pos + 1] === 0x44 && buf[pos + 2] === 0x33) {
    // "ID3" v2: 10-byte header, syncsafe size, optional 10-byte footer
    if (avail < 10) return -1;
    const major = buf[pos + 3];
    const s = [buf[pos + 6], buf[pos + 7], buf[pos + 8], buf[pos + 9]];
    if (major === 0xff || buf[pos + 4] === 0xff || s.some((x) => x & 0x80)) return 0;
    const size = (s[0] << 21) | (s[1] << 14) | (s[2] << 7) | s[3];
    const footer = buf[pos + 5] & 0x10 ? 10 : 0;
    return 10 + size + footer;
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
    return isHeader ? 32 + size : 32;
  }
  return 0;
}
