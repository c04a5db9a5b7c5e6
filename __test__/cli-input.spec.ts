import test from "ava";
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { CLI, logxpy } from "./cli-helpers";
import { tempDir } from "./helpers";

const good = (n: number) => `{"ts":${n},"tid":"G.${n}","lvl":[1],"mt":"info","msg":"good ${n}"}`;

test("bad lines are each reported once with file and line number, and the rest is rendered", (t) => {
  const file = join(tempDir(), "bad.log");
  writeFileSync(file, [
    good(1),
    "not json at all",
    `{"ts":2,"lvl":[1],"mt":"info","msg":"no task"}`,
    `[1,2,3]`,
    `{"ts":3,"tid":"X.1","lvl":"one","mt":"info"}`,
    good(4),
    `{"ts":5,"tid":"G.5","lvl":[1],"mt":"inf`,
  ].join("\n"));
  const r = logxpy([file]);
  t.is(r.status, 0);
  t.deepEqual(r.stderr.trimEnd().split("\n"), [
    `logxpy: ${file}:2: not JSON (line skipped)`,
    `logxpy: ${file}:3: a record without a task id (line skipped)`,
    `logxpy: ${file}:4: not a JSON object (line skipped)`,
    `logxpy: ${file}:5: a record without a task level (a list of positive integers) (line skipped)`,
    `logxpy: ${file}:7: truncated last line (no newline, not JSON) (line skipped)`,
  ]);
  t.true(r.stdout.includes("good 1") && r.stdout.includes("good 4"));
});

test("binary garbage is reported, never a crash; past twenty bad lines the rest are counted", (t) => {
  const file = join(tempDir(), "garbage.log");
  const junk = randomBytes(256 * 1024);
  writeFileSync(file, Buffer.concat([Buffer.from(good(1) + "\n"), junk, Buffer.from("\n" + good(2) + "\n")]));
  const r = logxpy([file]);
  t.is(r.status, 0);
  const lines = r.stderr.trimEnd().split("\n");
  const named = lines.filter((l) => / \(line skipped\)$/.test(l));
  // 256 KB of random bytes hold about a thousand newline bytes, so far more than twenty bad lines.
  t.is(named.length, 20, r.stderr.slice(0, 500));
  t.true(named.every((l) => l.startsWith(`logxpy: ${file}:`)));
  t.regex(lines[lines.length - 1]!, /^logxpy: \d+ more bad lines skipped \(\d+ in all\)$/);
  t.false(r.stderr.includes("\x1b"), "garbage bytes never reach the terminal");
  t.true(r.stdout.includes("good 1") && r.stdout.includes("good 2"));
});

test("a line over 16 MB without a newline is reported and dropped, the lines after it kept", (t) => {
  const file = join(tempDir(), "long.log");
  writeFileSync(file, good(1) + "\n" + "y".repeat(17 * 1024 * 1024) + "\n" + good(3) + "\n");
  const r = logxpy([file]);
  t.is(r.stderr, `logxpy: ${file}:2: line longer than 16 MB (line skipped)\n`);
  t.true(r.stdout.includes("good 1") && r.stdout.includes("good 3"));
});

test("a record nested deeper than 1000 levels is reported and skipped, never a crash of the whole reading", (t) => {
  const file = join(tempDir(), "deep.log");
  const at = (depth: number) => JSON.stringify({ ts: 2, tid: "D.1", lvl: Array(depth).fill(2), mt: "info", msg: `depth ${depth}` });
  writeFileSync(file, [good(1), at(10_000), at(1001), at(1000), good(3)].join("\n") + "\n");
  for (const args of [[file], ["export", "--to", "html", file], ["stats", file]]) {
    const r = logxpy(args);
    t.is(r.status, 0, r.stderr.slice(0, 500));
    t.deepEqual(r.stderr.trimEnd().split("\n"), [
      `logxpy: ${file}:2: a task level deeper than 1000 levels (line skipped)`,
      `logxpy: ${file}:3: a task level deeper than 1000 levels (line skipped)`,
    ]);
  }
  const out = logxpy([file]).stdout;
  t.true(out.includes("good 1") && out.includes("depth 1000") && out.includes("good 3"));
});

test("a named pipe is read, as bash's <(zcat app.log.gz) gives, and gzip is known by its bytes there and on standard input", (t) => {
  const file = join(tempDir(), "app.log");
  writeFileSync(file, good(1) + "\n");
  writeFileSync(`${file}.2.gz`, gzipSync(good(2) + "\n"));
  const r = spawnSync("bash", ["-c", `"${process.execPath}" "${CLI}" <(cat "${file}") <(cat "${file}.2.gz")`], { encoding: "utf8" });
  t.is(r.stderr, "");
  t.is(r.status, 0);
  t.true(r.stdout.includes("good 1") && r.stdout.includes("good 2"), r.stdout);
  const piped = logxpy(["-"], { input: gzipSync(good(3) + "\n") });
  t.is(piped.stderr, "");
  t.true(piped.stdout.includes("good 3"), piped.stdout);
});

