import test from "ava";
import { closeSync, constants, openSync, readFileSync, readSync } from "node:fs";
import { join } from "node:path";
import { Logger, type LogxpyError } from "../src/index";
import { mkfifo, nextMessage, readRecords, runFixture, tempDir, type ChildResult } from "./helpers";

// Every scenario runs against the writer of this suite: the native one, or the pure-TypeScript
// one when LOGXPY_NATIVE=0 (the child inherits the environment).

/** Longest a scenario may take before the test fails instead of hanging: something did not settle. */
const SETTLE_BOUND_MS = 60_000;

interface Run extends ChildResult {
  // biome-ignore lint/suspicious/noExplicitAny: a fixture's JSON report; each test reads the shape its fixture prints
  reports: Array<Record<string, any>>;
}

async function scenario(name: string, target: string, ...args: string[]): Promise<Run> {
  const { child, done } = runFixture("lifecycle-child.cjs", [name, target, ...args]);
  const guard = setTimeout(() => child.kill("SIGKILL"), SETTLE_BOUND_MS);
  const result = await done;
  clearTimeout(guard);
  if (result.signal === "SIGKILL") throw new Error(`scenario ${name} did not settle within ${SETTLE_BOUND_MS} ms: ${result.stderr}`);
  return { ...result, reports: result.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l)) };
}

/** A FIFO with a reader that holds it open and reads nothing until `drain()`. */
function stalledFifo(): { path: string; drain: () => string; close: () => void } {
  const path = join(tempDir(), "stalled.fifo");
  mkfifo(path);
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const drain = (): string => {
    const chunks: Buffer[] = [];
    const buf = Buffer.alloc(1 << 16);
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EAGAIN") break;
        throw err;
      }
      if (n === 0) break;
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks).toString("utf8");
  };
  return { path, drain, close: () => closeSync(fd) };
}

/** Lines of `text` split into whole JSON records and the rest. */
function splitLines(text: string): { records: Array<Record<string, unknown>>; bad: string[] } {
  const records: Array<Record<string, unknown>> = [];
  const bad: string[] = [];
  for (const line of text.split("\n").filter((l) => l !== "")) {
    try {
      records.push(JSON.parse(line));
    } catch {
      bad.push(line);
    }
  }
  return { records, bad };
}

test("flush settles with LOGXPY_ERR_TIMEOUT, the pending count and the last I/O error while the destination keeps failing", async (t) => {
  // Shorter than the native writer's fault poll: the cause must be there all the same.
  const run = await scenario("failing-flush", "/dev/full", "0.1");
  t.is(run.code, 0, run.stderr);
  const [r] = run.reports;
  t.like(r!.flushed, { ok: false, code: "LOGXPY_ERR_TIMEOUT", cause: "ENOSPC" });
  t.true(r!.flushed.pending > 0, JSON.stringify(r!.flushed));
  t.like(r!.timed, { ok: false, code: "LOGXPY_ERR_TIMEOUT" });
  t.regex(r!.timed.message, /timeout of 100 ms/);
  t.false(r!.flushSync);
  t.true(r!.errors > 0);
});

test("no public call throws while a flush waits on a stalled reader, and syncMode still writes its record", async (t) => {
  const fifo = stalledFifo();
  const dir = tempDir();
  const run = await scenario("entry-points", fifo.path, join(dir, "other.log"), join(dir, "third.log"));
  fifo.close();
  t.is(run.code, 0, run.stderr);
  const [r] = run.reports;
  t.deepEqual(r!.thrown, []);
  t.regex(r!.written, /"msg":"in syncMode"/);
  // The first flush was overtaken by a close that gave up on the stalled reader; the second,
  // asked of the writer useAsync opened, settled one way or the other.
  t.like(r!.flushes[0], { ok: false, code: "LOGXPY_ERR_TIMEOUT" });
  t.true(r!.flushes[1].ok || r!.flushes[1].code === "LOGXPY_ERR_TIMEOUT", JSON.stringify(r!.flushes[1]));
  const m = r!.metrics;
  t.is(m.enqueued, m.written + m.dropped + m.pending);
});

