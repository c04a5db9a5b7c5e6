import { basename, dirname, extname, join } from "node:path";
import { traceStorage } from "./context";
import { resolveDestination, type ResolvedDestination } from "./destinations";
import { RecordEncoder } from "./encode";
import { ErrorCode, LogxpyError } from "./errors";
import { writeThroughAtExit } from "./exit";
import { FaultReport } from "./fault-report";
import { TaskIds } from "./ids";
import type { LevelName } from "./levels";
import { LineBuffer } from "./line-buffer";
import { asyncSettings, configureSettings, initSettings, type AsyncOptions, type AsyncSettings, type ConfigureOptions, type InitOptions, type Mixin, type Settings } from "./options";
import { RecordFormat } from "./record";
import { Serializer } from "./serialize";
import { installSignals } from "./signals";
import { isThenable } from "./thenable";
import { logUncaughtTo } from "./uncaught";
import { otelBridge, type OtelBridge } from "./otel";
import { distinctFiles, WriterSet } from "./writer-set";
import type { FlushOptions } from "./writers/flush-bound";
import type { WriterMetrics } from "./writers/writer";

/**
 * The state every logger of one `log` shares: the settings and what is made
 * from them (the record format, the serializer, task ids, global fields),
 * the writers, the encoder and where faults go. Child loggers (`ctx`,
 * `new`) hold the same state, so `configure` reaches them all. This is where
 * configuration is applied; `WriterSet` owns the writers' lifecycle and
 * `RecordEncoder` the records.
 */
export class LoggerState {
  threshold: number;
  /** The name of `threshold`'s level, as `init` or `configure` set it. */
  get levelName(): LevelName | "silent" {
    return this.#settings.levelName;
  }

  format: RecordFormat;
  serializer: Serializer;
  ids: TaskIds;
  /** Fields on every record (`configure({ context })`), or undefined when there are none. */
  context: Record<string, unknown> | undefined;
  /** Fields computed for every record (`init({ mixin })`), or undefined. */
  mixin: Mixin | undefined;
  /** OpenTelemetry (`init({ otel })`), when `@opentelemetry/api` is installed; undefined costs a record nothing. */
  otel: OtelBridge | undefined;
  readonly faults = new FaultReport();
  readonly encoder: RecordEncoder;
  readonly #writers: WriterSet;
  #settings: Settings;
  /**
   * The `init` file (the console for an `init` without a file), which
   * `configure({ destinations })` keeps; undefined before `init`.
   */
  #primary: ResolvedDestination | undefined;
  /** syncMode/asyncMode calls running, and the settings to restore when the last one ends. */
  #modeDepth = 0;
  #modeBase: AsyncSettings | undefined;
  #removeSignals: () => void = () => {};