test("a time past the range of dates (microseconds written as seconds) is shown as its number, not a crash", (t) => {
  const file = join(tempDir(), "micro.log");
  writeFileSync(file, `{"ts":1796133600000000,"tid":"U.1","lvl":[1],"mt":"info","msg":"in microseconds"}\n${good(2)}\n`);
  for (const args of [[file], ["export", "--to", "html", file]]) {
    const r = logxpy(args);
    t.is(r.stderr, "", args.join(" "));
    t.is(r.status, 0);
    t.true(r.stdout.includes("1796133600000000") && r.stdout.includes("good 2"), r.stdout);
  }
});

test("a byte order mark at the start of a file (an editor's UTF-8 with BOM) is not part of the first record", (t) => {
  const file = join(tempDir(), "bom.log");
  writeFileSync(file, "\ufeff" + good(1) + "\r\n" + good(2) + "\r\n");
  for (const r of [logxpy([file]), logxpy(["-"], { input: "\ufeff" + good(1) + "\n" })]) {
    t.is(r.stderr, "");
    t.true(r.stdout.includes("good 1"), r.stdout);
  }
});

test("a missing file is reported and the others rendered, with exit status 1", (t) => {
  const dir = tempDir();
  const file = join(dir, "ok.log");
  writeFileSync(file, good(1) + "\n");
  const r = logxpy([join(dir, "missing.log"), file]);
  t.is(r.status, 1);
  t.is(r.stderr, `logxpy: ${join(dir, "missing.log")}: no such file\n`);
  t.true(r.stdout.includes("good 1"));
});

test("standard input is read without files and with -", (t) => {
  const input = good(1) + "\n" + good(2) + "\n";
  for (const args of [[], ["-"]]) {
    const r = logxpy(args, { input });
    t.is(r.status, 0);
    t.true(r.stdout.includes("good 1") && r.stdout.includes("good 2"), r.stdout);
  }
});

test("a reader piped into a program that stops reading ends quietly", (t) => {
  const file = join(tempDir(), "many.log");
  writeFileSync(file, Array.from({ length: 20000 }, (_, i) => good(i + 1)).join("\n") + "\n");
  const r = spawnSync("sh", ["-c", `"${process.execPath}" "${CLI}" "${file}" | head -1`], { encoding: "utf8" });
  t.is(r.status, 0);
  t.is(r.stdout, "G.1 · 1970-01-01T00:00:01.000Z\n");
  t.is(r.stderr, "");
});

test("a reader whose standard error is closed still renders every task: reports of bad lines are dropped, not fatal", async (t) => {
  const file = join(tempDir(), "bad.log");
  writeFileSync(file, [good(1), "not json", "not json either", good(2)].join("\n") + "\n");
  // As in `logxpy app.log 2>&1 >out.txt | head -1`: the reader of standard error is gone before the first report.
  const child = spawn(process.execPath, [CLI, file], { stdio: ["ignore", "pipe", "pipe"] });
  child.stderr.destroy();
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
  const [status] = (await once(child, "close")) as [number | null];
  t.is(status, 0);
  t.true(stdout.includes("good 1") && stdout.includes("good 2"), stdout);
});

test("an output file that cannot be written is reported without a stack, with exit status 1", (t) => {
  const file = join(tempDir(), "ok.log");
  writeFileSync(file, good(1) + "\n");
  const r = logxpy(["export", "--to", "json", "-o", join(tempDir(), "no", "such", "dir.json"), file]);
  t.is(r.status, 1);
  t.regex(r.stderr, /^logxpy: .*dir\.json: no such file\n$/);
});

test("an output file that is one of the files read is refused before it is opened, and the file is kept", (t) => {
  const file = join(tempDir(), "app.log");
  writeFileSync(file, good(1) + "\n");
  for (const args of [["export", "--to", "json", "-o", file, file], ["-o", join(file, "..", "app.log"), "-", file]]) {
    const r = logxpy(args);
    t.is(r.status, 2, args.join(" "));
    t.true(r.stderr.includes("is one of the files read") && r.stderr.includes("LOGXPY_ERR_USAGE"), r.stderr);
    t.is(readFileSync(file, "utf8"), good(1) + "\n");
  }
});

test("--help says how to use it and exits 0", (t) => {
  const r = logxpy(["--help"]);
  t.is(r.status, 0);
  t.regex(r.stdout, /^Usage: logxpy \[command\] \[options\] \[files…\]\n/);
  for (const word of ["tree", "follow", "stats", "export", "--task", "--action", "--status", "--level", "--since", "--until", "--min-duration", "--max-duration", "--field", "--has", "--grep", "--only", "--color", "--no-color"]) {
    t.true(r.stdout.includes(word), word);
  }
});
