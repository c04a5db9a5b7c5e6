import type { RotateSettings } from "../options";
import { ErrorCode } from "../errors";
import { fileFault, type FileTarget, type WriteAttempt } from "./fd";
import { FileWatch, WATCH_INTERVAL_MS } from "./file-watch";
import { Rotator, writeAttempt } from "./rotator";
import type { WriterFault } from "./writer";

/**
 * A log file as the pure-TypeScript writers hold it: the open target, the
 * watch that notices it removed or replaced, and its size rotation, set up
 * once so both writers share one arrangement.
 *
 * `rotationFault` reports the faults that count as errors: a failed
 * rotation or reopen.
 *
 * @example
 * const file = new SupervisedFile(FileTarget.open("app.log", opts), undefined, report, report);
 * file.attempt(Buffer.from('{"msg":"hi"}\n'));
 */
export class SupervisedFile {
  readonly target: FileTarget;
  /** Size rotation, or undefined when there is none to do. */
  readonly rotation: Rotator | undefined;
  /** One write attempt, through the rotation when there is one. */
  readonly attempt: WriteAttempt;
  readonly #watch: FileWatch;
  readonly #watchTimer: NodeJS.Timeout;
  readonly #countedFault: (fault: WriterFault) => void;

  constructor(
    target: FileTarget,
    rotate: RotateSettings | undefined,
    report: (fault: WriterFault) => void,
    rotationFault: (fault: WriterFault) => void,
  ) {
    this.target = target;
    this.#countedFault = rotationFault;
    this.#watch = new FileWatch(target.path, target.fd, report);
    this.#watchTimer = setInterval(() => this.#watch.check(), WATCH_INTERVAL_MS).unref();
    this.rotation = Rotator.of(target, rotate, () => this.#watch.rebase(target.fd), rotationFault);
    this.attempt = writeAttempt(target, this.rotation);
  }

  /**
   * Opens the path again (after logrotate moved the file) and watches the
   * new file. A path that cannot be opened (its directory removed, say) is
   * counted and reported, never thrown, and the old file stays in use, as
   * on the native writer; the next reopen tries again.
   */
  reopen(): void {
    try {
      this.target.reopen();
    } catch (err) {
      this.#countedFault(fileFault(`cannot reopen ${this.target.path}`, err, this.target.path, ErrorCode.OPEN));
      return;
    }
    this.#watch.rebase(this.target.fd);
    this.rotation?.reopened();
  }

  /** Stops watching and closes the file. */
  close(): void {
    clearInterval(this.#watchTimer);
    this.target.close();
  }
}
