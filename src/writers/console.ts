import { isatty } from "node:tty";
import { prettyLine } from "../console-format";
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
    const readable = pretty ?? isatty(fd);
    const color = readable && isatty(fd) && !("NO_COLOR" in process.env && process.env.NO_COLOR !== "");
    this.#render = readable
      ? (buf, start, end) => Buffer.from(prettyLine(buf.toString("utf8", start, end), color), "utf8")
      : (buf, start, end) => buf.subarray(start, end);
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
