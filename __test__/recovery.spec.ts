import test from "ava";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Logger, type LogxpyError } from "../src";
import { nextMessage, readRecords, runFixture, tempDir } from "./helpers";

// Faults after init are reported and retried, never thrown, and retried with backoff on every
// writer. Each test runs against this suite's async writer (native, or pure TypeScript when
// LOGXPY_NATIVE=0) and the sync one.

for (const writer of ["async", "sync"] as const) {
  test(`${writer}: a SIGHUP reopen whose directory is gone is reported, and the process lives on`, async (t) => {
    const dir = tempDir();
    const { child, done } = runFixture("reopen-child.cjs", [join(dir, "app.log"), writer]);
    await nextMessage(child, (m) => m === "ready");
    rmSync(dir, { recursive: true });
    child.kill("SIGHUP");
    const report = await nextMessage<{ errors: Array<{ code: string; errno?: string }> }>(child, (m) => typeof m === "object");
    const result = await done;
    t.is(result.code, 0, result.stderr);
    t.deepEqual(report.errors.filter((e) => e.code === "LOGXPY_ERR_OPEN").map((e) => e.errno), ["ENOENT"]);
  });

  test(`${writer}: log.reopen() of a path that cannot be opened reports LOGXPY_ERR_OPEN and keeps writing the open file`, async (t) => {
    const dir = tempDir();
    const errors: LogxpyError[] = [];
    const log = new Logger().init(join(dir, "app.log"), { asyncEnabled: writer === "async" });
    log.on("error", (err) => errors.push(err));
    log.info("before");
    rmSync(dir, { recursive: true });
    t.notThrows(() => log.reopen());
    log.info("after");
    await log.flush();
    t.deepEqual(errors.filter((e) => e.code === "LOGXPY_ERR_OPEN").map((e) => e.errno), ["ENOENT"]);
    t.is(log.getAsyncMetrics().written, 2);
    log.shutdownAsync(1);
  });
}

// Each replaces the writers, so each opens the file again: with its directory gone, it cannot.
const SWITCHES = {
  "useAsync()": (log: Logger) => log.useAsync({}),
  "shutdownAsync()": (log: Logger) => log.shutdownAsync(1),
  "syncMode()": (log: Logger) => log.syncMode(() => log.info("in syncMode")),
  "configure({ destinations: [] })": (log: Logger) => log.configure({ destinations: [] }),
};

for (const writer of ["async", "sync"] as const) {
  for (const [name, change] of Object.entries(SWITCHES)) {
    test(`${writer}: ${name} once the file's directory is gone keeps the file: its records are counted as dropped, and log.reopen() brings it back`, async (t) => {
      const dir = tempDir();
      const path = join(dir, "app.log");
      const errors: LogxpyError[] = [];
      const log = new Logger().init(path, { asyncEnabled: writer === "async", shutdownTimeout: 1 });
      log.on("error", (err) => errors.push(err));
      log.info("before");
      await log.flush();
      rmSync(dir, { recursive: true });
      t.notThrows(() => change(log));
      log.info("while gone");
      t.true(errors.some((e) => e.code === "LOGXPY_ERR_OPEN" && e.errno === "ENOENT"), JSON.stringify(errors));
      mkdirSync(dir);
      log.reopen();
      log.info("after");
      await log.flush();
      t.deepEqual(readRecords(path).map((r) => r.msg), ["after"]);
      const m = log.getAsyncMetrics();
      t.is(m.written, 2, JSON.stringify(m));
      t.is(m.dropped, name === "syncMode()" ? 2 : 1, JSON.stringify(m));
      t.is(m.enqueued, m.written + m.dropped + m.pending);
      log.shutdownAsync(1);
    });
  }
}

test("block on a destination that keeps failing retries with backoff: 5,000 log calls make a handful of attempts, not one each", async (t) => {
  const errors: LogxpyError[] = [];
  const log = new Logger().init("/dev/full", { mode: "a", asyncMaxQueue: 10, asyncBatchSize: 10, shutdownTimeout: 0.2 });
  log.on("error", (err) => errors.push(err));
  for (let i = 0; i < 5000; i++) log.info("to a full disk", { i });
  // The flush gives up after shutdownTimeout without progress; by then every fault is reported.
  await t.throwsAsync(log.flush(), { code: "LOGXPY_ERR_TIMEOUT" });
  const m = log.getAsyncMetrics();
  const events = errors.filter((e) => e.code === "LOGXPY_ERR_WRITE").length;
  log.shutdownAsync(0.1);
  // Past shutdownTimeout of failures, block drops (and counts) instead of waiting; the writes it
  // still tries back off from 10 ms to 1 s, so the first 0.2 s see at most a few dozen.
  t.true(m.errors < 100, `${m.errors} failed writes for 5,000 calls`);
  t.true(events > 0 && events <= m.errors, `${events} error events, ${m.errors} counted`);
  t.true(m.dropped > 4000, JSON.stringify(m));
  t.is(m.enqueued, m.written + m.dropped + m.pending);
});
