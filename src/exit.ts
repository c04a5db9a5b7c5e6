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
let installed = false;

function flushAll(): void {
  for (const [writer, timeoutMs] of live) {
    try {
      writer.flushSync(timeoutMs);
    } catch {
      // A writer's flushSync never throws by contract; this guards the other writers if one broke it.
    }
  }
}

/**
 * Makes sure `writer` is flushed (waiting at most `timeoutMs`) when the process exits.
 *
 * @example
 * flushAtExit(writer, 5000);
 */
export function flushAtExit(writer: Flushable, timeoutMs: number): void {
  if (!installed) {
    installed = true;
    process.on("exit", flushAll);
  }
  live.set(writer, timeoutMs);
}

/** Stops flushing `writer` at exit (it was closed). */
export function forgetAtExit(writer: Flushable): void {
  live.delete(writer);
}
