import test from "ava";

import { ErrorCode, LogxpyError } from "../src/errors";
import { asyncSettings, initSettings, QueuePolicy } from "../src/options";
import { FIRST_ERROR_BACKOFF_MS, MAX_ERROR_BACKOFF_MS } from "../src/writers/backoff";

// The addon is loaded directly, not through src/native.ts, so that this runs
// under LOGXPY_NATIVE=0 too: the TypeScript definitions must match the Rust
// ones whichever writer the suite exercises. A missing addon fails the test.
const binding = require("../native/binding.js") as Record<string, unknown> & { queuePolicyNames(): string[] };

/** One value both languages define: its name, the TypeScript value, the Rust value. */
type Pair = [name: string, ts: unknown, rust: unknown];

function differences(pairs: Pair[]): string[] {
  return pairs
    .filter(([, ts, rust]) => JSON.stringify(ts) !== JSON.stringify(rust))
    .map(([name, ts, rust]) => `${name}: TypeScript ${JSON.stringify(ts)}, Rust ${JSON.stringify(rust)}`);
}

/** The largest `maxQueue` the TypeScript validator accepts, found by asking it. */
function tsMaxQueueLimit(limit: number): number | string {
  try {
    asyncSettings({ maxQueue: limit });
  } catch (err) {
    return `rejects ${limit}: ${(err as Error).message}`;
  }
  try {
    asyncSettings({ maxQueue: limit + 1 });
  } catch (err) {
    if (err instanceof LogxpyError) return limit;
  }
  return `accepts ${limit + 1}`;
}

test("every error code the Rust writer can produce is in ErrorCode with the same string", (t) => {
  const rustCodes = Object.keys(binding).filter((name) => name.startsWith("LOGXPY_ERR_"));
  t.true(rustCodes.length > 0, "the addon exports no LOGXPY_ERR_* constants");
  const codes = ErrorCode as Record<string, string>;
  const pairs: Pair[] = rustCodes.map((name) => [name, codes[name.slice("LOGXPY_ERR_".length)], binding[name]]);
  t.deepEqual(differences(pairs), []);
});

test("the queue policy names are the same in TypeScript and Rust", (t) => {
  const ts = Object.values(QueuePolicy).sort();
  const rust = [...binding.queuePolicyNames()].sort();
  t.deepEqual(differences([["queue policy names", ts, rust]]), []);
});

test("the writer defaults and limits are the same in TypeScript and Rust", (t) => {
  const async = asyncSettings({});
  const init = initSettings({}, {});
  const pairs: Pair[] = [
    ["DEFAULT_MAX_QUEUE", async.maxQueue, binding.DEFAULT_MAX_QUEUE],
    ["DEFAULT_BATCH_SIZE", async.batchSize, binding.DEFAULT_BATCH_SIZE],
    ["DEFAULT_FLUSH_INTERVAL_MS", async.flushIntervalMs, binding.DEFAULT_FLUSH_INTERVAL_MS],
    ["DEFAULT_SHUTDOWN_TIMEOUT_MS", init.shutdownTimeoutMs, binding.DEFAULT_SHUTDOWN_TIMEOUT_MS],
    ["DEFAULT_FILE_MODE", init.fileMode, binding.DEFAULT_FILE_MODE],
    ["MAX_QUEUE_LIMIT", tsMaxQueueLimit(binding.MAX_QUEUE_LIMIT as number), binding.MAX_QUEUE_LIMIT],
  ];
  t.deepEqual(differences(pairs), []);
});

test("the first and the longest retry pause of a failing destination are the same in both writers", (t) => {
  t.deepEqual(
    differences([
      ["FIRST_BACKOFF_MS", FIRST_ERROR_BACKOFF_MS, binding.FIRST_BACKOFF_MS],
      ["MAX_BACKOFF_MS", MAX_ERROR_BACKOFF_MS, binding.MAX_BACKOFF_MS],
    ]),
    [],
  );
});