test("a synchronous writer in front of a stalled reader waits the timeout once, not for every record, and writes again once the reader reads", (t) => {
  const fifo = stalledFifo();
  const errors: LogxpyError[] = [];
  const log = new Logger().init(fifo.path, { asyncEnabled: false, shutdownTimeout: 1 });
  log.on("error", (err) => errors.push(err));
  const pad = "x".repeat(3000);
  const started = Date.now();
  // 300 KB: the pipe takes 64 KB, and each record after that waiting the timeout took 80 s.
  for (let i = 0; i < 100; i++) log.info("stalled", { i, pad });
  const took = Date.now() - started;
  t.true(took < 20_000, `100 log calls took ${took} ms`);
  const m = log.getAsyncMetrics();
  t.true(m.dropped > 0 && m.written > 0, JSON.stringify(m));
  t.is(m.enqueued, m.written + m.dropped + m.pending);
  t.true(errors.length > 0 && errors.every((e) => e.code === "LOGXPY_ERR_TIMEOUT"), JSON.stringify(errors));
  fifo.drain();
  log.info("after the reader read");
  t.regex(fifo.drain(), /"msg":"after the reader read"/);
  log.shutdownAsync(1);
  fifo.close();
});

test("pending flushes leave libuv's threadpool free: 64 of them on a stalled reader, and readFile and pbkdf2 still finish first", async (t) => {
  const fifo = stalledFifo();
  const run = await scenario("threadpool", fifo.path);
  fifo.close();
  t.is(run.code, 0, run.stderr);
  t.deepEqual(run.reports[0], { settledBeforeRead: 0, settledBeforeHash: 0, flushes: 64 });
});

test("init again on a stalled reader ends the old writer: no descriptor or thread piles up, and what it gave up is counted and reported", async (t) => {
  const fifo = stalledFifo();
  const run = await scenario("reinit", fifo.path);
  const { records, bad } = splitLines(fifo.drain());
  fifo.close();
  t.is(run.code, 0, run.stderr);
  const [r] = run.reports;
  t.true(r!.after.fds <= r!.before.fds + 2, JSON.stringify(r));
  t.true(r!.after.threads <= r!.before.threads + 2, JSON.stringify(r));
  const m = r!.metrics;
  t.is(m.enqueued, r!.logged);
  t.is(m.pending, 0);
  t.is(m.enqueued, m.written + m.dropped);
  t.true(m.dropped > 0);
  t.true(r!.timeouts.length > 0);
  t.regex(r!.timeouts[0], /^\d+ record\(s\) could not be written/);
  // What reached the reader: whole records, as many as were counted written, and at most torn
  // fragments that end where a writer gave up (never two lines glued together).
  t.is(records.length, m.written);
  for (const line of bad) t.is(line.split('{"ts"').length, 2, `glued or foreign line: ${line.slice(0, 80)}…`);
});

test("shutdownAsync(t) is the bound of the whole call, not t plus shutdownTimeout", async (t) => {
  const fifo = stalledFifo();
  const run = await scenario("shutdown-bound", fifo.path);
  fifo.close();
  t.is(run.code, 0, run.stderr);
  const [r] = run.reports;
  t.false(r!.complete);
  // shutdownTimeout is 30 s: a call that waited for it as well would take 30.2 s.
  t.true(r!.ms < 3000, `shutdownAsync(0.2) took ${r!.ms} ms`);
});

test("records given up at exit in front of a stalled reader are counted as dropped and reported on stderr with the count", async (t) => {
  const fifo = stalledFifo();
  const n = 5000;
  const run = await scenario("exit-stalled", fifo.path, String(n));
  const { records } = splitLines(fifo.drain());
  fifo.close();
  t.is(run.code, 0, run.stderr);
  const m = run.reports[0]!.metrics;
  const said = /(\d+) record\(s\) could not be written/.exec(run.stderr);
  t.truthy(said, run.stderr);
  t.true(Number(said![1]) > 0);
  t.is(Number(said![1]), m.dropped);
  t.is(records.length, m.written);
  t.is(m.written + m.dropped, n);
});

