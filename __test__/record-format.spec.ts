import test from "ava";
import { openSync } from "node:fs";
import { join } from "node:path";
import { Logger } from "../src/index";
import { LineBuffer } from "../src/line-buffer";
import { TaskIds } from "../src/ids";
import { memoryLogger, readRecords, tempDir } from "./helpers";

test("a message has ts, tid, lvl, mt, msg in that order, then the fields", (t) => {
  const { log, lines } = memoryLogger();
  log.info("Hello", { user_id: 123 });
  t.regex(lines[0]!, /^\{"ts":\d{10}\.\d{6},"tid":"[0-9a-zA-Z]{2,}\.1","lvl":\[1\],"mt":"info","msg":"Hello","user_id":123\}\n$/);
});

test("ts is the wall-clock time in seconds with microseconds", (t) => {
  const { log, records } = memoryLogger();
  const before = Date.now() / 1000;
  log.info("now");
  const after = Date.now() / 1000;
  const ts = records[0]!.ts as number;
  t.true(ts >= before - 0.002 && ts <= after + 0.002, `${before} <= ${ts} <= ${after}`);
});

test("each top-level message is its own task at level [1]", (t) => {
  const { log, records } = memoryLogger();
  log.info("a").info("b");
  t.deepEqual(records.map((r) => r.lvl), [[1], [1]]);
  t.not(records[0]!.tid, records[1]!.tid);
});

test("sqid task ids are the pid in base 62, a dot and a counter", (t) => {
  const { log, records } = memoryLogger();
  log.info("a").info("b");
  const [p0, c0] = (records[0]!.tid as string).split(".");
  const [p1, c1] = (records[1]!.tid as string).split(".");
  t.is(p0, p1);
  let pid = 0;
  for (const ch of p0!) pid = pid * 62 + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".indexOf(ch);
  t.is(pid, process.pid);
  t.is(Number.parseInt(c1!, 36) - Number.parseInt(c0!, 36), 1);
});

