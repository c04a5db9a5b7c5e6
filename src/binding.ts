// The napi CLI generates native/binding.d.ts from the Rust sources at each build: the types below
// follow the binding, so they cannot drift from it.
import type * as Generated from "../native/binding";
import { writeSync } from "node:fs";
import { getEnvironmentData, setEnvironmentData } from "node:worker_threads";
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

/** Set once a thread said why the addon does not load: worker threads started later stay quiet. */
const SAID = "logxpy:native-unavailable-said";

/**
 * The native addon, loaded once, or undefined where no binary loads for this
 * platform or `LOGXPY_NATIVE=0` asks for the pure-TypeScript writer.
 *
 * @example
 * nativeBinding() ? "native" : "js";
 */
export function nativeBinding(): NativeBinding | undefined {
  if (loaded === undefined) loaded = load();
  return loaded.binding;
}

function load(): { binding: NativeBinding | undefined; why: string } {
  if (process.env.LOGXPY_NATIVE === "0" || process.env.LOGXPY_NATIVE === "false") {
    return { binding: undefined, why: `LOGXPY_NATIVE=${process.env.LOGXPY_NATIVE} asks for the pure-TypeScript writer` };
  }
  let binding: NativeBinding | undefined;
  let why: string;
  try {
    // The loader the napi CLI generates: a local build first, then the per-platform package. Its
    // requires are literal paths, so a bundler sees the .node files (see the README's "Bundlers").
    binding = require("../native/binding.js") as NativeBinding;
    why = bindingMismatch(binding);
  } catch (err) {
    why = `no native addon loads on ${process.platform}-${process.arch} (${loadFailure(err)})`;
  }
  if (why === "") return { binding, why };
  say(why);
  return { binding: undefined, why };
}

/**
 * One line on stderr, written at once: a program that calls `process.exit()`
 * right after `init` still shows it (a `process.emitWarning` waits for the next
 * tick). Once per process: the main thread and every worker load the addon on
 * their own, and would each say the same.
 */
function say(why: string): void {
  if (getEnvironmentData(SAID) === true) return;
  setEnvironmentData(SAID, true);
  try {
    writeSync(2, `logxpy: ${ErrorCode.NATIVE}: ${why}; using the pure-TypeScript writer\n`);
  } catch {
    // stderr is gone; log.nativeUnavailableReason still has the reason.
  }
}

/**
 * One line on why the loader failed. Its own message is generic; its cause
 * chain lists every attempt, the first one deepest. The reason is the native
 * attempts in the order they were made (a local or bundled `.node` file, then
 * the per-platform package), without the WebAssembly ones, which fail wherever
 * no WASI build is installed and would hide them.
 *
 * @example
 * loadFailure(err); // "Cannot find module './logxpy.linux-x64-gnu.node'; Cannot find module 'logxpy-linux-x64-gnu'"
 */
function loadFailure(err: unknown): string {
  const lines: string[] = [];
  for (let cause: unknown = err; cause instanceof Error; cause = cause.cause) lines.push(cause.message.split("\n")[0]!);
  // The generated loader, in strict mode, fails on a file name that stands in for the addon.
  const named = lines.map((line) => /on string '([^']*\.node)'/.exec(line)).find((m) => m !== null);
  if (named) return fileNameForAddon(named[1]!);
  const native = lines.slice(1).filter((line) => !/wasi/i.test(line));
  return native.length > 0 ? native.reverse().join("; ") : (lines[0] ?? String(err));
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
  // Not an addon at all but a bundler's stand-in for the .node file: no version of it is "older".
  if (typeof binding === "string") return fileNameForAddon(binding);
  const writer = (binding as Partial<NativeBinding> | null | undefined)?.NativeWriter as unknown;
  if (typeof writer !== "function") return `what loaded as the native addon is not one (its NativeWriter is ${writer === null ? "null" : typeof writer}); see the README's "Bundlers"`;
  const proto = (writer as { prototype?: Record<string, unknown> }).prototype;
  const missing = WRITER_METHODS.filter((m) => typeof proto?.[m] !== "function");
  if (typeof binding.flushAllWriters !== "function") missing.push("flushAllWriters");
  if (missing.length === 0) return "";
  return `the native addon is older than this logxpy (no ${missing.join(", ")}); rebuild it with npm run build`;
}

/** The addon if it is loaded already (never loads it). */
export function loadedBinding(): NativeBinding | undefined {
  return loaded?.binding;
}

/**
 * Why the native writer is not available in this thread ("" when it is):
 * the addon did not load, is older than this logxpy, or `LOGXPY_NATIVE=0`
 * asked for the pure-TypeScript writer. Tries the load if nothing did yet.
 *
 * @example
 * nativeUnavailableReason(); // "no native addon loads on linux-x64 (Cannot find module 'logxpy-linux-x64-gnu')"
 */
export function nativeUnavailableReason(): string {
  nativeBinding();
  return loaded!.why;
}

/** esbuild's `file` loader (and webpack's `asset/resource`) turn `require("x.node")` into the file's name. */
function fileNameForAddon(name: string): string {
  return `the bundle has the addon's file name (${name}) where the addon should be: bundle .node files with esbuild's --loader:.node=copy or webpack's node-loader`;
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
