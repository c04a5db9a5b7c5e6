import test from "ava";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { logxpy } from "./cli-helpers";
import { tempDir } from "./helpers";

const now = Date.now() / 1000;

/** Four tasks made to tell the filters apart; times are relative to now so `--since 10m` means something. */
function sample(): string {
  const file = join(tempDir(), "sample.log");
  const recs = [
    { ts: now - 3600, tid: "A.1", lvl: [1], at: "http:request", st: "started", path: "/users/7", user: { id: 7 } },
    { ts: now - 3600, tid: "A.1", lvl: [2], mt: "info", msg: "hello world" },
    { ts: now - 3599.5, tid: "A.1", lvl: [3], at: "http:request", st: "succeeded", dur: 0.5 },
    { ts: now - 60, tid: "A.2", lvl: [1], at: "db/query", st: "started", table: "users" },
    { ts: now - 60, tid: "A.2", lvl: [2], mt: "error", msg: "deadlock", retry: true },
    { ts: now - 58, tid: "A.2", lvl: [3], at: "db/query", st: "failed", dur: 2, exc: "Error", reason: "deadlock detected" },
    { ts: now - 30, tid: "A.3", lvl: [1], at: "job:nightly", st: "started" },
    { ts: 1577836800, tid: "A.4", lvl: [1], mt: "warning", msg: "disk low", region: "eu" },
  ];
  writeFileSync(file, recs.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return file;
}

/** The task ids a tree output shows, in order. */
function tids(args: string[]): string[] {
  const r = logxpy([...args, sample()]);
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.split("\n").filter((l) => /^A\.\d /.test(l)).map((l) => l.split(" ")[0]!);
}

test("without filters every task is shown, in the order of their first records' times", (t) => {
  t.deepEqual(tids([]), ["A.4", "A.1", "A.2", "A.3"]);
});

test("--task picks one task, also by the id currentTaskId hands out", (t) => {
  t.deepEqual(tids(["--task", "A.2"]), ["A.2"]);
  t.deepEqual(tids(["--task", "A.2@/3"]), ["A.2"]);
});

test("--action takes a glob in which * crosses / and :, or a /regex/", (t) => {
  t.deepEqual(tids(["--action", "http:*"]), ["A.1"]);
  t.deepEqual(tids(["--action", "db*"]), ["A.2"]);
  t.deepEqual(tids(["--action", "/^(db|job)/"]), ["A.2", "A.3"]);
  t.deepEqual(tids(["--action", "nothing*"]), []);
});

test("--status picks actions by how they ended; started means not ended yet", (t) => {
  t.deepEqual(tids(["--status", "failed"]), ["A.2"]);
  t.deepEqual(tids(["--status", "succeeded"]), ["A.1"]);
  t.deepEqual(tids(["--status", "started"]), ["A.3"]);
});

test("--level keeps tasks with a message at that level or above, a failed action counting as an error", (t) => {
  t.deepEqual(tids(["--level", "warning"]), ["A.4", "A.2"]);
  t.deepEqual(tids(["--level", "error"]), ["A.2"]);
});

test("--since and --until take an ISO time or a duration ago", (t) => {
  t.deepEqual(tids(["--since", "10m"]), ["A.2", "A.3"]);
  t.deepEqual(tids(["--until", "2021-01-01"]), ["A.4"]);
  t.deepEqual(tids(["--since", "2h", "--until", "45s"]), ["A.1", "A.2"]);
});

test("--min-duration and --max-duration look at actions' durations", (t) => {
  t.deepEqual(tids(["--min-duration", "1s"]), ["A.2"]);
  t.deepEqual(tids(["--max-duration", "600ms"]), ["A.1"]);
  t.deepEqual(tids(["--min-duration", "100ms", "--max-duration", "3s"]), ["A.1", "A.2"]);
});

test("--field key=value and --has key follow dotted paths", (t) => {
  t.deepEqual(tids(["--field", "user.id=7"]), ["A.1"]);
  t.deepEqual(tids(["--field", "region=eu"]), ["A.4"]);
  t.deepEqual(tids(["--field", "retry=true"]), ["A.2"]);
  t.deepEqual(tids(["--has", "user.id"]), ["A.1"]);
  t.deepEqual(tids(["--has", "user.name"]), []);
});

test("--grep finds text in messages, types, reasons and values", (t) => {
  t.deepEqual(tids(["--grep", "deadlock detected"]), ["A.2"]);
  t.deepEqual(tids(["--grep", "/users/7"]), ["A.1"]);
  t.deepEqual(tids(["--grep", "disk"]), ["A.4"]);
});

test("filters together must hold for one record, not for different records of a task", (t) => {
  t.deepEqual(tids(["--action", "db*", "--status", "failed"]), ["A.2"]);
  t.deepEqual(tids(["--action", "http:*", "--status", "failed"]), []);
  t.deepEqual(tids(["--grep", "deadlock", "--level", "error"]), ["A.2"]);
});

test("a matching record shows its whole task; --only shows just the matching records and the actions above them", (t) => {
  const file = sample();
  const whole = logxpy(["--grep", "deadlock", "--level", "error", file]).stdout;
  t.true(whole.includes("table: users"));
  t.true(whole.includes("error deadlock"));
  const only = logxpy(["--grep", "hello", "--only", file]).stdout;
  t.is(only.replace(/\d{4}-[\d-]+T[\d:.]+Z/, "T").replace(/\d+(\.\d+)?(µs|ms|s)\b/g, "D"), "A.1 · T · D\n└─ http:request ✔ succeeded D\n   └─ info hello world +D\n\n");
});

test("a bad filter value is a usage error with exit status 2, naming the option", (t) => {
  for (const [args, text] of [
    [["--status", "done"], "--status"],
    [["--level", "loud"], "--level"],
    [["--since", "yesterday"], "--since"],
    [["--min-duration", "fast"], "--min-duration"],
    [["--field", "novalue"], "--field"],
    [["--action", "/[/"], "--action"],
    [["--bogus"], "bogus"],
  ] as const) {
    const r = logxpy([...args, sample()]);
    t.is(r.status, 2, args.join(" "));
    t.true(r.stderr.includes(text) && r.stderr.includes("LOGXPY_ERR_USAGE"), r.stderr);
    t.is(r.stdout, "");
  }
});
