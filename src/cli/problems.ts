import { neutralise } from "./text";

/**
 * How many bad lines are named one by one before the rest are only counted:
 * a file of binary garbage must not bury the output under a warning per line.
 */
const NAMED = 20;

/**
 * Reports bad input on standard error, each problem once with its file and
 * line number, and never stops the reading: the rest is rendered.
 *
 * @example
 * const problems = new Problems(process.stderr);
 * problems.line("app.log", 17, "not JSON");  // logxpy: app.log:17: not JSON (line skipped)
 * problems.finish();
 */
export class Problems {
  #lines = 0;
  #files = 0;
  readonly #out: NodeJS.WritableStream;

  constructor(out: NodeJS.WritableStream) {
    this.#out = out;
  }

  /** A line that holds no record. */
  line(file: string, line: number, why: string): void {
    this.#lines++;
    if (this.#lines <= NAMED) this.#out.write(`logxpy: ${neutralise(file)}:${line}: ${why} (line skipped)\n`);
  }

  /** A source that cannot be read at all. */
  file(file: string, err: unknown): void {
    this.#files++;
    const code = (err as NodeJS.ErrnoException)?.code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (err as Error)?.message ?? String(err);
    this.#out.write(`logxpy: ${neutralise(file)}: ${neutralise(why)}\n`);
  }

  /** True when a source could not be read: the command then exits with status 1. */
  get failed(): boolean {
    return this.#files > 0;
  }

  /** Says how many bad lines went unnamed. */
  finish(): void {
    if (this.#lines > NAMED) this.#out.write(`logxpy: ${this.#lines - NAMED} more bad lines skipped (${this.#lines} in all)\n`);
  }
}
