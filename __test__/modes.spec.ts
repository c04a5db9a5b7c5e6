import test from "ava";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Logger } from "../src/index";
import { readRecords, tempDir, waitFor } from "./helpers";

test('mode "w" truncates an existing file at init', (t) => {
  const file = join(tempDir(), "w.log");
  writeFileSync(file, '{"old":true}\n');
  const log = new Logger().init(file, { mode: "w", asyncEnabled: false });
  log.info("new");
  t.deepEqual(readRecords(file).map((r) => r.msg), ["new"]);
});

test('mode "a" appends to an existing file', (t) => {
  const file = join(tempDir(), "a.log");
  writeFileSync(file, '{"old":true}\n');
  const log = new Logger().init(file, { mode: "a", asyncEnabled: false });
  log.info("new");
  const records = readRecords(file);
  t.is(records.length, 2);
  t.is(records[0]!.old, true);
  t.is(records[1]!.msg, "new");
});

test("the default mode truncates", (t) => {
  const file = join(tempDir(), "default.log");
  writeFileSync(file, "stale\n");
  new Logger().init(file, { asyncEnabled: false }).info("fresh");
  t.is(readRecords(file).length, 1);
});

test("clean deletes the file before opening it", (t) => {
  const file = join(tempDir(), "clean.log");
  writeFileSync(file, "x".repeat(100));
  new Logger().init(file, { mode: "a", clean: true, asyncEnabled: false }).info("after clean");
  t.deepEqual(readRecords(file).map((r) => r.msg), ["after clean"]);
});

test("a new log file is created with mode 0o640 by default, and fileMode changes it", (t) => {
  const dir = tempDir();
  const before = process.umask(0);
  try {
    new Logger().init(join(dir, "perm.log"), { asyncEnabled: false });
    new Logger().init(join(dir, "perm600.log"), { asyncEnabled: false, fileMode: 0o600 });
  } finally {
    process.umask(before);
  }
  t.is(statSync(join(dir, "perm.log")).mode & 0o777, 0o640);
  t.is(statSync(join(dir, "perm600.log")).mode & 0o777, 0o600);
});

test("with asyncEnabled false each record is in the file when the call returns", (t) => {
  const file = join(tempDir(), "sync.log");
  const log = new Logger().init(file, { asyncEnabled: false });
  t.false(log.isAsync);
  t.is(log.backend, "sync");
  for (let i = 0; i < 50; i++) {
    log.info("line", { i });
    t.is(readRecords(file).length, i + 1);
  }
});

test("async is on by default and records wait in the queue until a flush", async (t) => {
  const file = join(tempDir(), "async.log");
  const log = new Logger().init(file);
  t.true(log.isAsync);
  log.info("queued");
  t.is(readFileSync(file, "utf8"), "");
  t.is(log.getAsyncMetrics().pending, 1);
  await log.flush();
  t.is(readRecords(file).length, 1);
  t.deepEqual(log.getAsyncMetrics(), { enqueued: 1, written: 1, dropped: 0, errors: 0, pending: 0 });
});

test("flushSync returns with every queued line in the file", (t) => {
  const file = join(tempDir(), "flushsync.log");
  const log = new Logger().init(file);
  for (let i = 0; i < 1234; i++) log.info("x", { i });
  t.true(log.flushSync());
  t.is(readRecords(file).length, 1234);
});

test("the flush interval writes a partial batch without any call from the user", async (t) => {
  const file = join(tempDir(), "interval.log");
  const log = new Logger().init(file, { asyncFlushInterval: "5ms", asyncBatchSize: 1000 });
  log.info("one");
  // Poll on the file itself: the writer's own timer must do the write.
  await waitFor(() => readFileSync(file, "utf8") !== "", "a write by the flush interval");
  t.is(readRecords(file).length, 1);
});

