import { isatty, WriteStream } from "node:tty";
import { isMainThread } from "node:worker_threads";
import { colourWanted } from "../cli/text";
import { ConsoleFormat } from "../console-format";
import { StallAwareWrites, writeOnce } from "./fd";
import { ImmediateWriter } from "./immediate";
import type { WriterFault } from "./writer";

/**
 * Standard output or error, written synchronously (as Node itself writes to
 * files and pipes on Linux), so nothing is pending at exit. A reader that
 * stopped reading costs one record the timeout, not each (see
 * {@link StallAwareWrites}): a pipe or socket is non-blocking once Node has
 * opened its stream, which the constructor makes sure of.
 */
export class ConsoleWriter extends ImmediateWriter {
  readonly #fd: 1 | 2;
  readonly #render: (buf: Buffer, start: number, end: number) => Uint8Array;
  readonly #lines: StallAwareWrites;
  readonly #report: (fault: WriterFault) => void;

  constructor(fd: 1 | 2, pretty: boolean | undefined, timeoutMs: number, report: (fault: WriterFault) => void) {
    super();
    this.#fd = fd;
    this.#lines = new StallAwareWrites(timeoutMs);
    this.#report = report;
    // Node opens process.stdout on first use, and only then puts a pipe or a socket in non-blocking
    // mode; until then a write to a reader that stopped reading would block the log call for good,
    // with no timeout. (A worker thread's process.stdout is a stream of its own, not the descriptor.)
    if (isMainThread) void (fd === 1 ? process.stdout : process.stderr).writable;
    if (pretty ?? isatty(fd)) {
      const format = new ConsoleFormat(colourOn(fd, process.env));
      this.#render = (buf, start, end) => Buffer.from(format.render(buf.toString("utf8", start, end)), "utf8");
    } else {
      this.#render = (buf, start, end) => buf.subarray(start, end);
    }
  }

  write(buf: Buffer, start: number, end: number): void {
    this.enqueued++;
    const name = this.#fd === 1 ? "stdout" : "stderr";
    const fd = this.#fd;
    const { fault } = this.#lines.write((b) => writeOnce(fd, b, name), this.#render(buf, start, end), name);
    if (fault === undefined) {
      this.written++;
    } else {
      this.errors++;
      this.dropped++;
      this.#report(fault);
    }
  }
}

/**
 * Whether the pretty console on `fd` is coloured: `colourWanted`'s rule, the
 * terminal being one of more than 8 colours. Written out rather than asking
 * Node with both variables set, which prints a process warning.
 *
 * @example
 * colourOn(1, { FORCE_COLOR: "1" }); // true, even when standard output is a pipe
 */
export function colourOn(fd: number, env: NodeJS.ProcessEnv): boolean {
  return colourWanted(env, () => isatty(fd) && WriteStream.prototype.getColorDepth(env) > 2);
}

