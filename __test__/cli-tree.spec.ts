import test from "ava";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Assembler } from "../src/cli/assembler";
import { type Entry, toEntry } from "../src/cli/entry";
import type { Task } from "../src/cli/task";
import { CLI_FIXTURES, eliotVenv, logxpy, run, writeAppLog } from "./cli-helpers";
import { tempDir } from "./helpers";

/** Tree text without what changes between runs: ids, times, durations, stack frames. */
function stable(text: string): string {
  return text
    .split("\n")
    .filter((l) => !/^\s+at /.test(l))
    .join("\n")
    .replace(/\d+(\.\d+)?(µs|ms|s)\b/g, "D")
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "T")
    .replace(/^[0-9A-Za-z]+\.(\d+) /gm, "TID.$1 ")
    .replace(/^[0-9a-f-]{36} /gm, "UUID ");
}

const APP_TREE = `TID.1 · T
└─ info server starting
   └─ port: 8080

TID.2 · T · D
└─ http:request ✔ succeeded D
   ├─ method: GET
   ├─ path: /users/7
   ├─ db:query ✔ succeeded D +D
   │  ├─ table: users
   │  └─ debug cache miss +D
   │     └─ key: user:7
   └─ success user loaded +D
      └─ user: {"id":7,"name":"alice"}

TID.3 · T · D
└─ payment ✖ failed D
   ├─ amount: 20
   └─ ✖ Error: card declined
          Error: card declined

TID.4 · T · D
└─ job:thread ✔ succeeded D
   └─ logxpy:remote_task ✔ succeeded D +D
      └─ info resized in a worker +D
         └─ px: 64

TID.5 · T · D
└─ rpc:mail ✔ succeeded D
   └─ logxpy:remote_task ✔ succeeded D +D
      └─ info mail queued +D
         └─ to: a@example.com

TID.6 · T
└─ warning odd input
   ├─ raw: a\\x1b[31mred\\x1b[0m\\r\\nFAKE line
   └─ long: ${"x".repeat(60)}…(+2940)

`;

for (const format of ["logxpy", "eliot"] as const) {
  test(`a ${format}-format file shows each task as a tree, worker and child-process records joined under the action that handed them off`, (t) => {
    const file = join(tempDir(), "app.log");
    writeAppLog(file, format);
    const r = logxpy([file, `${file}.child`, "--max-value", "60"]);
    t.is(r.stderr, "");
    t.is(r.status, 0);
    t.is(stable(r.stdout), APP_TREE);
  });
}

test("a failed action's stack is printed on lines of its own under its exception", (t) => {
  const file = join(tempDir(), "app.log");
  writeAppLog(file, "logxpy");
  const lines = logxpy(["--task", tidOf(file, 3), file]).stdout.split("\n");
  const exc = lines.findIndex((l) => l.includes("✖ Error: card declined"));
  t.true(exc > 0);
  t.regex(lines[exc + 1]!, /^ {10}Error: card declined$/);
  t.regex(lines[exc + 2]!, /^ {14}at .*app\.cjs:\d+:\d+/);
});

test("the default command is tree, and tree can be named", (t) => {
  const file = join(tempDir(), "app.log");
  writeAppLog(file, "logxpy");
  t.is(logxpy(["tree", file]).stdout, logxpy([file]).stdout);
});

test("messages are placed by their Eliot level, not by their order in the file", (t) => {
  const file = join(tempDir(), "shuffled.log");
  writeFileSync(file, [
    `{"ts":1.2,"tid":"T.1","lvl":[4],"mt":"info","msg":"after the end"}`,
    `{"ts":3,"tid":"T.1","lvl":[3],"at":"job","st":"succeeded"}`,
    `{"ts":2,"tid":"T.1","lvl":[2,2],"at":"step","st":"succeeded"}`,
    `{"ts":1,"tid":"T.1","lvl":[1],"at":"job","st":"started"}`,
    `{"ts":1.5,"tid":"T.1","lvl":[2,1],"at":"step","st":"started","n":1}`,
    "",
  ].join("\n"));
  t.is(stable(logxpy([file]).stdout), [
    "TID.1 · T · D",
    "└─ job ✔ succeeded D",
    "   ├─ step ✔ succeeded D +D",
    "   │  └─ n: 1",
    "   └─ info after the end +D",
    "",
    "",
  ].join("\n"));
});

