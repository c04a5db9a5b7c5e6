import { ErrorCode } from "../errors";
import { flushAtExit, forgetAtExit } from "../exit";
import { QueuePolicy, type AsyncSettings, type RotateSettings } from "../options";
import { FIRST_ERROR_BACKOFF_MS, MAX_AGAIN_BACKOFF_MS, MAX_ERROR_BACKOFF_MS } from "./backoff";
import { DataSync } from "./data-sync";
import { type FileTarget, sleepMs } from "./fd";
import { markTorn, takeTorn } from "./torn-lines";
import { FlushBound, type FlushOptions } from "./flush-bound";
import { LineQueue } from "./line-queue";
import { SupervisedFile } from "./supervised-file";
import type { Writer, WriterFault, WriterMetrics } from "./writer";

/** Batches written per event-loop turn, so a large backlog never holds the loop for long. */
const BATCHES_PER_TURN = 64;

/**
 * The pure-TypeScript asynchronous writer. A log call only appends the line to
 * an in-memory queue (as UTF-8 bytes, see {@link LineQueue}); what is queued is
 * written later, from a timer (`flushInterval`) or, once `batchSize` records
 * wait, the next turn of the event loop, with one `write` per queue chunk. Writes are synchronous calls made off the
 * log call's path: a regular file takes them in microseconds, and pipes are
 * non-blocking, so a stalled reader shows up as EAGAIN and is retried on a
 * timer instead of stalling the loop. Nothing is ever in flight on another
 * thread, which is what makes `flushSync` at exit exact.
 *
 * With `rotate`, each write stops at the last whole line that fits in the
 * current file and the file rotates before the next (see {@link Rotator});
 * `flush` then also waits for the compression of rotated files, and
 * `flushSync` finishes one still under way on this thread.
 *
 * @example
 * const writer = new JsAsyncWriter(FileTarget.open("app.log", opts), settings, 5000, report);
 * const line = Buffer.from('{"msg":"hi"}\n');
 * writer.write(line, 0, line.length);
 * await writer.flush();
 */
export class JsAsyncWriter implements Writer {
  readonly backend = "js" as const;
  readonly #target: FileTarget;
  readonly #settings: AsyncSettings;
  readonly #timeoutMs: number;
  readonly #report: (fault: WriterFault) => void;
  readonly #makeRoom: () => boolean;
  readonly #file: SupervisedFile;

  readonly #queue = new LineQueue();
  /**
   * The batch taken from the queue and not yet wholly written: how many records it holds (0 when
   * there is none) and the number (in `#accepted` order) of the first of them. `#carry` holds its
   * unwritten bytes once the destination has taken only part of it.
   */
  #taken = 0;
  #takenFirst = 0;
  #carry: Buffer | undefined;
  /** The destination ends inside a line, which `#carry` finishes. */
  #carryTorn = false;
  /** A write is under way: a record logged meanwhile (an error listener's) must not start another. */
  #writing = false;

  #enqueued = 0;
  #written = 0;
  #dropped = 0;
  #errors = 0;
  /** Records accepted into the queue; the n-th accepted is record number n. */
  #accepted = 0;

  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #backoffMs = 0;
  #failingSince = 0;
  /** Since when the destination has taken no byte (EAGAIN on every try); 0 while it takes them. */
  #stalledSince = 0;
  #waiters: Array<{ target: number; resolve: () => void; reject: (err: unknown) => void }> = [];
  #closed = false;
  #warnedAt = 0;
  #droppedSinceWarn = 0;
  #lastFault: WriterFault | undefined;
  readonly #bound: FlushBound;
  readonly #sync: DataSync;

