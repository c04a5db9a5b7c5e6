import { ErrorCode, LogxpyError } from "./errors";
import type { OtelOptions } from "./otel";
import { describe, levelValue, thresholdName, type LevelName, type ThresholdName } from "./levels";
import { DEFAULT_LIMITS, type SerializeLimits } from "./serialize";
import type { Destination } from "./destinations";
import { DEFAULT_MASK_FIELDS, isMaskPath, parseMaskPath } from "./masking";
import { isHandleableSignal, type SignalOptions } from "./signals";
import { arrayOption, atMost, boolOption, functionOption, oneOf, plainObject, positiveInt, rejectUnknown } from "./option-checks";
import { byteSize, durationMs } from "./units";

/** What happens to a new record when the queue already holds `maxQueue` records. */
export enum QueuePolicy {
  /** The caller waits until there is room: no record is lost. */
  BLOCK = "block",
  /** The oldest queued record is discarded for the new one (counted in `dropped`). */
  DROP_OLDEST = "drop_oldest",
  /** The new record is discarded (counted in `dropped`). */
  DROP_NEWEST = "drop_newest",
  /** Like DROP_NEWEST, and a warning is emitted, at most once a second. */
  WARN = "warn",
}

/** Settings of the asynchronous writer, as `log.useAsync()` takes them. */
export interface AsyncOptions {
  /** Records the queue holds before the policy applies (default 10,000). */
  maxQueue?: number;
  /** Records per write call (default 100). */
  batchSize?: number;
  /** Longest a record waits before it is written: seconds, or a string such as "100ms" (default 0.1). */
  flushInterval?: number | string;
  /** What to do when the queue is full (default "block"). */
  policy?: PolicyName;
  /** Emit one `async_stats` record every N records (default 0: never). */
  statsInterval?: number;
}

/** The validated, complete form of {@link AsyncOptions}. */
export interface AsyncSettings {
  maxQueue: number;
  batchSize: number;
  flushIntervalMs: number;
  policy: QueuePolicy;
  statsInterval: number;
}

/**
 * A queue policy by name: the enum's values, and the Python logxpy's
 * aliases `"replace"` (drop_oldest) and `"skip"` (drop_newest).
 */
export type PolicyName = QueuePolicy | `${QueuePolicy}` | "replace" | "skip";

/**
 * Size rotation of the log files, as `log.init(file, { rotate })` takes it.
 *
 * Before a line would take a file past `size` bytes, the writer renames
 * `app.log.1`… to `app.log.2`… (deleting the file in slot `keep`), renames
 * `app.log` to `app.log.1`, and goes on in a fresh `app.log` created with
 * `fileMode`. A line is never split across files; a file holds more than
 * `size` bytes only when a single line is longer than `size`, and then that
 * line is alone in it. No line is lost or written twice across a switch, and
 * the metrics count each line once.
 *
 * It applies to every file the logger writes: the `init` target and file
 * destinations (`"errors.log"`, `{ type: "file", path }`), each rotating on
 * its own. FIFOs and devices are written without rotation. Rotated files are
 * shifted by number; a mode "w" init truncates `app.log` only.
 *
 * With `compress`, `app.log.1` is gzipped to `app.log.1.gz` (and removed)
 * off the logging path: on a Rust helper thread with the native writer, on
 * libuv's threadpool with the pure-TypeScript one. `await log.flush()`
 * resolves once the compressions of files rotated before it are done, and
 * `log.flushSync()` and the flush at exit finish one still under way before
 * they return (the native writer waits for it within `shutdownTimeout`; the
 * pure-TypeScript one compresses on the calling thread). A process killed in between leaves `app.log.1` whole
 * and uncompressed, and at worst a stray `app.log.1.gz.tmp`.
 *
 * A rotation that fails (a rename refused) is reported as a
 * `LOGXPY_ERR_WRITE` error event and counted in `errors`; lines go on into
 * the current file, and the rotation is tried again a second later or after
 * `log.reopen()`. Rotation expects one writer per file: several processes,
 * or worker threads on the pure-TypeScript writer, rotating one file would
 * rename it under each other.
 *
 * @example
 * log.init("app.log", { rotate: { size: "100MB", keep: 5, compress: true } });
 */
