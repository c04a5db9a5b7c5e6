import { writeSync } from "node:fs";
import { ErrorCode, LogxpyError } from "./errors";
import type { WriterFault } from "./writers/writer";

/** Called with each fault reported after configuration. */
export type ErrorListener = (err: LogxpyError) => void;

/**
 * Where a logger's faults go: to `log.on("error")` listeners and the
 * `onError` option, or, when there are none, to stderr at most once a second
 * per code and destination (with how many were held back). A listener that
 * throws is ignored: a write error must not become a crash in a log call.
 *
 * @example
 * const faults = new FaultReport();
 * faults.on((err) => alerts.send(err.code));
 * faults.report({ code: "LOGXPY_ERR_WRITE", message: "disk full", destination: "app.log", errno: "ENOSPC" });
 */
export class FaultReport {
  /** The `onError` option of the current settings. */
  onError: ErrorListener | undefined;
  readonly #listeners = new Set<ErrorListener>();
  readonly #lastWarning = new Map<string, { at: number; suppressed: number }>();

  on(listener: ErrorListener): void {
    this.#listeners.add(listener);
  }

  off(listener: ErrorListener): void {
    this.#listeners.delete(listener);
  }

  /** Reports an I/O fault. Bound, so writers can be given it as it is. */
  readonly report = (fault: WriterFault): void => {
    const err = new LogxpyError(fault.code as ErrorCode, fault.message, {
      destination: fault.destination,
      ...(fault.errno === undefined ? {} : { errno: fault.errno }),
    });
    const handlers = [...this.#listeners];
    if (this.onError !== undefined) handlers.push(this.onError);
    for (const handler of handlers) {
      try {
        handler(err);
      } catch {
        // A listener that throws must not turn a write error into a crash inside a log call.
      }
    }
    if (handlers.length === 0) this.#warn(err);
  };

  /** Reports something a log call could not do, without throwing out of the call. */
  internalError(cause: unknown): void {
    let message: string;
    try {
      message = cause instanceof Error ? cause.message : String(cause);
    } catch {
      message = "(unprintable)";
    }
    this.report({ code: ErrorCode.INTERNAL, message: `a record could not be logged: ${message}`, destination: "logxpy" });
  }

  #warn(err: LogxpyError): void {
    const key = `${err.code}:${err.destination}`;
    const now = Date.now();
    const seen = this.#lastWarning.get(key);
    if (seen !== undefined && now - seen.at < 1000) {
      seen.suppressed++;
      return;
    }
    const more = seen !== undefined && seen.suppressed > 0 ? ` (${seen.suppressed} more since the last report)` : "";
    this.#lastWarning.set(key, { at: now, suppressed: 0 });
    try {
      writeSync(2, `logxpy: ${err.code}${err.errno ? ` ${err.errno}` : ""}: ${err.message}${more}\n`);
    } catch {
      // stderr itself is gone; the counters still hold the failure.
    }
  }
}
