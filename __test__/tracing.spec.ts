import test from "ava";
import { memoryLogger } from "./helpers";

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test("an action writes started, its children, then succeeded, at Eliot levels", (t) => {
  const { log, records } = memoryLogger();
  const out = log.action("db:query", { table: "users" }, () => {
    log.info("rows read", { rows: 3 });
    return 3;
  });
  t.is(out, 3);
  t.deepEqual(records.map((r) => [r.lvl, r.at ?? r.mt, r.st]), [
    [[1], "db:query", "started"],
    [[2], "info", undefined],
    [[3], "db:query", "succeeded"],
  ]);
  t.is(new Set(records.map((r) => r.tid)).size, 1);
  t.is(records[0]!.table, "users");
  t.is(typeof records[2]!.dur, "number");
});

test("nested actions across await keep the exact Eliot levels", async (t) => {
  const { log, records } = memoryLogger();
  await log.action("outer", async () => {
    log.info("o1");
    await tick();
    await log.action("inner", async () => {
      await tick();
      log.info("i1");
      await new Promise((r) => setTimeout(r, 1));
      log.info("i2");
    });
    await tick();
    log.info("o2");
  });
  t.deepEqual(records.map((r) => `${r.at ?? r.msg}:${r.st ?? ""}:${JSON.stringify(r.lvl)}`), [
    "outer:started:[1]",
    "o1::[2]",
    "inner:started:[3,1]",
    "i1::[3,2]",
    "i2::[3,3]",
    "inner:succeeded:[3,4]",
    "o2::[4]",
    "outer:succeeded:[5]",
  ]);
  t.is(new Set(records.map((r) => r.tid)).size, 1);
});

test("concurrent actions interleaved by await each keep their own task and levels", async (t) => {
  const { log, records } = memoryLogger();
  const job = (name: string) =>
    log.action(name, async () => {
      for (let i = 0; i < 3; i++) {
        await tick();
        log.info(`${name}-${i}`);
      }
    });
  await Promise.all([job("a"), job("b")]);
  for (const name of ["a", "b"]) {
    const own = records.filter((r) => r.at === name || (r.msg as string | undefined)?.startsWith(`${name}-`));
    t.deepEqual(own.map((r) => r.lvl), [[1], [2], [3], [4], [5]]);
    t.is(new Set(own.map((r) => r.tid)).size, 1);
  }
  t.not(records.find((r) => r.at === "a")!.tid, records.find((r) => r.at === "b")!.tid);
});

test("promise chains and timers started inside an action stay in it", async (t) => {
  const { log, records } = memoryLogger();
  await log.action("chain", () =>
    Promise.resolve()
      .then(() => log.info("then"))
      .then(() => new Promise<void>((resolve) => setTimeout(() => {
        log.info("timer");
        resolve();
      }, 1))),
  );
  t.deepEqual(records.map((r) => r.lvl), [[1], [2], [3], [4]]);
});

test("a failed action writes failed with the error and rethrows it", async (t) => {
  const { log, records } = memoryLogger();
  await t.throwsAsync(
    log.action("pay", async () => {
      await tick();
      throw new Error("card declined");
    }),
    { message: "card declined" },
  );
  t.like(records[1], { at: "pay", st: "failed", exc: "Error", reason: "card declined", lvl: [2] });
  t.regex(records[1]!.stack as string, /card declined/);
});

test("startAction with run, finish and fail", (t) => {
  const { log, records } = memoryLogger();
  const a = log.startAction("upload", { size: 10 });
  a.run(() => log.info("chunk"));
  a.finish({ ok: true });
  a.finish({ again: true });
  const b = log.startAction("upload2");
  b.fail(new Error("disk"));
  t.deepEqual(records.map((r) => [r.at ?? r.msg, r.st, r.lvl]), [
    ["upload", "started", [1]],
    ["chunk", undefined, [2]],
    ["upload", "succeeded", [3]],
    ["upload2", "started", [1]],
    ["upload2", "failed", [2]],
  ]);
  t.is(records[2]!.ok, true);
  t.true(a.ended);
});

