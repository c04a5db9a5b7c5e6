import { ErrorCode, LogxpyError } from "../errors";
import type { WriterFault } from "./writer";

/** What a flush asks for, as the logger passes it to each writer. */
export interface FlushOptions {
  /** Give up this many milliseconds after the call, progress or not. */
  timeoutMs?: number;
  /** Also sync the written data to disk (`fdatasync`) before resolving. */
  durable?: boolean;
}

/** What a {@link FlushBound} reads from its writer. */
export interface FlushProgress {
  /** Records written or dropped so far: any change is progress. */
  settled(): number;
  /** Records still waiting to be written. */
  pending(): number;
  /** The last I/O failure the writer reported, if any. */
  lastFault(): WriterFault | undefined;
}

interface Waiter {
  reject(err: LogxpyError): void;
  /** Give up at this time (ms since the epoch) whatever happens; Infinity for no explicit timeout. */
  deadline: number;
  since: number;
}

/**
 * Makes every flush of one writer settle. A flush resolves when what was
 * logged before it is written; while it waits, one timer per writer (not
 * per flush) watches the writer's progress, and a flush is rejected with
 * `LOGXPY_ERR_TIMEOUT` once the destination has written nothing for
 * `stallMs` (the shutdown timeout), or at its own explicit timeout. The
 * timer is referenced, so a pending flush keeps the process up until it
 * settles, and never longer.
 *
 * @example
 * const bound = new FlushBound("app.log", 5000, writerProgress);
 * await bound.settle(waitUntilWritten(), { timeoutMs: 1000 });
 */
export class FlushBound {
  readonly #destination: string;
  readonly #stallMs: number;
  readonly #progress: FlushProgress;
  readonly #waiters = new Set<Waiter>();
  #timer: NodeJS.Timeout | undefined;
  #settled = 0;
  #movedAt = 0;
  #tickedAt = 0;
  readonly #tickMs: number;

  constructor(destination: string, stallMs: number, progress: FlushProgress) {
    this.#destination = destination;
    this.#stallMs = stallMs;
    this.#progress = progress;
    this.#tickMs = Math.max(5, Math.min(250, stallMs / 4));
  }

  /** Whether a flush is waiting (and so keeps the process up). */
  get waiting(): boolean {
    return this.#waiters.size > 0;
  }

  /** `done`, or a `LOGXPY_ERR_TIMEOUT` rejection when the writer stalls or `timeoutMs` passes first. */
  settle(done: Promise<void>, options: FlushOptions = {}): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const now = Date.now();
      const waiter: Waiter = { reject, deadline: options.timeoutMs === undefined ? Infinity : now + options.timeoutMs, since: now };
      this.#waiters.add(waiter);
      this.#watch(now);
      done.then(
        () => {
          this.#forget(waiter);
          resolve();
        },
        (err: unknown) => {
          this.#forget(waiter);
          reject(err);
        },
      );
    });
  }

  /**
   * The error a flush that cannot finish is rejected with: how many records
   * are still pending, and the last I/O error as its cause.
   *
   * @example
   * bound.failure("the writer gave up on them").pending; // 42
   */
  failure(why: string): LogxpyError {
    const pending = this.#progress.pending();
    const fault = this.#progress.lastFault();
    const cause = fault === undefined ? undefined : new LogxpyError(fault.code as ErrorCode, fault.message, { destination: fault.destination, ...(fault.errno === undefined ? {} : { errno: fault.errno }) });
    const last = fault === undefined ? "" : `; last error: ${fault.errno ?? fault.code}: ${fault.message}`;
    return new LogxpyError(ErrorCode.TIMEOUT, `flush of ${this.#destination} did not finish: ${why}; ${pending} record(s) still pending${last}`, {
      destination: this.#destination,
      pending,
      ...(fault?.errno === undefined ? {} : { errno: fault.errno }),
      ...(cause === undefined ? {} : { cause }),
    });
  }

  #watch(now: number): void {
    if (this.#timer !== undefined) return;
    this.#settled = this.#progress.settled();
    this.#movedAt = this.#tickedAt = now;
    this.#timer = setInterval(() => this.#check(), this.#tickMs);
  }

  #check(): void {
    const now = Date.now();
    const settled = this.#progress.settled();
    // Nothing pending is no stall: the answer is on its way. Nor can a tick that comes late (the
    // event loop was busy elsewhere) tell whether the destination moved meanwhile.
    if (settled !== this.#settled || this.#progress.pending() === 0 || now - this.#tickedAt > 2 * this.#tickMs) {
      this.#settled = settled;
      this.#movedAt = now;
    }
    this.#tickedAt = now;
    for (const w of this.#waiters) {
      if (now >= w.deadline) {
        this.#forget(w);
        w.reject(this.failure(`its timeout of ${w.deadline - w.since} ms passed`));
      } else if (now - Math.max(w.since, this.#movedAt) >= this.#stallMs) {
        this.#forget(w);
        w.reject(this.failure(`the destination made no progress for ${this.#stallMs} ms`));
      }
    }
  }

  #forget(waiter: Waiter): void {
    this.#waiters.delete(waiter);
    if (this.#waiters.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
