// The napi CLI generates native/binding.d.ts from the Rust sources at each build: the types below
// follow the binding, so they cannot drift from it.
import type * as Generated from "../native/binding";
import { ErrorCode, LogxpyError } from "./errors";

/** The binding's writer: the class `crates/logxpy-napi` exports, typed by its generated declarations. */
export type NativeBindingWriter = Generated.NativeWriter;

/** What logxpy uses of the addon. */
export type NativeBinding = Pick<typeof Generated, "NativeWriter" | "flushAllWriters">;

/** The options the binding's writer is opened with. */
export type NativeWriterOptions = Generated.NativeOptions;

/** An OTLP destination as the binding's writer takes it. */
export type NativeOtlpOptions = Generated.NativeOtlp;

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
  const proto = (binding.NativeWriter as unknown as { prototype?: Record<string, unknown> } | undefined)?.prototype;
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
