import test from "ava";
import { join } from "node:path";
import { Logger, LogxpyError } from "../src/index";
import { nextMessage, readRecords, runFixture, tempDir, within } from "./helpers";

test("every record reaches every destination", (t) => {
  const dir = tempDir();
  const seen: string[] = [];
  const log = new Logger().init(join(dir, "main.log"), {
    asyncEnabled: false,
    destinations: [join(dir, "copy.log"), (r) => seen.push(r.msg as string)],
  });
  log.info("one").info("two");
  t.deepEqual(readRecords(join(dir, "main.log")).map((r) => r.msg), ["one", "two"]);
  t.deepEqual(readRecords(join(dir, "copy.log")).map((r) => r.msg), ["one", "two"]);
  t.deepEqual(seen, ["one", "two"]);
});

test("a destination function that throws is reported and the others still get the record", (t) => {
  const file = join(tempDir(), "iso.log");
  const errors: LogxpyError[] = [];
  const log = new Logger().init(file, {
    asyncEnabled: false,
    destinations: [() => {
      throw new Error("destination broke");
    }],
    onError: (e) => errors.push(e),
  });
  t.notThrows(() => log.info("survives"));
  t.is(readRecords(file).length, 1);
  t.is(errors.length, 1);
  t.is(errors[0]!.code, "LOGXPY_ERR_WRITE");
  t.regex(errors[0]!.message, /destination broke/);
});

test("the console destination writes JSON lines when stdout is a pipe", async (t) => {
  const result = await runFixture("console-child.cjs", ["pipe"]).done;
  t.is(result.code, 0, result.stderr);
  const lines = result.stdout.trim().split("\n");
  t.is(lines.length, 2);
  t.like(JSON.parse(lines[0]!), { mt: "info", msg: "to the console", n: 1 });
});

test("the pretty console form is readable, escapes control characters and honours NO_COLOR", async (t) => {
  const plain = await runFixture("console-child.cjs", ["pretty"], { NO_COLOR: "1" }).done;
  t.is(plain.code, 0, plain.stderr);
  t.false(plain.stdout.includes("\x1b["), "no ANSI colours under NO_COLOR");
  t.regex(plain.stdout, /INFO +to the console n=1/);
  t.regex(plain.stdout, /evil\\x1b\[31m\\nforged/);
  t.is(plain.stdout.trim().split("\n").length, 2, "a newline in a message cannot forge a line");
});

test("init with no target writes to a file named after the main script", async (t) => {
  const dir = tempDir();
  const result = await runFixture("auto-name.cjs", [dir]).done;
  t.is(result.code, 0, result.stderr);
  t.deepEqual(readRecords(join(dir, "auto-name-child.log")).map((r) => r.msg), ["auto"]);
});

test("the console destination waits out a full non-blocking stdout pipe (EAGAIN) and loses nothing", async (t) => {
  const run = runFixture("stdout-flood.cjs", []);
  t.teardown(() => run.child.kill("SIGKILL"));
  // Nobody reads stdout until a write of the child's has found the pipe full.
  run.child.stdout!.pause();
  const full = new Promise<void>((resolve) => {
    let said = "";
    run.child.stderr!.on("data", (d: Buffer) => (said += d.toString()).includes("stdout full\n") && resolve());
  });
  await within(full, "EAGAIN on the child's stdout");
  run.child.stdout!.resume();
  const result = await run.done;
  t.is(result.code, 0, result.stderr);
  const ids = result.stdout.trim().split("\n").map((l) => (JSON.parse(l) as { i: number }).i);
  t.is(ids.length, 20000);
  t.deepEqual(ids, Array.from({ length: 20000 }, (_, i) => i));
});

test("the console in front of a reader that stopped reading gives up after shutdownTimeout, counting each record it drops, instead of blocking the log call for good", async (t) => {
  const run = runFixture("console-stalled-child.cjs", []);
  t.teardown(() => run.child.kill("SIGKILL"));
  // Nobody reads the child's stdout until it has logged everything.
  run.child.stdout!.pause();
  const m = await within(nextMessage<{ errors: number }>(run.child, () => true), "the child's 2,000 log calls");
  run.child.stdout!.resume();
  const result = await run.done;
  t.is(result.code, 0, result.stderr);
  // Each record the pipe could not take is a failed delivery, counted (the console holds no queue).
  t.true(m.errors > 0, JSON.stringify(m));
  const ids = result.stdout.trim().split("\n").map((l) => (JSON.parse(l) as { i: number }).i);
  t.is(ids.length, 2000 - m.errors);
  t.deepEqual(ids, [...ids].sort((a, b) => a - b));
});

test("configure({ destinations }) replaces the destinations besides the init file and keeps the file", async (t) => {
  const dir = tempDir();
  const [main, first, second] = ["main.log", "first.log", "second.log"].map((f) => join(dir, f));
  const log = new Logger().init(main, { destinations: [first] });
  log.info("one");
  log.configure({ destinations: [second] });
  log.info("two");
  log.configure({ destinations: [] });
  log.info("three");
  await log.flush();
  t.deepEqual(readRecords(main).map((r) => r.msg), ["one", "two", "three"]);
  t.deepEqual(readRecords(first).map((r) => r.msg), ["one"]);
  t.deepEqual(readRecords(second).map((r) => r.msg), ["two"]);
  t.like(log.getAsyncMetrics(), { enqueued: 5, written: 5, dropped: 0 });
});

test("configure({ destinations }) naming the init file again is refused, not a second copy of each line", (t) => {
  const main = join(tempDir(), "main.log");
  const log = new Logger().init(main, { asyncEnabled: false });
  t.is(t.throws(() => log.configure({ destinations: [main] }), { instanceOf: LogxpyError })?.code, "LOGXPY_ERR_DESTINATION");
  log.info("still one copy");
  t.is(readRecords(main).length, 1);
});

for (const asyncEnabled of [true, false]) {
  test(`a destination function that throws counts in errors (${asyncEnabled ? "async" : "sync"} file writer beside it)`, async (t) => {
    const file = join(tempDir(), "count.log");
    const log = new Logger().init(file, {
      asyncEnabled,
      destinations: [() => {
        throw new Error("destination broke");
      }],
      onError: () => {},
    });
    for (let i = 0; i < 3; i++) log.info("x", { i });
    await log.flush();
    t.like(log.getAsyncMetrics(), { enqueued: 3, written: 3, errors: 3 });
    // Counts of a destination that was replaced are kept.
    log.configure({ destinations: [] });
    t.is(log.getAsyncMetrics().errors, 3);
  });
}

test("EPIPE on the console is reported and counted in errors", async (t) => {
  const run = runFixture("console-epipe-child.cjs", []);
  // With the read end closed, the child's writes to stdout fail with EPIPE.
  run.child.stdout!.destroy();
  run.child.send("go");
  const result = await run.done;
  t.is(result.code, 0, result.stderr);
  t.deepEqual(result.messages, [{ errno: "EPIPE", reported: 3, errors: 3 }]);
});