test("logged records arguments by name and the result", async (t) => {
  const { log, records } = memoryLogger();
  const add = log.logged(function add(a: number, b: number) {
    return a + b;
  });
  t.is(add(2, 3), 5);
  t.like(records[0], { at: "add", st: "started", args: { a: 2, b: 3 }, lvl: [1] });
  t.like(records[1], { at: "add", st: "succeeded", result: 5, lvl: [2] });
  const slow = log.logged(async (x: number, ...rest: number[]) => x + rest.length, { name: "slow", captureResult: false, exclude: ["x"] });
  t.is(await slow(1, 7, 8), 3);
  t.deepEqual(records[2]!.args, { rest: [7, 8] });
  t.false("result" in records[3]!);
});

test("nested logged calls nest their levels", (t) => {
  const { log, records } = memoryLogger();
  const inner = log.logged(function inner() {
    log.info("deep");
  });
  const outer = log.logged(function outer() {
    inner();
  });
  outer();
  t.deepEqual(records.map((r) => JSON.stringify(r.lvl)), ["[1]", "[2,1]", "[2,2]", "[2,3]", "[3]"]);
});

test("logged below the logger's level runs the function without records", (t) => {
  const { log, records } = memoryLogger({ level: "warning" });
  const f = log.logged((x: number) => x * 2, { level: "info" });
  t.is(f(4), 8);
  t.is(records.length, 0);
});

test("a logged function that throws writes failed and rethrows", (t) => {
  const { log, records } = memoryLogger();
  const bad = log.logged(function bad() {
    throw new SyntaxError("nope");
  });
  t.throws(() => bad(), { instanceOf: SyntaxError });
  t.like(records[1], { st: "failed", exc: "SyntaxError", reason: "nope" });
});

test("continueTask joins another process's task as a child of its action", (t) => {
  const sender = memoryLogger();
  const receiver = memoryLogger();
  let id = "";
  sender.log.action("client:call", () => {
    sender.log.info("sending");
    id = sender.log.currentTaskId();
  });
  receiver.log.continueTask(id, () => receiver.log.info("handled"));
  const tid = sender.records[0]!.tid;
  t.regex(id, /@\/3$/);
  t.deepEqual(receiver.records.map((r) => [r.tid, r.lvl, r.at ?? r.msg]), [
    [tid, [3, 1], "logxpy:remote_task"],
    [tid, [3, 2], "handled"],
    [tid, [3, 3], "logxpy:remote_task"],
  ]);
});

test("continueTask with a malformed id starts a new task and records the id", (t) => {
  const { log, records } = memoryLogger();
  t.is(log.continueTask("not a task id", () => 5), 5);
  t.like(records[0], { at: "logxpy:remote_task", lvl: [1], invalidTaskId: "not a task id" });
});

test("scope adds fields to every record inside it, across await", async (t) => {
  const { log, records } = memoryLogger();
  await log.scope({ requestId: "r1" }, async () => {
    log.info("a");
    await tick();
    log.info("b");
  });
  log.info("outside");
  t.deepEqual(records.map((r) => r.requestId), ["r1", "r1", undefined]);
});

test("new names a child logger and ctx adds fields, both sharing the destinations", (t) => {
  const { log, records } = memoryLogger();
  const db = log.new("db");
  db.new("pool").ctx({ size: 4 }).info("ready");
  t.like(records[0], { logger: "db.pool", size: 4 });
  t.is(db.name, "db");
});

test("records at levels inside an action still respect the threshold", (t) => {
  const { log, records } = memoryLogger({ level: "warning" });
  log.action("x", () => {
    log.info("hidden");
    log.warning("shown");
  });
  t.deepEqual(records.map((r) => r.lvl), [[1], [2], [3]]);
});

test("logged wraps functions with no parameters, extra arguments and destructuring", (t) => {
  const { log, records } = memoryLogger();
  t.is(log.logged(() => 42)("extra" as never), 42);
  t.deepEqual(records[0]!.args, { 0: "extra" });
  const destructured = log.logged(({ a }: { a: number }, [b]: number[]) => a + b!);
  t.is(destructured({ a: 1 }, [2]), 3);
  t.deepEqual(records[2]!.args, { 0: { a: 1 }, 1: [2] });
});
