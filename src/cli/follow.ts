import type { Stats } from "node:fs";
import { type FileHandle, open, stat } from "node:fs/promises";
import { type LineBatch, type LongLineHandler, MAX_LINE_BYTES } from "./lines";

/** What a follower reports besides lines: rotation, truncation, a file not there yet. */
export type FollowNote = (text: string) => void;

/** Bytes read from the file in one go. */
const CHUNK = 1 << 20;

/**
 * Reads a growing file like `tail -F`: from its last `lines` lines, then
 * what is appended, polling every `intervalMs`. When the path is renamed
 * away (logxpy's `rotate`, logrotate) the old file is read to its end and
 * the new one from its start; when the file shrinks (copytruncate) it is
 * read again from its start. Only whole lines are handed over; a line
 * longer than `MAX_LINE_BYTES` is dropped as it is read, as `splitLines` does.
 *
 * @example
 * const tail = new Follower("app.log", (batch) => show(batch), (note) => console.error(note), (line) => tooLong(line));
 * await tail.start(10);
 */
export class Follower {
  #fh: FileHandle | undefined;
  #ino = -1;
  #pos = 0;
  #line = 1;
  /** The start of a line not ended yet, in pieces: joined once, when its newline comes. */
  #carry: Buffer[] = [];
  #carryBytes = 0;
  /** True while reading past a line too long to keep, up to its newline. */
  #skipping = false;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #missing = false;

  constructor(
    readonly path: string,
    readonly onBatch: (batch: LineBatch) => void,
    readonly onNote: FollowNote,
    readonly onLong: LongLineHandler,
    readonly intervalMs = 200,
  ) {}

  /** Opens the file at its last `lines` lines and starts polling; `tick` runs after every poll. */
  async start(lines: number, tick: () => void): Promise<void> {
    await this.#reopen(lines);
    const loop = async () => {
      if (!this.#busy) {
        this.#busy = true;
        try {
          await this.#poll();
        } finally {
          this.#busy = false;
        }
      }
      tick();
    };
    await loop();
    this.#timer = setInterval(() => void loop(), this.intervalMs);
  }

  /** Stops polling and closes the file. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#fh?.close();
    this.#fh = undefined;
  }

  async #reopen(lines: number): Promise<void> {
    try {
      const fh = await open(this.path, "r");
      const st = await fh.stat();
      this.#fh = fh;
      this.#ino = st.ino;
      this.#pos = lines < 0 ? 0 : await startOfLastLines(fh, st.size, lines);
      this.#line = 1 + (await countNewlines(fh, this.#pos));
      this.#forget();
      this.#missing = false;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      if (!this.#missing) this.onNote(`logxpy: ${this.path}: no such file yet; waiting for it`);
      this.#missing = true;
    }
  }

  async #poll(): Promise<void> {
    if (this.#fh === undefined) {
      await this.#reopen(-1);
      if (this.#fh === undefined) return;
    }
    let st: Stats | undefined;
    try {
      st = await stat(this.path);
    } catch {
      st = undefined; // between rename and create: keep reading the old file
    }
    if (st !== undefined && st.ino !== this.#ino) {
      await this.#drain();
      if (this.#carryBytes > 0) this.onBatch({ first: this.#line, texts: [Buffer.concat(this.#carry).toString("utf8")], unterminated: true });
      await this.#fh.close();
      this.#fh = undefined;
      this.onNote(`logxpy: ${this.path} was rotated; following the new file`);
      await this.#reopen(-1);
      if (this.#fh !== undefined) await this.#drain();
      return;
    }
    if (st !== undefined && st.size < this.#pos) {
      this.onNote(`logxpy: ${this.path} was truncated; reading it from its start`);
      this.#pos = 0;
      this.#line = 1;
      this.#forget();
    }
    await this.#drain();
  }

  /** Reads to the current end of the open file. */
  async #drain(): Promise<void> {
    const fh = this.#fh!;
    const buf = Buffer.alloc(CHUNK);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, this.#pos);
      if (bytesRead === 0) return;
      this.#pos += bytesRead;
      this.#take(buf.subarray(0, bytesRead));
    }
  }

  /** Hands over the whole lines that end in `chunk` (a view of the reused read buffer) and keeps the rest. */
  #take(chunk: Buffer): void {
    let start = 0;
    if (this.#skipping) {
      const nl = chunk.indexOf(10);
      if (nl < 0) return;
      this.#skipping = false;
      this.#line++;
      start = nl + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last < start) {
      this.#carry.push(Buffer.from(chunk.subarray(start)));
      this.#carryBytes += chunk.length - start;
      if (this.#carryBytes > MAX_LINE_BYTES) {
        this.onLong(this.#line);
        this.#forget();
        this.#skipping = true;
      }
      return;
    }
    const head = chunk.subarray(start, last);
    const texts = (this.#carryBytes > 0 ? Buffer.concat([...this.#carry, head]) : head).toString("utf8").split("\n");
    this.#carry = [Buffer.from(chunk.subarray(last + 1))];
    this.#carryBytes = this.#carry[0]!.length;
    this.onBatch({ first: this.#line, texts, unterminated: false });
    this.#line += texts.length;
  }

  #forget(): void {
    this.#carry = [];
    this.#carryBytes = 0;
    this.#skipping = false;
  }
}

/** The offset where the last `lines` lines of the file begin. */
async function startOfLastLines(fh: FileHandle, size: number, lines: number): Promise<number> {
  if (lines === 0) return size;
  const block = Buffer.alloc(64 * 1024);
  let end = size;
  let seen = 0;
  while (end > 0) {
    const start = Math.max(0, end - block.length);
    const { bytesRead } = await fh.read(block, 0, end - start, start);
    for (let i = bytesRead - 1; i >= 0; i--) {
      // The newline that ends the file does not start a line.
      if (block[i] === 10 && start + i !== size - 1 && ++seen === lines) return start + i + 1;
    }
    end = start;
  }
  return 0;
}

async function countNewlines(fh: FileHandle, upTo: number): Promise<number> {
  const block = Buffer.alloc(CHUNK);
  let n = 0;
  for (let pos = 0; pos < upTo; ) {
    const { bytesRead } = await fh.read(block, 0, Math.min(CHUNK, upTo - pos), pos);
    if (bytesRead === 0) break;
    for (let i = block.indexOf(10); i >= 0 && i < bytesRead; i = block.indexOf(10, i + 1)) n++;
    pos += bytesRead;
  }
  return n;
}
