import { resolve } from "node:path";
import type { ResolvedDestination } from "./destinations";
import type { Deliver } from "./encode";
import { ErrorCode, LogxpyError } from "./errors";
import type { LineBuffer } from "./line-buffer";
import type { AsyncSettings, Settings } from "./options";
import { ConsoleWriter } from "./writers/console";
import { fileWriter } from "./writers/file-writer";
import type { FlushOptions } from "./writers/flush-bound";
import { FunctionWriter } from "./writers/function";
import { otlpWriter } from "./writers/otlp-writer";
import { UnopenedWriter, unopenedFault } from "./writers/unopened";
import type { Writer, WriterFault, WriterMetrics } from "./writers/writer";

/**
 * A logger's destinations and the writer of each, with their lifecycle:
 * opening them (once per `init`, `configure({ destinations })` or mode
 * switch), closing the ones they replace, flushing, and the function that
 * hands each encoded record to all of them. The metrics of replaced writers
 * are kept, so the totals stay exact across every switch.
 *
 * @example
 * const set = new WriterSet(out, faults.report, onStats);
 * set.install([{ kind: "file", path: "app.log" }], settings.async, false, settings, 5000);
 * set.deliver(start, false); // the record encoded in out from start
 */
export class WriterSet {
  /** Hands the record encoded in `out` from `start` to every destination; rebuilt with the writers. */
  deliver: Deliver = () => {};
  readonly #out: LineBuffer;
  readonly #report: (fault: WriterFault) => void;
  /** Called every `statsInterval` records with the delivery the stats record takes. */
  readonly #onStats: (deliver: Deliver) => void;
  #destinations: ResolvedDestination[] = [];
  #writers: Writer[] = [];
  #async: AsyncSettings | undefined;
  #retired: WriterMetrics = { enqueued: 0, written: 0, dropped: 0, errors: 0, pending: 0 };

  constructor(out: LineBuffer, report: (fault: WriterFault) => void, onStats: (deliver: Deliver) => void) {
    this.#out = out;
    this.#report = report;
    this.#onStats = onStats;
  }

  get destinations(): readonly ResolvedDestination[] {
    return this.#destinations;
  }

  /** The async settings in force; undefined when writing synchronously. */
  get async(): AsyncSettings | undefined {
    return this.#async;
  }

  /** Which writer the first file uses ("sync" when there is no file). */
  get backend(): "native" | "js" | "sync" {
    const i = this.#destinations.findIndex((d) => d.kind === "file");
    return i < 0 ? "sync" : this.#writers[i]!.backend;
  }

