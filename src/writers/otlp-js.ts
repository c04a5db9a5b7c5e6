import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ErrorCode } from "../errors";
import { flushAtExit, forgetAtExit } from "../exit";
import { QueuePolicy, type AsyncSettings } from "../options";
import { type LogExporter, loadExporter } from "../otlp/exporter";
import { toLogRecord } from "../otlp/log-record";
import type { OtlpTarget } from "../otlp/target";
import { FIRST_ERROR_BACKOFF_MS, MAX_ERROR_BACKOFF_MS } from "./backoff";
import { FlushBound, type FlushOptions } from "./flush-bound";
import type { Writer, WriterFault, WriterMetrics } from "./writer";

/**
 * The child process that exports synchronously, and the node options it
 * runs with: none for the built JavaScript (the caller's could be anything,
 * `-e` with its own script among them); the TypeScript loader when the
 * sources run as they are, as in the tests.
 */
const FROM_SOURCES = __filename.endsWith(".ts");
const EXPORT_CHILD = join(__dirname, "..", "otlp", `export-child${FROM_SOURCES ? ".ts" : ".js"}`);
const EXPORT_CHILD_ARGS = FROM_SOURCES ? [...process.execArgv.filter((a) => a.startsWith("--import=")), EXPORT_CHILD] : [EXPORT_CHILD];

/** gRPC status codes the OTLP specification calls retryable (RESOURCE_EXHAUSTED too, as the native exporter does). */
const GRPC_RETRYABLE: ReadonlySet<number> = new Set([1, 2, 4, 8, 10, 11, 14, 15]);
const HTTP_RETRYABLE: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * The pure-TypeScript OTLP writer: records wait in a bounded queue (copied
 * lines, parsed only when a batch is exported) and one export at a time goes
 * to the collector through the official OpenTelemetry exporter, which is
 * loaded only here, when an OTLP destination is configured without the
 * native addon. Failures are counted, reported with the status, and retried
 * with the file writers' backoff; a collector that keeps failing opens the
 * circuit breaker, as in Rust (crates/logxpy-core/src/circuit.rs).
 *
 * The exporter needs the event loop, so two things are done differently
 * from the native writer: under `block`, a full queue, and `flushSync`
 * (which the exit flush calls), hand what is queued to a child process that
 * exports it while the caller waits (src/otlp/export-child.ts). A
 * destination that is failing is not waited for that way: its full queue
 * drops new records (counted and reported) until its breaker decides.
 *
 * @example
 * const w = new JsOtlpWriter(resolveOtlp({ type: "otlp" }), settings, 5000, report);
 */
export class JsOtlpWriter implements Writer {
  readonly backend = "js" as const;
  readonly #target: OtlpTarget;
  readonly #settings: AsyncSettings;
  readonly #report: (fault: WriterFault) => void;
  readonly #timeoutMs: number;
  readonly #exporter: LogExporter;
  readonly #resource: unknown;
  readonly #scope = { name: "logxpy" };
  readonly #bound: FlushBound;

  #queue: string[] = [];
  /** The batch under export (or waiting for its retry). */
  #batch: string[] = [];
  #exporting = false;
  /** Numbers the exports; the answers of those up to `#answeredUpTo`, whose records `flushSync` delivered itself, are ignored. */
  #exportId = 0;
  #answeredUpTo = 0;
  #timer: NodeJS.Timeout | undefined;
  #enqueued = 0;
  #written = 0;
  #dropped = 0;
  #errors = 0;
  #backoffMs = FIRST_ERROR_BACKOFF_MS;
  #failures = 0;
  #failingSince = 0;
  #circuit: "closed" | "open" | "half-open" = "closed";
  #droppedAtOpen = 0;
  #probeReported = false;
  #fullReported = false;
  #warnedAt = 0;
  #droppedSinceWarn = 0;
  #closed = false;
  #lastFault: WriterFault | undefined;
  #waiters: Array<{ target: number; resolve: () => void }> = [];

