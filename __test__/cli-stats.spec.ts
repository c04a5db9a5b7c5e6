import test from "ava";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { logxpy } from "./cli-helpers";
import { tempDir } from "./helpers";

/** 100 `work` tasks lasting 1..100 ms (every 25th fails), each with a nested `io` action, and some messages. */
function sample(): string {
  const file = join(tempDir(), "stats.log");
  const lines: string[] = [];
  for (let i = 1; i <= 100; i++) {
    const tid = `S.${i}`;
    const failed = i % 25 === 0;
    lines.push(JSON.stringify({ ts: i, tid, lvl: [1], at: "work", st: "started" }));
    lines.push(JSON.stringify({ ts: i, tid, lvl: [2, 1], at: "io", st: "started" }));
    lines.push(JSON.stringify({ ts: i, tid, lvl: [2, 2], at: "io", st: "succeeded", dur: 0.0005 }));
    lines.push(JSON.stringify({ ts: i, tid, lvl: [3], mt: i % 10 === 0 ? "warning" : "info", msg: "step" }));
    lines.push(JSON.stringify({ ts: i + i / 1000, tid, lvl: [4], at: "work", st: failed ? "failed" : "succeeded", dur: i / 1000, ...(failed ? { exc: "Error", reason: "x" } : {}) }));
  }
  lines.push(JSON.stringify({ ts: 200, tid: "S.101", lvl: [1], at: "work", st: "started" }));
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

test("stats --json: per action type count, failures and duration quantiles within 1.1%, per level counts, the slowest tasks", (t) => {
  const r = logxpy(["stats", "--json", sample()]);
  t.is(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  t.is(s.tasks, 101);
  t.is(s.records, 501);
  t.deepEqual(Object.keys(s.actions), ["work", "io"]);
  const work = s.actions.work;
  t.is(work.count, 101);
  t.is(work.failed, 4);
  t.is(work.incomplete, 1);
  for (const [q, exact] of [["p50", 0.05], ["p90", 0.09], ["p99", 0.099]] as const) {
    t.true(Math.abs(work.duration[q] - exact) / exact <= 0.011, `${q} ${work.duration[q]} vs ${exact}`);
  }
  t.is(work.duration.max, 0.1);
  t.deepEqual(s.actions.io, { count: 100, failed: 0, incomplete: 0, duration: s.actions.io.duration });
  t.true(Math.abs(s.actions.io.duration.p50 - 0.0005) / 0.0005 <= 0.011);
  t.deepEqual(s.levels, { info: 90, warning: 10 });
  t.deepEqual(s.slowest.map((x: { tid: string }) => x.tid), ["S.100", "S.99", "S.98", "S.97", "S.96", "S.95", "S.94", "S.93", "S.92", "S.91"]);
  t.is(s.slowest[0].type, "work");
});

test("stats as tables for a person, and stats with a filter counting only the tasks it shows", (t) => {
  const file = sample();
  const out = logxpy(["stats", file]).stdout;
  t.regex(out, /^101 tasks, 501 records\n/);
  t.regex(out, /\naction type +count +failed +p50 +p90 +p99 +max\nwork +101 +4 +\d/);
  t.regex(out, /\nmessage type +count\ninfo +90\nwarning +10\n/);
  t.regex(out, /\nslowest task +first action +duration\nS\.100 +work +100ms\n/);
  const failed = JSON.parse(logxpy(["stats", "--json", "--status", "failed", file]).stdout);
  t.is(failed.tasks, 4);
  t.is(failed.actions.work.failed, 4);
});
