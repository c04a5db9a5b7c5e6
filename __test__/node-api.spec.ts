// The names Node users reach for (pino's, mostly), beside logxpy's own: levels, child loggers,
// argument orders, per-record fields, per-destination levels and binding callbacks to a task.
import test from "ava";
import { EventEmitter } from "node:events";
import { join } from "node:path";
import { ErrorCode, LEVELS, Logger } from "../src/index";
import { memoryLogger, readRecords, tempDir } from "./helpers";

test("warn, fatal and trace write warning, critical and trace records", (t) => {
  const { log, records } = memoryLogger({ level: "trace" });
  log.warn("w").fatal("f").trace("t").warning("w2").critical("c2");
  t.deepEqual(records.map((r) => r.mt), ["warning", "critical", "trace", "warning", "critical"]);
  t.true(LEVELS.trace < LEVELS.debug);
});

test("trace is below the default level; silent turns everything off", (t) => {
  const { log, records } = memoryLogger();
  log.trace("hidden").debug("hidden").info("shown");
  t.deepEqual(records.map((r) => r.msg), ["shown"]);
  log.level = "silent";
  log.critical("hidden").fatal("hidden").error("hidden");
  t.is(records.length, 1);
  t.is(log.level, "silent");
  t.false(log.isLevelEnabled("critical"));
});

test("level reads and sets the threshold; warn and fatal are accepted and read back as logxpy names", (t) => {
  const { log, records } = memoryLogger();
  t.is(log.level, "info");
  log.level = "warn";
  t.is(log.level, "warning");
  log.info("dropped").warn("kept");
  t.deepEqual(records.map((r) => r.msg), ["kept"]);
  log.level = "FATAL";
  t.is(log.level, "critical");
  t.true(log.isLevelEnabled("fatal"));
  t.false(log.isLevelEnabled("error"));
  const err = t.throws(() => {
    log.level = "verbose" as never;
  });
  t.is((err as { code?: string }).code, ErrorCode.LEVEL);
  t.is(log.level, "critical", "a bad level leaves the threshold as it was");
  t.throws(() => log.isLevelEnabled("loud" as never), { code: ErrorCode.LEVEL });
});

test("setting the root's level is configure({ level }): every child without its own follows", (t) => {
  const { log, records } = memoryLogger();
  const child = log.child({ c: 1 });
  log.level = "debug";
  child.debug("from child");
  t.is(child.level, "debug");
  t.is(records[0]!.c, 1);
  log.configure({ level: "error" });
  t.is(log.level, "error");
  t.is(child.level, "error");
});

test("a child's own level changes that child only", (t) => {
  const { log, records } = memoryLogger();
  const chatty = log.child({ who: "chatty" }, { level: "debug" });
  const quiet = log.child({ who: "quiet" });
  quiet.level = "error";
  chatty.debug("chatty debug");
  quiet.warn("quiet warning");
  log.debug("root debug");
  log.info("root info");
  t.deepEqual(records.map((r) => r.msg), ["chatty debug", "root info"]);
  t.is(log.level, "info");
  t.is(chatty.level, "debug");
  t.is(quiet.level, "error");
  const grandchild = chatty.child({ g: 1 });
  grandchild.debug("inherits the child's level");
  t.is(records.at(-1)!.msg, "inherits the child's level");
  t.is(records.at(-1)!.who, "chatty");
  chatty.level = "error";
  t.is(grandchild.level, "debug", "a child made before keeps the level it had");
  t.is(chatty.child({}).level, "error");
});

test("child adds its bindings like ctx; bad bindings and unknown options are errors, undefined options are not", (t) => {
  const { log, records } = memoryLogger();
  log.child({ a: 1 }).child({ b: 2 }).info("x");
  t.like(records[0], { a: 1, b: 2 });
  t.throws(() => log.child("nope" as never), { code: ErrorCode.OPTION });
  t.throws(() => log.child({}, { redact: ["x"] } as never), { code: ErrorCode.OPTION, message: /unknown option "redact"/ });
  t.throws(() => log.child({}, { level: "loud" } as never), { code: ErrorCode.LEVEL });
  t.throws(() => log.child({}, { serializers: { user: 5 } } as never), { code: ErrorCode.OPTION, message: /serializers\.user/ });
  t.notThrows(() => log.child({}, { genReqId: undefined, logger: undefined } as never));
});

