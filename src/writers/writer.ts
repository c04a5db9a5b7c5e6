import type { LineBuffer } from "../line-buffer";
import type { FlushOptions } from "./flush-bound";

/** What `getAsyncMetrics()` reports. After a flush, `enqueued = written + dropped + pending`. */
export interface WriterMetrics {
  /** Records handed to the writer. */
  enqueued: number;
  /** Records whose bytes the destination accepted. */
  written: number;
  /** Records discarded by a drop policy (or abandoned at a timed-out shutdown). */
  dropped: number;
  /** Failed write attempts (each is also reported as an error event). */
  errors: number;
  /** Records accepted but not yet written. */
  pending: number;
}

/** An I/O failure reported by a writer after configuration. */
export interface WriterFault {
  code: string;
  errno?: string;
  message: string;
  destination: string;
}

/**
 * A destination for finished lines. The logger holds one per destination and
 * never asks which kind it is: native or pure-TS, sync or async is decided
 * when the writer is built.
 */
export interface Writer {
  /** Which implementation this is, for `log.backend`. */
  readonly backend: "native" | "js" | "sync";
  /**
   * Hands over one serialized line, `\n` included, as the UTF-8 bytes
   * `buf[start, end)`. The caller reuses `buf` afterwards, so the writer
   * copies the bytes (or writes them) before it returns. Never throws.
   */
  write(buf: Buffer, start: number, end: number): void;
  /**
   * Optional, for a logger's only writer: from now on the logger encodes
   * each record straight into `out` and calls {@link commit} instead of
   * `write`, so nothing is copied. The writer decides when bytes leave `out`.
   */
  attach?(out: LineBuffer): void;
  /**
   * The record `out.buf[start, out.pos)` is complete. `nested` when another
   * record's encoding is still under way before it (a getter that logs):
   * then it cannot stay where it is, and the writer must take it off `out`.
   */
  commit?(start: number, nested: boolean): void;
  /**
   * Resolves once every line written before the call is in the destination
   * (with `durable`, also synced to disk). Always settles: rejects with
   * `LOGXPY_ERR_TIMEOUT` once the destination has made no progress for the
   * shutdown timeout, or at `timeoutMs` (see {@link FlushBound}).
   */
  flush(options?: FlushOptions): Promise<void>;
  /** Returns once every line written before the call is in the destination, or the timeout (ms) passed; true when everything was written. */
  flushSync(timeoutMs: number): boolean;
  /**
   * Flushes (bounded by the timeout, ms) and releases the destination; what
   * could not be written by then is counted as dropped and reported as
   * `LOGXPY_ERR_TIMEOUT`. Later writes are counted as dropped. Safe to call
   * again, and from inside a write (a destination or an error listener).
   */
  close(timeoutMs: number): boolean;
  /** Reopens the destination by path (after logrotate moved it). */
  reopen(): void;
  /** Exact counters; see {@link WriterMetrics}. */
  metrics(): WriterMetrics;
}
