import test from "ava";
import { execFileSync } from "node:child_process";
import { fixture } from "./helpers";

test("the ES module and CommonJS entry points export the same names and one shared log", (t) => {
  const out = JSON.parse(execFileSync(process.execPath, [fixture("entrypoints.mjs")], { encoding: "utf8" })) as {
    sameLog: boolean;
    sameDefault: boolean;
    esmNames: string[];
    cjsNames: string[];
  };
  t.true(out.sameLog);
  t.true(out.sameDefault);
  t.deepEqual(out.esmNames.filter((n) => n !== "default"), out.cjsNames);
  for (const name of ["log", "Logger", "AsyncConfig", "QueuePolicy", "LogxpyError", "ErrorCode", "Action"]) {
    t.true(out.cjsNames.includes(name), name);
  }
});
