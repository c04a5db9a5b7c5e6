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
    const records = readRecords(file);
    t.is(records.length, N);
    t.deepEqual(checkAllPresent(records, N), { missing: 0, duplicated: 0 });
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
