/**
 * Every error logxpy raises carries one of these codes. The same strings are
 * used by the Rust writer (`crates/logxpy-core/src/error.rs`), so an error that
 * starts on the writer thread reaches JavaScript with the code it was given.
 *
 * @example
 * try { log.init("app.log", { level: "loud" as never }); }
 * catch (err) { if (err instanceof LogxpyError) console.log(err.code); } // LOGXPY_ERR_LEVEL
 */
export const ErrorCode = {
  /** An option has the wrong type or an unknown value. */
  OPTION: "LOGXPY_ERR_OPTION",
  /** `level` is not one of the seven level names. */
  LEVEL: "LOGXPY_ERR_LEVEL",
  /** `mode` is not "w" or "a". */
  MODE: "LOGXPY_ERR_MODE",
  /** A queue policy name is unknown. */
  POLICY: "LOGXPY_ERR_POLICY",
  /** A duration (`flushInterval`, timeouts) is not a positive number or "100ms"-style string. */
  DURATION: "LOGXPY_ERR_DURATION",
  /** A destination is not a path, "console", a function or a known destination object. */
  DESTINATION: "LOGXPY_ERR_DESTINATION",
  /** A log file cannot be opened: missing parent, a directory, no permission. */
  OPEN: "LOGXPY_ERR_OPEN",
  /** A write to a destination failed (reported through `log.on("error")`, never thrown from a log call). */
  WRITE: "LOGXPY_ERR_WRITE",
  /** The log file was removed or moved away from its path while being written (reported; `log.reopen()` recovers). */
  FILE_GONE: "LOGXPY_ERR_FILE_GONE",
  /** The `warn` policy dropped records because the queue was full (a process warning, rate-limited). */
  QUEUE_FULL: "LOGXPY_ERR_QUEUE_FULL",
  /** An export to an OpenTelemetry Collector failed (the message has the HTTP or gRPC status) or was refused (the records are counted as dropped). */
  EXPORT: "LOGXPY_ERR_EXPORT",
  /** A destination's circuit breaker opened (records are dropped and counted), probes again (half-open), or closed; reported once per transition. */
  CIRCUIT: "LOGXPY_ERR_CIRCUIT",
  /** A flush or shutdown did not finish within its timeout. */
  TIMEOUT: "LOGXPY_ERR_TIMEOUT",
  /** The writer was used after it was closed. */
  CLOSED: "LOGXPY_ERR_CLOSED",
  /** A bug inside logxpy surfaced during a log call; the call returned normally and this was reported instead. */
  INTERNAL: "LOGXPY_ERR_INTERNAL",
  /** The native addon failed in a way the fallback could not absorb. */
  NATIVE: "LOGXPY_ERR_NATIVE",
  /** A `logxpy` command-line argument is unknown or has a bad value (the reader exits with status 2). */
  USAGE: "LOGXPY_ERR_USAGE",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The one error class logxpy throws, always at configuration time, always with
 * a `code` from {@link ErrorCode}. I/O failures after configuration are not
 * thrown: they are counted and reported through `log.on("error")`.
 *
 * @example
 * new LogxpyError(ErrorCode.MODE, 'mode must be "w" or "a", got "x"');
 */
export class LogxpyError extends Error {
  /** One of the `LOGXPY_ERR_*` codes. */
  readonly code: ErrorCode;
  /** The operating system's error name (`ENOSPC`, `EACCES`...) when the error came from I/O. */
  readonly errno?: string;
  /** The destination (a path, "console"...) the error concerns, when there is one. */
  readonly destination?: string;
  /** For a flush or close that could not finish (`LOGXPY_ERR_TIMEOUT`): the records still pending, or given up on. */
  readonly pending?: number;

  constructor(code: ErrorCode, message: string, details: { errno?: string; destination?: string; pending?: number; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "LogxpyError";
    this.code = code;
    if (details.errno !== undefined) this.errno = details.errno;
    if (details.destination !== undefined) this.destination = details.destination;
    if (details.pending !== undefined) this.pending = details.pending;
  }
}
