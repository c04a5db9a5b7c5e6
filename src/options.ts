import { ErrorCode, LogxpyError } from "./errors";
import { describe, LevelName, levelValue } from "./levels";
import { DEFAULT_LIMITS, SerializeLimits } from "./serialize";
import type { Destination } from "./destinations";
import { isMaskPath, parseMaskPath } from "./masking";
import { isHandleableSignal, type SignalOptions } from "./signals";

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

/** The settings of an {@link AsyncConfig}, as its constructor and `log.configureAsync()` take them. */
export interface AsyncConfigInit {
  maxQueueSize?: number;
  batchSize?: number;
  flushIntervalMs?: number;
  queuePolicy?: PolicyName;
  statsInterval?: number;
}

const ASYNC_CONFIG_KEYS = new Set(["maxQueueSize", "batchSize", "flushIntervalMs", "queuePolicy", "statsInterval"]);

/**
 * The Python logxpy's `AsyncConfig`, for `log.configureAsync()`.
 *
 * @example
 * log.configureAsync(new AsyncConfig({ maxQueueSize: 1000, queuePolicy: QueuePolicy.DROP_OLDEST }));
 */
export class AsyncConfig {
  readonly maxQueueSize: number;
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly queuePolicy: QueuePolicy;
  readonly statsInterval: number;

  constructor(init: AsyncConfigInit = {}) {
    if (init === null || typeof init !== "object") {
      throw new LogxpyError(ErrorCode.OPTION, `AsyncConfig needs an object of settings; got ${describe(init)}`);
    }
    rejectUnknown(init, ASYNC_CONFIG_KEYS, "AsyncConfig");
    const settings = asyncSettings({
      maxQueue: init.maxQueueSize,
      batchSize: init.batchSize,
      flushInterval: init.flushIntervalMs === undefined ? undefined : `${init.flushIntervalMs}ms`,
      policy: init.queuePolicy,
      statsInterval: init.statsInterval,
    });
    this.maxQueueSize = settings.maxQueue;
    this.batchSize = settings.batchSize;
    this.flushIntervalMs = settings.flushIntervalMs;
    this.queuePolicy = settings.policy;
    this.statsInterval = settings.statsInterval;
  }

  /**
   * `config` itself when it is an AsyncConfig, else an AsyncConfig made from
   * a plain object of the same settings (which are checked).
   *
   * @example
   * AsyncConfig.from({ maxQueueSize: 10 }).maxQueueSize; // 10
   */
  static from(config: AsyncConfig | AsyncConfigInit): AsyncConfig {
    return config instanceof AsyncConfig ? config : new AsyncConfig(config);
  }

  /** The same settings in `useAsync()` form. */
  toOptions(): AsyncOptions {
    return {
      maxQueue: this.maxQueueSize,
      batchSize: this.batchSize,
      flushInterval: `${this.flushIntervalMs}ms`,
      policy: this.queuePolicy,
      statsInterval: this.statsInterval,
    };
  }
}

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
  /** Records below this level are dropped (default "info"). */
  level?: LevelName;
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
  /** More destinations besides the file: "console", a function, or `{ type: "file", path }`. */
  destinations?: ReadonlyArray<Destination>;
  /** Called with each I/O error after configuration (as `log.on("error")` is). */
  onError?: (err: Error) => void;
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
}

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
  levelName: LevelName;
  mode: "w" | "a";
  clean: boolean;
  asyncEnabled: boolean;
  async: AsyncSettings;
  taskIdMode: "sqid" | "uuid";
  format: "logxpy" | "eliot";
  maskFields: ReadonlyArray<string | RegExp>;
  maskPatterns: ReadonlyArray<RegExp>;
  context: Record<string, unknown>;
  destinations: ReadonlyArray<Destination>;
  onError: ((err: Error) => void) | undefined;
  fileMode: number;
  shutdownTimeoutMs: number;
  limits: SerializeLimits;
  handleSignals: SignalOptions;
  rotate: RotateSettings | undefined;
  logUncaught: boolean;
  durable: Durability;
}

/**
 * Names masked when `maskFields` is not given: the usual carriers of secrets.
 * Pass `maskFields: []` to mask nothing.
 *
 * @example
 * log.init("app.log", { maskFields: [...DEFAULT_MASK_FIELDS, "ssn", "users[*].pin"] });
 */
export const DEFAULT_MASK_FIELDS: readonly string[] = [
  "password",
  "passwd",
  "secret",
  "token",
  "accessToken",
  "refreshToken",
  "apiKey",
  "api_key",
  "authorization",
  "cookie",
  "set-cookie",
];

const INIT_KEYS = new Set([
  "level", "mode", "clean", "asyncEnabled", "asyncMaxQueue", "asyncBatchSize", "asyncFlushInterval",
  "asyncPolicy", "statsInterval", "taskIdMode", "format", "maskFields", "maskPatterns", "context", "destinations",
  "onError", "fileMode", "shutdownTimeout", "limits", "handleSignals", "rotate", "logUncaught", "durable",
]);
const ASYNC_KEYS = new Set(["maxQueue", "batchSize", "flushInterval", "policy", "statsInterval"]);

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
  const level = levelValue(options.level ?? "info");
  const levelName = String(options.level ?? "info").toLowerCase() as LevelName;
  const mode = options.mode ?? "w";
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
    maskFields: maskFields(options.maskFields ?? DEFAULT_MASK_FIELDS),
    maskPatterns: maskPatterns(options.maskPatterns),
    context: plainObject(options.context, "context"),
    destinations: arrayOption(options.destinations, "destinations"),
    onError: functionOption(options.onError, "onError"),
    fileMode: fileMode(options.fileMode),
    shutdownTimeoutMs: durationMs(options.shutdownTimeout ?? 5, "shutdownTimeout", false),
    limits: limits(options.limits),
    handleSignals: signals(options.handleSignals),
    rotate: rotation(options.rotate),
    logUncaught: boolOption(options.logUncaught, "logUncaught", true),
    durable: durability(options.durable, "durable"),
  };
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
    flushIntervalMs: durationMs(options.flushInterval ?? 0.1, "flushInterval", true),
    policy: policy(options.policy),
    statsInterval: options.statsInterval === undefined || options.statsInterval === 0
      ? 0
      : positiveInt(options.statsInterval, "statsInterval", 0),
  };
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000,
};

