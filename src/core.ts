import { basename, dirname, extname, join, resolve } from "node:path";
import { writeSync } from "node:fs";
import { resolveDestination, type Destination, type ResolvedDestination } from "./destinations";
import { ConsoleWriter } from "./writers/console";
import { FunctionWriter } from "./writers/function";
import { ErrorCode, LogxpyError } from "./errors";
import { TaskIds } from "./ids";
import { levelValue, type LevelName } from "./levels";
import {
  asyncSettings,
  configureSettings,
  initSettings,
  type AsyncOptions,
  type ConfigureOptions,
  type AsyncSettings,
  type InitOptions,
  type Settings,
} from "./options";
import { LineBuffer } from "./line-buffer";
import { plainObject } from "./option-checks";
import { RecordFormat } from "./record";
import { Serializer } from "./serialize";
import { installSignals } from "./signals";
import { writeThroughAtExit } from "./exit";
import { fileWriter } from "./writers/file-writer";
import type { FlushOptions } from "./writers/flush-bound";
import type { Writer, WriterFault, WriterMetrics } from "./writers/writer";

/**
 * The state every logger of one `log` shares: settings, destinations and
 * their writers, the serializer and the record format. Child loggers
 * (`ctx`, `new`) hold the same core, so `configure` reaches them all.
 */
export class LoggerCore {
  threshold: number;
  format: RecordFormat;
  serializer: Serializer;
  ids: TaskIds;
  /** Fields on every record (`configure({ context })`), or undefined when there are none. */
  context: Record<string, unknown> | undefined;
  /**
   * Where records are encoded, one after another. A record logged while
   * another is being encoded (by a getter, say) is encoded after it. With a
   * single native writer the records stay here until that writer hands them
   * over (see `Writer.attach`); otherwise each is copied to every writer and
   * taken off again.
   */
  readonly out = new LineBuffer();
  /** Records begun and not yet emitted or aborted: more than one means nested. */
  #depth = 0;
  /** Hands the record encoded from `start` to every destination. Rebuilt whenever the writers change. */
  #deliver: (start: number, nested: boolean) => void = () => {};

  #settings: Settings;
  /**
   * The `init` file (the console for an `init` without a file), which
   * `configure({ destinations })` keeps; undefined before `init`.
   */
  #primary: ResolvedDestination | undefined;
  #destinations: ResolvedDestination[] = [];
  #writers: Writer[] = [];
  #async: AsyncSettings | undefined;
  #retired: WriterMetrics = { enqueued: 0, written: 0, dropped: 0, errors: 0, pending: 0 };
  #listeners = new Set<(err: LogxpyError) => void>();
  #lastWarning = new Map<string, { at: number; suppressed: number }>();
  /** syncMode/asyncMode calls running, and the settings to restore when the last one ends. */
  #modeDepth = 0;
  #modeBase: AsyncSettings | undefined;
  #removeSignals: () => void = () => {};

