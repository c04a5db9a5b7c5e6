import { flushAtExit, forgetAtExit } from "../exit";
import type { RotateSettings } from "../options";
import { DataSync } from "./data-sync";
import { type FileTarget, StallAwareWrites } from "./fd";
import { markTorn, takeTorn } from "./torn-lines";
import type { FlushOptions } from "./flush-bound";
import { SupervisedFile } from "./supervised-file";
import type { Writer, WriterFault, WriterMetrics } from "./writer";

const NEWLINE = Buffer.from("\n");

/**
 * Writes each line before the log call returns. A full pipe is waited out
 * (for at most the timeout, and while it stays full after that, not again:
 * see {@link StallAwareWrites}); a failed write is counted, reported and the
 * line is counted as dropped, since a synchronous call cannot hold it for later.
 *
 * With `rotate`, the file rotates before a line that would not fit (see
 * {@link Rotator}). A compression of a rotated file still under way is
 * what `flush` waits for and `flushSync` (also at exit) finishes.
 *
 * @example
 * const writer = new SyncWriter(FileTarget.open("app.log", opts), 5000, report);
 * const line = Buffer.from('{"msg":"hi"}\n');
 * writer.write(line, 0, line.length); // in the file now
 */
export class SyncWriter implements Writer {
  readonly backend = "sync" as const;
  readonly #target: FileTarget;
  readonly #lines: StallAwareWrites;
  readonly #report: (fault: WriterFault) => void;
  #enqueued = 0;
  #written = 0;
  #dropped = 0;
  #errors = 0;
  #closed = false;
  readonly #file: SupervisedFile;
  readonly #sync: DataSync;
  /**
   * The destination ends inside a line (a write given up half-way, on a stalled pipe, or an
   * earlier writer's): the next line starts with a line break, so it is whole.
   */
  #torn: boolean;

  constructor(target: FileTarget, timeoutMs: number, report: (fault: WriterFault) => void, rotate?: RotateSettings) {
    this.#target = target;
    this.#lines = new StallAwareWrites(timeoutMs);
    this.#report = report;
    this.#file = new SupervisedFile(target, rotate, report, (fault) => {
      this.#errors++;
      report(fault);
    });
    this.#sync = new DataSync(() => target.fd, target.path, (fault) => {
      this.#errors++;
      report(fault);
    });
    this.#torn = takeTorn(target.path);
    // Only a compression can be left unfinished at exit; nothing else is ever pending here.
    if (this.#file.rotation !== undefined) flushAtExit(this, timeoutMs);
  }

  write(buf: Buffer, start: number, end: number): void {
    this.#enqueued++;
    if (this.#closed) {
      this.#dropped++;
      return;
    }
    const line = this.#torn ? Buffer.concat([NEWLINE, buf.subarray(start, end)]) : buf.subarray(start, end);
    const { written, fault } = this.#lines.write(this.#file.attempt, line, this.#target.path);
    if (written > 0) this.#torn = line[written - 1] !== 10;
    if (fault === undefined) {
      this.#written++;
      return;
    }
    this.#errors++;
    this.#dropped++;
    this.#report(fault);
  }

  flush(options?: FlushOptions): Promise<void> {
    const settled = this.#file.rotation?.settled() ?? Promise.resolve();
    if (options?.durable !== true) return settled;
    return settled.then(() => this.#sync.sync());
  }

  flushSync(): boolean {
    this.#file.rotation?.settleSync();
    return true;
  }

  close(): boolean {
    if (!this.#closed) {
      this.#closed = true;
      if (this.#torn) markTorn(this.#target.path);
      this.flushSync();
      forgetAtExit(this);
      this.#file.close();
    }
    return true;
  }

  reopen(): void {
    this.#file.reopen();
  }

  metrics(): WriterMetrics {
    return { enqueued: this.#enqueued, written: this.#written, dropped: this.#dropped, errors: this.#errors, pending: 0 };
  }
}
