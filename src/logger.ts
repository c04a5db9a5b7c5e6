import { Socket } from "node:net";
import { types } from "node:util";
import { Action, runInAction } from "./action";
import { rawRequest, requestFields, responseFields, serializeFields, type Serializers } from "./http/request";
import { formatTraceparent, parseTraceparent, type SpanIds } from "./otel";
import { RequestTask } from "./http/request-task";
import { nativeUnavailableReason } from "./binding";
import { traceStorage, type TraceContext } from "./context";
import { ErrorCode, LogxpyError } from "./errors";
import { errorParts } from "./error-parts";
import { isList, safeString } from "./encode";
import { LoggerState } from "./logger-state";
import { describe, LEVELS, levelValue, thresholdName, type LevelName, type ThresholdName } from "./levels";
import { loggedFunction, type LoggedOptions } from "./logged";
import { AsyncConfig, type AsyncConfigInit } from "./async-config";
import { plainObject } from "./option-checks";
import { asyncSettings, durability, type AsyncOptions, type ConfigureOptions, type Durability, type InitOptions } from "./options";
import { durationMs } from "./units";
import type { FlushOptions } from "./writers/flush-bound";
import type { ActionStatus } from "./record";
import type { WriterMetrics } from "./writers/writer";

type Fields = Record<string, unknown>;

/** Options of `log.flush()`. */
export interface FlushCallOptions {
  /** Give up (reject with `LOGXPY_ERR_TIMEOUT`) after this long, progress or not: seconds or "500ms". */
  timeout?: number | string;
  /** "fsync": also wait until the data is synced to disk (default: `init({ durable })`). */
  durable?: Durability;
}

/** Options of `log.ainfo()` and the other awaited levels. */
export interface DurableOptions {
  /** "fsync": resolve only once the record is synced to disk (default: `init({ durable })`). */
  durable?: Durability;
}

const FLUSH_KEYS = new Set(["timeout", "durable"]);
const AINFO_KEYS = new Set(["durable"]);

/**
 * The logger. `log` is the one most programs use; `log.ctx()` and `log.new()`
 * make child loggers that share its destinations and settings and add their
 * own fields. No method that writes a record ever throws.
 *
 * @example
 * import { log } from "logxpy";
 * log.init("app.log");
 * log.info("Hello", { userId: 123 }).success("ready");
 * await log.action("db:query", { table: "users" }, async () => db.query("..."));
 */
export class Logger {
  readonly #core: LoggerState;
  /** This logger's own fields (`ctx`, `new`), or undefined. */
  readonly #context: Fields | undefined;
  /**
   * Where this logger's threshold lives: the shared state (the root and its
   * children follow `configure({ level })`), or this child's own, once set
   * with `child(b, { level })` or `child.level = ...`.
   */
  #levels: LevelHolder;
  /** Functions applied to fields of these names before a record is written (`child(b, { serializers })`). */
  readonly #serializers: Serializers | undefined;
  /** True for a logger made with `new Logger()` (such as `log`): its `level` is the shared one. */
  readonly #root: boolean;
  /** The child logger's name, as given to `new`. */
  readonly name: string;

  constructor(core: LoggerState = new LoggerState(), context?: Fields, name = "root", levels?: LevelHolder, serializers?: Serializers) {
    this.#core = core;
    this.#context = context;
    this.name = name;
    this.#levels = levels ?? core;
    this.#root = levels === undefined;
    this.#serializers = serializers;
  }

  // ---- configuration -------------------------------------------------------

  /**
   * Opens the log file and applies every option (see {@link InitOptions}).
   * With no target, the file is named after the main script: `server.js` logs
   * to `server.log` beside it. Calling `init` again closes the previous files
   * first (flushing them) and never duplicates a destination.
   *
   * @example
   * log.init("app.log", { level: "debug", mode: "a" });
   */
  init(target?: string | InitOptions, options?: InitOptions): this {
    if (target !== undefined && typeof target === "object") this.#core.init(undefined, target);
    else this.#core.init(target, options);
    return this;
  }

  /**
   * Changes the level, destinations, masked fields or global fields; what is
   * not given is kept.
   *
   * @example
   * log.configure({ level: "warning", maskFields: ["password", /\d{16}/] });
   */
  configure(options: ConfigureOptions): this {
    this.#core.configure(options);
    return this;
  }

