import { isMainThread } from "node:worker_threads";
import { ErrorCode } from "./errors";
import { FaultReport } from "./fault-report";
import { loadedBinding } from "./binding";

/**
 * Flushes every live writer when the process (or worker thread) ends: on
 * `process.exit()`, after an uncaught exception or unhandled rejection (Node
 * emits "exit" for both), and when the event loop drains. The handler runs
 * synchronously, so each writer gets a bounded `flushSync`; a writer that
 * cannot finish in time is closed, which counts what it gives up on as
 * dropped and reports it (on stderr when nobody listens).
 */
interface Flushable {
  flushSync(timeoutMs: number): boolean;
  close(timeoutMs: number): boolean;
}

const live = new Map<Flushable, number>();
/** Loggers to switch to write-through once the exit flush has run. */
const loggers = new Set<WeakRef<{ writeThrough(): void }>>();
let installed = false;
const workerFaults = new FaultReport();

function flushAll(): void {
  // One deadline for all: exit waits at most the longest timeout, not their sum (the default
  // shutdownTimeout when only worker threads' writers are open).
  const deadline = Date.now() + (live.size === 0 ? 5000 : Math.max(...live.values()));
  for (const [writer, timeoutMs] of live) {
    try {
      if (!writer.flushSync(Math.min(timeoutMs, Math.max(0, deadline - Date.now())))) writer.close(0);
    } catch {
      // A writer's flushSync never throws by contract; this guards the other writers if one broke it.
    }
  }
  // Worker threads are stopped without running JavaScript when the main thread exits; what they
  // handed to the native writer is in Rust and is written here, whichever thread opened the file.
  if (isMainThread) {
    for (const { path, dropped } of loadedBinding()?.flushAllWriters(Math.max(0, deadline - Date.now())) ?? []) {
      // No logger listens for writers only worker threads opened: said on stderr, as faults nobody listens to are.
      workerFaults.report({
        code: ErrorCode.TIMEOUT,
        message: `${dropped} record(s) a worker thread logged could not be written to ${path} in time and were dropped`,
        destination: path,
      });
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