test("written counts every whole line that reached the reader, also from a batch cut short by a full pipe", async (t) => {
  const fifo = stalledFifo();
  const { child, done } = runFixture("lifecycle-child.cjs", ["written-count", fifo.path]);
  // biome-ignore lint/suspicious/noExplicitAny: a fixture's JSON report; each test reads the shape its fixture prints
  const report = await new Promise<Record<string, any>>((resolve) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) resolve(JSON.parse(out.slice(0, out.indexOf("\n"))));
    });
  });
  child.kill("SIGKILL");
  await done;
  const { records } = splitLines(fifo.drain());
  fifo.close();
  t.true(report.metrics.written > 0);
  t.true(report.metrics.pending > 0, "the pipe must fill before every record is written");
  t.is(records.length, report.metrics.written);
});

for (const n of [50, 5000]) {
  for (const how of ["exit", "terminate"] as const) {
    test(`a worker thread's ${n} records reach the file when the main thread ${how === "exit" ? "calls process.exit()" : "terminates the worker"}`, async (t) => {
      const file = join(tempDir(), "workers.log");
      const run = await scenario("worker", file, String(n), how);
      t.is(run.code, 0, run.stderr);
      const records = readRecords(file);
      const fromWorker = records.filter((r) => r.msg === "from the worker").map((r) => r.i);
      t.deepEqual(fromWorker, Array.from({ length: n }, (_, i) => i));
      t.true(records.some((r) => r.msg === "main after the worker's records"));
      if (how === "terminate") t.true(records.some((r) => r.msg === "main after terminate"));
    });
  }
}

for (const how of ["exit", "terminate"] as const) {
  test(`a worker thread's records in a file of its own reach it when the main thread ${how === "exit" ? "exits" : "terminates the worker"}`, async (t) => {
    const dir = tempDir();
    const run = await scenario("worker", join(dir, "main.log"), "50", how, join(dir, "worker.log"));
    t.is(run.code, 0, run.stderr);
    t.deepEqual(readRecords(join(dir, "worker.log")).map((r) => r.i), Array.from({ length: 50 }, (_, i) => i));
  });
}

test("a worker thread's records that a stalled reader cannot take at exit are counted and said, none silently lost", async (t) => {
  const fifo = stalledFifo();
  const n = 60;
  const run = await scenario("worker-stalled", join(tempDir(), "main.log"), fifo.path, String(n));
  const { records } = splitLines(fifo.drain());
  fifo.close();
  t.is(run.code, 0, run.stderr);
  const { worker } = run.reports[0]!;
  // Native: queued in Rust, given up at exit and said on stderr. Pure TypeScript: written (or
  // dropped and counted) in the worker's own log calls.
  const said = /(\d+) record\(s\) a worker thread logged could not be written/.exec(run.stderr);
  const givenUp = said === null ? 0 : Number(said[1]);
  t.true(records.length < n, "the reader must have stalled the writer");
  t.is(records.length + givenUp + worker.dropped, n, run.stderr);
});

test("an error listener that flushes while a flush is answered gets its answer too, and the process ends", async (t) => {
  const run = await scenario("listener-flush", join(tempDir(), "app.log"));
  t.is(run.code, 0, run.stderr);
  const [r] = run.reports;
  t.true(r!.fromListener.length > 0, "the listener must have run");
  t.true([r!.first, r!.second, ...r!.fromListener].every((x: { ok: boolean }) => x.ok));
});

test("under a drop policy a flush to a stalled reader gives up while the program keeps logging", async (t) => {
  const fifo = stalledFifo();
  const run = await scenario("flush-while-dropping", fifo.path);
  fifo.close();
  t.is(run.code, 0, run.stderr);
  t.like(run.reports[0], { ok: false, code: "LOGXPY_ERR_TIMEOUT", whileLogging: true });
});

test("a writer switch in front of a stalled reader does not glue the next record onto a torn line", async (t) => {
  const fifo = stalledFifo();
  const { child, done } = runFixture("lifecycle-child.cjs", ["switch-torn", fifo.path]);
  let out = "";
  await new Promise<void>((resolve) =>
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("switched")) resolve();
    }),
  );
  let text = fifo.drain();
  const reading = setInterval(() => (text += fifo.drain()), 5);
  child.send("reading");
  const result = await done;
  clearInterval(reading);
  text += fifo.drain();
  fifo.close();
  t.is(result.code, 0, result.stderr);
  const { records, bad } = splitLines(text);
  t.true(records.some((r) => r.msg === "after the switch, written synchronously"));
  for (const line of bad) t.is(line.split('{"ts"').length, 2, `glued line: …${line.slice(-80)}`);
});

