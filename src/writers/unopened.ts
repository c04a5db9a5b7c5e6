import { ErrorCode, LogxpyError } from "../errors";
import type { FlushOptions } from "./flush-bound";
import type { Writer, WriterFault, WriterMetrics } from "./writer";

/**
 * A destination that was open but could not be opened again when its writer
 * was replaced (a mode switch, `configure({ destinations })`, a failed
 * `init`): its directory was removed, say. It stays a destination: each
 * record is counted as dropped, so none goes uncounted, and `reopen()` tries
 * it again, handing records to its new writer from then on.
 *
 * @example
 * const w = new UnopenedWriter(path, () => fileWriter(path, append, async, 5000, report), report);
 * w.reopen(); // the directory is back: records go to the file again
 */
export class UnopenedWriter implements Writer {
  readonly #name: string;
  readonly #open: () => Writer;
  readonly #report: (fault: WriterFault) => void;
  #writer: Writer | undefined;
  #closed = false;
  #enqueued = 0;
  #dropped = 0;

  constructor(name: string, open: () => Writer, report: (fault: WriterFault) => void) {
    this.#name = name;
    this.#open = open;
    this.#report = report;
  }

  get backend(): "native" | "js" | "sync" {
    return this.#writer?.backend ?? "sync";
  }

  write(buf: Buffer, start: number, end: number): void {
    if (this.#writer !== undefined) {
      this.#writer.write(buf, start, end);
      return;
    }
    this.#enqueued++;
    this.#dropped++;
  }

  flush(options?: FlushOptions): Promise<void> {
    return this.#writer?.flush(options) ?? Promise.resolve();
  }

  flushSync(timeoutMs: number): boolean {
    return this.#writer?.flushSync(timeoutMs) ?? true;
  }

  close(timeoutMs: number): boolean {
    this.#closed = true;
    return this.#writer?.close(timeoutMs) ?? true;
  }

  reopen(): void {
    if (this.#writer !== undefined) {
      this.#writer.reopen();
      return;
    }
    if (this.#closed) return;
    try {
      this.#writer = this.#open();
    } catch (err) {
      this.#report(unopenedFault(err, this.#name));
    }
  }

  metrics(): WriterMetrics {
    const own = { enqueued: this.#enqueued, written: 0, dropped: this.#dropped, errors: 0, pending: 0 };
    if (this.#writer === undefined) return own;
    const m = this.#writer.metrics();
    return { ...m, enqueued: m.enqueued + own.enqueued, dropped: m.dropped + own.dropped };
  }
}

/** The report of a destination that could not be opened again: its records are dropped until it opens. */
export function unopenedFault(err: unknown, name: string): WriterFault {
  const known = err instanceof LogxpyError ? err : undefined;
  return {
    code: ErrorCode.OPEN,
    message: `could not reopen ${name}: ${(err as Error)?.message ?? String(err)}; its records are counted as dropped until log.reopen() opens it`,
    destination: known?.destination ?? name,
    ...(known?.errno === undefined ? {} : { errno: known.errno }),
  };
}
