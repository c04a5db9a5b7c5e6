import test from "ava";
import { join } from "node:path";
import { checkAllPresent, readRecords, runFixture, tempDir } from "./helpers";

const N = 100_000;

for (const [how, code, why] of [
  ["exit", 0, "process.exit() right after logging"],
  ["exit-code", 3, "process.exit(3) right after logging"],
  ["throw", 1, "an uncaught exception"],
  ["reject", 1, "an unhandled rejection"],
  ["drain", 0, "the event loop draining"],
] as const) {
  test(`no line is lost on ${why}`, async (t) => {
    const file = join(tempDir(), "exit.log");
    const { done } = runFixture("exit-child.cjs", [file, how, String(N)]);
    const result = await done;
    t.is(result.code, code, result.stderr);
    // A crash adds its own critical record after them (see below).
    const records = readRecords(file).filter((r) => r.mt === "info");
    t.is(records.length, N);
    t.deepEqual(checkAllPresent(records, N), { missing: 0, duplicated: 0 });
  });
}

for (const [how, origin] of [["throw", "uncaughtException"], ["reject", "unhandledRejection"]] as const) {
  for (const writer of ["native", "js", "sync"] as const) {
    test(`the ${origin} that ends the process is the last record, critical, on the ${writer} writer`, async (t) => {
      const file = join(tempDir(), "crash.log");
      const env = { LOGXPY_NATIVE: writer === "js" ? "0" : "1" };
      const result = await runFixture("crash-child.cjs", [file, how, writer], env).done;
      // Node's own ending is unchanged: exit code 1 and the stack on stderr.
      t.is(result.code, 1, result.stderr);
      t.regex(result.stderr, /E_CRASH|Error: (boom|rejected)/);
      const records = readRecords(file);
      t.is(records.length, 101);
      t.is(records.filter((r) => r.mt === "critical").length, 1);
      t.like(records[100], {
        mt: "critical",
        msg: origin === "uncaughtException" ? "uncaught exception" : "unhandled rejection",
        origin,
        exc: "Error",
        reason: how === "throw" ? "boom" : "rejected",
        code: "E_CRASH",
        cause: { type: "Error", message: "root" },
      });
      t.regex(records[100]!.stack as string, /crash-child\.cjs/);
    });
  }

  test(`logUncaught: false writes no record for the ${origin}`, async (t) => {
    const file = join(tempDir(), "quiet.log");
    const result = await runFixture("crash-child.cjs", [file, how, "async", "off"]).done;
    t.is(result.code, 1, result.stderr);
    const records = readRecords(file);
    t.is(records.length, 100);
    t.false(records.some((r) => r.mt === "critical"));
  });
}

test("records logged from a timer after the main loop are written before the process ends", async (t) => {
  const file = join(tempDir(), "timer.log");
  const result = await runFixture("exit-child.cjs", [file, "timer", "1000"]).done;
  t.is(result.code, 0, result.stderr);
  const records = readRecords(file);
  t.is(records.length, 1010);
  t.deepEqual(checkAllPresent(records, 1010), { missing: 0, duplicated: 0 });
});

test("records logged by an exit listener added after init are written too", async (t) => {
  const file = join(tempDir(), "listener.log");
  const result = await runFixture("exit-listener-child.cjs", [file]).done;
  t.is(result.code, 0, result.stderr);
  t.deepEqual(readRecords(file).map((r) => r.msg), ["before exit", "from an exit listener"]);
});
