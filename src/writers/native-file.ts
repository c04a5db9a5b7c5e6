import { isMainThread } from "node:worker_threads";
import { ErrorCode } from "../errors";
import { flushAtExit, forgetAtExit } from "../exit";
import type { AsyncSettings, RotateSettings } from "../options";
import { LineBuffer } from "../line-buffer";
import { nativeError, type NativeBinding, type NativeBindingWriter, type NativeOtlpOptions } from "../binding";
import { removeForClean, type OpenOptions } from "./fd";
import { markTorn, takeTorn } from "./torn-lines";
import { FileWatch, WATCH_INTERVAL_MS } from "./file-watch";
import { FlushBound, type FlushOptions } from "./flush-bound";
import { FlushRequests } from "./flush-requests";
import type { Writer, WriterFault, WriterMetrics } from "./writer";

/**
 * Bytes gathered before a log call hands them over itself rather than
 * leaving it to the end of the event-loop turn, whatever the record count:
 * this bounds the copy one call pays for and the memory held.
 */
const HAND_OVER_BYTES = 64 * 1024;
/**
 * How long the main thread gathers records before it hands them over and
 * wakes the writer thread (at most `flushInterval`): in a server each turn
 * of the event loop logs a few records, and handing over and waking at the
 * end of every turn cost a busy server more than the records themselves
 * (measured in benchmark/RESULTS-http.md).
 */
const GATHER_MS = 2;

/** How often faults reported by the writer thread are collected when nothing else asks. */
const FAULT_POLL_MS = 250;

/**
 * The native writer: lines (UTF-8 bytes) are gathered on the JavaScript side
 * and handed to Rust a batch at a time, and a Rust thread writes them with
 * `writev`; when and how they cross, and when the thread is woken, is
 * ARCHITECTURE.md's "Hand-over and wake". As a logger's only writer it is
 * attached to the logger's buffer, so records are gathered where they were
 * encoded and never copied on this side. Queue policy, metrics, rotation and
 * shutdown live in Rust; the only records on this side are the ones gathered
 * since the last hand-over. Flushes follow ARCHITECTURE.md's "Flush
 * acknowledgement".
 *
 * @example
 * const w = new NativeFileWriter(binding, "app.log", open, settings, 5000, report);
 */
export class NativeFileWriter implements Writer {
  readonly backend = "native" as const;
  readonly #native: NativeBindingWriter;
  readonly #path: string;
  readonly #maxRecords: number;
  readonly #timeoutMs: number;
  readonly #report: (fault: WriterFault) => void;
  /**
   * Where lines are gathered: a buffer of its own, or the logger's once
   * attached. `[#from, #committed)` holds the whole records not yet handed
   * over, `#stagedCount` of them; past `#committed` a record may be under way.
   */
  #stage = new LineBuffer(HAND_OVER_BYTES);
  #from = 0;
  #committed = 0;
  #stagedCount = 0;
  #immediate: NodeJS.Immediate | undefined;
  /** How long records are gathered before they are handed over (0: until the end of the turn). */
  readonly #gatherMs: number;
  /** The gathering timer, made once and rearmed; unref'd, since the exit flush hands over what it holds. */
  #gatherTimer: NodeJS.Timeout | undefined;
  #gathering = false;
  /** Records were handed over without waking the writer thread; the end of the turn must. */
  #wakeOwed = false;
  readonly #poll: NodeJS.Timeout;
  /** The path watch; none for an OTLP destination, which has no file. */
  readonly #watch: FileWatch | undefined;
  #closed = false;
  /** Records given after close: counted so metrics stay exact. */
  #lateDropped = 0;
  /** The writer thread's `rotationSeq` when the watch last took the file at the path as its own, and when it last looked. */
  #watchedSeq = 0;
  #checkedSeq = 0;
  readonly #bound: FlushBound;
  #lastFault: WriterFault | undefined;
  readonly #flushes: FlushRequests;

