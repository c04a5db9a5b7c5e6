import { ErrorCode, LogxpyError } from "../errors";
import { MAX_ERROR_BACKOFF_MS } from "./backoff";
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
  /** Records the destination has taken so far: any change is progress (records a policy drops are not). */
  written(): number;
  /** Records still waiting to be written. */
  pending(): number;
  /** The last I/O failure the writer reported, if any (collecting what it has not reported yet). */
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
 * per flush) watches how many records the destination has taken, and a
 * flush is rejected with `LOGXPY_ERR_TIMEOUT` once the destination has taken
 * none for `stallMs` (the shutdown timeout, and at least twice the longest
 * pause between retries, 2 s), or at its own explicit timeout.
 * Records a drop policy discards are not progress: a server that keeps
 * logging must not keep a flush to a dead destination waiting. The
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
  #written = 0;
  #movedAt = 0;
  readonly #tickMs: number;

  constructor(destination: string, stallMs: number, progress: FlushProgress) {
    this.#destination = destination;
    // A writer backing off from a failing destination waits up to MAX_ERROR_BACKOFF_MS before it
    // tries again: a destination that recovered meanwhile must get that try before a flush gives up.
    this.#stallMs = Math.max(stallMs, 2 * MAX_ERROR_BACKOFF_MS);
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
    this.#written = this.#progress.written();
    this.#movedAt = now;
    this.#timer = setInterval(() => this.#check(), this.#tickMs);
  }

  #check(): void {
    const now = Date.now();
    const written = this.#progress.written();
    if (written !== this.#written) {
      this.#written = written;
      this.#movedAt = now;
    }
    const due: Array<[Waiter, string]> = [];
    for (const w of this.#waiters) {
      if (now >= w.deadline) due.push([w, `its timeout of ${w.deadline - w.since} ms passed`]);
      else if (now - Math.max(w.since, this.#movedAt) >= this.#stallMs) due.push([w, `the destination made no progress for ${this.#stallMs} ms`]);
    }
    if (due.length === 0) return;
    // Timers run before the I/O callbacks of the same turn: after an event loop held up for a
    // while, the answer may be waiting right behind this tick. Reject only what it leaves pending.
    setImmediate(() => {
      for (const [w, why] of due) {
        if (!this.#waiters.has(w)) continue;
        this.#forget(w);
        w.reject(this.failure(why));
      }
    });
  }

  #forget(waiter: Waiter): void {
    this.#waiters.delete(waiter);
    if (this.#waiters.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
