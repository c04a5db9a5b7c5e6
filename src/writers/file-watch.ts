import { fstatSync, statSync } from "node:fs";
import { ErrorCode } from "../errors";
import type { WriterFault } from "./writer";

/** How often a writer checks that its file is still at its path. */
export const WATCH_INTERVAL_MS = 1000;

const checkListeners = new Set<(path: string) => void>();

/**
 * Test hook, not part of the API: calls `listener` with the path after each
 * look the watch takes, so a test waits for the watch to have run instead of
 * sleeping past the interval. Returns the function that removes it.
 *
 * @example
 * const stop = onWatchCheckForTests((path) => path === file && done());
 */
export function onWatchCheckForTests(listener: (path: string) => void): () => void {
  checkListeners.add(listener);
  return () => checkListeners.delete(listener);
}

/**
 * Notices when the file a writer has open is removed or moved away from its
 * path (a careless `rm`, or logrotate without a reopen): lines would go on
 * into a file nobody can see. It reports once per incident; `log.reopen()`
 * creates the file again at its path and clears the incident.
 *
 * @example
 * const watch = new FileWatch("app.log", fd, report);
 * setInterval(() => watch.check(), WATCH_INTERVAL_MS).unref();
 */
export class FileWatch {
  readonly #path: string;
  readonly #report: (fault: WriterFault) => void;
  #identity: string | undefined;
  #reported = false;

  constructor(path: string, fd: number | undefined, report: (fault: WriterFault) => void) {
    this.#path = path;
    this.#report = report;
    this.rebase(fd);
  }

  /** Takes the file now at the path (or open as `fd`) as the one to watch. */
  rebase(fd?: number): void {
    try {
      const st = fd === undefined ? statSync(this.#path) : fstatSync(fd);
      // Only regular files can be removed or moved under a writer; pipes and devices are left alone.
      this.#identity = st.isFile() ? `${st.dev}:${st.ino}` : undefined;
    } catch {
      this.#identity = undefined;
    }
    this.#reported = false;
  }

  /** Reports, once, when the path no longer names the file being written. */
  check(): void {
    this.#look();
    for (const listener of checkListeners) listener(this.#path);
  }

  #look(): void {
    if (this.#identity === undefined || this.#reported) return;
    let now: string | undefined;
    try {
      const st = statSync(this.#path);
      now = `${st.dev}:${st.ino}`;
    } catch {
      now = undefined;
    }
    if (now === this.#identity) return;
    this.#reported = true;
    this.#report({
      code: ErrorCode.FILE_GONE,
      message: `${this.#path} was ${now === undefined ? "removed" : "replaced by another file"} while logxpy was writing to it; lines go to the old file until log.reopen()`,
      destination: this.#path,
    });
  }
}