test("serializers replace the fields of their names; one that throws is written as its error", (t) => {
  const { log, records } = memoryLogger();
  const child = log.child({}, { serializers: { user: (u) => ({ id: (u as { id: number }).id }), bad: () => { throw new Error("no"); } } });
  child.info("login", { user: { id: 7, password: "x", profile: { big: true } }, bad: 1, other: { kept: true } });
  t.deepEqual(records[0]!.user, { id: 7 });
  t.is(records[0]!.bad, "[Throws: no]");
  t.deepEqual(records[0]!.other, { kept: true });
  log.info("root has none", { user: { id: 8, name: "n" } });
  t.deepEqual(records[1]!.user, { id: 8, name: "n" });
  t.is(typeof log.serializers.req, "function");
});

test("pino's argument order: (fields, msg) writes msg as the message and the object as fields", (t) => {
  const { log, records } = memoryLogger();
  log.info({ userId: 7 }, "logged in");
  t.is(records[0]!.msg, "logged in");
  t.is(records[0]!.userId, 7);
  t.false("value" in records[0]!);
  log.info("logged out", { userId: 8 });
  t.like(records[1], { msg: "logged out", userId: 8 });
  log.info({ a: 1 });
  t.deepEqual(records[2]!.msg, { a: 1 }, "a lone object is still the message, as in logxpy");
});

test("pino's printf style: the arguments past the first two are kept, as args, not dropped", (t) => {
  const { log, records } = memoryLogger();
  log.info("%s bought %d", "alice", 3);
  log.info({ orderId: 7 }, "paid %s %d", "EUR", 20);
  log.warn(new RangeError("late"), "retry %d of %d", 2, 5);
  log.info({ args: "mine" }, "kept %s", "too");
  log.info("plain", { a: 1 });
  t.like(records[0], { msg: "%s bought %d", value: "alice" });
  t.deepEqual(records[0]!.args, [3]);
  t.like(records[1], { msg: "paid %s %d", orderId: 7 });
  t.deepEqual(records[1]!.args, ["EUR", 20]);
  t.like(records[2], { mt: "warning", msg: "retry %d of %d", exc: "RangeError" });
  t.deepEqual(records[2]!.args, [2, 5]);
  t.like(records[3], { args: "mine", _args: ["too"] });
  t.false("args" in records[4]!, "two arguments are the two forms, as before");
});

test("an error first is written as exception writes it, at the method's level", (t) => {
  const { log, records } = memoryLogger();
  const err = Object.assign(new TypeError("bad input"), { code: "E_BAD" });
  log.error(err, "request failed");
  log.warn(err);
  log.fatal(err, { orderId: 3 });
  t.like(records[0], { mt: "error", msg: "request failed", exc: "TypeError", reason: "bad input", code: "E_BAD" });
  t.true(String(records[0]!.stack).includes("bad input"));
  t.like(records[1], { mt: "warning", msg: "bad input", exc: "TypeError" });
  t.like(records[2], { mt: "critical", msg: "bad input", exc: "TypeError", orderId: 3 });
});

test("an error inside fields ({ err }) is written with its type, message and stack", (t) => {
  const { log, records } = memoryLogger();
  log.error({ err: new RangeError("out") }, "failed");
  const e = records[0]!.err as Record<string, unknown>;
  t.is(records[0]!.msg, "failed");
  t.is(e.type, "RangeError");
  t.is(e.message, "out");
  t.true(String(e.stack).includes("out"));
});

test("mixin adds fields computed for each record, under scope, logger and call fields", (t) => {
  let n = 0;
  const { log, records } = memoryLogger();
  log.configure({ context: { app: "a", seq: -1 }, mixin: () => ({ seq: ++n, from: "mixin" }) });
  log.info("one");
  log.ctx({ from: "ctx" }).info("two");
  log.info("three", { seq: "call" });
  log.action("job", () => {});
  t.like(records[0], { app: "a", seq: 1, from: "mixin" });
  t.like(records[1], { seq: 2, from: "ctx" });
  t.like(records[2], { seq: "call" });
  t.like(records[3], { at: "job", st: "started", seq: 4 });
  log.configure({ mixin: null });
  log.info("four");
  t.false("from" in records.at(-1)!);
});

