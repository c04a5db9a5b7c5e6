/**
 * Flushes every live writer when the process (or worker thread) ends: on
 * `process.exit()`, after an uncaught exception or unhandled rejection (Node
 * emits "exit" for both), and when the event loop drains. The handler runs
 * synchronously, so each writer gets a bounded `flushSync`.
 */
interface Flushable {
  flushSync(timeoutMs: number): boolean;
}

const live = new Map<Flushable, number>();
/** Loggers to switch to write-through once the exit flush has run. */
const loggers = new Set<WeakRef<{ writeThrough(): void }>>();
let installed = false;

function flushAll(): void {
  // One deadline for all: exit waits at most the longest timeout, not their sum.
  const deadline = Date.now() + Math.max(0, ...live.values());
  for (const [writer, timeoutMs] of live) {
    try {
      writer.flushSync(Math.min(timeoutMs, Math.max(0, deadline - Date.now())));
    } catch {
      // A writer's flushSync never throws by contract; this guards the other writers if one broke it.
    }
  }
  // "exit" listeners added after logxpy's run after it; what they log must not wait in a queue.
  for (const ref of loggers) ref.deref()?.writeThrough();
}

function install(): void {
  if (!installed) {
    installed = true;
    process.on("exit", flushAll);
  }
}

/**
 * Asks `logger` to write each record through (flushing it at once) after the
 * exit flush, for records logged by later "exit" listeners.
 */
export function writeThroughAtExit(logger: { writeThrough(): void }): void {
  install();
  loggers.add(new WeakRef(logger));
}

/**
 * Makes sure `writer` is flushed (waiting at most `timeoutMs`) when the process exits.
 *
 * @example
 * flushAtExit(writer, 5000);
 */
export function flushAtExit(writer: Flushable, timeoutMs: number): void {
  install();
  live.set(writer, timeoutMs);
}

/** Stops flushing `writer` at exit (it was closed). */
export function forgetAtExit(writer: Flushable): void {
  live.delete(writer);
}
