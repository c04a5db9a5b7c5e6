import {
  closeSync,
  createReadStream,
  createWriteStream,
  fsync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { pipeline } from "node:stream";
import { createGzip, gzipSync } from "node:zlib";

/**
 * Gzips a rotated log file to `<file>.gz`, then removes it. The work runs on
 * libuv's threadpool: the event loop, from which the pure-TypeScript writer
 * writes, only starts it, so a large file costs the log calls nothing.
 *
 * The file is compressed to `<file>.gz.tmp`, synced and renamed, and only
 * then is the original removed: a process that ends midway leaves the
 * original whole (at worst beside a stray `.gz.tmp`, which the next
 * compression of that slot overwrites), never a truncated `.gz`.
 *
 * `finishSync` completes the job on the calling thread instead, for when it
 * cannot wait: before the rotated files' names shift, and in a synchronous
 * flush (at exit, say). It reads the whole file into memory to do so.
 *
 * @example
 * const job = new GzipFile("app.log.1", 0o640, (what, err) => report(what, err));
 * await job.done; // app.log.1.gz, and no app.log.1
 */
export class GzipFile {
  /** Settles when the threadpool's part is over (or was never started); never rejects. */
  readonly done: Promise<void>;
  readonly #source: string;
  readonly #partial: string;
  readonly #fileMode: number;
  readonly #fail: (what: string, err: unknown) => void;
  /** Set once the outcome is decided, by whichever of the two ways got there first. */
  #over = false;

  constructor(source: string, fileMode: number, fail: (what: string, err: unknown) => void) {
    this.#source = source;
    this.#partial = `${source}.gz.tmp`;
    this.#fileMode = fileMode;
    this.#fail = fail;
    let input: number | undefined;
    let output: number;
    try {
      input = openSync(source, "r");
      // Both are opened now, not lazily by the streams, so that finishSync knows which file the threadpool writes.
      output = openSync(this.#partial, "w", fileMode);
    } catch (err) {
      if (input !== undefined) closeSync(input);
      this.#give(err);
      this.done = Promise.resolve();
      return;
    }
    const fd = output;
    this.done = new Promise((resolve) => {
      const gzipped = createWriteStream("", { fd, autoClose: false });
      pipeline(createReadStream("", { fd: input }), createGzip(), gzipped, (err) => {
        const end = (endErr: Error | null | undefined): void => {
          try {
            closeSync(fd);
          } catch {
            // Only a descriptor already gone fails to close; nothing is lost, and this callback must not throw.
          }
          if (!this.#over) this.#settle(endErr);
          resolve();
        };
        if (err || this.#over) end(err);
        // On disk before the original goes, so that a crash cannot lose both.
        else fsync(fd, end);
      });
    });
  }

  /** Completes the job on this thread if the threadpool has not yet. */
  finishSync(): void {
    if (this.#over) return;
    this.#over = true;
    try {
      // The threadpool's work goes on into a file no name points to any more.
      unlinkSync(this.#partial);
      const out = openSync(this.#partial, "w", this.#fileMode);
      try {
        writeFileSync(out, gzipSync(readFileSync(this.#source)));
        fsyncSync(out);
      } finally {
        closeSync(out);
      }
      this.#publish();
    } catch (err) {
      this.#give(err);
    }
  }

  /** The threadpool's outcome, when it comes first. */
  #settle(err: Error | null | undefined): void {
    this.#over = true;
    try {
      if (err) throw err;
      this.#publish();
    } catch (e) {
      this.#give(e);
    }
  }

  #publish(): void {
    renameSync(this.#partial, `${this.#source}.gz`);
    unlinkSync(this.#source);
  }

  /** Gives up: the original stays, uncompressed, and the fault is reported. */
  #give(err: unknown): void {
    this.#over = true;
    try {
      unlinkSync(this.#partial);
    } catch {
      // Never created, or already renamed.
    }
    this.#fail(`cannot compress ${this.#source}`, err);
  }
}