test("uuid task ids are uuid4", (t) => {
  const file = join(tempDir(), "uuid.log");
  new Logger().init(file, { taskIdMode: "uuid", asyncEnabled: false }).info("x");
  t.regex(readRecords(file)[0]!.tid as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test("each level method writes its level name as mt", (t) => {
  const { log, records } = memoryLogger({ level: "debug" });
  log.debug("1").info("2").success("3").note("4").warning("5").error("6").critical("7");
  t.deepEqual(records.map((r) => r.mt), ["debug", "info", "success", "note", "warning", "error", "critical"]);
});

test("checkpoint logs at info with a marker before the message", (t) => {
  const { log, records } = memoryLogger();
  log.checkpoint("got here", { step: 2 });
  t.is(records[0]!.mt, "info");
  t.is(records[0]!.msg, "📍 got here");
  t.is(records[0]!.step, 2);
});

test("a checkpoint message or an action type that cannot be turned into text is written as [object], and the call does not throw", (t) => {
  const { log, records } = memoryLogger();
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  const hostile = new Proxy({}, { get() { throw new Error("no get"); } });
  for (const value of [revoked, hostile]) {
    t.notThrows(() => log.checkpoint(value));
    t.notThrows(() => log.startAction(value as never).finish());
  }
  t.deepEqual(records.map((r) => r.msg ?? r.at), ["📍 [object]", "[object]", "[object]", "📍 [object]", "[object]", "[object]"]);
});

test("a proxy whose traps throw, or a revoked one, as the message, the fields, an error or a request is still one record each", (t) => {
  const { log, records } = memoryLogger();
  const errors: unknown[] = [];
  log.on("error", (err) => errors.push(err));
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  const noProto = new Proxy({}, { getPrototypeOf() { throw new Error("no proto"); } });
  const noGet = new Proxy({}, { get() { throw new Error("no get"); } });
  for (const value of [revoked, noProto, noGet]) {
    log.info(value);
    log.info(value, "pino's order");
    log.error(value);
    log.info("as the fields", value);
    log.info("as a request", { req: value, res: value, err: value });
    log.info("with an argument past the two", value, "extra");
  }
  t.deepEqual(errors, []);
  t.is(records.length, 18);
  t.deepEqual(records.filter((r) => r.msg === "with an argument past the two").map((r) => r.args), [["extra"], ["extra"], ["extra"]]);
  t.deepEqual(records.filter((r) => r.msg === "as a request").map((r) => /^\[Throws: /.test(String(r.req))), [true, true, true]);
});

test("exception records the type, reason, stack and cause", (t) => {
  const { log, records } = memoryLogger();
  const err = new TypeError("bad input", { cause: new Error("root cause") });
  log.exception(err, "parse failed", { file: "a.json" });
  const r = records[0]!;
  t.is(r.mt, "error");
  t.is(r.msg, "parse failed");
  t.is(r.exc, "TypeError");
  t.is(r.reason, "bad input");
  t.regex(r.stack as string, /TypeError: bad input/);
  t.is((r.cause as Record<string, unknown>).message, "root cause");
  t.is(r.file, "a.json");
});

test("exception of a thrown non-Error still gives a record", (t) => {
  const { log, records } = memoryLogger();
  log.exception("just a string");
  t.is(records[0]!.exc, "string");
  t.is(records[0]!.reason, "just a string");
  t.is(records[0]!.msg, "just a string");
});

test("level methods chain", (t) => {
  const { log, records } = memoryLogger();
  t.is(log.info("a").success("b").warning("c"), log);
  t.is(records.length, 3);
});

test("fields named like the record's own keys are written with a leading underscore", (t) => {
  const { log, lines, records } = memoryLogger();
  log.info("real", { ts: "fake", tid: "x", lvl: 9, mt: "m", msg: "spoof", ok: 1 });
  const keys = lines[0]!.match(/"(\w+)":/g)!.map((k) => k.slice(1, -2));
  t.is(new Set(keys).size, keys.length, "no duplicate keys");
  t.is(records[0]!.msg, "real");
  t.is(records[0]!._msg, "spoof");
  t.is(records[0]!._ts, "fake");
  t.is(records[0]!.ok, 1);
});

const ACTION_KEYS = ["at", "st", "dur", "exc", "reason", "stack", "action_type", "action_status", "duration", "exception", "traceback"];

for (const format of ["logxpy", "eliot"] as const) {
  test(`message fields named like action keys are escaped in format "${format}", also from scope and context`, (t) => {
    const file = join(tempDir(), `${format}.log`);
    const log = new Logger().init(file, { format, asyncEnabled: false });
    const forged = Object.fromEntries(ACTION_KEYS.map((k) => [k, "forged"]));
    log.info("call", forged);
    log.scope(forged, () => log.warning("scope"));
    log.ctx(forged).error("child");
    log.exception(new Error("real"), "exception", forged);
    for (const r of readRecords(file)) {
      for (const k of ACTION_KEYS) {
        t.is(r[`_${k}`], "forged", `${String(r.msg ?? r.message)}: _${k}`);
        // An exception record's own exc/reason/stack (or exception/reason/traceback) are the real ones.
        if (k in r) t.not(r[k], "forged", `${String(r.msg ?? r.message)}: ${k}`);
      }
    }
  });
}

test("an error's type follows one rule in exc, in a serialized error and in a failed action", (t) => {
  class HttpError extends Error {
    constructor(message: string) {
      super(message);
      this.name = "NotFound";
    }
  }
  class DbError extends Error {}
  const { log, records } = memoryLogger();
  for (const err of [new HttpError("no such page"), new DbError("gone")]) {
    log.exception(err, "failed", { err });
    t.throws(() => log.action("job", () => { throw err; }));
  }
  const [http, , httpEnd, db, , dbEnd] = records;
  t.like(http, { exc: "NotFound", err: { type: "NotFound" } });
  t.like(httpEnd, { st: "failed", exc: "NotFound" });
  t.like(db, { exc: "DbError", err: { type: "DbError" } });
  t.like(dbEnd, { st: "failed", exc: "DbError" });
});

test("a failed action's end record keeps the error's cause and own code, errno and syscall, as exception does", (t) => {
  const { log, records } = memoryLogger();
  let ioError: NodeJS.ErrnoException | undefined;
  try {
    openSync(join(tempDir(), "missing", "x"), "r");
  } catch (e) {
    ioError = e as NodeJS.ErrnoException;
  }
  const err = new Error("config unreadable", { cause: ioError });
  Object.assign(err, { code: "E_CONFIG", ts: "own" });
  log.exception(err, "load failed", { code: "mine" });
  log.startAction("load").fail(err, { code: "mine" });
  const [exception, , failed] = records;
  for (const r of [exception!, failed!]) {
    t.like(r, { exc: "Error", reason: "config unreadable", code: "E_CONFIG", _ts: "own", _code: "mine" });
    t.like(r.cause, { type: "Error", code: "ENOENT", errno: -2, syscall: "open" });
  }
  // The errno error itself, as the one thrown, keeps its own properties on the record.
  t.throws(() => log.action("open", () => { throw ioError; }));
  t.like(records.at(-1), { st: "failed", code: "ENOENT", errno: -2, syscall: "open" });
});

test("a __proto__ field is written as an ordinary field and pollutes nothing", (t) => {
  const { log, lines } = memoryLogger({ context: { app: "x" } });
  const fields = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>;
  log.info("p", fields);
  t.regex(lines[0]!, /"__proto__":\{"polluted":true\}/);
  t.is(({} as Record<string, unknown>).polluted, undefined);
});

test("global context, scope, child context and call fields merge with later winning", (t) => {
  const { log, records } = memoryLogger({ context: { a: "global", b: "global", c: "global", d: "global" } });
  const child = log.ctx({ c: "child", d: "child" });
  log.scope({ b: "scope", c: "scope", d: "scope" }, () => child.info("m", { d: "call" }));
  t.like(records[0], { a: "global", b: "scope", c: "child", d: "call" });
});

test("fields that are not an object are written as value", (t) => {
  const { log, records } = memoryLogger();
  log.info("n", 42).info("arr", [1, 2]);
  t.is(records[0]!.value, 42);
  t.deepEqual(records[1]!.value, [1, 2]);
});

test("a message that is not a string is serialized as a value", (t) => {
  const { log, records } = memoryLogger();
  log.info({ a: 1 }).info(7);
  t.deepEqual(records[0]!.msg, { a: 1 });
  t.is(records[1]!.msg, 7);
});

test('format "eliot" writes Eliot\'s field names for messages and actions', (t) => {
  const file = join(tempDir(), "eliot.log");
  const log = new Logger().init(file, { format: "eliot", asyncEnabled: false });
  log.info("hi", { k: 1 });
  t.throws(() =>
    log.action("job", () => {
      throw new RangeError("nope");
    }),
  );
  const [msg, start, end] = readRecords(file);
  t.deepEqual(Object.keys(msg!), ["timestamp", "task_uuid", "task_level", "message_type", "message", "k"]);
  t.like(start, { task_level: [1], action_type: "job", action_status: "started" });
  t.like(end, { task_level: [2], action_type: "job", action_status: "failed", exception: "RangeError", reason: "nope" });
  t.is(typeof end!.duration, "number");
  t.regex(end!.traceback as string, /RangeError: nope/);
});

test("a throwing getter in the call's fields is shown as [Throws] even with context to merge", (t) => {
  const { log, records } = memoryLogger({ context: { app: "x" } });
  log.ctx({ r: 1 }).info("m", {
    ok: 1,
    get boom(): never {
      throw new Error("no");
    },
  });
  t.like(records[0], { app: "x", r: 1, ok: 1, boom: "[Throws: no]" });
});

test("a task id from a peer with line separators is escaped", (t) => {
  const { log, lines } = memoryLogger();
  log.continueTask("abc\u2028def@/1", () => log.info("x"));
  for (const line of lines) {
    t.false(line.includes("\u2028"));
    t.is(line.split("\n").length, 2);
  }
});

test("a getter that logs while its record is being written: both records are whole, the inner one first", (t) => {
  const { log, lines } = memoryLogger();
  log.info("outer", {
    before: "b".repeat(100),
    get nested(): string {
      log.info("inner", { a: "ü".repeat(9000), b: "ü".repeat(9000) });
      return "n";
    },
    after: 1,
  });
  t.is(lines.length, 2);
  const [inner, outer] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  t.true(inner!.msg === "inner" && inner!.a === "ü".repeat(9000) && inner!.b === "ü".repeat(9000));
  t.like(outer, { msg: "outer", before: "b".repeat(100), nested: "n", after: 1 });
});

test("a destination function that logs: its record follows, and every destination gets both whole", (t) => {
  const file = join(tempDir(), "reenter.log");
  const seen: string[] = [];
  const log: Logger = new Logger().init(file, {
    asyncEnabled: false,
    destinations: [(r) => {
      seen.push(r.msg as string);
      if (r.msg === "first") log.info("from the destination", { a: "x".repeat(9000), b: "é".repeat(9000) });
    }],
  });
  log.info("first", { a: "y".repeat(9000), b: "ÿ".repeat(9000) });
  t.deepEqual(seen, ["first", "from the destination"]);
  const written = readRecords(file);
  t.deepEqual(written.map((r) => r.msg), ["first", "from the destination"]);
  t.true(written[0]!.b === "ÿ".repeat(9000) && written[1]!.b === "é".repeat(9000));
});

test("records far larger than the encoding buffer, between small ones, are written whole", (t) => {
  const { log, records } = memoryLogger();
  const text = "🙂 ünï ".repeat(30_000);
  log.info("small");
  log.info("large", { text, list: Array.from({ length: 900 }, (_, i) => ({ i, s: "é".repeat(i % 70) })) });
  log.info("small again");
  t.deepEqual(records.map((r) => r.msg), ["small", "large", "small again"]);
  t.is(records[1]!.text, text.slice(0, 10_000) + `…[+${text.length - 10_000} chars]`);
  t.is((records[1]!.list as unknown[]).length, 900);
});

/** Fields whose getter runs `during` while the record holding them is being encoded. */
function fieldsCalling(during: () => void): Record<string, unknown> {
  return {
    before: "b".repeat(300),
    get during(): string {
      during();
      return "d";
    },
    after: "ü".repeat(300),
  };
}

test("a record logged by a getter lands whole, in order, between records gathered for the file writer", async (t) => {
  const file = join(tempDir(), "nested.log");
  const log = new Logger().init(file);
  for (let i = 0; i < 10; i++) log.info("before", { i });
  log.info("outer", fieldsCalling(() => log.info("inner", { pad: "p".repeat(500) })));
  for (let i = 0; i < 10; i++) log.info("after", { i });
  await log.flush();
  const records = readRecords(file);
  t.deepEqual(records.map((r) => r.msg), [...Array(10).fill("before"), "inner", "outer", ...Array(10).fill("after")]);
  t.like(records[11], { before: "b".repeat(300), during: "d", after: "ü".repeat(300) });
});

test("destinations changed by a getter while its record is encoded: that record and the next are whole", async (t) => {
  const dir = tempDir();
  const file = join(dir, "switch.log");
  const seen: string[] = [];
  const log = new Logger().init(file);
  log.info("one");
  // From the file alone to the file plus a function, then back, each in the middle of a record.
  log.info("two", fieldsCalling(() => log.configure({ destinations: [(r) => seen.push(r.msg as string)] })));
  log.info("three");
  log.info("four", fieldsCalling(() => log.configure({ destinations: [] })));
  log.info("five");
  await log.flush();
  const records = readRecords(file);
  t.deepEqual(records.map((r) => r.msg), ["one", "two", "three", "four", "five"]);
  t.like(records[1], { during: "d", after: "ü".repeat(300) });
  t.like(records[3], { during: "d", after: "ü".repeat(300) });
  // A record goes to the destinations there are when it is complete.
  t.deepEqual(seen, ["two", "three"]);
});

test("a destination function that logs before a later destination: the later one gets both records whole", (t) => {
  const file = join(tempDir(), "later.log");
  const log = new Logger().init(join(tempDir(), "first.log"), { asyncEnabled: false });
  log.configure({ destinations: [(r) => { if (r.msg === "outer") log.info("inner"); }, file] });
  log.info("outer", { pad: "o".repeat(200) });
  t.deepEqual(readRecords(file).map((r) => r.msg), ["inner", "outer"]);
  // Both files count: the init file and the later one.
  t.like(log.getAsyncMetrics(), { enqueued: 4, written: 4, dropped: 0, errors: 0 });
});

test("a destination function that switches to a single file and logs: every line of that file is whole", async (t) => {
  const file = join(tempDir(), "switched.log");
  // Not initialised: configure's destinations are then the only ones, so the file ends up alone.
  const log = new Logger();
  let once = true;
  log.configure({
    destinations: [() => {
      if (!once) return;
      once = false;
      log.configure({ destinations: [file] });
      log.info("from the destination");
    }],
  });
  log.info("outer");
  log.info("next", { pad: "x".repeat(500) });
  await log.flush();
  t.deepEqual(readRecords(file).map((r) => r.msg), ["from the destination", "next"]);
});

test("a task id written straight into the line is the id next() makes, at every digit count", (t) => {
  const ids = new TaskIds("sqid", 3843, 0);
  const out = new LineBuffer();
  const made: string[] = [];
  const written: string[] = [];
  for (let i = 0; i < 8000; i++) {
    made.push(ids.next());
    out.clear();
    ids.writeNext(out);
    written.push(JSON.parse(out.buf.toString("utf8", 0, out.pos)) as string);
  }
  const value = (id: string) => [...id.split(".")[1]!].reduce((n, ch) => n * 62 + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".indexOf(ch), 0);
  for (let i = 0; i < made.length; i++) {
    t.is(written[i]!.split(".")[0], "ZZ");
    if (value(written[i]!) !== value(made[i]!) + 1) t.fail(`${made[i]} then ${written[i]}`);
  }
  t.true(written.some((id) => id.split(".")[1]!.length === 3), "ids past 3,843 have three digits");
});