  /**
   * Replaces the writers. The old ones are flushed and closed first: a native
   * writer is shared per file per process, so a new one for the same path
   * must not join the old one (it would keep the old settings). A file that
   * was open before is appended to, never truncated again; one that cannot be
   * opened again now (its directory removed, say) is an I/O failure after
   * init: reported, and kept as an {@link UnopenedWriter} that `reopen()`
   * opens. If a new file cannot be opened, the old destinations are opened
   * again (appending) and the error is thrown. Closing the old writers takes
   * at most `closeTimeoutMs` for all of them.
   */
  install(destinations: ResolvedDestination[], async: AsyncSettings | undefined, reopening: boolean, settings: Settings, closeTimeoutMs: number): void {
    const appendTo = new Set(reopening ? this.#destinations.flatMap((d) => (d.kind === "file" ? [d.path] : [])) : []);
    const old = { destinations: this.#destinations, async: this.#async };
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
      for (const d of destinations) {
        opened.push(d.kind === "file" && appendTo.has(d.path) ? this.#openAgain(d, async, settings) : this.#open(d, async, false, settings));
      }
    } catch (err) {
      for (const w of opened) w.close(0);
      this.#reopenAfterFailure(old.destinations, old.async, settings);
      throw err;
    }
    this.#use(destinations, opened, async);
  }

  /**
   * The same destinations with other writers (a mode switch, not a new
   * configuration): a file that cannot be opened again now, its directory
   * removed say, is an I/O failure after init, so it is reported, not thrown.
   */
  switchTo(async: AsyncSettings | undefined, settings: Settings, closeTimeoutMs: number): void {
    try {
      this.install(this.#destinations, async, true, settings, closeTimeoutMs);
    } catch (err) {
      if (!(err instanceof LogxpyError) || err.code !== ErrorCode.OPEN) throw err;
      this.#report({ code: err.code, message: err.message, destination: err.destination ?? "logxpy", ...(err.errno === undefined ? {} : { errno: err.errno }) });
    }
  }

  /** Settles once every writer has flushed (see `Writer.flush`). */
  async flush(options: FlushOptions): Promise<void> {
    await Promise.all(this.#writers.map((w) => w.flush(options)));
  }

  /** Flushes every writer within one deadline; true when all was written. */
  flushSync(timeoutMs: number): boolean {
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
    this.#destinations.forEach((d, i) => {
      addDestinationMetrics(total, d, this.#writers[i]!);
    });
    return total;
  }

  /** After the exit flush: every record is flushed as it is delivered, since nothing runs later to do it. */
  writeThrough(timeoutMs: number): void {
    const base = this.deliver;
    this.deliver = (start, nested, level) => {
      base(start, nested, level);
      this.flushSync(timeoutMs);
    };
  }

  /** The destinations that worked before, appended to; one that no longer opens waits for `reopen()`. */
  #reopenAfterFailure(destinations: ResolvedDestination[], async: AsyncSettings | undefined, settings: Settings): void {
    this.#use(destinations, destinations.map((d) => this.#openAgain(d, async, settings)), async);
  }

  /**
   * A destination that was open before, appended to. One that cannot be opened now is reported,
   * and its records are counted as dropped until `reopen()` opens it: a logger that loses its
   * file to a removed directory must not go on without it, or write nowhere.
   */
  #openAgain(d: ResolvedDestination, async: AsyncSettings | undefined, settings: Settings): Writer {
    const open = (): Writer => this.#open(d, async, true, settings);
    try {
      return open();
    } catch (err) {
      const name = d.kind === "file" ? d.path : d.kind === "otlp" ? d.target.name : d.kind;
      this.#report(unopenedFault(err, name));
      return new UnopenedWriter(name, open, this.#report);
    }
  }

  #use(destinations: ResolvedDestination[], writers: Writer[], async: AsyncSettings | undefined): void {
    this.#destinations = destinations;
    this.#writers = writers;
    this.#async = async;
    this.deliver = this.#strategy();
  }

  #open(d: ResolvedDestination, async: AsyncSettings | undefined, append: boolean, s: Settings): Writer {
    switch (d.kind) {
      case "file":
        return fileWriter(
          d.path,
          { mode: append ? "a" : d.mode ?? s.mode, clean: append ? false : s.clean, fileMode: s.fileMode },
          async,
          s.shutdownTimeoutMs,
          this.#report,
          s.rotate,
        );
      case "console":
        return new ConsoleWriter(d.fd, d.pretty, s.shutdownTimeoutMs, this.#report);
      case "function":
        return new FunctionWriter(d.fn, this.#report);
      case "otlp":
        return otlpWriter(d.target, async, s.shutdownTimeoutMs, this.#report);
    }
  }

  /**
   * One function for the hot path, chosen by how many writers there are and
   * whether stats are on. A single writer that can take records straight
   * from `out` is attached to it; otherwise each record is copied to every
   * writer, then taken off `out`.
   */
  #strategy(): Deliver {
    const writers = this.#writers;
    const out = this.#out;
    // A destination's own level; -Infinity takes every record.
    const levels = this.#destinations.map((d) => d.level ?? Number.NEGATIVE_INFINITY);
    const filtered = levels.some((l) => l !== Number.NEGATIVE_INFINITY);
    let base: Deliver;
    const only = writers.length === 1 && !filtered ? writers[0]! : undefined;
    if (only?.attach !== undefined) {
      only.attach(out);
      base = (start, nested) => only.commit!(start, nested);
    } else {
      base = (start, nested, level) => {
        try {
          for (let i = 0; i < writers.length; i++) {
            if (level >= levels[i]!) writers[i]!.write(out.buf, start, out.pos);
          }
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
    return (start, nested, level) => {
      base(start, nested, level);
      if (++count === every) {
        count = 0;
        this.#onStats(base);
      }
    };
  }
}

/** Rejects a file listed twice (as "a.log" and "./a.log", say): each record would be written to it twice. */
export function distinctFiles(destinations: ResolvedDestination[]): ResolvedDestination[] {
  const seen = new Set<string>();
  for (const d of destinations) {
    if (d.kind !== "file") continue;
    const key = resolve(d.path);
    if (seen.has(key)) throw new LogxpyError(ErrorCode.DESTINATION, `${d.path} is listed twice as a destination`);
    seen.add(key);
  }
  return destinations;
}

/**
 * A file's or a collector's counts all go into the totals; of the console and
 * functions, which hold no queue, only their failed deliveries, so that none
 * goes uncounted.
 */
function addDestinationMetrics(into: WriterMetrics, d: ResolvedDestination, w: Writer): void {
  if (d.kind === "file" || d.kind === "otlp") addMetrics(into, w.metrics());
  else into.errors += w.metrics().errors;
}

function addMetrics(into: WriterMetrics, m: WriterMetrics): void {
  into.enqueued += m.enqueued;
  into.written += m.written;
  into.dropped += m.dropped;
  into.errors += m.errors;
  into.pending += m.pending;
}