test("whole batches logged in one turn are written after it without any call from the user", async (t) => {
  const file = join(tempDir(), "turn.log");
  // Only whole batches can be written here: the flush interval is an hour.
  const log = new Logger().init(file, { asyncFlushInterval: "1h", asyncBatchSize: 10 });
  log.info("first");
  await log.flush();
  // Let the writer go idle, so what follows must wake it. (Were it still busy it would find the
  // records on its own: the test would prove less, never fail wrongly.)
  await new Promise((r) => setTimeout(r, 20));
  // Three whole batches, handed over inside the calls; waking the writer is left to the end of the turn.
  for (let i = 0; i < 30; i++) log.info("x", { i });
  // Poll the count, not the file: a read could land in the middle of a write.
  await waitFor(() => log.getAsyncMetrics().written >= 31, "the write of the batches logged in one turn");
  t.is(readRecords(file).length, 31);
});

test("LOGXPY_SYNC=1 forces synchronous writes", (t) => {
  const file = join(tempDir(), "envsync.log");
  process.env.LOGXPY_SYNC = "1";
  try {
    const log = new Logger().init(file);
    t.false(log.isAsync);
    log.info("now");
    t.is(readRecords(file).length, 1);
  } finally {
    delete process.env.LOGXPY_SYNC;
  }
});

test("syncMode writes each record before the call returns, then async resumes", (t) => {
  const file = join(tempDir(), "syncmode.log");
  const log = new Logger().init(file);
  log.info("before");
  const seen = log.syncMode(() => {
    log.info("inside");
    return readRecords(file).map((r) => r.msg);
  });
  t.deepEqual(seen, ["before", "inside"]);
  t.true(log.isAsync);
  log.info("after");
  t.is(readRecords(file).length, 2);
  log.flushSync();
  t.deepEqual(readRecords(file).map((r) => r.msg), ["before", "inside", "after"]);
});

test("syncMode around an async function stays synchronous until its promise settles", async (t) => {
  const file = join(tempDir(), "syncmode-async.log");
  const log = new Logger().init(file);
  await log.syncMode(async () => {
    await Promise.resolve();
    log.info("after await");
    t.is(readRecords(file).length, 1);
  });
  t.true(log.isAsync);
});

test("shutdownAsync writes everything queued and later records are still written", (t) => {
  const file = join(tempDir(), "shutdown.log");
  const log = new Logger().init(file);
  for (let i = 0; i < 500; i++) log.info("q", { i });
  t.true(log.shutdownAsync(5));
  t.false(log.isAsync);
  t.is(readRecords(file).length, 500);
  log.info("after shutdown");
  t.is(readRecords(file).length, 501);
  const m = log.getAsyncMetrics();
  t.is(m.enqueued, 501);
  t.is(m.written, 501);
});

test("useAsync switches a synchronous logger to the async writer without truncating", async (t) => {
  const file = join(tempDir(), "useasync.log");
  const log = new Logger().init(file, { asyncEnabled: false });
  log.info("sync one");
  log.useAsync({ maxQueue: 10, batchSize: 2, flushInterval: "1ms", policy: "block" });
  t.true(log.isAsync);
  log.info("async one");
  await log.flush();
  t.deepEqual(readRecords(file).map((r) => r.msg), ["sync one", "async one"]);
});

test("asyncMode runs a function under other settings and restores the current ones", async (t) => {
  const file = join(tempDir(), "asyncmode.log");
  const log = new Logger().init(file, { asyncEnabled: false });
  const backend = log.asyncMode({ maxQueue: 5, policy: "drop_newest" }, () => {
    t.true(log.isAsync);
    for (let i = 0; i < 20; i++) log.info("burst", { i });
    return log.backend;
  });
  t.false(log.isAsync);
  // How many the writer took before the queue filled depends on the writer (a native thread drains concurrently).
  const m = log.getAsyncMetrics();
  const written = readRecords(file).map((r) => r.i);
  // The pure-TypeScript writer writes nothing during a synchronous loop, so exactly the first 5 stay.
  if (backend === "js") t.is(m.dropped, 15);
  t.true(m.dropped <= 15, JSON.stringify(m));
  t.is(m.written + m.dropped, 20);
  // drop_newest never drops a queued record, so the first 5 are kept; later ones only where the
  // native thread took a batch (making room) during the loop.
  t.deepEqual(written.slice(0, 5), [0, 1, 2, 3, 4], "drop_newest keeps the oldest");
  t.true(written.every((v, i) => i === 0 || v > written[i - 1]!), "in order");
});

