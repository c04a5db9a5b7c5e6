import * as fs from "node:fs";
import { ErrorCode, LogxpyError } from "../errors";
import { takeTorn } from "./torn-lines";
import type { WriterFault } from "./writer";

/** How a file destination is opened. */
export interface OpenOptions {
  /** "w" truncates once at open; "a" appends. Writes always append (O_APPEND). */
  mode: "w" | "a";
  /** Delete the file before opening it. */
  clean: boolean;
  /** Permission bits of a newly created file. */
  fileMode: number;
}

const SLEEP_CELL = new Int32Array(new SharedArrayBuffer(4));

/** How long an opener waits to tell a torn last line from another process's write under way. */
const TORN_RECHECK_MS = 5;


/** Blocks the calling thread for `ms` without spinning (Atomics.wait is allowed on Node's main thread). */
export function sleepMs(ms: number): void {
  Atomics.wait(SLEEP_CELL, 0, 0, ms);
}

/**
 * An open log file that can be reopened by path. Pipes, FIFOs and character
 * devices are opened non-blocking, so a stalled reader shows up as EAGAIN
 * (which the writers wait out without spinning) instead of freezing a write.
 *
 * @example
 * const file = FileTarget.open("app.log", { mode: "a", clean: false, fileMode: 0o640 });
 */
export class FileTarget {
  readonly path: string;
  #fd: number;
  readonly #fileMode: number;

  private constructor(path: string, fd: number, fileMode: number) {
    this.path = path;
    this.#fd = fd;
    this.#fileMode = fileMode;
  }

  /** Opens (and with mode "w", truncates) a file; throws `LOGXPY_ERR_OPEN` with the errno. */
  static open(path: string, options: OpenOptions): FileTarget {
    if (options.clean) removeForClean(path);
    return new FileTarget(path, openFd(path, options.mode === "w", options.fileMode), options.fileMode);
  }

  get fd(): number {
    return this.#fd;
  }

  /** Permission bits of a file this target creates (rotation gives them to the files it makes). */
  get fileMode(): number {
    return this.#fileMode;
  }