  constructor() {
    this.#settings = initSettings({});
    this.threshold = this.#settings.level;
    this.format = new RecordFormat(this.#settings.format);
    this.serializer = this.#makeSerializer();
    this.ids = new TaskIds(this.#settings.taskIdMode);
    this.#install(this.#withPrimary([]), undefined, false);
    writeThroughAtExit(this);
  }

  /** After the exit flush: every record is flushed as it is logged, since nothing runs later to do it. */
  writeThrough(): void {
    const base = this.#deliver;
    this.#deliver = (start, nested) => {
      base(start, nested);
      this.flushSync();
    };
  }

  /** Starts a record: it is encoded into `out` from the position returned. */
  begin(): number {
    this.#depth++;
    return this.out.pos;
  }

  /**
   * Hands the record encoded from `start` (to `out.pos`) to every destination.
   * It stays begun while it is delivered, so a record that a destination or
   * an error listener logs meanwhile counts as nested.
   */
  emit(start: number, deliver = this.#deliver): void {
    try {
      deliver(start, this.#depth > 1);
    } finally {
      this.#depth--;
    }
  }

  /** Drops a record that could not be encoded. */
  abort(start: number): void {
    this.#depth--;
    this.out.pos = start;
  }

  init(target: string | undefined, options: InitOptions | undefined): void {
    const settings = initSettings(options);
    const file = target ?? defaultLogPath();
    if (target !== undefined && (typeof target !== "string" || target.length === 0)) {
      throw new LogxpyError(ErrorCode.DESTINATION, `init target must be a file path; got ${typeof target}`);
    }
    const primary = file === undefined ? resolveDestination("console") : resolveDestination({ type: "file", path: file });
    const destinations = distinctFiles([primary, ...settings.destinations.map(resolveDestination)]);
    // Nothing changes until the new files are open: a failed init leaves the logger as it was.
    this.#install(destinations, settings.asyncEnabled ? settings.async : undefined, false, settings);
    this.#primary = primary;
    this.#settings = settings;
    this.threshold = settings.level;
    this.format = new RecordFormat(settings.format);
    this.serializer = this.#makeSerializer();
    this.ids = new TaskIds(settings.taskIdMode);
    this.context = nonEmpty(settings.context);
    this.#removeSignals();
    this.#removeSignals = installSignals(settings.handleSignals, this);
  }

  configure(options: ConfigureOptions): void {
    const next = configureSettings(options, this.#settings);
    // As in init, `destinations` are the ones besides the init file, which stays.
    if (options.destinations !== undefined) {
      this.#install(distinctFiles(this.#withPrimary(next.destinations.map(resolveDestination))), this.#async, true);
    }
    const masksChanged = options.maskFields !== undefined || options.maskPatterns !== undefined;
    this.#settings = next;
    this.threshold = next.level;
    if (masksChanged) this.serializer = this.#makeSerializer();
    if (options.context !== undefined) this.context = nonEmpty(next.context);
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

  useAsync(options: AsyncOptions | undefined): void {
    this.#switchWriters(asyncSettings(options));
  }

  /** Writes everything queued (the whole call bounded by `timeoutMs`), then writes synchronously from now on. */
  shutdownAsync(timeoutMs: number): boolean {
    const deadline = Date.now() + timeoutMs;
    const complete = this.flushSync(timeoutMs);
    this.#switchWriters(undefined, Math.max(0, deadline - Date.now()));
    return complete;
  }

  /**
   * The same destinations with other writers (a mode switch, not a new
   * configuration): a file that cannot be opened again now, its directory
   * removed say, is an I/O failure after init, so it is reported, not thrown.
   */
  #switchWriters(async: AsyncSettings | undefined, closeTimeoutMs?: number): void {
    try {
      this.#install(this.#destinations, async, true, this.#settings, closeTimeoutMs);
    } catch (err) {
      if (!(err instanceof LogxpyError) || err.code !== ErrorCode.OPEN) throw err;
      this.report({ code: err.code, message: err.message, destination: err.destination ?? "logxpy", ...(err.errno === undefined ? {} : { errno: err.errno }) });
    }
  }

  /** Runs `fn` with other async settings (undefined: synchronous), then puts the old ones back. */
  withAsync<T>(settings: AsyncSettings | undefined, fn: () => T): T {
    // Overlapping calls (two async syncMode calls at once) restore the settings from before the first.
    if (this.#modeDepth++ === 0) this.#modeBase = this.#async;
    this.#switchWriters(settings);
    const restore = (): void => {
      if (--this.#modeDepth === 0) this.#switchWriters(this.#modeBase);
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
    return this.#async !== undefined;
  }

  get backend(): "native" | "js" | "sync" {
    const i = this.#destinations.findIndex((d) => d.kind === "file");
    return i < 0 ? "sync" : this.#writers[i]!.backend;
  }

  /** Whether the crash that ends the process is logged (`logUncaught`). */
  get logsUncaught(): boolean {
    return this.#settings.logUncaught;
  }

  get shutdownTimeoutMs(): number {
    return this.#settings.shutdownTimeoutMs;
  }

  /** Settles once every writer has flushed (see `Writer.flush`); durable when `init({ durable })` says so. */
  async flush(options: FlushOptions = {}): Promise<void> {
    const durable = options.durable ?? this.#settings.durable === "fsync";
    await Promise.all(this.#writers.map((w) => w.flush({ ...options, durable })));
  }

  flushSync(timeoutMs: number = this.#settings.shutdownTimeoutMs): boolean {
    const deadline = Date.now() + timeoutMs;
    let complete = true;
    for (const w of this.#writers) complete = w.flushSync(Math.max(0, deadline - Date.now())) && complete;
    return complete;
  }

  reopen(): void {
    for (const w of this.#writers) w.reopen();
  }

  /**
   * Exact counts over the file writers, including the ones replaced since
   * `init`; `errors` counts the failed deliveries to every destination.
   */
  metrics(): WriterMetrics {
    const total = { ...this.#retired };
    this.#destinations.forEach((d, i) => addDestinationMetrics(total, d, this.#writers[i]!));
    return total;
  }

  on(listener: (err: LogxpyError) => void): void {
    this.#listeners.add(listener);
  }

  off(listener: (err: LogxpyError) => void): void {
    this.#listeners.delete(listener);
  }

  /** Reports an I/O fault to the listeners, or to stderr (rate-limited) when nobody listens. */
  readonly report = (fault: WriterFault): void => {
    const err = new LogxpyError(fault.code as ErrorCode, fault.message, {
      destination: fault.destination,
      ...(fault.errno === undefined ? {} : { errno: fault.errno }),
    });
    const handlers = [...this.#listeners];
    if (this.#settings.onError !== undefined) handlers.push(this.#settings.onError);
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

  #makeSerializer(): Serializer {
    const { maskFields, maskPatterns, limits } = this.#settings;
    return new Serializer(limits, { names: maskFields, patterns: maskPatterns }, this.out);
  }

  /**
   * Replaces the writers. The old ones are flushed and closed first: a native
   * writer is shared per file per process, so a new one for the same path
   * must not join the old one (it would keep the old settings). A file that
   * was open before is appended to, never truncated again. If a new file
   * cannot be opened, the old destinations are opened again (appending) and
   * the error is thrown. Closing the old writers takes at most
   * `closeTimeoutMs` for all of them.
   */
  #install(
    destinations: ResolvedDestination[],
    async: AsyncSettings | undefined,
    reopening: boolean,
    settings: Settings = this.#settings,
    closeTimeoutMs: number = this.#settings.shutdownTimeoutMs,
  ): void {
    const appendTo = new Set(reopening ? this.#destinations.flatMap((d) => (d.kind === "file" ? [d.path] : [])) : []);
    const old = { destinations: this.#destinations, async: this.#async, settings: this.#settings };
    const deadline = Date.now() + closeTimeoutMs;
    // A close reports what it gave up on, and a listener may reconfigure the logger from there:
    // whatever such a nested call installs meanwhile is closed here too, so no writer is left open.
    while (this.#writers.length > 0) {
      const closing = this.#destinations;
      const writers = this.#writers;
      this.#destinations = [];
      this.#writers = [];
      closing.forEach((d, i) => {
        const w = writers[i]!;
        w.close(Math.max(0, deadline - Date.now()));
        addDestinationMetrics(this.#retired, d, w);
      });
    }
    const opened: Writer[] = [];
    try {
      for (const d of destinations) opened.push(this.#open(d, async, d.kind === "file" && appendTo.has(d.path), settings));
    } catch (err) {
      for (const w of opened) w.close(0);
      this.#reopenAfterFailure(old.destinations, old.async, old.settings);
      throw err;
    }
    this.#destinations = destinations;
    this.#writers = opened;
    this.#async = async;
    this.#deliver = this.#writeStrategy();
  }

  /** Best effort: the destinations that worked before, appended to; one that no longer opens is left out. */
  #reopenAfterFailure(destinations: ResolvedDestination[], async: AsyncSettings | undefined, settings: Settings): void {
    const kept: ResolvedDestination[] = [];
    const writers: Writer[] = [];
    for (const d of destinations) {
      try {
        writers.push(this.#open(d, async, true, settings));
        kept.push(d);
      } catch (err) {
        this.report({ code: ErrorCode.OPEN, message: `could not reopen ${d.kind === "file" ? d.path : d.kind}: ${(err as Error).message}`, destination: d.kind === "file" ? d.path : d.kind });
      }
    }
    this.#destinations = kept;
    this.#writers = writers;
    this.#async = async;
    this.#deliver = this.#writeStrategy();
  }

  #open(d: ResolvedDestination, async: AsyncSettings | undefined, append: boolean, s: Settings): Writer {
    switch (d.kind) {
      case "file":
        return fileWriter(
          d.path,
          { mode: append ? "a" : d.mode ?? s.mode, clean: append ? false : s.clean, fileMode: s.fileMode },
          async,
          s.shutdownTimeoutMs,
          this.report,
          s.rotate,
        );
      case "console":
        return new ConsoleWriter(d.fd, d.pretty, s.shutdownTimeoutMs, this.report);
      case "function":
        return new FunctionWriter(d.fn, this.report);
    }
  }

  /**
   * One function for the hot path, chosen by how many writers there are and
   * whether stats are on. A single writer that can take records straight
   * from `out` is attached to it; otherwise each record is copied to every
   * writer, then taken off `out`.
   */
  #writeStrategy(): (start: number, nested: boolean) => void {
    const writers = this.#writers;
    const out = this.out;
    let base: (start: number, nested: boolean) => void;
    const only = writers.length === 1 ? writers[0]! : undefined;
    if (only?.attach !== undefined) {
      only.attach(out);
      base = (start, nested) => only.commit!(start, nested);
    } else {
      base = (start, nested) => {
        try {
          for (const w of writers) w.write(out.buf, start, out.pos);
        } finally {
          // With no other record under way, nothing in `out` is needed any more.
          if (nested) out.pos = start;
          else out.clear();
        }
      };
    }
    const every = this.#async?.statsInterval ?? 0;
    if (every === 0) return base;
    let count = 0;
    return (start, nested) => {
      base(start, nested);
      if (++count === every) {
        count = 0;
        this.#emitStats(base);
      }
    };
  }

  /** The `async_stats` record, encoded after the record that triggered it. */
  #emitStats(deliver: (start: number, nested: boolean) => void): void {
    const out = this.out;
    const start = this.begin();
    try {
      this.format.head(out, '"' + this.ids.next() + '"', "[1]");
      this.format.messageType(out, "async_stats");
      this.out.ascii('"async writer statistics"');
      this.serializer.writeFields(this.metrics(), this.format.messageNames);
      this.format.end(out);
    } catch (err) {
      this.abort(start);
      throw err;
    }
    this.emit(start, deliver);
  }
}

/** `<script>.log` beside the main script, or undefined when there is none (REPL, `node -e`, stdin). */
function defaultLogPath(): string | undefined {
  const main = require.main?.filename ?? process.argv[1];
  if (main === undefined || main === "" || main === "-" || main === "[eval]") return undefined;
  return join(dirname(main), basename(main, extname(main)) + ".log");
}

/** Rejects a file listed twice (as "a.log" and "./a.log", say): each record would be written to it twice. */
function distinctFiles(destinations: ResolvedDestination[]): ResolvedDestination[] {
  const seen = new Set<string>();
  for (const d of destinations) {
    if (d.kind !== "file") continue;
    const key = resolve(d.path);
    if (seen.has(key)) throw new LogxpyError(ErrorCode.DESTINATION, `${d.path} is listed twice as a destination`);
    seen.add(key);
  }
  return destinations;
}

function nonEmpty(fields: Record<string, unknown>): Record<string, unknown> | undefined {
  return Object.keys(fields).length === 0 ? undefined : { ...fields };
}

/**
 * A file's counts all go into the totals; of the console and functions, which
 * hold no queue, only their failed deliveries, so that none goes uncounted.
 */
function addDestinationMetrics(into: WriterMetrics, d: ResolvedDestination, w: Writer): void {
  if (d.kind === "file") addMetrics(into, w.metrics());
  else into.errors += w.metrics().errors;
}

function addMetrics(into: WriterMetrics, m: WriterMetrics): void {
  into.enqueued += m.enqueued;
  into.written += m.written;
  into.dropped += m.dropped;
  into.errors += m.errors;
  into.pending += m.pending;
}

/** True for promises and promise-like values. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") && typeof (value as { then?: unknown }).then === "function";
}
