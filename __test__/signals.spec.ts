import test from "ava";
import { existsSync, renameSync } from "node:fs";
import { join } from "node:path";
import { Logger } from "../src/index";
import { checkAllPresent, nextMessage, readRecords, runFixture, tempDir } from "./helpers";

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  test(`on ${signal} with handleSignals.flush, everything queued is written and the process ends by that signal`, async (t) => {
    const file = join(tempDir(), "signal.log");
    const n = 20_000;
    const run = runFixture("signal-child.cjs", [file, String(n)]);
    const ready = await nextMessage<{ pending: number }>(run.child, () => true);
    if (process.env.LOGXPY_NATIVE === "0") t.is(ready.pending, n, "the records were still queued when the signal came");
    run.child.kill(signal);
    const result = await run.done;
    t.is(result.signal, signal);
    const records = readRecords(file);
    t.deepEqual(checkAllPresent(records, n), { missing: 0, duplicated: 0 });
    t.is(records.length, n);
  });
}

test("handleSignals.reopen reopens the file on SIGHUP, after logrotate moved it", async (t) => {
  const dir = tempDir();
  const file = join(dir, "app.log");
  const log = new Logger().init(file, { asyncEnabled: false, handleSignals: { reopen: "SIGHUP" } });
  log.info("before rotation");
  renameSync(file, join(dir, "app.log.1"));
  const handled = new Promise((resolve) => process.once("SIGHUP", resolve));
  process.kill(process.pid, "SIGHUP");
  await handled;
  log.info("after rotation");
  t.true(existsSync(file));
  t.deepEqual(readRecords(join(dir, "app.log.1")).map((r) => r.msg), ["before rotation"]);
  t.deepEqual(readRecords(file).map((r) => r.msg), ["after rotation"]);
  log.init(join(dir, "other.log"), { asyncEnabled: false });
  t.is(process.listenerCount("SIGHUP"), 0, "a new init removes the old handlers");
});

test("handleSignals rejects signals that cannot be handled", (t) => {
  const file = join(tempDir(), "x.log");
  t.is(t.throws(() => new Logger().init(file, { handleSignals: { flush: ["SIGKILL"] } }))?.code, "LOGXPY_ERR_OPTION");
  t.is(t.throws(() => new Logger().init(file, { handleSignals: { reopen: "SIGNOPE" as never } }))?.code, "LOGXPY_ERR_OPTION");
  t.is(t.throws(() => new Logger().init(file, { handleSignals: { reopen: "SIGHUP", flush: ["SIGHUP"] } }))?.code, "LOGXPY_ERR_OPTION");
});