export interface RotateOptions {
  /** Bytes (a number) or a string such as "500KB", "100MB", "1GB" (KB = KiB = 1024 bytes). */
  size: number | string;
  /** Rotated files kept, `app.log.1` (newest) to `app.log.<keep>` (default 5, at most 10,000). */
  keep?: number;
  /** Gzip each rotated file to `app.log.N.gz` (default false). */
  compress?: boolean;
}

/** The validated, complete form of {@link RotateOptions}. */
export interface RotateSettings {
  sizeBytes: number;
  keep: number;
  compress: boolean;
}

/** Options of `log.init()`. Every one is checked when `init` runs. */
export interface InitOptions {
  /** Records below this level are dropped (default "info"; "warn", "fatal" and "silent" are accepted too). */
  level?: ThresholdName;
  /** "w" truncates the file at init (default), "a" appends. */
  mode?: "w" | "a";
  /** Delete an existing file before opening it (default false). */
  clean?: boolean;
  /** Write through a background writer (default true; `LOGXPY_SYNC=1` forces false). */
  asyncEnabled?: boolean;
  asyncMaxQueue?: number;
  asyncBatchSize?: number;
  asyncFlushInterval?: number | string;
  asyncPolicy?: PolicyName;
  /** Emit one `async_stats` record every N records (default 0: never). */
  statsInterval?: number;
  /** "sqid" (short, per-process: `"Xa.1"`) or "uuid" (uuid4). Default "sqid". */
  taskIdMode?: "sqid" | "uuid";
  /** "logxpy" (compact names, default) or "eliot" (Eliot's names). */
  format?: "logxpy" | "eliot";
  /**
   * Fields whose values are written as "***": names (ignoring case), paths
   * (`"req.headers.authorization"`, `"users[*].password"`) and RegExps tested
   * against names. Default {@link DEFAULT_MASK_FIELDS}; to extend it:
   * `maskFields: [...DEFAULT_MASK_FIELDS, "ssn"]`.
   */
  maskFields?: ReadonlyArray<string | RegExp>;
  /**
   * Patterns replaced by "***" wherever they match inside a string value or
   * the message, such as {@link MASK_PATTERNS}' bearer tokens, JWTs and card
   * numbers (default none).
   */
  maskPatterns?: ReadonlyArray<RegExp>;
  /** Fields added to every record. */
  context?: Record<string, unknown>;
  /**
   * Called for every record; the fields it returns are added to it (after
   * `context`, before scope, logger and call fields). For values that change
   * per record: a request counter, the memory in use. What it throws is
   * written as the record's `mixin` field instead.
   */
  mixin?: Mixin;
  /** More destinations besides the file: "console", a function, or `{ type: "file", path }`. */
  destinations?: ReadonlyArray<Destination>;
  /** Called with each I/O error after configuration (as `log.on("error")` is). */
  onError?: (err: LogxpyError) => void;
  /** Permission bits of a newly created log file (default 0o640). */
  fileMode?: number;
  /** How long exit, `shutdownAsync` and `close` wait for the queue to drain: seconds or "5s" (default 5). */
  shutdownTimeout?: number | string;
  /** Limits of the serializer: depth, string length, array length, object keys. */
  limits?: Partial<SerializeLimits>;
  /** Opt-in: `{ reopen: "SIGHUP", flush: ["SIGTERM", "SIGINT"] }`. */
  handleSignals?: SignalOptions;
  /** Size rotation of the log files: `{ size: "100MB", keep: 5, compress: true }`; see {@link RotateOptions}. */
  rotate?: RotateOptions;
  /** One `critical` record for the uncaught exception or unhandled rejection that ends the process (default true). */
  logUncaught?: boolean;
  /** `"fsync"`: `ainfo()` and friends, and `flush()`, also wait for the data to be synced to disk (default false). */
  durable?: Durability;
  /** OpenTelemetry: `{ traceIds: true, spans: false }` by default; see {@link OtelOptions}. */
  otel?: OtelOptions;
}

/** A function whose fields are added to every record: `init({ mixin })`. */
export type Mixin = () => Record<string, unknown> | undefined;

/** How far `flush()` and `ainfo()` wait: until written (false), or until synced to disk ("fsync"). */
export type Durability = "fsync" | false;

/**
 * Validates a `durable` option.
 *
 * @example
 * durability("fsync", "durable"); // "fsync"
 */
export function durability(value: unknown, name: string): Durability {
  if (value === undefined || value === false) return false;
  if (value === "fsync") return "fsync";
  throw new LogxpyError(ErrorCode.OPTION, `${name} must be "fsync" or false; got ${describe(value)}`);
}