  /** Opens the path again (appending) and closes the old descriptor. */
  reopen(): void {
    const fd = openFd(this.path, false, this.#fileMode);
    const old = this.#fd;
    this.#fd = fd;
    closeQuietly(old);
  }

  close(): void {
    closeQuietly(this.#fd);
    this.#fd = -1;
  }
}

/**
 * Deletes `path` for `clean: true`, before any writer opens it; a file that
 * is not there is fine. Throws `LOGXPY_ERR_OPEN` with the errno otherwise.
 *
 * @example
 * removeForClean("app.log");
 */
export function removeForClean(path: string): void {
  try {
    fs.rmSync(path, { force: true });
  } catch (err) {
    throw openError(path, err);
  }
}

function openFd(path: string, truncate: boolean, fileMode: number): number {
  const { O_WRONLY, O_CREAT, O_APPEND, O_TRUNC, O_NONBLOCK } = fs.constants;
  let flags = O_WRONLY | O_CREAT | O_APPEND;
  let special = false;
  try {
    const st = fs.statSync(path);
    if (st.isDirectory()) {
      throw new LogxpyError(ErrorCode.OPEN, `cannot log to ${path}: it is a directory`, { errno: "EISDIR", destination: path });
    }
    special = !st.isFile();
  } catch (err) {
    if (err instanceof LogxpyError) throw err;
    // ENOENT is the usual case: the file is created below.
  }
  if (special) flags |= O_NONBLOCK;
  else if (truncate) flags |= O_TRUNC;
  let fd: number;
  try {
    // Node adds O_CLOEXEC to every descriptor it opens, so children never inherit the log file.
    fd = fs.openSync(path, flags, fileMode);
  } catch (err) {
    throw openError(path, err);
  }
  if (!special) {
    // A regular file's torn end is dealt with here, by looking at it: the mark an earlier writer left is not needed.
    takeTorn(path);
    if (!truncate) endTornLine(path, fd);
  }
  return fd;
}

/**
 * A file left ending in half a line (a process killed, or a disk that
 * filled, in the middle of a write) gets a newline before anything is
 * appended: the fragment stays one bad line, and the first new record is
 * whole instead of glued onto it.
 *
 * Another process appending to the file may be in the middle of a write
 * the opener sees half of (the kernel copies a write page by page, and the
 * file's size grows as it goes). An empty write waits for a write under way
 * to finish (it takes the same inode lock on Linux's local file systems); a
 * file that still ends at the same half line after it, and again a moment
 * later, was torn, not being written. See ARCHITECTURE.md, "Torn lines".
 */
function endTornLine(path: string, fd: number): void {
  let reader: number | undefined;
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return;
    // The log descriptor is write-only; the last byte is read through a second one.
    reader = fs.openSync(path, "r");
    const last = Buffer.alloc(1);
    const tornAt = (at: number): boolean =>
      fs.fstatSync(fd).size === at && fs.readSync(reader!, last, 0, 1, at - 1) === 1 && last[0] !== 0x0a;
    if (!tornAt(size)) return;
    fs.writeSync(fd, EMPTY);
    if (!tornAt(size)) return;
    sleepMs(TORN_RECHECK_MS);
    if (tornAt(size)) fs.writeSync(fd, "\n");
  } catch {
    // A file that cannot be read back (write-only permissions) is appended to as it is.
  } finally {
    if (reader !== undefined) closeQuietly(reader);
  }
}

const EMPTY = Buffer.alloc(0);

function openError(path: string, err: unknown): LogxpyError {
  const errno = (err as NodeJS.ErrnoException).code;
  const why: Record<string, string> = {
    ENOENT: "its directory does not exist",
    EACCES: "permission denied",
    EPERM: "permission denied",
    EISDIR: "it is a directory",
    ENOTDIR: "a part of the path is not a directory",
    ENXIO: "it is a FIFO with no reader",
    EROFS: "the file system is read-only",
  };
  const reason = (errno && why[errno]) ?? (err as Error).message;
  return new LogxpyError(ErrorCode.OPEN, `cannot open log file ${path}: ${reason}`, {
    destination: path,
    cause: err,
    ...(errno === undefined ? {} : { errno }),
  });
}

function closeQuietly(fd: number): void {
  if (fd < 0) return;
  try {
    fs.closeSync(fd);
  } catch {
    // Closing can only fail for a descriptor that is already gone; nothing is lost.
  }
}

/** The outcome of one write attempt. */
export type WriteOutcome = { written: number } | { again: true } | { fault: WriterFault };

/**
 * Writes as much of `buf` as the descriptor takes in one call. EAGAIN (a full
 * pipe) and EINTR come back as `again`; any other error as a fault.
 */
export function writeOnce(fd: number, buf: Uint8Array, destination: string): WriteOutcome {
  try {
    return { written: fs.writeSync(fd, buf) };
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code;
    if (errno === "EAGAIN" || errno === "EINTR") return { again: true };
    return { fault: writeFault(err, destination) };
  }
}

/** A write error as a {@link WriterFault}, with the errno the OS gave. */
export function writeFault(err: unknown, destination: string): WriterFault {
  return fileFault(`write to ${destination} failed`, err, destination);
}

/**
 * A failed file operation around the writes (a rotation's rename, the
 * compression of a rotated file, a reopen) as a fault, `LOGXPY_ERR_WRITE`
 * unless `code` says otherwise: writing goes on, so it is reported, never thrown.
 *
 * @example
 * fileFault("cannot rotate app.log", err, "app.log").message; // "cannot rotate app.log: EACCES: ..."
 */
export function fileFault(what: string, err: unknown, destination: string, code: ErrorCode = ErrorCode.WRITE): WriterFault {
  const errno = err instanceof LogxpyError ? err.errno : (err as NodeJS.ErrnoException).code;
  return {
    code,
    message: `${what}: ${(err as Error).message ?? String(err)}`,
    destination,
    ...(errno === undefined ? {} : { errno }),
  };
}

/**
 * {@link writeAll} for a writer that writes each line before the log call
 * returns, remembering a stall: once a line has waited the whole timeout (a
 * reader that stopped reading), each line after it gets one try instead of
 * the timeout, so a stalled pipe costs one log call the timeout and the
 * others a write each, never every call the timeout. A line that goes
 * through, even in part, ends the stall: the rest of it gets the timeout.
 *
 * @example
 * const lines = new StallAwareWrites(5000);
 * lines.write((b) => writeOnce(1, b, "stdout"), Buffer.from(line), "stdout").fault;
 */
export class StallAwareWrites {
  readonly #timeoutMs: number;
  #stalled = false;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  write(attempt: WriteAttempt, buf: Uint8Array, destination: string): { written: number; fault?: WriterFault } {
    let result = writeAll(attempt, buf, destination, this.#stalled ? 0 : Date.now() + this.#timeoutMs);
    if (this.#stalled && result.written > 0 && result.fault?.code === ErrorCode.TIMEOUT) {
      const rest = writeAll(attempt, buf.subarray(result.written), destination, Date.now() + this.#timeoutMs);
      result = { written: result.written + rest.written, ...(rest.fault === undefined ? {} : { fault: rest.fault }) };
    }
    this.#stalled = result.fault?.code === ErrorCode.TIMEOUT;
    return result;
  }
}

/** One write attempt of some prefix of `buf`: {@link writeOnce} on a descriptor, or a rotating file's. */
export type WriteAttempt = (buf: Uint8Array) => WriteOutcome;

/**
 * Writes all of `buf` through a {@link WriteAttempt}, which may take fewer
 * bytes than offered (each call gets what is left), waiting out a full pipe
 * (EAGAIN) with a growing sleep, never a spin. Gives up at `deadline` (ms
 * since the epoch). Says how many bytes went
 * through, and the fault when not all did (a caller that gives up on a line
 * needs to know whether the destination now ends inside it).
 *
 * @example
 * writeAll((b) => rotation.writeOnce(b), Buffer.from(line), "app.log", Date.now() + 5000).fault;
 */
export function writeAll(attempt: WriteAttempt, buf: Uint8Array, destination: string, deadline: number): { written: number; fault?: WriterFault } {
  let offset = 0;
  let wait = 1;
  while (offset < buf.length) {
    const outcome = attempt(offset === 0 ? buf : buf.subarray(offset));
    if ("written" in outcome) {
      offset += outcome.written;
      wait = 1;
    } else if ("fault" in outcome) {
      return { written: offset, fault: outcome.fault };
    } else {
      if (Date.now() >= deadline) {
        return { written: offset, fault: { code: ErrorCode.TIMEOUT, errno: "EAGAIN", message: `${destination} accepted no data before the timeout`, destination } };
      }
      sleepMs(wait);
      wait = Math.min(wait * 2, 50);
    }
  }
  return { written: offset };
}