  constructor(
    binding: NativeBinding,
    path: string,
    open: OpenOptions,
    settings: AsyncSettings,
    timeoutMs: number,
    report: (fault: WriterFault) => void,
    rotate?: RotateSettings,
    otlp?: NativeOtlpOptions,
  ) {
    if (open.clean && otlp === undefined) removeForClean(path);
    try {
      this.#native = new binding.NativeWriter(path, {
        append: open.mode === "a",
        mode: open.fileMode,
        maxQueue: settings.maxQueue,
        batchSize: settings.batchSize,
        flushIntervalMs: settings.flushIntervalMs,
        policy: settings.policy,
        shutdownTimeoutMs: timeoutMs,
        ...(rotate === undefined ? {} : { rotate: { size: rotate.sizeBytes, keep: rotate.keep, compress: rotate.compress } }),
        afterTornLine: otlp === undefined && takeTorn(path),
        ...(otlp === undefined ? {} : { otlp }),
      }, (id, written) => this.#flushes.answered(id, written));
    } catch (err) {
      throw nativeError(err, path);
    }
    this.#path = path;
    // A hand-over is all or nothing under the drop policies, so it must not exceed the queue it enters;
    // at most a batch waits here, so the records held are at most maxQueue plus two batches.
    // A worker thread hands each record over at once: when the main thread exits (or terminates the
    // worker) no JavaScript runs in the worker any more, and only what Rust holds is still written.
    this.#maxRecords = isMainThread ? Math.min(settings.batchSize, settings.maxQueue) : 1;
    this.#gatherMs = isMainThread ? Math.min(settings.flushIntervalMs, GATHER_MS) : 0;
    this.#bound = new FlushBound(path, timeoutMs, {
      written: () => this.metrics().written,
      pending: () => this.metrics().pending,
      lastFault: () => {
        this.#collectFaults();
        return this.#lastFault;
      },
    });
    this.#flushes = new FlushRequests({
      ask: (id, durable) => !this.#closed && this.#native.flushNotify(id, durable),
      closed: () => this.#closed,
      pending: () => this.metrics().pending,
      // Faults first: an error listener that flushes from there joins the next flush.
      beforeAnswer: () => this.#collectFaults(),
      failure: (why) => this.#bound.failure(why),
    });
    this.#timeoutMs = timeoutMs;
    this.#report = report;
    // The file is open in Rust; the path's file now is the one it opened.
    const watch = otlp === undefined ? new FileWatch(path, undefined, rotate === undefined ? report : (fault) => this.#unlessRotated(fault)) : undefined;
    this.#watch = watch;
    const checkFile = watch === undefined ? () => {} : rotate === undefined ? () => watch.check() : () => this.#checkRotatingFile(watch);
    let ticks = 0;
    this.#poll = setInterval(() => {
      this.#collectFaults();
      if (++ticks * FAULT_POLL_MS >= WATCH_INTERVAL_MS) {
        ticks = 0;
        checkFile();
      }
    }, FAULT_POLL_MS).unref();
    flushAtExit(this, timeoutMs);
  }

  write(buf: Buffer, start: number, end: number): void {
    if (this.#closed) {
      this.#lateDropped++;
      return;
    }
    this.#stage.bytes(buf, start, end);
    this.#committed = this.#stage.pos;
    this.#gathered();
  }

  attach(out: LineBuffer): void {
    this.#handOver();
    this.#stage = out;
    this.#from = this.#committed = out.pos;
  }

  commit(start: number, nested: boolean): void {
    const stage = this.#stage;
    if (this.#closed) {
      this.#lateDropped++;
      stage.pos = start;
      return;
    }
    if (!nested && start === this.#committed) {
      this.#committed = stage.pos;
      this.#gathered();
      return;
    }
    // Another record is under way before this one (or began before this writer was attached):
    // hand over what came before, then this record alone, and take it off the buffer.
    this.#handOver();
    this.#send(stage.buf.subarray(start, stage.pos), 1, true);
    stage.pos = start;
    if (start < this.#committed) this.#from = this.#committed = start;
  }

  flush(options?: FlushOptions): Promise<void> {
    this.#handOver();
    if (this.#closed) return this.#finalState();
    return this.#bound.settle(this.#flushes.request(options?.durable === true), options);
  }


  flushSync(timeoutMs: number): boolean {
    this.#handOver();
    if (this.#closed) return this.#closedMetrics!.pending === 0;
    let complete = false;
    try {
      complete = this.#native.flushSync(timeoutMs);
    } catch {
      // Closed under us by another holder: what is pending says the rest.
    }
    this.#collectFaults();
    return complete;
  }

  close(timeoutMs: number): boolean {
    if (this.#closed) return true;
    this.#handOver();
    this.#closed = true;
    clearInterval(this.#poll);
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    if (this.#gatherTimer !== undefined) clearTimeout(this.#gatherTimer);
    forgetAtExit(this);
    const before = this.#nativeMetrics();
    // Flushes and, as the last holder, stops the thread: what it gives up on is counted as dropped.
    const complete = this.#native.close(timeoutMs);
    this.#closedMetrics = this.#nativeMetrics();
    this.#collectFaults();
    // Whichever writer opens this path next, native or not, must not extend a line left half-written.
    if (this.#native.leftTornLine()) markTorn(this.#path);
    const { dropped: droppedNow, pending } = this.#closedMetrics;
    if (!complete && (droppedNow > before.dropped || pending > 0)) {
      this.#report({
        code: ErrorCode.TIMEOUT,
        message:
          `${droppedNow - before.dropped} record(s) could not be written to ${this.#path} in time and were dropped` +
          (pending > 0 ? `; ${pending} more are still pending` : ""),
        destination: this.#path,
      });
    }
    return complete;
  }

  reopen(): void {
    this.#handOver();
    try {
      this.#native.reopen(this.#timeoutMs);
      this.#watch?.rebase();
    } catch (err) {
      const e = nativeError(err, this.#path);
      this.#fault({ code: e.code, message: e.message, destination: this.#path, ...(e.errno ? { errno: e.errno } : {}) });
    }
  }

  metrics(): WriterMetrics {
    const base = this.#closedMetrics ?? this.#nativeMetrics();
    const staged = this.#stagedCount;
    return {
      enqueued: base.enqueued + staged + this.#lateDropped,
      written: base.written,
      dropped: base.dropped + this.#lateDropped,
      errors: base.errors,
      pending: base.pending + staged,
    };
  }

  /**
   * The path watch of a file the writer thread rotates: a rotation puts a
   * new file at the path, which is not someone else moving it away. The
   * thread's switch counter is read around each look, as a sequence lock.
   */
  #checkRotatingFile(watch: FileWatch): void {
    const seq = this.#native.rotationSeq();
    if (seq % 2 === 1) return; // a rotation is under way: look next time
    if (seq !== this.#watchedSeq) {
      watch.rebase();
      // A rotation during the rebase may have left it watching either file: rebase again next time.
      if (this.#native.rotationSeq() === seq) this.#watchedSeq = seq;
      return;
    }
    this.#checkedSeq = seq;
    watch.check();
  }

  /** Passes on what the path watch found, unless a rotation moved the file while it looked. */
  #unlessRotated(fault: WriterFault): void {
    if (this.#native.rotationSeq() === this.#checkedSeq) this.#report(fault);
  }

  /** The counters when this writer closed, final once the writer thread stopped. */
  #closedMetrics: WriterMetrics | undefined;

  /** A flush after close: the records were written, or given up on (and counted) by close. */
  #finalState(): Promise<void> {
    return this.#closedMetrics!.pending === 0 ? Promise.resolve() : Promise.reject(this.#bound.failure("the writer is closed"));
  }


  #nativeMetrics(): WriterMetrics {
    const m = this.#native.metrics();
    return { enqueued: m.enqueued, written: m.written, dropped: m.dropped, errors: m.errors, pending: m.pending };
  }

  readonly #handOverSoon = (): void => {
    this.#immediate = undefined;
    this.#handOver();
    if (this.#wakeOwed && !this.#closed) {
      this.#wakeOwed = false;
      this.#native.wake();
    }
  };

  /**
   * A record was added to the stage: hand it over with the others now if
   * enough wait (the writer thread is woken later), else once the gathering
   * time has passed (or, with a zero `flushInterval`, at the end of the turn).
   */
  #gathered(): void {
    if (++this.#stagedCount >= this.#maxRecords || this.#committed - this.#from >= HAND_OVER_BYTES) this.#handOver(false);
    if (this.#gatherMs > 0) {
      if (this.#gathering) return;
      this.#gathering = true;
      if (this.#gatherTimer === undefined) this.#gatherTimer = setTimeout(this.#gatheredLongEnough, this.#gatherMs).unref();
      else this.#gatherTimer.refresh();
      return;
    }
    // Not unref'd: an unref'd immediate does not stop the loop from blocking in poll, so it could
    // run long after this turn (at the next timer or I/O), and the records with it.
    if (this.#immediate === undefined) this.#immediate = setImmediate(this.#handOverSoon);
  }

  readonly #gatheredLongEnough = (): void => {
    this.#gathering = false;
    this.#handOverSoon();
  };

  /**
   * Gives the gathered records to Rust in one call; Rust copies them before it returns.
   * `wakeNow` false leaves waking the writer thread to the end of the turn.
   */
  #handOver(wakeNow = true): void {
    if (this.#stagedCount === 0 || this.#closed) return;
    const stage = this.#stage;
    const bytes = stage.buf.subarray(this.#from, this.#committed);
    const count = this.#stagedCount;
    this.#stagedCount = 0;
    if (this.#committed === stage.pos) {
      // Nothing under way after them: the buffer starts over (`bytes` stays valid until the call returns).
      stage.clear();
      this.#from = this.#committed = 0;
    } else {
      this.#from = this.#committed;
    }
    this.#send(bytes, count, wakeNow);
  }

  #send(bytes: Uint8Array, count: number, wakeNow: boolean): void {
    try {
      this.#native.write(bytes, count, wakeNow);
      this.#wakeOwed = !wakeNow;
    } catch (err) {
      // Refused by the addon (it was closed under us): the records are lost, and counted as such.
      this.#lateDropped += count;
      const e = nativeError(err, this.#path);
      this.#fault({ code: e.code, message: e.message, destination: this.#path });
    }
  }

  #collectFaults(): void {
    let faults: ReturnType<NativeBindingWriter["takeFaults"]>;
    try {
      faults = this.#native.takeFaults();
    } catch {
      return;
    }
    for (const f of faults) {
      if (f.code === "LOGXPY_ERR_QUEUE_FULL") {
        process.emitWarning(`logxpy: queue for ${this.#path} is full; ${f.message}`, { code: f.code });
      } else {
        this.#fault({ code: f.code, message: f.message, destination: this.#path, ...(f.errno ? { errno: f.errno } : {}) });
      }
    }
  }

  #fault(fault: WriterFault): void {
    this.#lastFault = fault;
    this.#report(fault);
  }
}