test("closing and reopening a healthy writer with no time to spare reports no timeout", async (t) => {
  const run = await scenario("zero-timeouts", join(tempDir(), "app.log"));
  t.is(run.code, 0, run.stderr);
  t.deepEqual(run.reports[0], { incomplete: 0, timeouts: [] });
});

test("a durable flush overtaken by init settles without a foreign error", async (t) => {
  const dir = tempDir();
  const run = await scenario("durable-then-init", join(dir, "a.log"), join(dir, "b.log"));
  t.is(run.code, 0, run.stderr);
  const { result } = run.reports[0]!;
  t.true(result.ok || result.code?.startsWith("LOGXPY_ERR_"), JSON.stringify(result));
});

for (const durable of ["written", "fsync"]) {
  test(`ainfo resolves once its record is in the file (${durable}), and 1,000 awaited calls at once all resolve`, async (t) => {
    const file = join(tempDir(), "ainfo.log");
    const run = await scenario("ainfo", file, durable);
    t.is(run.code, 0, run.stderr);
    const [r] = run.reports;
    t.deepEqual(r!.results, [1, 1001]);
    t.like(r!.bad, { ok: false, code: "LOGXPY_ERR_OPTION" });
    t.is(r!.lines, 1002);
  });
}

test("ainfo rejects with LOGXPY_ERR_TIMEOUT on a full disk, as flush does", async (t) => {
  const run = await scenario("ainfo-full", "/dev/full");
  t.is(run.code, 0, run.stderr);
  t.like(run.reports[0]!.result, { ok: false, code: "LOGXPY_ERR_TIMEOUT" });
});

test("shutdown from an error listener, a destination function, an exit listener and twice in a row is safe", async (t) => {
  const file = join(tempDir(), "reentrant.log");
  const run = await scenario("reentrant-close", file);
  t.is(run.code, 0, run.stderr);
  const [r] = run.reports;
  t.deepEqual(r!.thrown, []);
  t.deepEqual(splitLines(r!.lines).records.map((x) => x.msg), ["before", "close now", "after"]);
  t.deepEqual(splitLines(readFileSync(file, "utf8")).bad, []);
});

for (const writer of ["native", "js"] as const) {
  test(`block in front of a reader that stopped reading gives up after shutdownTimeout, with a warning, and waits again once it reads (${writer} writer)`, async (t) => {
    const fifo = stalledFifo();
    t.teardown(fifo.close);
    // Before, each log call waited for room for as long as the reader slept: forever.
    const { child, done } = runFixture("stalled-block-child.cjs", [fifo.path, "3000", "300"], { LOGXPY_NATIVE: writer === "js" ? "0" : "1" });
    const stuck = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const { stalled } = await nextMessage<{ stalled: Record<string, number> }>(child, (m) => m?.stalled !== undefined);
    t.is(stalled.enqueued, 3000);
    t.true(stalled.dropped > 0, "past the timeout, records that find no room are dropped");
    t.is(stalled.written + stalled.dropped + stalled.pending, stalled.enqueued, "and counted");
    // The reader reads again: a log call that finds no room waits for it once more, and loses nothing.
    let text = fifo.drain();
    const reading = setInterval(() => (text += fifo.drain()), 2);
    child.send("reading");
    const result = await done;
    clearInterval(reading);
    clearTimeout(stuck);
    text += fifo.drain();
    t.is(result.code, 0, result.stderr);
    const report = result.messages.find((m) => (m as { done?: unknown }).done !== undefined) as { done: Record<string, number>; warnings: string[] };
    t.true(report.warnings.includes("LOGXPY_ERR_QUEUE_FULL"), `the drops are said: ${report.warnings.join(", ")}`);
    t.is(report.done.dropped, stalled.dropped, "nothing dropped once the reader reads");
    t.is(report.done.written + report.done.dropped, 3300, "every record written or dropped, none lost uncounted");
    t.is(text.split("\n").filter((l) => l.includes('"msg":"after"')).length, 300);
  });
}
