import { fstatSync, lstatSync, renameSync, unlinkSync } from "node:fs";
import type { RotateSettings } from "../options";
import { fileFault, writeOnce, type FileTarget, type WriteAttempt, type WriteOutcome } from "./fd";
import { GzipFile } from "./gzip-file";
import type { WriterFault } from "./writer";

/**
 * How long a failed rotation waits before it is tried again, as in the Rust
 * writer; meanwhile lines go on into the current file. Without a pause, a
 * refused rename would be retried, and reported, at every write.
 */
const RETRY_AFTER_MS = 1000;

/** The names a rotated file can have in its slot. */
const SLOT_SUFFIXES = ["", ".gz"] as const;

const NEWLINE = 0x0a;

/**
 * Size rotation of a file for the pure-TypeScript writers, asynchronous and
 * synchronous alike (the native writer rotates in Rust, the same way). See
 * `RotateOptions` for what the user sees.
 *
 * A write attempt only ever takes a prefix of the offered bytes that ends a
 * line. The writers already resume after a short write, so they offer the
 * rest again, and by then the file is full: it rotates first. The file's
 * size is counted, not asked of the file system at each write.
 *
 * @example
 * const rotation = Rotator.of(target, settings.rotate, () => watch.rebase(target.fd), report);
 * const attempt = writeAttempt(target, rotation);
 */
export class Rotator {
  readonly #target: FileTarget;
  readonly #settings: RotateSettings;
  readonly #switched: () => void;
  readonly #fail: (fault: WriterFault) => void;
  /** Bytes in the current file. */
  #size: number;
  /** Whether the current file ends with a whole line: a line begun in a file (before a short write) is finished in it. */
  #atLineStart = true;
  /** After a failed rotation: no new try before this time (ms since the epoch). */
  #retryAt = 0;
  #gzip: GzipFile | undefined;

  private constructor(target: FileTarget, settings: RotateSettings, size: number, switched: () => void, fail: (fault: WriterFault) => void) {
    this.#target = target;
    this.#settings = settings;
    this.#size = size;
    this.#switched = switched;
    this.#fail = fail;
  }

  /**
   * The rotation of `target`, or undefined when there is none to do: no
   * settings, or not a regular file (a FIFO or a device has no size to
   * rotate by). `switched` runs after each switch to a new file; `fail`
   * gets what went wrong in rotating, to count and report.
   */
  static of(
    target: FileTarget,
    settings: RotateSettings | undefined,
    switched: () => void,
    fail: (fault: WriterFault) => void,
  ): Rotator | undefined {
    if (settings === undefined) return undefined;
    const st = fstatSync(target.fd);
    return st.isFile() ? new Rotator(target, settings, st.size, switched, fail) : undefined;
  }