/** The validated, complete form of {@link InitOptions}. */
export interface Settings {
  level: number;
  levelName: LevelName | "silent";
  mode: "w" | "a";
  clean: boolean;
  asyncEnabled: boolean;
  async: AsyncSettings;
  taskIdMode: "sqid" | "uuid";
  format: "logxpy" | "eliot";
  maskFields: ReadonlyArray<string | RegExp>;
  maskPatterns: ReadonlyArray<RegExp>;
  context: Record<string, unknown>;
  mixin: Mixin | undefined;
  destinations: ReadonlyArray<Destination>;
  onError: ((err: LogxpyError) => void) | undefined;
  fileMode: number;
  shutdownTimeoutMs: number;
  limits: SerializeLimits;
  handleSignals: SignalOptions;
  rotate: RotateSettings | undefined;
  logUncaught: boolean;
  durable: Durability;
  /** As given: checked where `@opentelemetry/api` is looked for (otel.ts). */
  otel: OtelOptions | undefined;
}


/** The names `init` takes: every key of {@link InitOptions}, which the compiler checks. */
const INIT_KEYS = new Set(Object.keys({
  level: true, mode: true, clean: true, asyncEnabled: true, asyncMaxQueue: true, asyncBatchSize: true,
  asyncFlushInterval: true, asyncPolicy: true, statsInterval: true, taskIdMode: true, format: true,
  maskFields: true, maskPatterns: true, context: true, mixin: true, destinations: true, onError: true, fileMode: true,
  shutdownTimeout: true, limits: true, handleSignals: true, rotate: true, logUncaught: true, durable: true, otel: true,
} satisfies Record<keyof InitOptions, true>));
const ASYNC_KEYS = new Set(Object.keys({
  maxQueue: true, batchSize: true, flushInterval: true, policy: true, statsInterval: true,
} satisfies Record<keyof AsyncOptions, true>));
const CONFIGURE_KEYS = new Set(Object.keys({
  level: true, destinations: true, maskFields: true, maskPatterns: true, context: true, mixin: true,
} satisfies Record<keyof ConfigureOptions, true>));

/** The Python logxpy's policy names, kept so its users' configurations still work. */
const POLICY_ALIASES: Record<string, QueuePolicy> = {
  block: QueuePolicy.BLOCK,
  drop_oldest: QueuePolicy.DROP_OLDEST,
  drop_newest: QueuePolicy.DROP_NEWEST,
  warn: QueuePolicy.WARN,
  replace: QueuePolicy.DROP_OLDEST,
  skip: QueuePolicy.DROP_NEWEST,
};

/**
 * Validates `init` options and fills in every default.
 *
 * @example
 * initSettings({ mode: "a" }).async.maxQueue; // 10000
 */
export function initSettings(options: InitOptions = {}, env: NodeJS.ProcessEnv = process.env): Settings {
  if (options === null || typeof options !== "object") {
    throw new LogxpyError(ErrorCode.OPTION, `init options must be an object; got ${describe(options)}`);
  }
  rejectUnknown(options, INIT_KEYS, "init");
  // Only a missing option takes its default: null is a value of the wrong type, as for the others.
  const levelName = thresholdName(options.level === undefined ? "info" : options.level);
  const level = levelValue(levelName);
  const mode = options.mode === undefined ? "w" : options.mode;
  if (mode !== "w" && mode !== "a") {
    throw new LogxpyError(ErrorCode.MODE, `mode must be "w" (truncate) or "a" (append); got ${describe(mode)}`);
  }
  const forcedSync = env.LOGXPY_SYNC === "1" || env.LOGXPY_SYNC === "true";
  return {
    level,
    levelName,
    mode,
    clean: boolOption(options.clean, "clean", false),
    asyncEnabled: boolOption(options.asyncEnabled, "asyncEnabled", true) && !forcedSync,
    async: asyncSettings({
      maxQueue: options.asyncMaxQueue,
      batchSize: options.asyncBatchSize,
      flushInterval: options.asyncFlushInterval,
      policy: options.asyncPolicy,
      statsInterval: options.statsInterval,
    }),
    taskIdMode: oneOf(options.taskIdMode, "taskIdMode", ["sqid", "uuid"] as const, "sqid"),
    format: oneOf(options.format, "format", ["logxpy", "eliot"] as const, "logxpy"),
    maskFields: maskFields(options.maskFields === undefined ? DEFAULT_MASK_FIELDS : options.maskFields),
    maskPatterns: maskPatterns(options.maskPatterns),
    context: plainObject(options.context, "context"),
    mixin: functionOption<Mixin>(options.mixin, "mixin"),
    destinations: arrayOption(options.destinations, "destinations"),
    onError: functionOption(options.onError, "onError"),
    fileMode: fileMode(options.fileMode),
    shutdownTimeoutMs: durationMs(options.shutdownTimeout === undefined ? 5 : options.shutdownTimeout, "shutdownTimeout", false),
    limits: limits(options.limits),
    handleSignals: signals(options.handleSignals),
    rotate: rotation(options.rotate),
    logUncaught: boolOption(options.logUncaught, "logUncaught", true),
    durable: durability(options.durable, "durable"),
    otel: options.otel,
  };
}

