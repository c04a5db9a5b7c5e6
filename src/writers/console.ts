import { isatty, WriteStream } from "node:tty";
import { colourWanted } from "../cli/text";
import { ConsoleFormat } from "../console-format";
import { writeFully } from "./fd";
import { ImmediateWriter } from "./immediate";
import type { WriterFault } from "./writer";

/**
 * Standard output or error, written synchronously (as Node itself writes to
 * files and pipes on Linux), so nothing is pending at exit.
 */
export class ConsoleWriter extends ImmediateWriter {
  readonly #fd: 1 | 2;
  readonly #render: (buf: Buffer, start: number, end: number) => Uint8Array;
  readonly #timeoutMs: number;
  readonly #report: (fault: WriterFault) => void;

  constructor(fd: 1 | 2, pretty: boolean | undefined, timeoutMs: number, report: (fault: WriterFault) => void) {
    super();
    this.#fd = fd;
    this.#timeoutMs = timeoutMs;
    this.#report = report;
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
    const fault = writeFully(this.#fd, this.#render(buf, start, end), name, Date.now() + this.#timeoutMs);
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

