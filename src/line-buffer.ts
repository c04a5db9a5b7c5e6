import { Buffer } from "node:buffer";

/** Strings up to this length are copied by a loop; longer ones by one call to the encoder. */
const SHORT_TEXT = 64;
/** A buffer grown past this by one huge record is replaced by a fresh one when it is emptied. */
const KEEP_BYTES = 1024 * 1024;

/**
 * A growable byte buffer that records are encoded into as UTF-8. Building a
 * line as bytes instead of as a string of concatenated pieces is what keeps
 * a log call cheap: no intermediate strings for the garbage collector, no
 * flattening or re-encoding when the line is handed to a writer (README,
 * "Measurements behind the design"). Out-of-range writes to a typed array are silently ignored, so
 * every method makes room first.
 *
 * @example
 * const out = new LineBuffer();
 * out.ascii('{"n":'); out.integer(42); out.ascii("}\n");
 * out.toString(0); // '{"n":42}\n'
 */
export class LineBuffer {
  buf: Buffer;
  /** Bytes filled; the next byte goes here. */
  pos = 0;
  readonly #initial: number;

  constructor(size = 16 * 1024) {
    this.#initial = size;
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.#grow(n);
  }

  byte(c: number): void {
    if (this.pos >= this.buf.length) this.#grow(1);
    this.buf[this.pos++] = c;
  }

  /** Text known to be ASCII: the record's own keys, numbers, ids. */
  ascii(s: string): void {
    const n = s.length;
    if (this.pos + n > this.buf.length) this.#grow(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Any text without lone surrogates (JSON text, say), as UTF-8. */
  text(s: string): void {
    const n = s.length;
    if (n <= SHORT_TEXT) {
      if (this.pos + n > this.buf.length) this.#grow(n);
      const buf = this.buf;
      let p = this.pos;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[p++] = c;
      }
      if (i === n) {
        this.pos = p;
        return;
      }
    }
    this.ensure(n * 3);
    this.pos += this.buf.write(s, this.pos, "utf8");
  }

  /** A non-negative safe integer's digits, without making a string of them. */
  integer(n: number): void {
    let digits = 1;
    for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
    if (this.pos + digits > this.buf.length) this.#grow(digits);
    const buf = this.buf;
    let p = this.pos + digits;
    this.pos = p;
    do {
      const q = Math.floor(n / 10);
      buf[--p] = 48 + (n - q * 10);
      n = q;
    } while (n > 0);
  }

  /** Copies `src[start, end)` in. */
  bytes(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (this.pos + n > this.buf.length) this.#grow(n);
    copyBytes(this.buf, this.pos, src, start, end);
    this.pos += n;
  }

  /** Bytes from `start` to the end as text. */
  toString(start: number): string {
    return this.buf.toString("utf8", start, this.pos);
  }

  /** Empties the buffer, giving back the memory one huge record made it take. */
  clear(): void {
    this.pos = 0;
    if (this.buf.length > KEEP_BYTES) this.buf = Buffer.allocUnsafe(this.#initial);
  }

  #grow(n: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}

/**
 * Copies `src[start, end)` to `dst` at `at`, which must have room: a loop for
 * a short line, one native copy for a long one (each is the cheaper there).
 */
export function copyBytes(dst: Uint8Array, at: number, src: Uint8Array, start: number, end: number): void {
  if (end - start > SHORT_TEXT * 4) {
    dst.set(src.subarray(start, end), at);
    return;
  }
  for (let i = start; i < end; i++) dst[at++] = src[i]!;
}
