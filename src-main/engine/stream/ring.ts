// The stream buffer: a bounded queue of immutable chunks with absolute byte positions. Listeners hold
// (chunk sequence, offset) cursors into it. A chunk is never written after it is appended, so a socket that
// still holds a reference to it (a slow listener's pending write) always sends the bytes it was given.

export interface Chunk {
  /** sequence number: chunk n+1 directly follows chunk n */
  readonly seq: number;
  /** absolute byte position of the chunk's first byte in the stream */
  readonly start: number;
  readonly data: Buffer;
  /** plays for this many seconds (sum of its frames' durations) */
  readonly duration: number;
}

export class StreamRing {
  private chunks: (Chunk | undefined)[] = [];
  /** index in `chunks` of the oldest chunk */
  private oldest = 0;
  private bytes = 0;
  private nextSeq = 0;
  private endPos = 0;

  constructor(public capacity: number) {}

  /** Appends whole frames as one chunk, evicting the oldest chunks beyond capacity. */
  append(data: Buffer, duration: number): Chunk {
    const chunk: Chunk = { seq: this.nextSeq++, start: this.endPos, data, duration };
    this.chunks.push(chunk);
    this.bytes += data.length;
    this.endPos += data.length;
    while (this.bytes > this.capacity && this.size > 1) {
      const old = this.chunks[this.oldest]!;
      this.chunks[this.oldest++] = undefined;
      this.bytes -= old.data.length;
    }
    if (this.oldest > 1024 && this.oldest * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.oldest);
      this.oldest = 0;
    }
    return chunk;
  }

  get size(): number {
    return this.chunks.length - this.oldest;
  }

  /** bytes held */
  get length(): number {
    return this.bytes;
  }

  /** absolute position just past the newest byte */
  get headPos(): number {
    return this.endPos;
  }

  /** absolute position of the oldest byte still held */
  get tailPos(): number {
    return this.endPos - this.bytes;
  }

  /** sequence number the next appended chunk will get */
  get headSeq(): number {
    return this.nextSeq;
  }

  get tailSeq(): number {
    return this.nextSeq - this.size;
  }

  /** the chunk with this sequence number, or undefined if it was evicted or is not there yet */
  get(seq: number): Chunk | undefined {
    const i = seq - this.tailSeq;
    return i >= 0 && i < this.size ? this.chunks[this.oldest + i] : undefined;
  }

  /** Seconds of audio in the chunks from sequence number `seq` (at most the tail) to the head. */
  secondsFrom(seq: number): number {
    let s = 0;
    for (let q = Math.max(seq, this.tailSeq); q < this.nextSeq; q++) s += this.chunks[this.oldest + q - this.tailSeq]!.duration;
    return s;
  }

  /** Drops every chunk (a mount that is gone gives its memory back at once). Positions keep counting. */
  clear(): void {
    this.chunks = [];
    this.oldest = 0;
    this.bytes = 0;
  }

  /**
   * Sequence number of the chunk where a new listener starts: the oldest chunk that begins no earlier than
   * `burstBytes` before the head and no earlier than `notBefore` (a position), so the burst is at most
   * `burstBytes` and starts on a frame boundary. Returns headSeq (wait for the next chunk) if none fits.
   */
  burstStart(burstBytes: number, notBefore = 0): number {
    const from = Math.max(this.endPos - burstBytes, notBefore);
    let lo = this.tailSeq;
    let hi = this.nextSeq; // first chunk with start >= from lies in [lo, hi]
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.get(mid)!.start >= from) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

}
