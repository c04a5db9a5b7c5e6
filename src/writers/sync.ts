import { flushAtExit, forgetAtExit } from "../exit";
import type { RotateSettings } from "../options";
import { FileTarget, writeAll, type WriteAttempt } from "./fd";
import { FileWatch, WATCH_INTERVAL_MS } from "./file-watch";
import { Rotation, writeAttempt } from "./rotation";
import type { Writer, WriterFault, WriterMetrics } from "./writer";

/**
 * Writes each line before the log call returns. A full pipe is waited out
 * (for at most the timeout); a failed write is counted, reported and the line
 * is counted as dropped, since a synchronous call cannot hold it for later.
 *
 * With `rotate`, the file rotates before a line that would not fit (see
 * {@link Rotation}). A compression of a rotated file still under way is
 * what `flush` waits for and `flushSync` (also at exit) finishes.
 *
 * @example
 * const writer = new SyncWriter(FileTarget.open("app.log", opts), 5000, report);
 * writer.write('{"msg":"hi"}\n'); // in the file now
 */
export class SyncWriter implements Writer {
  readonly backend = "sync" as const;
  readonly #target: FileTarget;
  readonly #timeoutMs: number;
  readonly #report: (fault: WriterFault) => void;
  #enqueued = 0;
  #written = 0;
  #dropped = 0;
  #errors = 0;
  #closed = false;
  readonly #watch: FileWatch;
  readonly #watchTimer: NodeJS.Timeout;
  readonly #rotation: Rotation | undefined;
  readonly #attempt: WriteAttempt;

  constructor(target: FileTarget, timeoutMs: number, report: (fault: WriterFault) => void, rotate?: RotateSettings) {
    this.#target = target;
    this.#timeoutMs = timeoutMs;
    this.#report = report;
    this.#watch = new FileWatch(target.path, target.fd, report);
    this.#watchTimer = setInterval(() => this.#watch.check(), WATCH_INTERVAL_MS).unref();
    this.#rotation = Rotation.of(target, rotate, () => this.#watch.rebase(target.fd), (fault) => {
      this.#errors++;
      report(fault);
    });
    this.#attempt = writeAttempt(target, this.#rotation);
    // Only a compression can be left unfinished at exit; nothing else is ever pending here.
    if (this.#rotation !== undefined) flushAtExit(this, timeoutMs);
  }

  write(line: string): void {
    this.#enqueued++;
    if (this.#closed) {
      this.#dropped++;
      return;
    }
    const fault = writeAll(this.#attempt, Buffer.from(line, "utf8"), this.#target.path, Date.now() + this.#timeoutMs);
    if (fault === undefined) {
      this.#written++;
      return;
    }
    this.#errors++;
    this.#dropped++;
    this.#report(fault);
  }

  flush(): Promise<void> {
    return this.#rotation?.settled() ?? Promise.resolve();
  }

  flushSync(): boolean {
    this.#rotation?.settleSync();
    return true;
  }

  close(): boolean {
    if (!this.#closed) {
      this.#closed = true;
      clearInterval(this.#watchTimer);
      this.flushSync();
      forgetAtExit(this);
      this.#target.close();
    }
    return true;
  }

  reopen(): void {
    this.#target.reopen();
    this.#watch.rebase(this.#target.fd);
    this.#rotation?.reopened();
  }

  metrics(): WriterMetrics {
    return { enqueued: this.#enqueued, written: this.#written, dropped: this.#dropped, errors: this.#errors, pending: 0 };
  }
}
