import type { LogRecord } from "../record";
import type { DestinationFunction } from "../destinations";
import { ErrorCode } from "../errors";
import { ImmediateWriter } from "./immediate";
import type { WriterFault } from "./writer";

/** A user function, called with each record; what it throws is reported, never rethrown. */
export class FunctionWriter extends ImmediateWriter {
  readonly #fn: DestinationFunction;
  readonly #report: (fault: WriterFault) => void;

  constructor(fn: DestinationFunction, report: (fault: WriterFault) => void) {
    super();
    this.#fn = fn;
    this.#report = report;
  }

  write(buf: Buffer, start: number, end: number): void {
    this.enqueued++;
    try {
      const line = buf.toString("utf8", start, end);
      this.#fn(JSON.parse(line) as LogRecord, line);
      this.written++;
    } catch (err) {
      this.errors++;
      this.dropped++;
      this.#report({
        code: ErrorCode.WRITE,
        message: `destination function ${this.#fn.name || "(anonymous)"} threw: ${describeThrown(err)}`,
        destination: "function",
      });
    }
  }
}

/** What a thrown value says about itself, without throwing again. */
function describeThrown(err: unknown): string {
  try {
    return err instanceof Error ? err.message : String(err);
  } catch {
    return "(a value that cannot be printed)";
  }
}