  /**
   * Writes through the asynchronous writer with these settings.
   *
   * @example
   * log.useAsync({ maxQueue: 50_000, policy: "drop_oldest" });
   */
  useAsync(options?: AsyncOptions): this {
    this.#core.useAsync(options);
    return this;
  }

  /**
   * {@link useAsync} with the Python logxpy's `AsyncConfig`, or a plain
   * object of its settings.
   *
   * @example
   * log.configureAsync({ maxQueueSize: 1000, queuePolicy: "skip" });
   */
  configureAsync(config: AsyncConfig | AsyncConfigInit): this {
    this.#core.useAsync(AsyncConfig.from(config).toOptions());
    return this;
  }

  /**
   * Writes everything queued (waiting at most `timeoutSeconds`), then switches
   * to synchronous writes: records logged afterwards are still written.
   * Returns true when nothing was left behind.
   */
  shutdownAsync(timeoutSeconds = 5): boolean {
    return this.#core.shutdownAsync(durationMs(timeoutSeconds, "timeoutSeconds", true));
  }

  /** Whether records are written by the asynchronous writer. */
  get isAsync(): boolean {
    return this.#core.isAsync;
  }

  /** Which writer the log file uses: "native", "js" or "sync". */
  get backend(): "native" | "js" | "sync" {
    return this.#core.backend;
  }

  /**
   * The threshold: records below it are dropped. Setting it on `log` is
   * `configure({ level })`; on a child, it changes that child only (and the
   * children made from it afterwards). Takes the level names, `"warn"`,
   * `"fatal"` and `"silent"`; throws `LOGXPY_ERR_LEVEL` for anything else.
   *
   * @example
   * log.level = "debug";
   * log.level; // "debug"
   */
  get level(): LevelName | "silent" {
    return this.#levels.levelName;
  }

