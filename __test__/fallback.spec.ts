import test from "ava";
import { join } from "node:path";
import { readRecords, runFixture, tempDir } from "./helpers";

test("where no native addon loads, the pure-TypeScript writer takes over and one warning line says why", async (t) => {
  const dir = tempDir();
  const [first, second] = [join(dir, "first.log"), join(dir, "second.log")];
  // An override path that does not exist is the loader's one way to fail without touching the built addon.
  const env = { NAPI_RS_NATIVE_LIBRARY_PATH: join(dir, "missing.node"), LOGXPY_NATIVE: "" };
  const result = await runFixture("fallback-child.cjs", [first, second], env).done;
  t.is(result.code, 0, result.stderr);
  t.deepEqual(JSON.parse(result.stdout), ["js", "js"]);
  const warnings = result.stderr.split("\n").filter((line) => line.includes("logxpy:"));
  t.is(warnings.length, 1, result.stderr);
  t.regex(warnings[0]!, /LOGXPY_ERR_NATIVE.*no native addon loads on \w+-\w+ \(Cannot find module '.*missing\.node'\); using the pure-TypeScript writer$/);
  t.deepEqual(readRecords(first).map((r) => r.msg), ["one"]);
  t.deepEqual(readRecords(second).map((r) => r.msg), ["two"]);
});

test("LOGXPY_NATIVE=0 chooses the pure-TypeScript writer without a warning", async (t) => {
  const dir = tempDir();
  const result = await runFixture("fallback-child.cjs", [join(dir, "a.log"), join(dir, "b.log")], { LOGXPY_NATIVE: "0" }).done;
  t.is(result.code, 0, result.stderr);
  t.deepEqual(JSON.parse(result.stdout), ["js", "js"]);
  t.is(result.stderr, "");
});
