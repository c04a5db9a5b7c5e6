/**
 * Logs the uncaught exception or unhandled rejection that ends the process:
 * one `critical` record per logger that asked for it, written before the
 * exit flush. It observes through "uncaughtExceptionMonitor", so Node's own
 * behaviour (the stack on stderr, exit code 1) is unchanged, and a program
 * with its own "uncaughtException" handler, which keeps the process alive,
 * gets no record from logxpy.
 */
interface CrashLogger {
  crashed(err: unknown, origin: NodeJS.UncaughtExceptionOrigin): void;
}

const loggers = new Set<WeakRef<CrashLogger>>();
/** The logger cores already watched: child loggers share their parent's, and one record per core is enough. */
const watched = new WeakSet<object>();
let installed = false;

function onUncaught(err: unknown, origin: NodeJS.UncaughtExceptionOrigin): void {
  if (process.listenerCount("uncaughtException") > 0) return;
  for (const ref of loggers) {
    try {
      ref.deref()?.crashed(err, origin);
    } catch {
      // Logging the crash must not replace it with another error.
    }
  }
}

/**
 * Writes a record through `logger.crashed` when an uncaught exception or an
 * unhandled rejection is about to end the process; once per `core`, the
 * state its loggers share.
 *
 * @example
 * logUncaughtTo(state, state); // state.crashed(err, "uncaughtException") runs before the exit flush
 */
export function logUncaughtTo(core: object, logger: CrashLogger): void {
  if (watched.has(core)) return;
  watched.add(core);
  loggers.add(new WeakRef(logger));
  if (!installed) {
    installed = true;
    process.on("uncaughtExceptionMonitor", onUncaught);
  }
}