  set level(name: ThresholdName) {
    const levelName = thresholdName(name);
    if (this.#root) this.#core.configure({ level: levelName });
    // A holder of its own, new each time: children made before keep the level they had.
    else this.#levels = { levelName, threshold: levelValue(levelName) };
  }

  /**
   * Whether a record of this level would be written; for work done only to
   * build a record.
   *
   * @example
   * if (log.isLevelEnabled("debug")) log.debug("state", { dump: expensiveDump() });
   */
  isLevelEnabled(level: ThresholdName): boolean {
    return this.#levels.threshold <= levelValue(level);
  }

  /**
   * Why the native writer is not available ("" when it is), e.g. "no native addon loads on linux-x64 (…)".
   *
   * @example
   * if (log.backend === "js") console.log(log.nativeUnavailableReason);
   */
  get nativeUnavailableReason(): string {
    return nativeUnavailableReason();
  }

  /**
   * Runs `fn` with synchronous writes: each record it logs is in the file
   * when the log call returns. For an async `fn`, until its promise settles.
   *
   * @example
   * log.syncMode(() => log.critical("about to exec"));
   */
  syncMode<T>(fn: () => T): T {
    needsFunction(fn, "log.syncMode(fn)");
    return this.#core.withAsync(undefined, fn);
  }

  /** Runs `fn` with other asynchronous settings, then restores the current ones. */
  asyncMode<T>(options: AsyncOptions, fn: () => T): T {
    needsFunction(fn, "log.asyncMode(options, fn)");
    return this.#core.withAsync(asyncSettings(options), fn);
  }

  /** Exact writer counters; after a flush `enqueued = written + dropped + pending`. */
  getAsyncMetrics(): WriterMetrics {
    return this.#core.metrics();
  }

  /**
   * Resolves once every record logged before the call is written (with
   * `durable: "fsync"`, synced to disk too). Always settles: rejects with a
   * `LogxpyError` `LOGXPY_ERR_TIMEOUT` (its `pending` says how many records
   * are left, its `cause` is the last I/O error) once a destination has
   * made no progress for `shutdownTimeout` (at least 2 s: twice the longest
   * pause between retries), or when `timeout` passes.
   *
   * @example
   * await log.flush({ timeout: "2s" });
   */
  flush(options?: FlushCallOptions): Promise<void>;
  /** pino's form: `callback` is called once the flush settles, with its error if it failed. */
  flush(callback: (err?: Error) => void): void;
  flush(options?: FlushCallOptions | ((err?: Error) => void)): Promise<void> | void {
    if (typeof options === "function") {
      // Called outside the promise: a callback that throws is the program's exception, as with pino.
      this.flush().then(
        () => process.nextTick(options),
        (err: Error) => process.nextTick(options, err),
      );
      return;
    }
    try {
      return this.#core.flush(flushOptions(options, "flush"));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Returns once every record logged before the call is written: true, or
   * false when the shutdown timeout passed first (it never waits longer).
   */
  flushSync(): boolean {
    return this.#core.flushSync();
  }

  /** Reopens every log file by its path, for logrotate's "create" mode. */
  reopen(): this {
    this.#core.reopen();
    return this;
  }

  /**
   * Listens for I/O errors after configuration (`err.code`, `err.errno`,
   * `err.destination`). Without a listener they go to stderr, rate-limited.
   *
   * @example
   * log.on("error", (err) => alerts.send(err.code, err.errno));
   */
  on(event: "error", listener: (err: LogxpyError) => void): this {
    if (event !== "error") throw new LogxpyError(ErrorCode.OPTION, `logxpy emits only "error" events; got ${String(event)}`);
    // A listener that cannot be called would silence every I/O error: it replaces the stderr fallback.
    if (typeof listener !== "function") throw new LogxpyError(ErrorCode.OPTION, `log.on("error", listener) needs a function; got ${describe(listener)}`);
    this.#core.faults.on(listener);
    return this;
  }

  /** Removes a listener added with {@link on}. */
  off(event: "error", listener: (err: LogxpyError) => void): this {
    if (event !== "error") throw new LogxpyError(ErrorCode.OPTION, `logxpy emits only "error" events; got ${String(event)}`);
    this.#core.faults.off(listener);
    return this;
  }

  // ---- messages ------------------------------------------------------------

  // Each takes `(msg, fields?)`, and pino's order too: `(fields, msg)`, or an error first,
  // `(err, msg?)`, which writes the error as `exception` does. Arguments past those two (pino's
  // printf style, `info("%s of %s", a, b)`) are not interpolated but kept, as the field `args`.

  /** The level below debug: record-by-record detail, off unless `level: "trace"`. */
  trace(msg: unknown, fields?: unknown, ...args: unknown[]): this {
    if (this.#levels.threshold <= LEVELS.trace) this.#message("trace", msg, fields, args);
    return this;
  }

  debug(msg: unknown, fields?: unknown, ...args: unknown[]): this {
    if (this.#levels.threshold <= LEVELS.debug) this.#message("debug", msg, fields, args);
    return this;
  }

  info(msg: unknown, fields?: unknown, ...args: unknown[]): this {
    if (this.#levels.threshold <= LEVELS.info) this.#message("info", msg, fields, args);
    return this;
  }

  success(msg: unknown, fields?: unknown, ...args: unknown[]): this {
    if (this.#levels.threshold <= LEVELS.success) this.#message("success", msg, fields, args);
    return this;
  }

  note(msg: unknown, fields?: unknown, ...args: unknown[]): this {
    if (this.#levels.threshold <= LEVELS.note) this.#message("note", msg, fields, args);
    return this;
  }

  warning(msg: unknown, fields?: unknown, ...args: unknown[]): this {
    if (this.#levels.threshold <= LEVELS.warning) this.#message("warning", msg, fields, args);
    return this;
  }

  /** `warning`, by the name Node's loggers use; the record's `mt` is "warning". */
  warn(msg: unknown, fields?: unknown, ...args: unknown[]): this {
    if (this.#levels.threshold <= LEVELS.warning) this.#message("warning", msg, fields, args);
    return this;
  }

  error(msg: unknown, fields?: unknown, ...args: unknown[]): this {
    if (this.#levels.threshold <= LEVELS.error) this.#message("error", msg, fields, args);
    return this;
  }

  critical(msg: unknown, fields?: unknown, ...args: unknown[]): this {
    if (this.#levels.threshold <= LEVELS.critical) this.#message("critical", msg, fields, args);
    return this;
  }

  /** `critical`, by the name Node's loggers use; the record's `mt` is "critical". */
  fatal(msg: unknown, fields?: unknown, ...args: unknown[]): this {
    if (this.#levels.threshold <= LEVELS.critical) this.#message("critical", msg, fields, args);
    return this;
  }

  /** Logs nothing: pino's `silent` level method, for code that calls `logger[level](...)`. */
  silent(_msg?: unknown, _fields?: unknown): this {
    return this;
  }

  // ---- awaited messages: resolve when the record is written (see flush) ----

  /**
   * Logs at debug level, then resolves once the record is written (or
   * synced, with `durable: "fsync"`); rejects as {@link flush} does. Calls
   * made together share one flush (and one sync).
   *
   * @example
   * await log.ainfo("payment captured", { orderId }, { durable: "fsync" });
   */
  adebug(msg: unknown, fields?: unknown, options?: DurableOptions): Promise<void> {
    this.debug(msg, fields);
    return this.#awaited(options);
  }

  /** {@link info}, resolved once written; see {@link adebug}. */
  ainfo(msg: unknown, fields?: unknown, options?: DurableOptions): Promise<void> {
    this.info(msg, fields);
    return this.#awaited(options);
  }

  /** {@link success}, resolved once written; see {@link adebug}. */
  asuccess(msg: unknown, fields?: unknown, options?: DurableOptions): Promise<void> {
    this.success(msg, fields);
    return this.#awaited(options);
  }

  /** {@link note}, resolved once written; see {@link adebug}. */
  anote(msg: unknown, fields?: unknown, options?: DurableOptions): Promise<void> {
    this.note(msg, fields);
    return this.#awaited(options);
  }

  /** {@link warning}, resolved once written; see {@link adebug}. */
  awarning(msg: unknown, fields?: unknown, options?: DurableOptions): Promise<void> {
    this.warning(msg, fields);
    return this.#awaited(options);
  }

  /** {@link error}, resolved once written; see {@link adebug}. */
  aerror(msg: unknown, fields?: unknown, options?: DurableOptions): Promise<void> {
    this.error(msg, fields);
    return this.#awaited(options);
  }

  /** {@link critical}, resolved once written; see {@link adebug}. */
  acritical(msg: unknown, fields?: unknown, options?: DurableOptions): Promise<void> {
    this.critical(msg, fields);
    return this.#awaited(options);
  }

  /** {@link trace}, awaited as {@link ainfo} is. */
  atrace(msg: unknown, fields?: unknown, options?: DurableOptions): Promise<void> {
    this.trace(msg, fields);
    return this.#awaited(options);
  }

  /** {@link warn}, awaited as {@link ainfo} is. */
  awarn(msg: unknown, fields?: unknown, options?: DurableOptions): Promise<void> {
    this.warn(msg, fields);
    return this.#awaited(options);
  }

  /** {@link fatal}, awaited as {@link ainfo} is. */
  afatal(msg: unknown, fields?: unknown, options?: DurableOptions): Promise<void> {
    this.fatal(msg, fields);
    return this.#awaited(options);
  }

  /** The flush that covers the record just logged; bad options reject rather than throw, as a log call must not. */
  #awaited(options: DurableOptions | undefined): Promise<void> {
    try {
      return this.#core.flush(flushOptions(options, "ainfo"));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** An info record whose message is marked "📍", for "got this far" traces. */
  checkpoint(msg: unknown, fields?: unknown): this {
    if (this.#levels.threshold <= LEVELS.info) this.#message("info", `📍 ${typeof msg === "string" ? msg : safeString(msg)}`, fields, NO_ARGS);
    return this;
  }

  /**
   * An error record for a caught exception: its type (`exc`), message
   * (`reason`), stack and `cause`.
   *
   * @example
   * try { await pay(); } catch (err) { log.exception(err, "payment failed", { orderId }); }
   */
  exception(err: unknown, msg?: string, fields?: unknown): this {
    if (this.#levels.threshold > LEVELS.error) return this;
    try {
      this.#core.encoder.message(traceStorage.getStore(), "error", msg ?? errorParts(err).reason, fields, this.#context, err);
    } catch (e) {
      this.#core.faults.internalError(e);
    }
    return this;
  }

  /**
   * A level method's record. Besides `(msg, fields)`, pino's orders:
   * `(fields, msg)`, and an error first, `(err, msg?)` or `(err, fields)`,
   * written as `exception` writes it.
   */
  #message(mt: string, msg: unknown, fields: unknown, args: unknown[]): void {
    try {
      if (typeof msg === "object" && msg !== null) {
        if (isError(msg)) {
          const text = typeof fields === "string" ? fields : errorParts(msg).reason;
          this.#record(mt, text, withArgs(typeof fields === "string" ? undefined : fields, args), msg);
          return;
        }
        if (typeof fields === "string" && !isList(msg)) {
          this.#record(mt, fields, withArgs(msg, args), NO_ERROR);
          return;
        }
      }
      this.#record(mt, msg, withArgs(fields, args), NO_ERROR);
    } catch (err) {
      this.#core.faults.internalError(err);
    }
  }

  /**
   * Writes a message record. Fields carrying a request or a response are
   * serialized (never written raw), and a framework's request record opens
   * or ends its request's task (see src/http/request-task.ts).
   */
  #record(mt: string, msg: unknown, fields: unknown, err: unknown): void {
    let store = traceStorage.getStore();
    let task: RequestTask | undefined;
    let given = fields;
    if (typeof fields === "object" && fields !== null && !isList(fields)) {
      const f = fields as Fields;
      const http = hasHttpFields(f);
      if (http) {
        task = this.#requestTask(f, mt);
        if (task !== undefined) store = { action: task.action, scope: store?.scope };
      }
      if (http || this.#serializers !== undefined) given = serializeFields(f, this.#serializers);
    }
    if (err === NO_ERROR) this.#core.encoder.message(store, mt, msg, given, this.#context);
    else this.#core.encoder.message(store, mt, msg, given, this.#context, err);
    if (task !== undefined) task.watch((fields as Fields).res);
  }

  /**
   * The task of the request a record is about: the one it has (ended too:
   * background work reporting on its request after the response), or, for
   * a framework's request record (Fastify's "incoming request"), a new one,
   * entered so that the hooks and the handler that follow run inside it.
   */
  #requestTask(f: Fields, mt: string): RequestTask | undefined {
    const known = RequestTask.find(f.req) ?? RequestTask.find(f.res);
    if (known !== undefined) {
      if (f.err !== undefined && this.#levels.threshold <= LEVELS.error && (mt === "error" || mt === "critical")) known.error = f.err;
      return known;
    }
    // A bare request is only described: its task is the middleware's (logxpy/http). So is a simulated
    // one (fastify.inject()'s, with no network socket): it is dispatched in the caller's own context,
    // which entering the task would leave inside it, so the test's code after the call would log into it.
    const req = rawRequest(f.req);
    if (req === undefined || req === f.req || !(req.socket instanceof Socket)) return undefined;
    const task = RequestTask.start(f.req, (fields, taskId, traceparent) => this.#startTask("http:request", fields, taskId, parseTraceparent(traceparent)), TASK_HEADER);
    task?.enter();
    return task;
  }

  // ---- context -------------------------------------------------------------

  /**
   * A child logger that adds `fields` to each of its records.
   *
   * @example
   * const reqLog = log.ctx({ requestId: "r-42" });
   * reqLog.info("handled"); // ... "requestId":"r-42"
   */
  ctx(fields: Fields): Logger {
    plainObject(fields, "log.ctx fields");
    return new Logger(this.#core, { ...this.#context, ...fields }, this.name, this.#levels, this.#serializers);
  }

  /**
   * `ctx` by pino's name, with pino's child options: `level` (this child's
   * own threshold) and `serializers` (functions applied to the fields of
   * their names). Fastify calls it for each request.
   *
   * @example
   * const jobLog = log.child({ jobId: 7 }, { level: "debug" });
   */
  child(bindings: Fields, options?: ChildOptions): Logger {
    plainObject(bindings, "log.child bindings");
    const given = plainObject(options, "log.child options");
    for (const key of Object.keys(given)) {
      // Fastify passes its own options along with pino's (undefined ones among them).
      if (!CHILD_KEYS.has(key) && (given as Fields)[key] !== undefined) {
        throw new LogxpyError(ErrorCode.OPTION, `log.child: unknown option ${JSON.stringify(key)}; known options are ${[...CHILD_KEYS].join(", ")}`);
      }
    }
    const levels = options?.level === undefined ? this.#levels : ownLevel(options.level);
    const serializers = options?.serializers === undefined ? this.#serializers : { ...this.#serializers, ...serializerMap(options.serializers) };
    return new Logger(this.#core, { ...this.#context, ...bindings }, this.name, levels, serializers);
  }

  /**
   * The serializers this logger applies, with logxpy's own for `req`, `res`
   * and `err` (the names Fastify and pino-http log requests under): a
   * request becomes method, url, route, peer address and masked headers, a
   * response its status, an error stays an error for the record to describe.
   */
  get serializers(): Serializers {
    return { ...DEFAULT_SERIALIZERS, ...this.#serializers };
  }

  /**
   * `fn`, bound to the current task: when it runs later, from an emitter or
   * a queue shared by many requests, what it logs joins the task that was
   * current here instead of the one that happens to trigger it.
   *
   * @example
   * bus.on("done", log.bind((job) => log.info("job done", { job })));
   */
  bind<F extends (...args: never[]) => unknown>(fn: F): F {
    needsFunction(fn, "log.bind(fn)");
    const store = traceStorage.getStore();
    const bound = function (this: unknown, ...args: never[]): unknown {
      return traceStorage.run(store as TraceContext, () => fn.apply(this, args));
    };
    return bound as unknown as F;
  }

  /**
   * A child logger with a name, written as the `logger` field ("root.db" style).
   *
   * @example
   * const dbLog = log.new("db");
   */
  new(name?: string): Logger {
    if (name !== undefined && typeof name !== "string") throw new LogxpyError(ErrorCode.OPTION, `log.new needs a name (a string); got ${describe(name)}`);
    const full = name === undefined ? this.name : this.name === "root" ? name : `${this.name}.${name}`;
    return new Logger(this.#core, { ...this.#context, logger: full }, full, this.#levels, this.#serializers);
  }

  /**
   * Runs `fn` with `fields` on every record logged inside it, including
   * after `await` and in timers it starts.
   *
   * @example
   * app.use((req, res, next) => log.scope({ requestId: req.id }, next));
   */
  scope<T>(fields: Fields, fn: () => T): T {
    plainObject(fields, "log.scope fields");
    needsFunction(fn, "log.scope(fields, fn)");
    const store = traceStorage.getStore();
    const context: TraceContext = { action: store?.action, scope: { ...store?.scope, ...fields } };
    return traceStorage.run(context, fn);
  }

  // ---- actions -------------------------------------------------------------

  /**
   * Runs `fn` as an action: a `started` record, then whatever `fn` logs (as
   * its children), then `succeeded` with the duration, or `failed` with the
   * error, which is rethrown. Works for sync and async functions.
   *
   * @example
   * const rows = await log.action("db:query", { table: "users" }, () => db.select("users"));
   */
  action<T>(type: string, fn: () => T): T;
  action<T>(type: string, fields: Fields, fn: () => T): T;
  action<T>(type: string, fieldsOrFn: Fields | (() => T), maybeFn?: () => T): T {
    const fn = typeof fieldsOrFn === "function" ? fieldsOrFn : maybeFn;
    needsFunction(fn, "log.action(type, fields?, fn)");
    return runInAction(this.startAction(type, typeof fieldsOrFn === "function" ? undefined : fieldsOrFn), fn);
  }

  /**
   * Starts an action and returns it; end it with `finish()` or `fail(err)`,
   * and use `run(fn)` to log inside it.
   *
   * @example
   * const a = log.startAction("upload", { size });
   * try { await a.run(() => send(file)); a.finish({ ok: true }); } catch (err) { a.fail(err); }
   */
  startAction(type: string, fields?: Fields): Action {
    const parent = traceStorage.getStore()?.action;
    const name = typeof type === "string" ? type : safeString(type);
    const span = this.#core.otel?.startSpan(name, fields, parent?.span, undefined);
    return parent === undefined
      ? Action.start(this.#actionEmitter, name, this.#core.ids.next(), [], fields, span)
      : Action.start(this.#actionEmitter, name, parent.tid, parent.nextPath(), fields, span);
  }

  /**
   * Wraps a function so each call is an action named after it, with its
   * arguments and result (masked like every field).
   *
   * @example
   * const charge = log.logged(async function charge(orderId, amount) { ... });
   * await charge("o-1", 20); // started {args:{orderId,amount}} ... succeeded {result}
   */
  logged<F extends (...args: never[]) => unknown>(fn: F, options?: LoggedOptions): F {
    return loggedFunction(
      { startAction: (type, fields) => this.startAction(type, fields), isEnabled: (level) => this.#levels.threshold <= level },
      fn,
      options,
    );
  }

  /**
   * An id to hand to another process or worker, so that its records join the
   * current task as children of the current action (Eliot's task id form
   * `"<task>@/1/2"`). Each call reserves the next child level of the
   * current action (outside any action, a new task) for the peer's records:
   * call it once per hand-off, not to read the current task.
   *
   * @example
   * await fetch(url, { headers: { "x-logxpy-task": log.currentTaskId() } });
   */
  currentTaskId(): string {
    const action = traceStorage.getStore()?.action;
    if (action === undefined) return `${this.#core.ids.next()}@/1`;
    return `${action.tid}@/${action.nextPath().join("/")}`;
  }

  /**
   * Runs `fn` as a `logxpy:remote_task` action continuing the task of
   * `taskId` (made by `currentTaskId`, maybe in another process), or, given a
   * W3C `traceparent`, as a new task inside the caller's trace (its records
   * carry the caller's `trace_id`; with `otel: { spans: true }` its span is a
   * child of the caller's). An id that cannot be parsed starts a new task
   * instead, with the id recorded as `invalidTaskId`, because a bad header
   * from a peer must not fail a request.
   *
   * @example
   * log.continueTask(req.headers["x-logxpy-task"], () => handle(req));
   */
  continueTask<T>(taskId: string, fn: () => T): T {
    needsFunction(fn, "log.continueTask(taskId, fn)");
    return runInAction(this.startTask("logxpy:remote_task", undefined, taskId), fn);
  }

  /**
   * Starts an action as a new task, whatever action is current, or, given a
   * task id from `currentTaskId` (maybe another process's), as the
   * continuation of that task; `from` may be a W3C `traceparent` instead, or
   * `traceparent` given beside the task id, to join the caller's trace. An id that cannot be parsed starts a new
   * task with the id as `invalidTaskId`. For integrations: a request, a job
   * taken off a queue.
   *
   * @example
   * const job = log.startTask("job:run", { jobId }, message.headers["x-logxpy-task"]);
   * await job.run(() => handle(message)); job.finish();
   */
  startTask(type: string, fields?: Fields, from?: string, traceparent?: string): Action {
    const remote = parseTraceparent(from);
    return remote === undefined ? this.#startTask(type, fields, from, parseTraceparent(traceparent)) : this.#startTask(type, fields, undefined, remote);
  }

  /**
   * The W3C `traceparent` of the current span (the action's, with
   * `otel: { spans: true }`, else OpenTelemetry's active one), for a call to
   * another service; undefined outside any span or without
   * `@opentelemetry/api`.
   *
   * @example
   * const headers = { "x-logxpy-task": log.currentTaskId(), ...(log.traceparent() && { traceparent: log.traceparent() }) };
   */
  traceparent(): string | undefined {
    const ids = this.#core.otel?.idsOf(traceStorage.getStore()?.action);
    return ids === undefined ? undefined : formatTraceparent(ids);
  }

  /** {@link startTask}, given a logxpy task id to continue, a caller's trace ids to join, both, or neither. */
  #startTask(type: unknown, fields: Fields | undefined, taskId: unknown, remote: SpanIds | undefined): Action {
    const name = typeof type === "string" ? type : safeString(type);
    const m = typeof taskId === "string" ? /^([^@]+)@\/(\d+(?:\/\d+)*)$/.exec(taskId) : null;
    const path = m === null ? undefined : m[2]!.split("/").map(Number);
    const valid = m !== null && path!.every((n) => Number.isSafeInteger(n) && n >= 1);
    const given = taskId === undefined || valid ? fields : { ...fields, invalidTaskId: taskId };
    const span = this.#core.otel?.startSpan(name, given, undefined, remote);
    return valid
      ? Action.start(this.#actionEmitter, name, m![1]!, path!, given, span)
      : Action.start(this.#actionEmitter, name, this.#core.ids.next(), [], given, span);
  }

  readonly #actionEmitter = (action: Action, st: ActionStatus, lvl: string, fields: unknown, dur?: number, err?: unknown): void => {
    try {
      this.#core.encoder.action(action, st, lvl, fields, this.#context, traceStorage.getStore(), dur, err);
    } catch (e) {
      this.#core.faults.internalError(e);
    }
  };
}



/** Options of `log.child()`: pino's, of which logxpy has these two. */
export interface ChildOptions {
  /** This child's own threshold (see `Logger.level`). */
  level?: ThresholdName;
  /** Functions applied to the fields of their names before a record is written. */
  serializers?: Record<string, (value: unknown) => unknown>;
}

const CHILD_KEYS = new Set(Object.keys({ level: true, serializers: true } satisfies Record<keyof ChildOptions, true>));

/** Where a threshold lives: the shared state's, or a child's own. */
interface LevelHolder {
  threshold: number;
  levelName: LevelName | "silent";
}

function ownLevel(level: unknown): LevelHolder {
  const levelName = thresholdName(level);
  return { levelName, threshold: levelValue(levelName) };
}

function serializerMap(value: unknown): Serializers {
  const given = plainObject(value, "log.child serializers");
  for (const [key, fn] of Object.entries(given)) {
    if (typeof fn !== "function") throw new LogxpyError(ErrorCode.OPTION, `log.child serializers.${key} must be a function; got ${describe(fn)}`);
  }
  return given as Serializers;
}

const DEFAULT_SERIALIZERS: Serializers = {
  req: (value) => requestFields(value) ?? value,
  res: (value) => responseFields(value) ?? value,
  err: (value) => value,
};

/** The header a caller's task id comes in (`currentTaskId()`), as logxpy/http reads it too. */
export const TASK_HEADER = "x-logxpy-task";

/**
 * A record's fields with the arguments past a level method's two as `args`
 * (`_args` when the fields have an `args` of their own); `fields` itself
 * when there are none.
 */
function withArgs(fields: unknown, args: unknown[]): unknown {
  if (args.length === 0) return fields;
  try {
    const own = fields === undefined ? {} : typeof fields === "object" && fields !== null && !isList(fields) ? fields : { value: fields };
    return { ...own, [Object.hasOwn(own, "args") ? "_args" : "args"]: args };
  } catch {
    // Fields that cannot be read (a revoked proxy) are written as what can be said of them.
    return { value: safeString(fields), args };
  }
}

/** The arguments past the two of a call that has none. */
const NO_ARGS: unknown[] = [];

/** The `err` of a record that is not an exception's. */
const NO_ERROR = Symbol("no error");

function isError(value: object): value is Error {
  // A proxy whose getPrototypeOf trap throws, or a revoked one, is no Error: it is written as a value.
  try {
    return value instanceof Error || types.isNativeError(value);
  } catch {
    return false;
  }
}

/** Whether `fields` has a `req` or `res`; false when reading them throws (a proxy's get trap), as the serializer then says. */
function hasHttpFields(fields: Fields): boolean {
  try {
    return fields.req !== undefined || fields.res !== undefined;
  } catch {
    return false;
  }
}

/** Misuse found before anything ran: a `LOGXPY_ERR_OPTION` naming the call. */
function needsFunction(fn: unknown, call: string): asserts fn is (...args: never[]) => unknown {
  if (typeof fn !== "function") throw new LogxpyError(ErrorCode.OPTION, `${call} needs a function to run; got ${describe(fn)}`);
}


/** `log.flush()` and `log.ainfo()` options, checked, in the writers' terms. */
function flushOptions(options: FlushCallOptions | DurableOptions | undefined, call: "flush" | "ainfo"): FlushOptions {
  if (options === undefined) return {};
  const given = plainObject(options, `${call} options`);
  const known = call === "flush" ? FLUSH_KEYS : AINFO_KEYS;
  for (const key of Object.keys(given)) {
    if (!known.has(key)) throw new LogxpyError(ErrorCode.OPTION, `${call}: unknown option ${JSON.stringify(key)}; known options are ${[...known].join(", ")}`);
  }
  return {
    ...("timeout" in options && options.timeout !== undefined ? { timeoutMs: durationMs(options.timeout, "timeout", true) } : {}),
    ...(options.durable === undefined ? {} : { durable: durability(options.durable, "durable") === "fsync" }),
  };
}