test("a mixin that throws or logs does not lose the record or recurse", (t) => {
  const { log, records } = memoryLogger();
  let calls = 0;
  log.configure({
    mixin: () => {
      calls++;
      log.info("from inside the mixin");
      throw new Error("mixin broke");
    },
  });
  log.info("outer");
  t.is(calls, 1);
  const outer = records.find((r) => r.msg === "outer")!;
  t.is(outer.mixin, "[Throws: mixin broke]");
  const inner = records.find((r) => r.msg === "from inside the mixin")!;
  t.false("mixin" in inner);
  t.throws(() => log.configure({ mixin: "no" as never }), { code: ErrorCode.OPTION });
});

test("a destination's own level: the file takes everything, the second only warnings and above", (t) => {
  const dir = tempDir();
  const all = join(dir, "all.log");
  const warnings = join(dir, "warnings.log");
  const log = new Logger().init(all, { level: "debug", asyncEnabled: false, destinations: [{ type: "file", path: warnings, level: "warn" }] });
  log.debug("d").info("i").warn("w").error("e");
  log.action("ok", () => {});
  t.throws(() =>
    log.action("bad", () => {
      throw new Error("x");
    }),
  );
  t.deepEqual(readRecords(all).map((r) => r.msg ?? `${r.at}:${r.st}`), ["d", "i", "w", "e", "ok:started", "ok:succeeded", "bad:started", "bad:failed"]);
  t.deepEqual(readRecords(warnings).map((r) => r.msg ?? `${r.at}:${r.st}`), ["w", "e", "bad:failed"]);
  t.throws(() => log.configure({ destinations: [{ type: "file", path: warnings, level: "loud" as never }] }), { code: ErrorCode.LEVEL });
});

test("a single file with its own level filters as well (async writer)", async (t) => {
  const dir = tempDir();
  const file = join(dir, "only.log");
  const log = new Logger().init(join(dir, "main.log"), { destinations: [{ type: "file", path: file, level: "error" }] });
  log.info("no").error("yes");
  await log.flush();
  t.deepEqual(readRecords(file).map((r) => r.msg), ["yes"]);
  t.deepEqual(readRecords(join(dir, "main.log")).map((r) => r.msg), ["no", "yes"]);
});

test("flush(callback), pino's form, calls back once the records are in the file, and with the error when the flush fails", async (t) => {
  const dir = tempDir();
  const file = join(dir, "cb.log");
  const log = new Logger().init(file);
  log.info("before the flush");
  const err = await new Promise<Error | undefined>((resolve) => t.is(log.flush(resolve), undefined));
  t.is(err, undefined);
  t.deepEqual(readRecords(file).map((r) => r.msg), ["before the flush"]);
  const full = new Logger().init("/dev/full", { mode: "a", shutdownTimeout: 0.1 });
  full.on("error", () => {});
  full.info("cannot be written");
  const failed = await new Promise<Error | undefined>((resolve) => full.flush((e) => resolve(e)));
  t.is((failed as { code?: string } | undefined)?.code, ErrorCode.TIMEOUT);
  t.true(log.shutdownAsync());
  t.false(full.shutdownAsync(0.1), "the record for /dev/full is given up on");
});

test("bind: a callback registered in one task logs into that task when another triggers it", async (t) => {
  const { log, records } = memoryLogger();
  const bus = new EventEmitter();
  await log.action("request:B", async () => {
    bus.once("ready", log.bind(() => log.info("B's callback")));
    bus.once("ready", () => log.info("unbound callback"));
  });
  await log.action("request:A", async () => {
    bus.emit("ready");
  });
  const b = records.find((r) => r.at === "request:B")!;
  const a = records.find((r) => r.at === "request:A")!;
  t.is(records.find((r) => r.msg === "B's callback")!.tid, b.tid);
  t.is(records.find((r) => r.msg === "unbound callback")!.tid, a.tid, "without bind, the trigger's task (what bind is for)");
  t.throws(() => log.bind(5 as never), { code: ErrorCode.OPTION });
});

test("bind keeps this and the arguments, and returns what the function returns", (t) => {
  const { log } = memoryLogger();
  const obj = { k: 2, f: log.bind(function (this: { k: number }, x: number) { return this.k * x; }) };
  t.is(obj.f(5), 10);
});
