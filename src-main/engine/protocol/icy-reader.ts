// Reads an upstream's ICY-interleaved stream (Icy-MetaData: 1): after every `metaint` audio bytes, one length
// byte L and L*16 bytes of metadata. Audio goes out as views of the input (no copies); a metadata block is at
// most 255*16 bytes, collected into one buffer allocated once. Constant work per byte, whatever the upstream.

const MAX_META = 255 * 16;

export class IcyReader {
  /** audio bytes left before the next length byte */
  private untilMeta: number;
  /** -1: reading audio; otherwise metadata bytes still to read */
  private metaLeft = -1;
  private readonly meta = Buffer.alloc(MAX_META);
  private metaLen = 0;
  private lastBlock = '';

  constructor(
    private readonly metaint: number,
    private readonly onAudio: (data: Buffer) => void,
    /** a new StreamTitle (and StreamUrl); repeated blocks with the same text are not reported again */
    private readonly onTitle: (title: string, url: string) => void,
  ) {
    this.untilMeta = metaint;
  }

  push(d: Buffer): void {
    let p = 0;
    while (p < d.length) {
      if (this.metaLeft < 0) {
        const n = Math.min(this.untilMeta, d.length - p);
        if (n > 0) this.onAudio(p === 0 && n === d.length ? d : d.subarray(p, p + n));
        p += n;
        this.untilMeta -= n;
        if (this.untilMeta === 0 && p < d.length) {
          this.metaLeft = d[p++] * 16;
          this.metaLen = 0;
          if (this.metaLeft === 0) this.endBlock();
        }
      } else {
        const n = Math.min(this.metaLeft, d.length - p);
        d.copy(this.meta, this.metaLen, p, p + n);
        this.metaLen += n;
        this.metaLeft -= n;
        p += n;
        if (this.metaLeft === 0) this.endBlock();
      }
    }
  }

  private endBlock(): void {
    this.metaLeft = -1;
    this.untilMeta = this.metaint;
    if (this.metaLen === 0) return;
    const text = this.meta.toString('latin1', 0, this.metaLen);
    if (text === this.lastBlock) return;
    this.lastBlock = text;
    const title = icyField(this.meta, this.metaLen, 'StreamTitle');
    if (title !== null) this.onTitle(title, icyField(this.meta, this.metaLen, 'StreamUrl') ?? '');
  }
}

/** One `Name='value';` field of a metadata block, found in linear time; UTF-8, else Latin-1 (older encoders). */
export function icyField(block: Buffer, length: number, name: string): string | null {
  const key = Buffer.from(`${name}='`, 'latin1');
  const at = block.subarray(0, length).indexOf(key);
  if (at < 0) return null;
  const from = at + key.length;
  let to = block.subarray(0, length).indexOf("';", from, 'latin1');
  if (to < 0) {
    // unterminated: up to the zero padding
    to = block.subarray(0, length).indexOf(0, from);
    if (to < 0) to = length;
  }
  const raw = block.subarray(from, to);
  const utf8 = raw.toString('utf8');
  return utf8.includes('\uFFFD') ? raw.toString('latin1') : utf8;
}
