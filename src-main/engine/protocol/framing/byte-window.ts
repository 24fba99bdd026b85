// The bytes a framer holds between pushes (a frame or page split across reads). Append-only: bytes are never
// moved or overwritten once written, because the frames cut from them are views that listeners' sockets may
// still be sending. Growth is geometric, so a frame that arrives a byte at a time costs each byte one copy
// (plus an amortised share of one re-copy), not a copy of everything held so far per push.

const MIN_CAPACITY = 16 * 1024;

export class ByteWindow {
  private store: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;

  get length(): number {
    return this.end - this.start;
  }

  /** Appends `data` (copied) and returns a view of everything held. */
  append(data: Buffer): Buffer {
    const held = this.end - this.start;
    if (this.end + data.length > this.store.length) {
      // a fresh store: the old one stays intact for the frames that view it. Twice what is held, so bytes
      // that trickle in are copied a bounded number of times; but no slack for a big read, whose frames
      // (views into the store) the ring keeps: doubling it too would pin twice the audio
      const next = Buffer.allocUnsafe(Math.max(MIN_CAPACITY, held + data.length, 2 * held));
      this.store.copy(next, 0, this.start, this.end);
      this.store = next;
      this.start = 0;
      this.end = held;
    }
    data.copy(this.store, this.end);
    this.end += data.length;
    return this.store.subarray(this.start, this.end);
  }

  /**
   * A framer's push: runs `cut` over what is held plus `data` — over `data` itself, without a copy, when
   * nothing is held — once at least `need` bytes are there, and keeps the bytes `cut` did not use (it
   * returns how many it used).
   */
  feed(data: Buffer, need: number, cut: (buf: Buffer) => number): void {
    let buf = data;
    if (this.end > this.start) {
      buf = this.append(data);
      if (buf.length < need) return;
    }
    const used = cut(buf);
    if (buf === data) {
      if (used < data.length) this.append(data.subarray(used));
    } else this.consume(used);
  }

  /** Drops the first `n` bytes held (they became frames or were skipped). */
  consume(n: number): void {
    this.start += Math.min(n, this.end - this.start);
  }

  /** Forgets everything held; the store is dropped, never reused, since frames may view it. */
  clear(): void {
    this.store = Buffer.alloc(0);
    this.start = this.end = 0;
  }
}