  /** One write attempt: the lines of `buf` that belong in the current file, rotating first when not one more fits. */
  writeOnce(buf: Uint8Array): WriteOutcome {
    const take = this.#bytesForThisFile(buf);
    const outcome = writeOnce(this.#target.fd, take === buf.length ? buf : buf.subarray(0, take), this.#target.path);
    if ("written" in outcome && outcome.written > 0) {
      this.#size += outcome.written;
      this.#atLineStart = buf[outcome.written - 1] === NEWLINE;
    }
    return outcome;
  }

  /** Resolves once the compression under way, if any, is done. */
  settled(): Promise<void> {
    return this.#gzip?.done ?? Promise.resolve();
  }

  /** Finishes the compression under way, if any, on this thread. */
  settleSync(): void {
    this.#gzip?.finishSync();
    this.#gzip = undefined;
  }

  /**
   * After the target was reopened by path (someone else moved the file):
   * measures the file found there. A rotation held back after a failure is
   * tried again at the next write, since a reopen is how a fixed cause is announced.
   */
  reopened(): void {
    try {
      this.#size = fstatSync(this.#target.fd).size;
    } catch {
      this.#size = 0;
    }
    this.#atLineStart = true;
    this.#retryAt = 0;
  }

  #bytesForThisFile(buf: Uint8Array): number {
    const fit = wholeLinesWithin(buf, this.#settings.sizeBytes - this.#size);
    if (fit > 0 || buf.length === 0) return fit;
    // A line begun in this file ends in it; a line longer than the size gets a file of its own.
    if (!this.#atLineStart || this.#size === 0) return firstLine(buf);
    if (Date.now() < this.#retryAt) return buf.length;
    if (!this.#rotate()) {
      this.#retryAt = Date.now() + RETRY_AFTER_MS;
      return buf.length;
    }
    return wholeLinesWithin(buf, this.#settings.sizeBytes) || firstLine(buf);
  }

  #rotate(): boolean {
    // The compression of the previous `.1` reads a name about to shift.
    this.settleSync();
    const path = this.#target.path;
    const first = `${path}.1`;
    try {
      shift(path, this.#settings.keep);
      renameSync(path, first);
    } catch (err) {
      this.#fail(fileFault(`cannot rotate ${path}`, err, path));
      return false;
    }
    try {
      this.#target.reopen();
    } catch (err) {
      // Give the open file its name back, so the path and the lines going on into that file agree again.
      try {
        renameSync(first, path);
      } catch {
        // The lines still go on into the open file, now named `.1`; the fault below says why.
      }
      this.#fail(fileFault(`cannot create a new ${path}`, err, path));
      return false;
    }
    this.#size = 0;
    this.#atLineStart = true;
    this.#retryAt = 0;
    this.#switched();
    if (this.#settings.compress) {
      this.#gzip = new GzipFile(first, this.#target.fileMode, (what, err) => this.#fail(fileFault(what, err, path)));
    }
    return true;
  }
}

/**
 * The write attempt a writer uses, chosen once: through `rotation` when
 * there is one, else straight to the descriptor.
 *
 * @example
 * const attempt = writeAttempt(target, Rotator.of(target, settings, rebase, report));
 */
export function writeAttempt(target: FileTarget, rotation: Rotator | undefined): WriteAttempt {
  if (rotation !== undefined) return (buf) => rotation.writeOnce(buf);
  return (buf) => writeOnce(target.fd, buf, target.path);
}

/**
 * Frees slot 1: moves `<path>.1`… (plain or `.gz`) up one number, deleting
 * what is in slot `keep`. Only the unbroken run of slots from 1 moves; a
 * file above a gap is older than all of them and stays until the run reaches it.
 */
function shift(path: string, keep: number): void {
  const slot = (n: number, suffix: string): string => `${path}.${n}${suffix}`;
  const taken = (n: number): boolean => SLOT_SUFFIXES.some((s) => lstatSync(slot(n, s), { throwIfNoEntry: false }) !== undefined);
  let top = 0;
  while (top < keep && taken(top + 1)) top++;
  if (top === keep) {
    for (const s of SLOT_SUFFIXES) absentIsFine(() => unlinkSync(slot(keep, s)));
    top--;
  }
  for (let n = top; n >= 1; n--) {
    for (const s of SLOT_SUFFIXES) absentIsFine(() => renameSync(slot(n, s), slot(n + 1, s)));
  }
}

function absentIsFine(op: () => void): void {
  try {
    op();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}

/** The longest prefix of `buf` that fits in `room` bytes and ends a line (or is all of `buf`); 0 if there is none. */
function wholeLinesWithin(buf: Uint8Array, room: number): number {
  if (buf.length <= room) return buf.length;
  return room <= 0 ? 0 : buf.lastIndexOf(NEWLINE, room - 1) + 1;
}

/** The end of the first line in `buf` (or of `buf`, if it has no newline). */
function firstLine(buf: Uint8Array): number {
  const i = buf.indexOf(NEWLINE);
  return i < 0 ? buf.length : i + 1;
}
