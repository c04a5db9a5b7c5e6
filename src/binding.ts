import { ErrorCode, LogxpyError } from "./errors";

/** The binding's writer, as `crates/logxpy-napi` exports it. */
export interface NativeBindingWriter {
  /** With `wakeNow` false the writer thread is not woken for these lines: `wake()` must follow before the turn ends. */
  write(bytes: Uint8Array, count: number, wakeNow: boolean): void;
  wake(): void;
  flushSync(timeoutMs: number): boolean;
  /** Asks for a flush without waiting: the constructor's `onFlushed(id, written)` answers it. False when it could not be asked. */
  flushNotify(id: number, sync: boolean): boolean;
  reopen(timeoutMs: number): void;
  close(timeoutMs: number): boolean;
  /** After close: whether the writer thread gave up with its destination inside a line. */
  leftTornLine(): boolean;
  /** The writer thread's file switches as a sequence lock: odd while it rotates, changed by every rotation. */
  rotationSeq(): number;
  metrics(): { enqueued: number; written: number; dropped: number; errors: number; pending: number; restarts: number };
  takeFaults(): Array<{ code: string; errno?: string | null; message: string }>;
}

/** What the addon exports. */
export interface NativeBinding {
  NativeWriter: new (
    path: string,
    options: {
      append: boolean;
      mode: number;
      maxQueue: number;
      batchSize: number;
      flushIntervalMs: number;
      policy: string;
      shutdownTimeoutMs: number;
      /** Size rotation; `size` in bytes. */
      rotate?: { size: number; keep: number; compress: boolean };
      /** The last writer of this path gave up inside a line: a FIFO or device gets a line break first. */
      afterTornLine: boolean;
    },
    onFlushed: (id: number, written: boolean) => void,
  ) => NativeBindingWriter;
  /** Flushes every writer of the process, whichever thread opened it, within one bound; stops the ones that cannot finish and says what they dropped. */
  flushAllWriters(timeoutMs: number): Array<{ path: string; dropped: number }>;
}

let loaded: { binding: NativeBinding | undefined; why: string } | undefined;

/**
 * The native addon, loaded once, or undefined where no binary loads for this
 * platform or `LOGXPY_NATIVE=0` asks for the pure-TypeScript writer.
 *
 * @example
 * nativeBinding() ? "native" : "js";
 */
export function nativeBinding(): NativeBinding | undefined {
  if (process.env.LOGXPY_NATIVE === "0" || process.env.LOGXPY_NATIVE === "false") return undefined;
  if (loaded === undefined) {
    try {
      // The loader the napi CLI generates: a local build first, then the per-platform package.
      const binding = require("../native/binding.js") as NativeBinding;
      const why = bindingMismatch(binding);
      loaded = { binding: why === "" ? binding : undefined, why };
      if (why !== "") process.emitWarning(`logxpy: ${why}; using the pure-TypeScript writer`, { code: ErrorCode.NATIVE });
    } catch (err) {
      const why = loadFailure(err);
      loaded = { binding: undefined, why };
      process.emitWarning(`logxpy: no native addon loads on ${process.platform}-${process.arch} (${why}); using the pure-TypeScript writer`, {
        code: ErrorCode.NATIVE,
      });
    }
  }
  return loaded.binding;
}

/**
 * One line on why the loader failed. Its own message is generic and its cause
 * chain lists every attempt, so the reason is the attempt that names this
 * platform's package (missing, or a binary that does not link), else the
 * first attempt (an override path), which is the deepest cause.
 *
 * @example
 * loadFailure(err); // "Cannot find module 'logxpy-linux-x64-gnu'"
 */
function loadFailure(err: unknown): string {
  const lines: string[] = [];
  for (let cause: unknown = err; cause instanceof Error; cause = cause.cause) lines.push(cause.message.split("\n")[0]!);
  return lines.find((line) => line.includes(`logxpy-${process.platform}-${process.arch}`)) ?? lines.at(-1) ?? String(err);
}

/**
 * The writer methods this version calls (an addon built from older sources may lack some): every
 * member of `NativeBindingWriter`, which the compiler checks, so the list cannot fall behind it.
 */
const WRITER_METHODS = Object.keys({
  write: true,
  wake: true,
  flushSync: true,
  flushNotify: true,
  reopen: true,
  close: true,
  leftTornLine: true,
  rotationSeq: true,
  metrics: true,
  takeFaults: true,
} satisfies Record<keyof NativeBindingWriter, true>);

/**
 * Why an addon cannot serve this version of logxpy ("" when it can): a stale
 * local build or per-platform package must not fail later, inside a log call.
 *
 * @example
 * bindingMismatch({ NativeWriter: class {} } as never); // "the native addon is older than this logxpy (no write, …)"
 */
export function bindingMismatch(binding: NativeBinding): string {
  const proto = (binding.NativeWriter as { prototype?: Record<string, unknown> } | undefined)?.prototype;
  const missing = WRITER_METHODS.filter((m) => typeof proto?.[m] !== "function");
  if (typeof binding.flushAllWriters !== "function") missing.push("flushAllWriters");
  if (missing.length === 0) return "";
  return `the native addon is older than this logxpy (no ${missing.join(", ")}); rebuild it with npm run build`;
}

/** The addon if it is loaded already (never loads it). */
export function loadedBinding(): NativeBinding | undefined {
  return loaded?.binding;
}

/** Why the native addon did not load ("" when it did, or was not tried). */
export function nativeUnavailableReason(): string {
  return loaded?.why ?? "";
}

/**
 * Turns an error from the addon (`"<code>|<errno>|<message>"`) into a `LogxpyError`.
 *
 * @example
 * nativeError(new Error("LOGXPY_ERR_OPEN|ENOENT|cannot open a.log"), "a.log").errno; // "ENOENT"
 */
export function nativeError(err: unknown, destination: string): LogxpyError {
  const text = err instanceof Error ? err.message : String(err);
  const m = /^(LOGXPY_ERR_[A-Z_]+)\|([A-Z0-9]*)\|([\s\S]*)$/.exec(text);
  if (m === null) return new LogxpyError(ErrorCode.NATIVE, text, { destination, cause: err });
  return new LogxpyError(m[1] as ErrorCode, m[3]!, { destination, ...(m[2] ? { errno: m[2] } : {}) });
}