  constructor(
    target: FileTarget,
    settings: AsyncSettings,
    timeoutMs: number,
    report: (fault: WriterFault) => void,
    rotate?: RotateSettings,
  ) {
    this.#target = target;
    this.#settings = settings;
    this.#timeoutMs = timeoutMs;
    this.#report = report;
    this.#makeRoom = {
      // A record logged from inside a write cannot wait for that write: it goes in past maxQueue.
      [QueuePolicy.BLOCK]: () => this.#writing || this.#waitForRoom(),
      [QueuePolicy.DROP_OLDEST]: () => this.#dropOldest(),
      [QueuePolicy.DROP_NEWEST]: () => false,
      [QueuePolicy.WARN]: () => this.#warnFull(),
    }[settings.policy];
    this.#file = new SupervisedFile(target, rotate, report, (fault) => {
      this.#errors++;
      report(fault);
    });
    this.#bound = new FlushBound(target.path, timeoutMs, {
      written: () => this.#written,
      pending: () => this.#pending(),
      lastFault: () => this.#lastFault,
    });
    this.#sync = new DataSync(() => target.fd, target.path, (fault) => this.#fail(fault));
    // The last writer of this path stopped inside a line: start on a fresh one.
    if (takeTorn(target.path)) {
      this.#carry = Buffer.from("\n");
      this.#carryTorn = true;
    }
    flushAtExit(this, timeoutMs);
  }

  write(buf: Buffer, start: number, end: number): void {
    this.#enqueued++;
    if (this.#closed) {
      this.#dropped++;
      return;
    }
    if (this.#queue.records + this.#taken >= this.#settings.maxQueue && !this.#makeRoom()) {
      this.#dropped++;
      return;
    }
    this.#queue.push(buf, start, end);
    this.#accepted++;
    if (this.#queue.records >= this.#settings.batchSize) {
      if (this.#immediate === undefined && this.#backoffMs === 0) {
        this.#immediate = setImmediate(this.#drain).unref();
      }
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(this.#drain, this.#settings.flushIntervalMs).unref();
    }
  }

  flush(options?: FlushOptions): Promise<void> {
    const rotation = this.#file.rotation;
    let done = rotation === undefined ? this.#drained() : this.#drained().then(() => rotation.settled());
    if (options?.durable === true) done = done.then(() => this.#sync.sync());
    return this.#bound.settle(done, options);
  }

  flushSync(timeoutMs: number): boolean {
    const deadline = Date.now() + timeoutMs;
    const complete = this.#drainSync(0, deadline, deadline);
    this.#file.rotation?.settleSync();
    return complete;
  }

  close(timeoutMs: number): boolean {
    if (this.#closed) return true;
    // Closed first: a listener that closes again from inside this flush finds nothing to do.
    this.#closed = true;
    const complete = this.flushSync(timeoutMs);
    clearTimeout(this.#timer);
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    const abandoned = this.#pending();
    this.#dropped += abandoned;
    if (this.#carry !== undefined && this.#carryTorn) markTorn(this.#target.path);
    if (abandoned > 0) {
      this.#report({
        code: ErrorCode.TIMEOUT,
        message: `${abandoned} record(s) could not be written to ${this.#target.path} in time and were dropped`,
        destination: this.#target.path,
      });
    }
    // A flush still waiting covers records given up on just now: it fails, as on the native writer.
    const failure = abandoned > 0 ? this.#bound.failure("the writer gave up on them") : undefined;
    this.#queue.clear();
    this.#carry = undefined;
    this.#taken = 0;
    if (failure !== undefined) for (const w of this.#waiters.splice(0)) w.reject(failure);
    else this.#settle();
    forgetAtExit(this);
    this.#file.close();
    return complete;
  }

  reopen(): void {
    this.flushSync(this.#timeoutMs);
    this.#file.reopen();
    // A new file or reader: what the old one took, or did not, says nothing of it.
    this.#stalledSince = 0;
  }

  metrics(): WriterMetrics {
    return {
      enqueued: this.#enqueued,
      written: this.#written,
      dropped: this.#dropped,
      errors: this.#errors,
      pending: this.#pending(),
    };
  }

  #pending(): number {
    return this.#queue.records + this.#taken;
  }

  /** Resolves once every record accepted before the call has left the queue. */
  #drained(): Promise<void> {
    if (this.#pending() === 0) return Promise.resolve();
    const target = this.#accepted;
    const done = new Promise<void>((resolve, reject) => this.#waiters.push({ target, resolve, reject }));
    if (this.#backoffMs === 0) this.#drain();
    else this.#timer?.ref();
    return done;
  }

  /** Timer and immediate callback: writes what is queued, a bounded number of batches per turn. */
  readonly #drain = (): void => {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#immediate = undefined;
    for (let i = 0; i < BATCHES_PER_TURN; i++) {
      const step = this.#step();
      if (step === "done") return;
      if (step !== "ok") {
        this.#retryLater(step);
        return;
      }
    }
    this.#immediate = setImmediate(this.#drain).unref();
  };

  #retryLater(step: "again" | "fault"): void {
    const [first, max] = step === "again" ? [1, MAX_AGAIN_BACKOFF_MS] : [FIRST_ERROR_BACKOFF_MS, MAX_ERROR_BACKOFF_MS];
    this.#backoffMs = Math.min(max, this.#backoffMs === 0 ? first : this.#backoffMs * 2);
    this.#timer = setTimeout(this.#drain, this.#backoffMs);
    // Someone awaits flush(): the retry must keep the process up until it resolves (an ES module's
    // top-level `await log.flush()` would otherwise end with an unsettled await).
    if (!this.#bound.waiting) this.#timer.unref();
  }

  /**
   * Writes until at most `target` records are pending. A full pipe is waited
   * out until `slowDeadline` (and, `givesUpOnStall`, while it has taken a byte
   * within the shutdown timeout), a failing destination until `faultDeadline`.
   * Returns true when the target was reached.
   */
  #drainSync(target: number, slowDeadline: number, faultDeadline: number, givesUpOnStall = false): boolean {
    let wait = 1;
    while (this.#pending() > target) {
      const step = this.#step();
      if (step === "ok") {
        wait = 1;
        continue;
      }
      if (step === "done") break;
      const now = Date.now();
      if (now >= (step === "again" ? slowDeadline : faultDeadline)) return false;
      if (step === "again" && givesUpOnStall && this.#stalledFor(now)) return false;
      sleepMs(wait);
      wait = Math.min(wait * 2, step === "again" ? MAX_AGAIN_BACKOFF_MS : MAX_ERROR_BACKOFF_MS);
    }
    return this.#pending() <= target;
  }

  /**
   * One write: the carried remainder, or the next chunk of the queue. What a
   * write leaves behind is copied into `carry`, because the queue reuses the
   * chunk's memory.
   */
  #step(): "ok" | "done" | "again" | "fault" {
    if (this.#writing) return "done";
    let bytes = this.#carry;
    if (bytes === undefined) {
      if (this.#queue.records === 0) return "done";
      let records: number;
      ({ bytes, records } = this.#queue.take());
      // The queue holds the newest records, numbered up to `#accepted`; these came just before them.
      this.#taken = records;
      this.#takenFirst = this.#accepted - this.#queue.records - records + 1;
    }
    let outcome: ReturnType<SupervisedFile["attempt"]>;
    this.#writing = true;
    try {
      outcome = this.#file.attempt(bytes);
    } finally {
      this.#writing = false;
    }
    const written = "written" in outcome ? outcome.written : 0;
    if (written > 0) this.#stalledSince = 0;
    if (written < bytes.length) {
      if (written > 0) this.#wroteLines(bytes, written);
      if (bytes !== this.#carry) {
        this.#carry = Buffer.from(bytes.subarray(written));
      } else if (written > 0) {
        this.#carry = bytes.subarray(written);
      }
      if ("fault" in outcome) {
        this.#fail(outcome.fault);
        return "fault";
      }
      if ("again" in outcome) {
        if (written === 0 && this.#stalledSince === 0) this.#stalledSince = Date.now();
        return "again";
      }
    } else {
      this.#carry = undefined;
      this.#carryTorn = false;
      this.#written += this.#taken;
      this.#taken = 0;
      this.#settle();
    }
    this.#backoffMs = 0;
    this.#failingSince = 0;
    return "ok";
  }

  /** A short write: the whole lines among the first `written` bytes are written, and counted so. */
  #wroteLines(bytes: Buffer, written: number): void {
    let lines = 0;
    for (let at = bytes.indexOf(10); at !== -1 && at < written; at = bytes.indexOf(10, at + 1)) lines++;
    lines = Math.min(lines, this.#taken);
    this.#written += lines;
    this.#taken -= lines;
    this.#takenFirst += lines;
    this.#carryTorn = bytes[written - 1] !== 10;
    this.#settle();
  }

  #fail(fault: WriterFault): void {
    this.#lastFault = fault;
    this.#errors++;
    if (this.#failingSince === 0) this.#failingSince = Date.now();
    // Still part of the write: an error listener that flushes or closes from here must not start
    // another write (it would fail again, and report again, without end).
    const writing = this.#writing;
    this.#writing = true;
    try {
      this.#report(fault);
    } finally {
      this.#writing = writing;
    }
  }

  /**
   * Resolves the flush promises whose records have all been written or dropped. Records leave in
   * order, except that drop_oldest takes queued records while an older batch is still carried: so
   * what counts is the oldest record still pending, not how many have left.
   */
  #settle(): void {
    const oldestPending = this.#taken > 0 ? this.#takenFirst : this.#accepted - this.#queue.records + 1;
    while (this.#waiters.length > 0 && this.#waiters[0]!.target < oldestPending) {
      this.#waiters.shift()!.resolve();
    }
  }

  /**
   * The block policy: write on the caller's thread until there is room. A slow
   * reader is waited for as long as it takes (nothing may be lost); a failing
   * destination only for the shutdown timeout, and a stalled one (taking no
   * byte: a reader that stopped reading) only until it has taken nothing for
   * as long, after which new records are dropped and counted (the stall's
   * drops with a warning, as under "warn") instead of freezing the process.
   */
  #waitForRoom(): boolean {
    const now = Date.now();
    const faultDeadline = this.#failingSince === 0 ? now + this.#timeoutMs : this.#failingSince + this.#timeoutMs;
    // Past the deadline a log call does not try the destination again: the timer retries it with
    // backoff, as the native writer thread does, and the record is dropped (and counted).
    if (now >= faultDeadline) return false;
    // Stalled: one try, so that a reader reading again is noticed by this call, not the timer's next.
    if (this.#stalledFor(now)) this.#step();
    if (!this.#stalledFor(Date.now()) && this.#drainSync(this.#settings.maxQueue - 1, Infinity, faultDeadline, true)) return true;
    // The stall's drops are said (a failing destination's failures are reported already).
    if (this.#stalledFor(Date.now()) && this.#failingSince === 0) this.#warnFull();
    return false;
  }

  /** Whether the destination has taken no byte for the shutdown timeout, as of `now`. */
  #stalledFor(now: number): boolean {
    return this.#stalledSince !== 0 && now >= this.#stalledSince + this.#timeoutMs;
  }

  #dropOldest(): boolean {
    if (this.#queue.records === 0) return false;
    this.#queue.dropOldest();
    this.#dropped++;
    this.#settle();
    return true;
  }

  #warnFull(): boolean {
    this.#droppedSinceWarn++;
    const now = Date.now();
    if (now - this.#warnedAt >= 1000) {
      this.#warnedAt = now;
      process.emitWarning(
        `logxpy: queue for ${this.#target.path} is full (maxQueue ${this.#settings.maxQueue}); ` +
          `${this.#droppedSinceWarn} record(s) dropped since the last warning`,
        { code: ErrorCode.QUEUE_FULL },
      );
      this.#droppedSinceWarn = 0;
    }
    return false;
  }
}