test("calling init again closes the old file and never duplicates records", (t) => {
  const dir = tempDir();
  const log = new Logger().init(join(dir, "one.log"), { asyncEnabled: false });
  log.info("first");
  log.init(join(dir, "two.log"), { asyncEnabled: false });
  log.info("second");
  t.deepEqual(readRecords(join(dir, "one.log")).map((r) => r.msg), ["first"]);
  t.deepEqual(readRecords(join(dir, "two.log")).map((r) => r.msg), ["second"]);
});

test("statsInterval emits one async_stats record every N records", (t) => {
  const file = join(tempDir(), "stats.log");
  const log = new Logger().init(file, { statsInterval: 10 });
  for (let i = 0; i < 25; i++) log.info("r", { i });
  log.flushSync();
  const stats = readRecords(file).filter((r) => r.mt === "async_stats");
  t.is(stats.length, 2);
  t.is(stats[0]!.enqueued, 10);
  t.is(typeof stats[0]!.pending, "number");
});

test.serial("configureAsync takes the Python logxpy's AsyncConfig", async (t) => {
  const { AsyncConfig, QueuePolicy } = await import("../src/index");
  // A destination that never accepts a write holds every record, so the configured limit must show as drops.
  const log = new Logger().init("/dev/full", { mode: "a", asyncEnabled: false, shutdownTimeout: "200ms", onError: () => {} });
  t.teardown(() => log.shutdownAsync(0.2));
  log.configureAsync(new AsyncConfig({ maxQueueSize: 3, batchSize: 1, queuePolicy: QueuePolicy.DROP_NEWEST }));
  t.true(log.isAsync);
  for (let i = 0; i < 20; i++) log.info("r", { i });
  const m = log.getAsyncMetrics();
  t.is(m.enqueued, 20);
  t.is(m.enqueued, m.written + m.dropped + m.pending);
  t.true(m.dropped >= 14, JSON.stringify(m));
});

test("init again on the same path with clean: true starts a fresh file that receives the records", async (t) => {
  const file = join(tempDir(), "again.log");
  const log = new Logger().init(file);
  for (let i = 0; i < 10; i++) log.info("first", { i });
  await log.flush();
  log.init(file, { clean: true });
  log.info("second");
  await log.flush();
  t.deepEqual(readRecords(file).map((r) => r.msg), ["second"]);
  t.like(log.getAsyncMetrics(), { enqueued: 11, written: 11, pending: 0 });
});

// The native writer is shared per file in a process, so the two /dev/full tests run one at a time and let go of it.
test.serial("useAsync settings take effect on a file that was already open", (t) => {
  // A destination that never accepts a write holds every record, so the new queue limit must show as drops.
  const log = new Logger().init("/dev/full", { mode: "a", shutdownTimeout: "200ms", onError: () => {} });
  t.teardown(() => log.shutdownAsync(0.2));
  log.useAsync({ maxQueue: 1, batchSize: 1, policy: "drop_newest" });
  for (let i = 0; i < 50; i++) log.info("burst", { i });
  const m = log.getAsyncMetrics();
  t.is(m.enqueued, 50);
  t.is(m.enqueued, m.written + m.dropped + m.pending);
  t.true(m.dropped >= 40, JSON.stringify(m));
});

test("overlapping async syncMode calls leave the logger asynchronous afterwards", async (t) => {
  const log = new Logger().init(join(tempDir(), "overlap.log"));
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const a = log.syncMode(() => gate);
  const b = log.syncMode(async () => {
    await Promise.resolve();
  });
  await b;
  t.false(log.isAsync, "still inside the first syncMode");
  release();
  await a;
  t.true(log.isAsync);
});

test("a failed init changes nothing: format and level stay as they were", (t) => {
  const file = join(tempDir(), "keep.log");
  const log = new Logger().init(file, { asyncEnabled: false });
  t.throws(() => log.init(join(tempDir(), "missing", "x.log"), { format: "eliot", level: "error" }));
  log.info("still logxpy format at info");
  t.like(readRecords(file)[0], { mt: "info", msg: "still logxpy format at info" });
});

test("a file listed twice is refused", (t) => {
  const file = join(tempDir(), "twice.log");
  const err = t.throws(() => new Logger().init(file, { destinations: [file.replace(/^\//, "/./")] }));
  t.is((err as { code?: string }).code, "LOGXPY_ERR_DESTINATION");
});
