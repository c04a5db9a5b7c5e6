import type { Writer, WriterMetrics } from "./writer";

/**
 * A destination that writes as the call happens: nothing is ever pending, so
 * flushing and closing have nothing to do. Subclasses count each record.
 */
export abstract class ImmediateWriter implements Writer {
  readonly backend = "sync" as const;
  protected enqueued = 0;
  protected written = 0;
  protected dropped = 0;
  protected errors = 0;

  abstract write(buf: Buffer, start: number, end: number): void;

  flush(): Promise<void> {
    return Promise.resolve();
  }
  flushSync(): boolean {
    return true;
  }
  close(): boolean {
    return true;
  }
  reopen(): void {}
  metrics(): WriterMetrics {
    return { enqueued: this.enqueued, written: this.written, dropped: this.dropped, errors: this.errors, pending: 0 };
  }
}