test("Eliot's own files: actions, messages, a traceback, and a task continued in another process's file", (t) => {
  const venv = eliotVenv();
  const file = join(tempDir(), "eliot.log");
  run(join(venv, "bin", "python"), [join(CLI_FIXTURES, "eliot-app.py"), file]);
  const r = logxpy([file, `${file}.remote`]);
  t.is(r.stderr, "");
  t.is(stable(r.stdout), [
    "UUID · T · D",
    "└─ http:request ✔ succeeded D",
    "   ├─ path: /users/7",
    "   ├─ cache:miss +D",
    "   │  └─ key: user:7",
    "   └─ db:query ✔ succeeded D +D",
    "      ├─ table: users",
    "      └─ rows: 1",
    "",
    "UUID · T · D",
    "└─ payment ✖ failed D",
    "   ├─ amount: 20",
    "   └─ ✖ builtins.ValueError: card declined",
    "",
    "UUID · T",
    "└─ eliot:traceback",
    "   └─ ✖ builtins.ValueError: card declined",
    "          Traceback (most recent call last):",
    `            File "${join(CLI_FIXTURES, "eliot-app.py")}", line 26, in <module>`,
    "          ValueError: card declined",
    "",
    "UUID · T · D",
    "└─ rpc:call ✔ succeeded D",
    "   ├─ service: mailer",
    "   └─ eliot:remote_task ✔ succeeded D +D",
    "      └─ mail:queued +D",
    "         └─ to: a@example.com",
    "",
    "",
  ].join("\n"));
});

test("the Python logxpy's files: its decorator's end at [1,1] closes its start, a message without a level stays in its action", (t) => {
  const r = logxpy([join(CLI_FIXTURES, "python-logxpy.log")]);
  t.is(r.stderr, "");
  const out = stable(r.stdout);
  t.true(out.includes("└─ job:send ✔ succeeded D\n   ├─ to: a@example.com\n   ├─ info rendering template +D\n   │  └─ template: welcome\n   └─ smtp:deliver ✔ succeeded D +D\n      └─ host: mx1\n"), out);
  t.true(out.includes("└─ job:charge ✖ failed D\n   ├─ amount: 20\n   └─ ✖ builtins.ValueError: card declined\n"), out);
  t.true(out.includes("└─ __main__.add ✔ succeeded D\n   ├─ a: 1\n   ├─ b: 2\n   └─ result: 3\n"), out);
  t.true(out.includes("└─ error lookup failed\n   └─ ✖ traceback\n          Traceback (most recent call last):\n"), out);
  t.false(out.includes("start not in input"), out);
});

test("a task spread over rotated files, compressed ones too, is one tree whatever order the files are named in", (t) => {
  const dir = tempDir();
  const file = join(dir, "app.log");
  run(process.execPath, [join(CLI_FIXTURES, "rotating.cjs"), file, "compress"]);
  const files = readdirSync(dir);
  t.true(files.some((f) => f.endsWith(".gz")), files.join(" "));
  const r = logxpy([file, ...files.filter((f) => f !== "app.log").map((f) => join(dir, f))]);
  t.is(r.stderr, "");
  const trees = r.stdout.split("\n\n").filter((s) => s.trim() !== "");
  t.is(trees.length, 1, r.stdout.slice(0, 2000));
  t.regex(trees[0]!, /└─ batch ✔ succeeded/);
  t.is(trees[0]!.match(/info row written/g)?.length, 3000, "more rows than the grace of 1000 records: only the merge by time joins them");
  t.false(trees[0]!.includes("incomplete"));
});