  constructor(target: OtlpTarget, settings: AsyncSettings, timeoutMs: number, report: (fault: WriterFault) => void) {
    this.#target = target;
    this.#settings = settings;
    this.#report = report;
    this.#timeoutMs = timeoutMs;
    const { exporter, resource } = loadExporter(target);
    this.#exporter = exporter;
    this.#resource = resource;
    this.#bound = new FlushBound(target.name, timeoutMs, {
      written: () => this.#written,
      pending: () => this.#pending(),
      lastFault: () => this.#lastFault,
    });
    flushAtExit(this, timeoutMs);
  }

  write(buf: Buffer, start: number, end: number): void {
    this.#enqueued++;
    if (this.#closed || this.#circuit !== "closed") {
      this.#dropped++;
      return;
    }
    if (this.#queue.length >= this.#settings.maxQueue && !this.#makeRoom()) {
      this.#dropped++;
      return;
    }
    // The line without its "\n"; the caller reuses `buf`, so it is copied out now.
    this.#queue.push(buf.toString("utf8", start, end - 1));
    if (this.#queue.length >= this.#settings.batchSize) this.#schedule(0);
    else this.#schedule(this.#settings.flushIntervalMs);
  }

  flush(options?: FlushOptions): Promise<void> {
    if (this.#pending() === 0) return Promise.resolve();
    // As in Rust: a destination whose breaker is open is not waited for.
    if (this.#circuit !== "closed") return Promise.reject(this.#bound.failure("its circuit breaker is open"));
    const target = this.#enqueued;
    this.#schedule(0);
    const done = new Promise<void>((resolve) => this.#waiters.push({ target, resolve }));
    return this.#bound.settle(done, options);
  }

  /**
   * Exports what is queued before it returns, within `timeoutMs`: the event
   * loop cannot run an export meanwhile, so a child process does it
   * (src/otlp/export-child.ts). An export under way is included, as its
   * answer may never come (at exit it does not): the collector may then get
   * that batch twice, never none of it.
   */
  flushSync(timeoutMs: number): boolean {
    if (this.#pending() === 0) return true;
    // A destination whose breaker is open is known to be down: not waited for.
    if (timeoutMs <= 0 || this.#closed || this.#circuit !== "closed") return false;
    const lines = [...this.#batch, ...this.#queue];
    if (!this.#exportNow(lines, timeoutMs, "before the flush returned")) return false;
    this.#queue = [];
    this.#batch = [];
    // The export under way was just done again: its answer must not count it twice.
    this.#answeredUpTo = this.#exportId;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#exporting = false;
    this.#settle();
    return true;
  }

  /**
   * Exports `lines` before it returns, through the child process; true when
   * the collector took them all (then counted as written). A failure is
   * counted and reported like a failed export.
   */
  #exportNow(lines: string[], timeoutMs: number, when: string): boolean {
    const child = spawnSync(process.execPath, EXPORT_CHILD_ARGS, {
      input: JSON.stringify({ target: this.#target, lines }),
      timeout: timeoutMs,
      stdio: ["pipe", "ignore", "pipe"],
      encoding: "utf8",
    });
    if (child.status !== 0) {
      this.#errors++;
      // A failed try like the async ones: a full queue does not wait for this destination again until one succeeds.
      this.#failures++;
      if (this.#failingSince === 0) this.#failingSince = Date.now();
      const why = child.error?.message ?? (child.stderr.trim() || `exit status ${child.status ?? child.signal}`);
      this.#fault({ code: ErrorCode.EXPORT, message: `OTLP export to ${this.#target.url} ${when} failed: ${why}`, destination: this.#target.name });
      return false;
    }
    this.#written += lines.length;
    return true;
  }

  close(_timeoutMs: number): boolean {
    if (this.#closed) return true;
    this.#closed = true;
    forgetAtExit(this);
    let abandoned = this.#queue.length;
    this.#queue = [];
    // An export under way still ends in written or dropped; a batch waiting for its retry is given up.
    if (!this.#exporting) {
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timer = undefined;
      abandoned += this.#batch.length;
      this.#batch = [];
    }
    this.#dropped += abandoned;
    if (abandoned > 0) {
      this.#fault({
        code: ErrorCode.TIMEOUT,
        message: `${abandoned} record(s) could not be exported to ${this.#target.name} before it closed and were dropped`,
        destination: this.#target.name,
      });
    }
    this.#settle();
    if (!this.#exporting) void this.#exporter.shutdown().catch(() => {});
    return this.#pending() === 0;
  }

  reopen(): void {}

  metrics(): WriterMetrics {
    return { enqueued: this.#enqueued, written: this.#written, dropped: this.#dropped, errors: this.#errors, pending: this.#pending() };
  }

  #pending(): number {
    return this.#enqueued - this.#written - this.#dropped;
  }

  /** The policy's answer to a full queue: true when the record may go in. */
  #makeRoom(): boolean {
    switch (this.#settings.policy) {
      case QueuePolicy.DROP_OLDEST:
        this.#queue.shift();
        this.#dropped++;
        return true;
      case QueuePolicy.BLOCK:
        // The caller waits while the queue is exported on its thread, as the file writers write
        // on it. A destination that is failing is not waited for again: its breaker decides.
        if (this.#failures === 0 && this.#exportNow(this.#queue, this.#timeoutMs, "while the queue was full")) {
          this.#queue = [];
          this.#settle();
          return true;
        }
        if (!this.#fullReported) {
          this.#fullReported = true;
          this.#fault({
            code: ErrorCode.QUEUE_FULL,
            message: `the queue for ${this.#target.name} is full (${this.#settings.maxQueue} records) and the destination is failing: new records are dropped (and counted) until it has room`,
            destination: this.#target.name,
          });
        }
        return false;
      case QueuePolicy.WARN: {
        // At most once a second, with the drops since the last warning, as the other writers warn.
        this.#droppedSinceWarn++;
        const now = Date.now();
        if (now - this.#warnedAt >= 1000) {
          process.emitWarning(`logxpy: queue for ${this.#target.name} is full; ${this.#droppedSinceWarn} record(s) dropped since the last warning`, { code: ErrorCode.QUEUE_FULL });
          this.#warnedAt = now;
          this.#droppedSinceWarn = 0;
        }
        return false;
      }
      default:
        return false;
    }
  }

  /** Starts the next export within `ms`, unless one is under way or due sooner. */
  #schedule(ms: number): void {
    if (this.#exporting || this.#closed) return;
    if (this.#timer !== undefined) {
      if (ms > 0) return;
      clearTimeout(this.#timer);
    }
    // Unref'd, as the file writers' timers are: a process with nothing else to do ends, and the exit
    // flush exports (or counts) what is queued. A pending flush() holds the process up by its own bound.
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#export();
    }, ms).unref();
  }

  #export(): void {
    if (this.#batch.length === 0) this.#batch = this.#queue.splice(0, Math.max(this.#settings.batchSize, 1));
    if (this.#batch.length === 0) return;
    this.#exporting = true;
    const observed = hrNow();
    const records = this.#batch.map((line) => toLogRecord(line, observed, this.#resource, this.#scope));
    try {
      const id = ++this.#exportId;
      this.#exporter.export(records, (result) => {
        if (id <= this.#answeredUpTo) return;
        if (result.code === 0) this.#succeeded();
        else this.#exportFailed(result.error);
      });
    } catch (err) {
      this.#exportFailed(err as Error);
    }
  }

  #succeeded(): void {
    this.#exporting = false;
    this.#written += this.#batch.length;
    this.#batch = [];
    this.#failures = 0;
    this.#failingSince = 0;
    this.#backoffMs = FIRST_ERROR_BACKOFF_MS;
    this.#fullReported = false;
    if (this.#circuit !== "closed") {
      this.#circuit = "closed";
      this.#fault({
        code: ErrorCode.CIRCUIT,
        message: `circuit closed: the destination answers again; ${this.#dropped - this.#droppedAtOpen} record(s) were dropped while it was open`,
        destination: this.#target.name,
      });
    }
    this.#next();
  }

  #exportFailed(error: (Error & { code?: unknown }) | undefined): void {
    const status = typeof error?.code === "number" ? error.code : undefined;
    const grpc = this.#target.protocol === "grpc";
    const retryable = status === undefined || (grpc ? GRPC_RETRYABLE.has(status) : HTTP_RETRYABLE.has(status));
    const how = status === undefined ? "" : grpc ? ` with gRPC status ${status}` : ` with HTTP ${status}`;
    const message = `OTLP ${grpc ? "gRPC" : "HTTP"} export to ${this.#target.url} failed${how}: ${error?.message ?? "no reason given"}`;
    this.#failed({ code: ErrorCode.EXPORT, message }, retryable);
  }

  #failed(fault: { code: ErrorCode; message: string }, retryable: boolean): void {
    this.#exporting = false;
    this.#errors++;
    if (!retryable) {
      const n = this.#batch.length;
      this.#dropped += n;
      this.#batch = [];
      this.#fault({ ...fault, message: `${fault.message}; ${n} record(s) dropped (not retryable)`, destination: this.#target.name });
      this.#next();
      return;
    }
    this.#failures++;
    if (this.#failingSince === 0) this.#failingSince = Date.now();
    if (this.#circuit === "closed") this.#fault({ ...fault, destination: this.#target.name });
    if (this.#closed) {
      this.#dropped += this.#batch.length;
      this.#batch = [];
      this.#settle();
      return;
    }
    // Unref'd: a collector that stays down must not keep the process alive (the exit flush decides).
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#probeIfOpen();
      this.#export();
    }, this.#waitAfterFailure()).unref();
  }

  /** The backoff, or the breaker's cooldown once it is open (opening it at its threshold). */
  #waitAfterFailure(): number {
    const { failures, afterMs, cooldownMs } = this.#target.breaker;
    if (this.#circuit === "closed") {
      const failingFor = Date.now() - this.#failingSince;
      if (this.#failures < failures && failingFor < afterMs) {
        const wait = this.#backoffMs;
        this.#backoffMs = Math.min(wait * 2, MAX_ERROR_BACKOFF_MS);
        return wait;
      }
      this.#circuit = "open";
      this.#droppedAtOpen = this.#dropped;
      this.#probeReported = false;
      this.#fault({
        code: ErrorCode.CIRCUIT,
        message: `circuit open after ${this.#failures} failed attempt(s) over ${(failingFor / 1000).toFixed(1)} s: new records are dropped (and counted) until the destination answers again; it is probed every ${(cooldownMs / 1000).toFixed(1)} s`,
        destination: this.#target.name,
      });
    } else {
      this.#circuit = "open";
    }
    return cooldownMs;
  }

  #probeIfOpen(): void {
    if (this.#circuit !== "open") return;
    this.#circuit = "half-open";
    if (!this.#probeReported) {
      this.#probeReported = true;
      this.#fault({ code: ErrorCode.CIRCUIT, message: "circuit half-open: probing the destination with the records it holds", destination: this.#target.name });
    }
  }

  /** After an export: answer the flushes it completes, then go on with what is queued. */
  #next(): void {
    this.#settle();
    if (this.#closed) {
      void this.#exporter.shutdown().catch(() => {});
      return;
    }
    if (this.#queue.length >= this.#settings.batchSize) this.#schedule(0);
    else if (this.#queue.length > 0) this.#schedule(this.#settings.flushIntervalMs);
  }

  /** Answers the flushes whose records are all written or given up on. */
  #settle(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (this.#written + this.#dropped < w.target) return true;
      w.resolve();
      return false;
    });
  }

  #fault(fault: WriterFault): void {
    this.#lastFault = fault;
    this.#report(fault);
  }
}

function hrNow(): [number, number] {
  const ms = Date.now();
  return [Math.floor(ms / 1000), (ms % 1000) * 1e6];
}
