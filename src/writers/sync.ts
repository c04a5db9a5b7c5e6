import { FileTarget, writeFully } from "./fd";
import { FileWatch, WATCH_INTERVAL_MS } from "./file-watch";
import type { Writer, WriterFault, WriterMetrics } from "./writer";

/**
 * Writes each line before the log call returns. A full pipe is waited out
 * (for at most the timeout); a failed write is counted, reported and the line
 * is counted as dropped, since a synchronous call cannot hold it for later.
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

  constructor(target: FileTarget, timeoutMs: number, report: (fault: WriterFault) => void) {
    this.#target = target;
    this.#timeoutMs = timeoutMs;
    this.#report = report;
    this.#watch = new FileWatch(target.path, target.fd, report);
    this.#watchTimer = setInterval(() => this.#watch.check(), WATCH_INTERVAL_MS).unref();
  }

  write(line: string): void {
    this.#enqueued++;
    if (this.#closed) {
      this.#dropped++;
      return;
    }
    const fault = writeFully(this.#target.fd, Buffer.from(line, "utf8"), this.#target.path, Date.now() + this.#timeoutMs);
    if (fault === undefined) {
      this.#written++;
      return;
    }
    this.#errors++;
    this.#dropped++;
    this.#report(fault);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  flushSync(): boolean {
    return true;
  }

  close(): boolean {
    if (!this.#closed) {
      this.#closed = true;
      clearInterval(this.#watchTimer);
      this.#target.close();
    }
    return true;
  }

  reopen(): void {
    this.#target.reopen();
    this.#watch.rebase(this.#target.fd);
  }

  metrics(): WriterMetrics {
    return { enqueued: this.#enqueued, written: this.#written, dropped: this.#dropped, errors: this.#errors, pending: 0 };
  }
}