/** What `log.configure()` may change; keys left out keep their current value. */
export interface ConfigureOptions {
  level?: ThresholdName;
  /** The destinations besides the `init` file, replacing the ones given before; the file stays. */
  destinations?: ReadonlyArray<Destination>;
  /** Names, paths and RegExps of fields written as "***" (see `InitOptions.maskFields`). */
  maskFields?: ReadonlyArray<string | RegExp>;
  /** Patterns replaced by "***" inside string values and the message (see `InitOptions.maskPatterns`). */
  maskPatterns?: ReadonlyArray<RegExp>;
  context?: Record<string, unknown>;
  /** Fields computed per record (see `InitOptions.mixin`); `null` removes it. */
  mixin?: Mixin | null;
}

/**
 * Validates `configure` options as `init` would: `current` with what they
 * change. Everything is checked before the caller changes anything, so a bad
 * call leaves the logger as it was.
 *
 * @example
 * configureSettings({ level: "debug" }, current).levelName; // "debug"
 */
export function configureSettings(options: ConfigureOptions, current: Settings): Settings {
  rejectUnknown(plainObject(options, "configure options"), CONFIGURE_KEYS, "configure");
  // A key left out keeps its value; null is checked as a value (only `mixin: null` means "none").
  const given = <T>(value: T | undefined, kept: T): T => (value === undefined ? kept : value);
  const checked = initSettings({
    level: given(options.level, current.levelName),
    maskFields: given(options.maskFields, current.maskFields),
    maskPatterns: given(options.maskPatterns, current.maskPatterns),
    context: given(options.context, current.context),
    mixin: options.mixin === null ? undefined : given(options.mixin, current.mixin),
    destinations: given(options.destinations, current.destinations),
  });
  const { level, levelName, maskFields, maskPatterns, context, mixin, destinations } = checked;
  return { ...current, level, levelName, maskFields, maskPatterns, context, mixin, destinations };
}

/**
 * Validates `useAsync` options and fills in every default.
 *
 * @example
 * asyncSettings({ flushInterval: "250ms" }).flushIntervalMs; // 250
 */
export function asyncSettings(options: AsyncOptions = {}): AsyncSettings {
  if (options === null || typeof options !== "object") {
    throw new LogxpyError(ErrorCode.OPTION, `async options must be an object; got ${describe(options)}`);
  }
  rejectUnknown(options, ASYNC_KEYS, "useAsync");
  return {
    maxQueue: atMost(positiveInt(options.maxQueue, "maxQueue", 10_000), MAX_QUEUE, "maxQueue"),
    batchSize: atMost(positiveInt(options.batchSize, "batchSize", 100), MAX_QUEUE, "batchSize"),
    flushIntervalMs: durationMs(options.flushInterval === undefined ? 0.1 : options.flushInterval, "flushInterval", true),
    policy: policy(options.policy),
    statsInterval: options.statsInterval === undefined || options.statsInterval === 0
      ? 0
      : positiveInt(options.statsInterval, "statsInterval", 0),
  };
}

/** The most rotated files kept: a rotation renames each kept file, so this bounds its work. */
const MAX_ROTATE_KEEP = 10_000;