/**
 * A duration in milliseconds from seconds (a number) or a string with a unit:
 * "250ms", "1s", "10µs", "5m".
 *
 * @example
 * durationMs("1.5s", "flushInterval", true); // 1500
 */
export function durationMs(value: unknown, name: string, zeroAllowed: boolean): number {
  let ms: number;
  if (typeof value === "number") {
    ms = value * 1000;
  } else if (typeof value === "string") {
    const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ns|us|µs|ms|s|m|min|h)?\s*$/.exec(value);
    if (!m) {
      throw new LogxpyError(ErrorCode.DURATION, `${name} must be seconds or a string such as "100ms" or "1s"; got ${describe(value)}`);
    }
    ms = Number(m[1]) * UNIT_MS[m[2] ?? "s"]!;
  } else {
    throw new LogxpyError(ErrorCode.DURATION, `${name} must be seconds or a string such as "100ms"; got ${describe(value)}`);
  }
  if (!Number.isFinite(ms) || ms < 0 || (!zeroAllowed && ms === 0) || ms > 86_400_000) {
    throw new LogxpyError(ErrorCode.DURATION, `${name} must be ${zeroAllowed ? "at least 0" : "more than 0"} and at most a day; got ${describe(value)}`);
  }
  return ms;
}

/** Bytes per unit; K, M and G are binary multiples, as log sizes usually are. */
const UNIT_BYTES: Record<string, number> = {
  b: 1, kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2, gb: 1024 ** 3, gib: 1024 ** 3,
};

/** The most rotated files kept: a rotation renames each kept file, so this bounds its work. */
const MAX_ROTATE_KEEP = 10_000;

/**
 * A size in bytes from a number or a string with a unit: "500KB", "100MB",
 * "1.5GiB" (units are case-insensitive; KB and KiB are both 1024 bytes).
 * Fractions of a byte are dropped.
 *
 * @example
 * byteSize("100MB", "rotate.size"); // 104857600
 */
function byteSize(value: unknown, name: string): number {
  let bytes: number;
  if (typeof value === "number") {
    bytes = value;
  } else if (typeof value === "string") {
    const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]+)?\s*$/i.exec(value);
    const unit = UNIT_BYTES[(m?.[2] ?? "b").toLowerCase()];
    if (!m || unit === undefined) {
      throw new LogxpyError(ErrorCode.OPTION, `${name} must be bytes or a string such as "500KB", "100MB" or "1GB"; got ${describe(value)}`);
    }
    bytes = Math.floor(Number(m[1]) * unit);
  } else {
    throw new LogxpyError(ErrorCode.OPTION, `${name} must be bytes or a string such as "100MB"; got ${describe(value)}`);
  }
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new LogxpyError(ErrorCode.OPTION, `${name} must be a whole number of bytes, at least 1; got ${describe(value)}`);
  }
  return bytes;
}

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

function atMost(value: number, max: number, name: string): number {
  if (value > max) throw new LogxpyError(ErrorCode.OPTION, `${name} must be at most ${max}; got ${value}`);
  return value;
}

function positiveInt(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new LogxpyError(ErrorCode.OPTION, `${name} must be a whole number of at least 1; got ${describe(value)}`);
  }
  return value;
}

/** `value` when it is a boolean, `fallback` when absent; otherwise a `LOGXPY_ERR_OPTION` naming the option. */
export function boolOption(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new LogxpyError(ErrorCode.OPTION, `${name} must be true or false; got ${describe(value)}`);
  }
  return value;
}

function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    throw new LogxpyError(ErrorCode.OPTION, `${name} must be one of ${allowed.join(", ")}; got ${describe(value)}`);
  }
  return value as T;
}

/** Checks that `value` is an object (not an array), or absent. */
export function plainObject(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new LogxpyError(ErrorCode.OPTION, `${name} must be an object of fields; got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/** `value` when it is an array, `[]` when absent; otherwise a `LOGXPY_ERR_OPTION` naming the option. */
export function arrayOption<T>(value: unknown, name: string): readonly T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new LogxpyError(ErrorCode.OPTION, `${name} must be an array; got ${describe(value)}`);
  }
  return value as T[];
}

function functionOption<F>(value: unknown, name: string): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "function") {
    throw new LogxpyError(ErrorCode.OPTION, `${name} must be a function; got ${describe(value)}`);
  }
  return value as F;
}

/** A `LOGXPY_ERR_OPTION` for the first key of `options` not in `known`, listing the known ones. */
export function rejectUnknown(options: object, known: Set<string>, where: string): void {
  for (const key of Object.keys(options)) {
    if (!known.has(key)) {
      throw new LogxpyError(ErrorCode.OPTION, `${where}: unknown option ${JSON.stringify(key)}; known options are ${[...known].join(", ")}`);
    }
  }
}
