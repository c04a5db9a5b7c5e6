import test from "ava";
import { fork } from "node:child_process";
import { chmodSync, cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { AsyncConfig, Logger, LogxpyError } from "../src/index";
import { DEFAULT_MASK_FIELDS } from "../src/masking";
import { asyncSettings, initSettings } from "../src/options";
import { durationMs } from "../src/units";
import { fixture, tempDir } from "./helpers";

test("every init option has its documented default", (t) => {
  const s = initSettings({}, {});
  t.is(s.levelName, "info");
  t.is(s.mode, "w");
  t.false(s.clean);
  t.true(s.asyncEnabled);
  t.deepEqual(s.async, { maxQueue: 10_000, batchSize: 100, flushIntervalMs: 100, policy: "block", statsInterval: 0 });
  t.is(s.taskIdMode, "sqid");
  t.is(s.format, "logxpy");
  t.deepEqual(s.maskFields, DEFAULT_MASK_FIELDS);
  t.deepEqual(s.context, {});
  t.deepEqual(s.destinations, []);
  t.is(s.onError, undefined);
  t.is(s.fileMode, 0o640);
  t.is(s.shutdownTimeoutMs, 5000);
  t.deepEqual(s.limits, { maxDepth: 10, maxStringLength: 10_000, maxArrayLength: 1000, maxObjectKeys: 1000 });
});

test("flush intervals accept seconds and unit strings", (t) => {
  t.is(durationMs(0.25, "x", true), 250);
  t.is(durationMs("100ms", "x", true), 100);
  t.is(durationMs("2s", "x", true), 2000);
  t.is(durationMs("10µs", "x", true), 0.01);
  t.is(durationMs("10us", "x", true), 0.01);
  t.is(durationMs("1m", "x", true), 60_000);
  t.is(durationMs("3", "x", true), 3000);
});

test("the Python logxpy's policy aliases are accepted", (t) => {
  t.is(asyncSettings({ policy: "replace" as never }).policy, "drop_oldest");
  t.is(asyncSettings({ policy: "skip" as never }).policy, "drop_newest");
});

const invalid: Array<[string, Record<string, unknown>, string]> = [
  ["an unknown level", { level: "loud" }, "LOGXPY_ERR_LEVEL"],
  ["a level that is not a string", { level: 20 }, "LOGXPY_ERR_LEVEL"],
  ["an unknown mode", { mode: "x" }, "LOGXPY_ERR_MODE"],
  ["a clean that is not boolean", { clean: "yes" }, "LOGXPY_ERR_OPTION"],
  ["an asyncEnabled that is not boolean", { asyncEnabled: 1 }, "LOGXPY_ERR_OPTION"],
  ["a zero queue", { asyncMaxQueue: 0 }, "LOGXPY_ERR_OPTION"],
  ["a fractional queue", { asyncMaxQueue: 1.5 }, "LOGXPY_ERR_OPTION"],
  ["a negative batch size", { asyncBatchSize: -1 }, "LOGXPY_ERR_OPTION"],
  ["a flush interval in unknown units", { asyncFlushInterval: "5 parsecs" }, "LOGXPY_ERR_DURATION"],
  ["a negative flush interval", { asyncFlushInterval: -1 }, "LOGXPY_ERR_DURATION"],
  ["a flush interval of NaN", { asyncFlushInterval: Number.NaN }, "LOGXPY_ERR_DURATION"],
  ["an unknown policy", { asyncPolicy: "lossy" }, "LOGXPY_ERR_POLICY"],
  ["a statsInterval that is negative", { statsInterval: -5 }, "LOGXPY_ERR_OPTION"],
  ["an unknown taskIdMode", { taskIdMode: "snowflake" }, "LOGXPY_ERR_OPTION"],
  ["an unknown format", { format: "xml" }, "LOGXPY_ERR_OPTION"],
  ["maskFields that is not an array", { maskFields: "password" }, "LOGXPY_ERR_OPTION"],
  ["maskFields holding a number", { maskFields: [42] }, "LOGXPY_ERR_OPTION"],
  ["a context that is an array", { context: [1] }, "LOGXPY_ERR_OPTION"],
  ["destinations that is not an array", { destinations: "console" }, "LOGXPY_ERR_OPTION"],
  ["a destination of the wrong kind", { destinations: [42] }, "LOGXPY_ERR_DESTINATION"],
  ["an onError that is not a function", { onError: "log" }, "LOGXPY_ERR_OPTION"],
  ["a fileMode out of range", { fileMode: 0o1777 }, "LOGXPY_ERR_OPTION"],
  ["a zero shutdownTimeout", { shutdownTimeout: 0 }, "LOGXPY_ERR_DURATION"],
  ["an unknown limits key", { limits: { maxWidth: 3 } }, "LOGXPY_ERR_OPTION"],
  ["a limit of zero", { limits: { maxDepth: 0 } }, "LOGXPY_ERR_OPTION"],
  ["a misspelt option", { asyncMaxQueu: 10 }, "LOGXPY_ERR_OPTION"],
  // null is a value of the wrong type, for every option alike, never a silent default.
  ["a level of null", { level: null }, "LOGXPY_ERR_LEVEL"],
  ["a mode of null", { mode: null }, "LOGXPY_ERR_MODE"],
  ["a flush interval of null", { asyncFlushInterval: null }, "LOGXPY_ERR_DURATION"],
  ["maskFields of null", { maskFields: null }, "LOGXPY_ERR_OPTION"],
  ["a shutdownTimeout of null", { shutdownTimeout: null }, "LOGXPY_ERR_DURATION"],
];

for (const [what, options, code] of invalid) {
  test(`init rejects ${what} with ${code}`, (t) => {
    const file = join(tempDir(), "never.log");
    const err = t.throws(() => new Logger().init(file, options as never), { instanceOf: LogxpyError });
    t.is(err?.code, code);
  });
}

test("init rejects a path whose directory does not exist, naming the errno", (t) => {
  const err = t.throws(() => new Logger().init(join(tempDir(), "missing", "app.log")), { instanceOf: LogxpyError });
  t.is(err?.code, "LOGXPY_ERR_OPEN");
  t.is(err?.errno, "ENOENT");
});

test("init rejects a path that is a directory", (t) => {
  const dir = join(tempDir(), "adir");
  mkdirSync(dir);
  const err = t.throws(() => new Logger().init(dir), { instanceOf: LogxpyError });
  t.is(err?.code, "LOGXPY_ERR_OPEN");
  t.is(err?.errno, "EISDIR");
});

/** Running a child as "nobody" needs root; CI runs as root. */
const asRoot = process.getuid?.() === 0;

(asRoot ? test : test.skip)("init rejects a path the process may not write, with EACCES (run as nobody; needs root)", async (t) => {
  // The checkout may sit under a directory "nobody" cannot enter: the child gets its own copy of what it loads.
  const dir = worldReadableCopy();
  const child = fork(join(dir, "open-child.cjs"), [join(dir, "denied", "denied.log"), join(dir, "logxpy", "dist", "index.js")], {
    uid: 65534,
    gid: 65534,
    execArgv: [],
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const reply = await new Promise((resolve, reject) => {
    child.once("message", resolve);
    // A child that dies before answering fails the test at once, with what it said.
    child.once("exit", (code, signal) => reject(new Error(`the child ended (${code ?? signal}) without a reply: ${stderr}`)));
  });
  t.deepEqual(reply, { code: "LOGXPY_ERR_OPEN", errno: "EACCES" });
});

/**
 * A 0755 temporary directory holding the fixture, a copy of the package's
 * dist/ and native/ (the addon, where it was built), and a root-owned 0755
 * directory "denied" that "nobody" may enter but not write.
 */
function worldReadableCopy(): string {
  const dir = tempDir();
  chmodSync(dir, 0o755);
  cpSync(fixture("open-child.cjs"), join(dir, "open-child.cjs"));
  for (const part of ["dist", "native"]) cpSync(join(__dirname, "..", part), join(dir, "logxpy", part), { recursive: true });
  mkdirSync(join(dir, "denied"), { mode: 0o755 });
  return dir;
}

test("a failed init leaves the logger writing where it wrote before", (t) => {
  const good = join(tempDir(), "good.log");
  const log = new Logger().init(good, { asyncEnabled: false });
  t.throws(() => log.init(good, { level: "nope" as never }));
  t.throws(() => log.init(join(tempDir(), "no", "such.log"), { asyncEnabled: false }));
  log.info("still here");
  t.is(log.backend, "sync");
});

test("useAsync and AsyncConfig reject bad values with a code", (t) => {
  const log = new Logger().init(join(tempDir(), "a.log"));
  t.is(t.throws(() => log.useAsync({ maxQueue: -1 }))?.code, "LOGXPY_ERR_OPTION");
  t.is(t.throws(() => log.useAsync({ policy: "nope" as never }))?.code, "LOGXPY_ERR_POLICY");
  t.is(t.throws(() => log.useAsync({ flushInterval: "soon" }))?.code, "LOGXPY_ERR_DURATION");
  t.is(t.throws(() => log.useAsync({ bogus: 1 } as never))?.code, "LOGXPY_ERR_OPTION");
  t.is(t.throws(() => new AsyncConfig({ batchSize: 0 }))?.code, "LOGXPY_ERR_OPTION");
});

test("AsyncConfig rejects a name it does not have, such as useAsync's maxQueue", (t) => {
  const err = t.throws(() => new AsyncConfig({ maxQueue: 10 } as never), { instanceOf: LogxpyError });
  t.is(err?.code, "LOGXPY_ERR_OPTION");
  t.regex(err!.message, /"maxQueue".*maxQueueSize/);
  t.is(t.throws(() => new AsyncConfig(5 as never), { instanceOf: LogxpyError })?.code, "LOGXPY_ERR_OPTION");
});

test("configureAsync takes a plain object of AsyncConfig's settings, and checks it", (t) => {
  const log = new Logger().init(join(tempDir(), "ca.log"), { asyncEnabled: false });
  t.notThrows(() => log.configureAsync({ maxQueueSize: 10, queuePolicy: "skip" }));
  t.true(log.isAsync);
  t.is(t.throws(() => log.configureAsync({ maxQueue: 10 } as never), { instanceOf: LogxpyError })?.code, "LOGXPY_ERR_OPTION");
});

test("the Python policy aliases are accepted and other spellings refused, as the types say", (t) => {
  t.is(asyncSettings({ policy: "skip" }).policy, "drop_newest");
  t.is(asyncSettings({ policy: "replace" }).policy, "drop_oldest");
  t.is(t.throws(() => asyncSettings({ policy: "BLOCK" as never }), { instanceOf: LogxpyError })?.code, "LOGXPY_ERR_POLICY");
});

test("calls missing their function, or given options of the wrong shape, throw a LogxpyError with a code", (t) => {
  const log = new Logger();
  for (const misuse of [
    () => log.scope({ a: 1 } as never, undefined as never),
    () => log.scope("a" as never, () => 1),
    () => log.continueTask("Xa.1@/1", undefined as never),
    () => log.action("a", { b: 1 } as never),
    () => log.syncMode(undefined as never),
    () => log.asyncMode({}, undefined as never),
    () => log.logged(5 as never),
    () => log.logged(() => 1, null as never),
    () => log.logged(() => 1, { exclude: 5 as never }),
    () => log.logged(() => 1, { captureArgs: "yes" as never }),
    () => log.ctx(5 as never),
    () => log.new(5 as never),
  ]) {
    t.is(t.throws(misuse, { instanceOf: LogxpyError })?.code, "LOGXPY_ERR_OPTION", misuse.toString());
  }
});

test("a destination object with a key it does not have is refused, in init and configure", (t) => {
  const dir = tempDir();
  const log = new Logger();
  const file = { type: "file", path: join(dir, "e.log"), format: "eliot" } as never;
  t.is(t.throws(() => log.init(join(dir, "a.log"), { destinations: [file] }), { instanceOf: LogxpyError })?.code, "LOGXPY_ERR_DESTINATION");
  const err = t.throws(() => log.configure({ destinations: [{ type: "console", colour: true } as never] }), { instanceOf: LogxpyError });
  t.is(err?.code, "LOGXPY_ERR_DESTINATION");
  t.regex(err!.message, /"colour"/);
});

test("configure rejects unknown keys and bad values, and changes nothing then", (t) => {
  const file = join(tempDir(), "c.log");
  const log = new Logger().init(file, { asyncEnabled: false, level: "warning" });
  t.is(t.throws(() => log.configure({ level: "nope" as never }))?.code, "LOGXPY_ERR_LEVEL");
  t.is(t.throws(() => log.configure({ color: true } as never))?.code, "LOGXPY_ERR_OPTION");
  t.is(t.throws(() => log.configure({ level: "debug", destinations: [{}] as never }))?.code, "LOGXPY_ERR_DESTINATION");
  log.info("below warning, dropped");
  log.warning("kept");
  t.is(log.getAsyncMetrics().enqueued, 1);
});

test("configure with null for an option is refused with its code, and configure() with no options changes nothing", (t) => {
  const log = new Logger().init(join(tempDir(), "n.log"), { asyncEnabled: false, level: "warning" });
  for (const [key, code] of [["level", "LOGXPY_ERR_LEVEL"], ["destinations", "LOGXPY_ERR_OPTION"], ["maskFields", "LOGXPY_ERR_OPTION"], ["maskPatterns", "LOGXPY_ERR_OPTION"], ["context", "LOGXPY_ERR_OPTION"]]) {
    const err = t.throws(() => log.configure({ [key!]: null } as never), { instanceOf: LogxpyError }, key);
    t.is(err?.code, code, key);
  }
  t.notThrows(() => log.configure(undefined as never));
  log.configure({ mixin: null });
  log.info("below warning, dropped");
  log.warning("kept");
  t.is(log.getAsyncMetrics().enqueued, 1);
});

test("configure keeps the level when only other options change", (t) => {
  const log = new Logger().init(join(tempDir(), "k.log"), { asyncEnabled: false, level: "error" });
  log.configure({ context: { app: "x" } });
  log.warning("still dropped");
  t.is(log.getAsyncMetrics().enqueued, 0);
});

test("the level threshold drops records below it", (t) => {
  const log = new Logger().init(join(tempDir(), "lvl.log"), { asyncEnabled: false, level: "success" });
  log.debug("d").info("i").success("s").note("n").warning("w").error("e").critical("c");
  t.is(log.getAsyncMetrics().enqueued, 5);
});

test("queue and batch sizes above 2^20 are refused before they could wrap in the native writer", (t) => {
  const file = join(tempDir(), "big.log");
  t.is(t.throws(() => new Logger().init(file, { asyncMaxQueue: 2 ** 32 + 3 }))?.code, "LOGXPY_ERR_OPTION");
  t.is(t.throws(() => new Logger().init(file, { asyncBatchSize: 2 ** 21 }))?.code, "LOGXPY_ERR_OPTION");
});