test("an incomplete task (no end record yet) is shown as such, with its open actions", (t) => {
  const file = join(tempDir(), "cut.log");
  writeAppLog(file, "logxpy");
  const lines = readFileSync(file, "utf8").split("\n");
  const cut = lines.findIndex((l) => l.includes('"at":"db:query","st":"succeeded"'));
  writeFileSync(file, lines.slice(0, cut).join("\n") + "\n");
  const out = stable(logxpy([file]).stdout);
  t.true(out.includes("TID.2 · T · D (incomplete: no end record yet)\n└─ http:request … started\n"), out);
  t.true(out.includes("   └─ db:query … started +D\n"), out);
});

test("a long-lived task is one tree, however many shorter tasks begin and end while it runs", (t) => {
  const file = join(tempDir(), "server.log");
  // More records of finished requests than the 50,000 held for unfinished tasks, all inside the server's action.
  const lines = [JSON.stringify({ ts: 1, tid: "S.1", lvl: [1], at: "server", st: "started", port: 80 })];
  for (let i = 2; i <= 20001; i++) {
    const ts = 1 + i / 1e5;
    lines.push(
      JSON.stringify({ ts, tid: `S.${i}`, lvl: [1], at: "req", st: "started" }),
      JSON.stringify({ ts, tid: `S.${i}`, lvl: [2], mt: "info", msg: "handled" }),
      JSON.stringify({ ts, tid: `S.${i}`, lvl: [3], at: "req", st: "succeeded", dur: 0 }),
    );
  }
  lines.push(JSON.stringify({ ts: 2, tid: "S.1", lvl: [2], at: "server", st: "succeeded", dur: 1 }));
  writeFileSync(file, lines.join("\n") + "\n");
  const r = logxpy([file]);
  t.is(r.status, 0, r.stderr);
  t.is(r.stdout.split("\n\n").filter((s) => s.trim() !== "").length, 20001);
  const server = r.stdout.split("\n\n").filter((s) => s.startsWith("S.1 "));
  t.deepEqual(server, ["S.1 · 1970-01-01T00:00:01.000Z · 1s\n└─ server ✔ succeeded 1s\n   └─ port: 80"]);
});

test("records waiting to be sorted count towards the memory bound: one huge unfinished task is handed over in parts as it is read", (t) => {
  const limits = { maxHeld: 1000, grace: 100, window: 100 };
  let added = 0;
  let handed = 0;
  const parts: Task[] = [];
  const assembler = new Assembler((task) => {
    handed += task.records;
    parts.push(task);
  }, limits);
  let most = 0;
  const add = (rec: object) => {
    assembler.add(toEntry(rec, "big.log", ++added) as Entry);
    most = Math.max(most, added - handed);
  };
  add({ ts: 1, tid: "B.1", lvl: [1], at: "batch", st: "started" });
  for (let i = 2; i <= 20001; i++) add({ ts: 1 + i / 1e6, tid: "B.1", lvl: [i], mt: "info", msg: "row" });
  add({ ts: 2, tid: "B.1", lvl: [20002], at: "batch", st: "succeeded" });
  assembler.finish();
  t.is(handed, added);
  t.true(most <= 2 * limits.maxHeld + 1, `${most} records held at once`);
  // Parts of about maxHeld records each, the later ones continued, only the last one complete.
  t.true(parts.length <= added / limits.maxHeld + 2, `${parts.length} parts`);
  t.deepEqual(parts.map((p) => p.complete), [...parts.map(() => false).slice(1), true]);
  t.deepEqual(parts.map((p) => p.continued), [false, ...parts.map(() => true).slice(1)]);
});

function tidOf(file: string, n: number): string {
  const rec = readFileSync(file, "utf8").split("\n").map((l) => (l ? JSON.parse(l) : {})).find((r) => String(r.tid).endsWith(`.${n}`));
  return rec.tid;
}
