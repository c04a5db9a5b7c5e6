import * as fs from "node:fs";
import { ErrorCode, LogxpyError } from "../errors";
import type { WriterFault } from "./writer";

/** Errors of `fdatasync` on something with nothing on disk to sync: a pipe, a terminal, a device. */
const NOTHING_TO_SYNC = new Set(["EINVAL", "ENOTSUP", "EOPNOTSUPP", "EROFS"]);

/**
 * `fdatasync` of a log file for durable flushes, coalesced: a call made
 * while a sync runs waits for the next one, which every such call shares.
 * So 1,000 concurrent `ainfo(…, { durable: "fsync" })` calls cost at most
 * two syncs, each on libuv's threadpool, never the event loop. A sync that
 * fails is handed to `fail` once (to be counted and reported), however many
 * callers it rejects.
 *
 * @example
 * const sync = new DataSync(() => target.fd, "app.log", report);
 * await sync.sync(); // what was written before is on disk
 */
export class DataSync {
  readonly #fd: () => number;
  readonly #destination: string;
  readonly #fail: (fault: WriterFault) => void;
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;

  constructor(fd: () => number, destination: string, fail: (fault: WriterFault) => void) {
    this.#fd = fd;
    this.#destination = destination;
    this.#fail = fail;
  }

  /** Resolves once everything written before the call is synced to disk; rejects with `LOGXPY_ERR_WRITE`. */
  sync(): Promise<void> {
    if (this.#running === undefined) return this.#start();
    if (this.#next === undefined) {
      const after = (): Promise<void> => {
        this.#next = undefined;
        return this.#start();
      };
      this.#next = this.#running.then(after, after);
    }
    return this.#next;
  }

  #start(): Promise<void> {
    const run = new Promise<void>((resolve, reject) => {
      const fd = this.#fd();
      // Closed meanwhile: closing flushed what it could and reported the rest, nothing is left to sync.
      if (fd < 0) return resolve();
      fs.fdatasync(fd, (err) => {
        if (err === null || NOTHING_TO_SYNC.has(err.code ?? "")) return resolve();
        const errno = err.code === undefined ? {} : { errno: err.code };
        const message = `cannot sync ${this.#destination} to disk: ${err.message}`;
        this.#fail({ code: ErrorCode.WRITE, message, destination: this.#destination, ...errno });
        reject(new LogxpyError(ErrorCode.WRITE, message, { destination: this.#destination, ...errno, cause: err }));
      });
    });
    const running = run.finally(() => {
      if (this.#running === running) this.#running = undefined;
    });
    this.#running = running;
    running.catch(() => {}); // the caller of `sync` sees the rejection
    return run;
  }
}
