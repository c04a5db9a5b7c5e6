import { copyBytes } from "../line-buffer";

/** Bytes of one chunk; a larger line gets a chunk of its own size. */
const CHUNK_BYTES = 256 * 1024;

interface Chunk {
  buf: Buffer;
  /** Bytes filled. */
  end: number;
  /** Whole records between the read position and `end`. */
  records: number;
}

/**
 * Queued lines, copied as they arrive into large reusable chunks of bytes.
 * Keeping one string per queued line made the garbage collector the largest
 * cost of logging (every queued string survived a scavenge and was promoted;
 * README, "Measurements behind the design"); bytes in a few big buffers cost
 * it nothing.
 * A line never holds a raw newline (the serializer escapes them), so the
 * next `\n` is always the end of a record.
 *
 * @example
 * const q = new LineQueue();
 * const line = Buffer.from('{"a":1}\n');
 * q.push(line, 0, line.length);
 * const { bytes, records } = q.take(); // one record
 */
export class LineQueue {
  #chunks: Chunk[] = [{ buf: Buffer.allocUnsafe(CHUNK_BYTES), end: 0, records: 0 }];
  /** Read position in the first chunk. */
  #read = 0;
  #records = 0;

  /** Records queued. */
  get records(): number {
    return this.#records;
  }

  /** Appends one line (with its `\n`): a copy of `src[start, end)`. */
  push(src: Uint8Array, start: number, end: number): void {
    let c = this.#chunks[this.#chunks.length - 1]!;
    const size = end - start;
    if (c.buf.length - c.end < size) {
      c = { buf: Buffer.allocUnsafe(Math.max(CHUNK_BYTES, size)), end: 0, records: 0 };
      this.#chunks.push(c);
    }
    copyBytes(c.buf, c.end, src, start, end);
    c.end += size;
    c.records++;
    this.#records++;
  }

  /** Removes the oldest record. */
  dropOldest(): void {
    const c = this.#chunks[0]!;
    this.#read = c.buf.indexOf(10, this.#read) + 1;
    c.records--;
    this.#records--;
    this.#advance();
  }

  /**
   * Takes the records of the first chunk as one slice of bytes. The slice is
   * valid only until the next `push`: write it (or copy it) before then.
   */
  take(): { bytes: Buffer; records: number } {
    const c = this.#chunks[0]!;
    const bytes = c.buf.subarray(this.#read, c.end);
    const records = c.records;
    this.#read = c.end;
    c.records = 0;
    this.#records -= records;
    this.#advance();
    return { bytes, records };
  }

  /**
   * Moves past an emptied first chunk. When it was the only one, it is
   * swapped with a spare rather than rewound: the slice `take` just returned
   * must survive lines pushed while it is being written (an error listener
   * that logs, say), and the spare is free by the next `take`.
   */
  #advance(): void {
    const c = this.#chunks[0]!;
    if (this.#read < c.end) return;
    if (this.#chunks.length > 1) {
      this.#chunks.shift();
    } else {
      const spare = this.#spare ?? { buf: Buffer.allocUnsafe(CHUNK_BYTES), end: 0, records: 0 };
      spare.end = 0;
      spare.records = 0;
      this.#chunks[0] = spare;
      this.#spare = c.buf.length === CHUNK_BYTES ? c : undefined;
    }
    this.#read = 0;
  }

  /** The chunk the last `take` emptied, reused by the next swap. */
  #spare: Chunk | undefined;

  /** Forgets every queued record. */
  clear(): void {
    this.#chunks = [this.#chunks[0]!];
    this.#chunks[0]!.end = 0;
    this.#chunks[0]!.records = 0;
    this.#read = 0;
    this.#records = 0;
  }
}