function rotation(value: unknown): RotateSettings | undefined {
  if (value === undefined) return undefined;
  const given = plainObject(value, "rotate") as { size?: unknown; keep?: unknown; compress?: unknown };
  rejectUnknown(given, new Set(["size", "keep", "compress"]), "rotate");
  if (given.size === undefined) {
    throw new LogxpyError(ErrorCode.OPTION, `rotate needs a size, such as { size: "100MB" }`);
  }
  const keep = positiveInt(given.keep, "rotate.keep", 5);
  if (keep > MAX_ROTATE_KEEP) {
    throw new LogxpyError(ErrorCode.OPTION, `rotate.keep must be at most ${MAX_ROTATE_KEEP}; got ${describe(given.keep)}`);
  }
  return {
    sizeBytes: byteSize(given.size, "rotate.size"),
    keep,
    compress: boolOption(given.compress, "rotate.compress", false),
  };
}

function policy(value: unknown): QueuePolicy {
  if (value === undefined) return QueuePolicy.BLOCK;
  // Exact names only, as the PolicyName type has them, so that types and runtime agree.
  const found = typeof value === "string" && Object.hasOwn(POLICY_ALIASES, value) ? POLICY_ALIASES[value] : undefined;
  if (found === undefined) {
    throw new LogxpyError(ErrorCode.POLICY, `policy must be one of block, drop_oldest, drop_newest, warn (or the aliases replace, skip); got ${describe(value)}`);
  }
  return found;
}

function maskFields(value: unknown): ReadonlyArray<string | RegExp> {
  const list = arrayOption(value, "maskFields");
  for (const item of list) {
    if (!(typeof item === "string" && item.length > 0) && !(item instanceof RegExp)) {
      throw new LogxpyError(ErrorCode.OPTION, `maskFields must hold field names, paths and regular expressions; got ${describe(item)}`);
    }
    if (typeof item === "string" && isMaskPath(item)) parseMaskPath(item);
  }
  return list as ReadonlyArray<string | RegExp>;
}

function maskPatterns(value: unknown): ReadonlyArray<RegExp> {
  const list = arrayOption(value, "maskPatterns");
  for (const item of list) {
    if (!(item instanceof RegExp)) {
      throw new LogxpyError(ErrorCode.OPTION, `maskPatterns must hold regular expressions (field names go in maskFields); got ${describe(item)}`);
    }
    // One that matches nothing at all would put "***" between every two characters.
    if (new RegExp(item.source, item.flags.replace(/[gy]/g, "")).test("")) {
      throw new LogxpyError(ErrorCode.OPTION, `maskPatterns: ${String(item)} matches the empty string`);
    }
  }
  return list as ReadonlyArray<RegExp>;
}

function limits(value: unknown): SerializeLimits {
  const given = plainObject(value, "limits") as Partial<Record<keyof SerializeLimits, unknown>>;
  rejectUnknown(given, new Set(Object.keys(DEFAULT_LIMITS)), "limits");
  const out = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof SerializeLimits)[]) {
    out[key] = positiveInt(given[key], `limits.${key}`, DEFAULT_LIMITS[key]);
  }
  return out;
}

function signals(value: unknown): SignalOptions {
  const given = plainObject(value, "handleSignals") as { reopen?: unknown; flush?: unknown };
  rejectUnknown(given, new Set(["reopen", "flush"]), "handleSignals");
  const bad = (what: unknown): LogxpyError =>
    new LogxpyError(ErrorCode.OPTION, `handleSignals needs signal names such as "SIGHUP" or "SIGTERM" (not SIGKILL or SIGSTOP); got ${describe(what)}`);
  if (given.reopen !== undefined && !isHandleableSignal(given.reopen)) throw bad(given.reopen);
  const flush = arrayOption<unknown>(given.flush, "handleSignals.flush");
  for (const s of flush) if (!isHandleableSignal(s)) throw bad(s);
  if (given.reopen !== undefined && flush.includes(given.reopen)) {
    throw new LogxpyError(ErrorCode.OPTION, `handleSignals: ${String(given.reopen)} cannot both reopen and flush`);
  }
  return {
    ...(given.reopen === undefined ? {} : { reopen: given.reopen as NodeJS.Signals }),
    ...(flush.length === 0 ? {} : { flush: flush as NodeJS.Signals[] }),
  };
}

function fileMode(value: unknown): number {
  if (value === undefined) return 0o640;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 0o777) {
    throw new LogxpyError(ErrorCode.OPTION, `fileMode must be permission bits such as 0o640; got ${describe(value)}`);
  }
  return value;
}

/** The largest queue (and batch) in records; the native writer allocates its channel up front. */
const MAX_QUEUE = 1 << 20;
