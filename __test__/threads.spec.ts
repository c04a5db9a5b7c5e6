import test from "ava";
import { join } from "node:path";
import { readRecords, runFixture, tempDir } from "./helpers";

test("8 worker threads × 50,000 lines into one file: every line whole, none lost or doubled", async (t) => {
  const file = join(tempDir(), "threads.log");
  const result = await runFixture("threads.cjs", [file, "8", "50000"]).done;
  t.is(result.code, 0, result.stderr);
  const records = readRecords(file);
  t.is(records.length, 400_000);
  const seen = new Set<string>();
  for (const r of records) seen.add(`${r.w}:${r.i}`);
  t.is(seen.size, 400_000);
  const expected = process.env.LOGXPY_NATIVE === "0" ? "js" : "native";
  t.deepEqual(result.messages, [{ backend: expected }]);
});

test("4 processes × 100,000 lines appending to one file: every line whole, none lost or doubled", async (t) => {
  const file = join(tempDir(), "procs.log");
  const results = await Promise.all([0, 1, 2, 3].map((p) => runFixture("append-child.cjs", [file, String(p), "100000"]).done));
  for (const r of results) t.is(r.code, 0, r.stderr);
  const records = readRecords(file);
  t.is(records.length, 400_000);
  t.is(new Set(records.map((r) => `${r.p}:${r.i}`)).size, 400_000);
});
