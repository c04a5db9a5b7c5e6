import { constants } from "node:os";

/** Opt-in signal handling: reopen files on one signal, flush and end on others. */
export interface SignalOptions {
  /** Reopen every log file on this signal (logrotate's "create" mode sends SIGHUP). */
  reopen?: NodeJS.Signals;
  /** Write everything queued on these signals, then end the process as the signal would have. */
  flush?: readonly NodeJS.Signals[];
}

/** What the signal handlers act on. */
export interface SignalTarget {
  reopen(): void;
  flushSync(): boolean;
}

/**
 * Installs the handlers `options` asks for and returns a function that
 * removes them. On a flush signal, when logxpy's handler is the only one, it
 * removes itself and raises the signal again, so the process ends with the
 * signal's own status (a parent sees "killed by SIGTERM", not "exit 0"); when
 * the program has handlers of its own, it only flushes and leaves the ending
 * to them.
 *
 * @example
 * const remove = installSignals({ reopen: "SIGHUP", flush: ["SIGTERM"] }, log);
 */
export function installSignals(options: SignalOptions, target: SignalTarget): () => void {
  const installed: Array<[NodeJS.Signals, () => void]> = [];
  if (options.reopen !== undefined) {
    const onReopen = (): void => target.reopen();
    process.on(options.reopen, onReopen);
    installed.push([options.reopen, onReopen]);
  }
  for (const signal of options.flush ?? []) {
    const onFlush = (): void => {
      target.flushSync();
      if (process.listenerCount(signal) === 1) {
        process.off(signal, onFlush);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onFlush);
    installed.push([signal, onFlush]);
  }
  return () => {
    for (const [signal, handler] of installed) process.off(signal, handler);
  };
}

/** True for a signal name Node knows and lets a program handle. */
export function isHandleableSignal(name: unknown): name is NodeJS.Signals {
  return typeof name === "string" && name in constants.signals && name !== "SIGKILL" && name !== "SIGSTOP";
}