  constructor() {
    this.#settings = initSettings({});
    const out = new LineBuffer();
    this.#writers = new WriterSet(out, this.faults.report, (deliver) => this.encoder.stats(this.metrics(), deliver));
    this.encoder = new RecordEncoder(this, out, this.#writers);
    this.threshold = this.#settings.level;
    this.format = new RecordFormat(this.#settings.format);
    this.serializer = this.#makeSerializer();
    this.ids = new TaskIds(this.#settings.taskIdMode);
    this.#install(this.#withPrimary([]), undefined, false, this.#settings);
    writeThroughAtExit(this);
  }

  /** After the exit flush: every record is flushed as it is logged, since nothing runs later to do it. */
  writeThrough(): void {
    this.#writers.writeThrough(this.#settings.shutdownTimeoutMs);
  }

  init(target: string | undefined, options: InitOptions | undefined): void {
    const settings = initSettings(options);
    const file = target ?? defaultLogPath();
    if (target !== undefined && (typeof target !== "string" || target.length === 0)) {
      throw new LogxpyError(ErrorCode.DESTINATION, `init target must be a file path; got ${typeof target}`);
    }
    // init("console") / init("stderr") log to that stream alone, as the names do among destinations.
    const primary = file === undefined || CONSOLE_NAMES.has(file) ? resolveDestination(file ?? "console") : resolveDestination({ type: "file", path: file });
    const destinations = distinctFiles([primary, ...settings.destinations.map(resolveDestination)]);
    const otel = otelBridge(settings.otel, (fields) => this.#masked(fields));
    // Nothing changes until the new files are open: a failed init leaves the logger as it was.
    this.#install(destinations, settings.asyncEnabled ? settings.async : undefined, false, settings);
    this.#primary = primary;
    this.#settings = settings;
    this.faults.onError = settings.onError;
    this.threshold = settings.level;
    this.format = new RecordFormat(settings.format);
    this.serializer = this.#makeSerializer();
    this.ids = new TaskIds(settings.taskIdMode);
    this.context = nonEmpty(settings.context);
    this.mixin = settings.mixin;
    this.otel = otel;
    this.#removeSignals();
    this.#removeSignals = installSignals(settings.handleSignals, this);
    logUncaughtTo(this, this);
  }

  /**
   * The record of the uncaught exception or unhandled rejection about to end
   * the process: critical, the error as `exception` writes it, and `origin`.
   * Called by the monitor in uncaught.ts.
   */
  crashed(err: unknown, origin: NodeJS.UncaughtExceptionOrigin): void {
    if (!this.#settings.logUncaught) return;
    const msg = origin === "unhandledRejection" ? "unhandled rejection" : "uncaught exception";
    try {
      this.encoder.message(traceStorage.getStore(), "critical", msg, { origin }, undefined, err);
    } catch (e) {
      this.faults.internalError(e);
    }
  }

  /** `options` left out, as in `configure()`, change nothing. */
  configure(options: ConfigureOptions = {}): void {
    const next = configureSettings(options, this.#settings);
    // As in init, `destinations` are the ones besides the init file, which stays.
    if (options.destinations !== undefined) {
      this.#install(distinctFiles(this.#withPrimary(next.destinations.map(resolveDestination))), this.#writers.async, true, this.#settings);
    }
    const masksChanged = options.maskFields !== undefined || options.maskPatterns !== undefined;
    this.#settings = next;
    this.threshold = next.level;
    if (masksChanged) this.serializer = this.#makeSerializer();
    if (options.context !== undefined) this.context = nonEmpty(next.context);
    this.mixin = next.mixin;
  }

  useAsync(options: AsyncOptions | undefined): void {
    this.#writers.switchTo(asyncSettings(options), this.#settings, this.#settings.shutdownTimeoutMs);
  }

  /** Writes everything queued (the whole call bounded by `timeoutMs`), then writes synchronously from now on. */
  shutdownAsync(timeoutMs: number): boolean {
    const deadline = Date.now() + timeoutMs;
    const complete = this.flushSync(timeoutMs);
    this.#writers.switchTo(undefined, this.#settings, Math.max(0, deadline - Date.now()));
    return complete;
  }

  /** Runs `fn` with other async settings (undefined: synchronous), then puts the old ones back. */
  withAsync<T>(settings: AsyncSettings | undefined, fn: () => T): T {
    const timeout = this.#settings.shutdownTimeoutMs;
    // Overlapping calls (two async syncMode calls at once) restore the settings from before the first.
    if (this.#modeDepth++ === 0) this.#modeBase = this.#writers.async;
    this.#writers.switchTo(settings, this.#settings, timeout);
    const restore = (): void => {
      if (--this.#modeDepth === 0) this.#writers.switchTo(this.#modeBase, this.#settings, timeout);
    };
    let result: T;
    try {
      result = fn();
    } catch (err) {
      restore();
      throw err;
    }
    if (isThenable(result)) {
      return Promise.resolve(result).finally(restore) as T;
    }
    restore();
    return result;
  }

  get isAsync(): boolean {
    return this.#writers.async !== undefined;
  }

  get backend(): "native" | "js" | "sync" {
    return this.#writers.backend;
  }

  /** Settles once every writer has flushed (see `Writer.flush`); durable when `init({ durable })` says so. */
  flush(options: FlushOptions = {}): Promise<void> {
    return this.#writers.flush({ ...options, durable: options.durable ?? this.#settings.durable === "fsync" });
  }

  flushSync(timeoutMs: number = this.#settings.shutdownTimeoutMs): boolean {
    return this.#writers.flushSync(timeoutMs);
  }

  reopen(): void {
    this.#writers.reopen();
  }

  metrics(): WriterMetrics {
    return this.#writers.metrics();
  }

  #install(destinations: ResolvedDestination[], async: AsyncSettings | undefined, reopening: boolean, settings: Settings): void {
    this.#writers.install(destinations, async, reopening, settings, this.#settings.shutdownTimeoutMs);
  }

  /**
   * `extra` after the `init` file. Before `init`, `extra` alone, or standard
   * output when it is empty: a logger never has nowhere to write.
   */
  #withPrimary(extra: ResolvedDestination[]): ResolvedDestination[] {
    if (this.#primary !== undefined) return [this.#primary, ...extra];
    // Before init, records go to standard output as pino's do, rather than nowhere.
    return extra.length > 0 ? extra : [resolveDestination("console")];
  }

  /** `fields` as a record would write them (masked, within the limits), as plain values: for span attributes. */
  #masked(fields: Record<string, unknown>): Record<string, unknown> {
    try {
      return JSON.parse(`{${this.serializer.fields(fields, NO_NAMES).slice(1)}}`) as Record<string, unknown>;
    } catch {
      return {};
    }
  }

  #makeSerializer(): Serializer {
    const { maskFields, maskPatterns, limits } = this.#settings;
    return new Serializer(limits, { names: maskFields, patterns: maskPatterns }, this.encoder.out);
  }
}

/** The destination names an `init` target shares with destinations; a file so named is `./console`. */
const CONSOLE_NAMES: ReadonlySet<string> = new Set(["console", "stdout", "stderr"]);

/** `<script>.log` beside the main script, or undefined when there is none (REPL, `node -e`, stdin). */
function defaultLogPath(): string | undefined {
  const main = require.main?.filename ?? process.argv[1];
  if (main === undefined || main === "" || main === "-" || main === "[eval]") return undefined;
  return join(dirname(main), basename(main, extname(main)) + ".log");
}

function nonEmpty(fields: Record<string, unknown>): Record<string, unknown> | undefined {
  return Object.keys(fields).length === 0 ? undefined : { ...fields };
}

const NO_NAMES: ReadonlySet<string> = new Set();
