import test from "ava";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { Logger } from "../src/index";
import { tempDir } from "./helpers";

// .ci/run installs the pinned eliot-tree (.ci/eliot-tree-requirements.txt) into this venv.
const eliotTree = process.env.LOGXPY_ELIOT_TREE ?? join(homedir(), ".cache/logxpy-ci/eliot-tree/bin/eliot-tree");
// Where the tool is missing outside CI the test is skipped; in CI a missing tool fails it.
const run = existsSync(eliotTree) || process.env.CI ? test : test.skip;

const FORGED = { action_type: "forged", action_status: "started", duration: 1, exception: "X", reason: "r", traceback: "t" };

run("eliot-tree reads a file whose messages carry fields named like Eliot's action keys", (t) => {
  const file = join(tempDir(), "eliot.log");
  const log = new Logger().init(file, { format: "eliot", asyncEnabled: false });
  log.info("top-level", FORGED);
  log.action("checkout", { cart: 3 }, () => {
    log.info("inside", FORGED);
    log.scope(FORGED, () => log.warning("in scope"));
  });
  t.throws(() => log.action("pay", () => { throw new Error("declined"); }));
  const r = spawnSync(eliotTree, ["--color", "never", file], { encoding: "utf8" });
  t.is(r.status, 0, r.stderr);
  t.is(r.stderr, "");
  for (const text of ["top-level", "inside", "in scope", "checkout/1 ⇒ started", "checkout/4 ⇒ succeeded", "pay/2 ⇒ failed", "declined"]) {
    t.true(r.stdout.includes(text), `${text} in:\n${r.stdout}`);
  }
});
