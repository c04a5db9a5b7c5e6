import test from "ava";
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { appendFileSync, readdirSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLI, CLI_FIXTURES, logxpy, run } from "./cli-helpers";
import { tempDir } from "./helpers";
import { Pane } from "./tmux";

const rec = (r: object) => JSON.stringify(r) + "\n";

test("follow prints tasks as they end, across logxpy's own rotation of the file", async (t) => {
  const dir = tempDir();
  const file = join(dir, "app.log");
  writeFileSync(file, rec({ ts: Date.now() / 1000, tid: "OLD.1", lvl: [1], mt: "info", msg: "before following" }));
  const pane = new Pane(["-f", "--no-color", file]);
  t.teardown(() => pane.close());
  await pane.until((s) => s.includes("before following"));
  run(process.execPath, [join(CLI_FIXTURES, "follow-writer.cjs"), file, "60", "25"]);
  const rotated = readdirSync(dir).filter((f) => f.endsWith(".gz"));
  t.true(rotated.length >= 3, `the writer rotated the file (${readdirSync(dir).join(" ")})`);
  const screen = await pane.until((s) => s.includes("job: job-60"));
  for (let i = 1; i <= 60; i++) t.is(screen.split(`job: job-${i}\n`).length - 1, 1, `job-${i} shown once`);
  t.regex(screen, /└─ job ✔ succeeded \S+\n {3}├─ job: job-1\n {3}└─ info working \+\S+\n {6}└─ pad: w{140}…\(\+60\)\n/, "a long value is cut to the terminal width with a marker");
  t.true(screen.includes(`logxpy: ${file} was rotated; following the new file`));
  t.false(screen.includes("incomplete"));
});

test("follow reads a truncated file again from its start", async (t) => {
  const file = join(tempDir(), "app.log");
  writeFileSync(file, rec({ ts: Date.now() / 1000, tid: "T.1", lvl: [1], mt: "info", msg: "first life of the file" }));
  const pane = new Pane(["follow", "--no-color", file]);
  t.teardown(() => pane.close());
  await pane.until((s) => s.includes("first life of the file"));
  truncateSync(file, 0);
  await pane.until((s) => s.includes("was truncated"));
  appendFileSync(file, rec({ ts: Date.now() / 1000, tid: "T.2", lvl: [1], mt: "info", msg: "second life" }));
  const screen = await pane.until((s) => s.includes("second life"));
  t.true(screen.includes(`logxpy: ${file} was truncated; reading it from its start`));
});

test("follow prints a task still running once it goes quiet, and its later records as a continued task", async (t) => {
  const file = join(tempDir(), "app.log");
  writeFileSync(file, "");
  const pane = new Pane(["-f", "--no-color", "--quiet", "1s", file]);
  t.teardown(() => pane.close());
  // No wait for the follower to start: it begins 10 lines before the end, so it reads this record either way.
  const now = Date.now() / 1000;
  appendFileSync(file, rec({ ts: now, tid: "Q.1", lvl: [1], at: "upload", st: "started", size: 10 }));
  await pane.until((s) => /Q\.1 · \S+ \(incomplete: no end record yet\)\n└─ upload … started\n {3}└─ size: 10\n/.test(s));
  appendFileSync(file, rec({ ts: Date.now() / 1000, tid: "Q.1", lvl: [2], at: "upload", st: "succeeded", dur: 1.5 }));
  const screen = await pane.until((s) => s.includes("(continued)"));
  t.regex(screen, /Q\.1 · \S+ \(continued\)\n└─ upload ✔ succeeded 1\.5s \(start not in input\)\n/);
});

test("follow reports a path it cannot read as the other commands do: one line, no stack, exit status 1", (t) => {
  const dir = tempDir();
  const r = logxpy(["follow", dir]);
  t.is(r.status, 1);
  t.is(r.stderr, `logxpy: ${dir}: is a directory\n`);
});

test("follow - is a usage error, not a wait for a file named -", (t) => {
  // The timeout only ends a reader that waits, so that the test fails instead of hanging.
  const r = spawnSync(process.execPath, [CLI, "follow", "-"], { input: "", encoding: "utf8", timeout: 30_000 });
  t.is(r.status, 2, r.stderr);
  t.regex(r.stderr, /^logxpy: follow reads a file, not standard input .*\(LOGXPY_ERR_USAGE\)\n$/);
});

test("follow drops a line over 16 MB as it is read, as the other commands do, and goes on with the next", async (t) => {
  const file = join(tempDir(), "app.log");
  const good = (n: number) => rec({ ts: n, tid: `L.${n}`, lvl: [1], mt: "info", msg: `good ${n}` });
  writeFileSync(file, good(1) + "y".repeat(17 * 1024 * 1024) + "\n" + good(3));
  const child = spawn(process.execPath, [CLI, "follow", "--no-color", file], { stdio: ["ignore", "pipe", "pipe"] });
  t.teardown(() => child.kill());
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  const done = new Promise<void>((resolve) => {
    const check = () => {
      if (stdout.includes("good 3") && stderr.includes("(line skipped)")) resolve();
    };
    child.stdout.on("data", (s: string) => {
      stdout += s;
      check();
    });
    child.stderr.on("data", (s: string) => {
      stderr += s;
      check();
    });
  });
  await done;
  child.kill("SIGINT");
  await once(child, "exit");
  t.is(stderr, `logxpy: ${file}:2: line longer than 16 MB (line skipped)\n`);
  t.true(stdout.includes("good 1"), stdout);
});
