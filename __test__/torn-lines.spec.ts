import test from "ava";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { nextMessage, runFixture, tempDir } from "./helpers";

const WRITERS = ["native", "js", "sync"] as const;

/** Runs the burst child on `file` as `writer`; `limit` records then a normal exit, or killed by the caller. */
function burst(file: string, run: number, writer: (typeof WRITERS)[number], limit: number | "kill") {
  return runFixture("burst-child.cjs", [file, String(run), writer, String(limit)], { LOGXPY_NATIVE: writer === "js" ? "0" : "1" });
}

/** The file's lines (without the last newline), and whether it ends mid-line. */
function lines(file: string): { lines: string[]; torn: boolean } {
  const text = readFileSync(file, "utf8");
  const all = text.split("\n");
  const torn = all.at(-1) !== "";
  return { lines: torn ? all : all.slice(0, -1), torn };
}

function parses(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

for (const writer of WRITERS) {
  test(`opening for append a file that ends in half a line adds a newline first, so new records are whole (${writer} writer)`, async (t) => {
    const file = join(tempDir(), "torn.log");
    const fragment = '{"ts":1795718250.304033,"tid":"Xa.1","lvl":[1],"mt":"info","msg":"cut he';
    writeFileSync(file, '{"msg":"whole"}\n' + fragment);
    const result = await burst(file, 1, writer, 12).done;
    t.is(result.code, 0, result.stderr);
    const { lines: all, torn } = lines(file);
    t.false(torn);
    t.is(all[1], fragment, "the fragment stays a line of its own");
    const records = all.slice(2).map(parses);
    t.deepEqual(records.map((r) => r?.i), Array.from({ length: 12 }, (_, i) => i));
  });

  test(`SIGKILL in mid-burst, many times over: only the last line can be partial, and each next run's records are whole (${writer} writer)`, async (t) => {
    const file = join(tempDir(), "killed.log");
    const KILLS = 6;
    // The partial lines kills left: each stays a line of its own, and no other line is ever bad.
    const fragments = new Set<string>();
    for (let run = 0; run < KILLS; run++) {
      const child = burst(file, run, writer, "kill");
      // After burst 1, 2, … 6 of its 10: the writes of earlier bursts may still be under way (the
      // async writers), so the kill lands at a different point of its 10 MB each run; the checks
      // below hold wherever it lands.
      await nextMessage<{ burst?: number }>(child.child, (m) => m?.burst === run + 1);
      child.child.kill("SIGKILL");
      t.is((await child.done).signal, "SIGKILL");
      const { lines: all, torn } = lines(file);
      const bad = all.slice(0, torn ? -1 : undefined).filter((l) => parses(l) === undefined && !fragments.has(l));
      t.deepEqual(bad.map((l) => l.slice(0, 80)), [], `after kill ${run + 1}, only the last line may be partial`);
      if (torn) fragments.add(all.at(-1)!);
    }
    const last = await burst(file, KILLS, writer, 8).done;
    t.is(last.code, 0, last.stderr);
    const { lines: all, torn } = lines(file);
    t.false(torn);
    const parsed = all.map(parses);
    t.deepEqual(all.filter((l, i) => parsed[i] === undefined && !fragments.has(l)), [], "a bad line only where a kill tore one");
    // Each run wrote records 0, 1, 2... with no gap: none was glued onto the fragment before it.
    for (let run = 0; run <= KILLS; run++) {
      const ids = parsed.filter((r) => r?.run === run).map((r) => r!.i);
      if (run === KILLS) t.is(ids.length, 8, "the run that ended normally wrote everything");
      t.deepEqual(ids, Array.from({ length: ids.length }, (_, i) => i), `run ${run}`);
    }
    t.log(`${fragments.size} of ${KILLS} kills left a partial last line`);
    rmSync(file);
  });
}

test("processes appending to one file and opening it again and again add no line break into each other's records", async (t) => {
  const file = join(tempDir(), "shared.log");
  // Each open looks at the last byte for a torn line; another process's write may be half done then.
  const results = await Promise.all([1, 2, 3, 4].map((p) => runFixture("reinit-append-child.cjs", [file, String(p)]).done));
  for (const r of results) t.is(r.code, 0, r.stderr);
  const { lines: all, torn } = lines(file);
  t.false(torn);
  t.deepEqual(all.filter((l) => parses(l) === undefined).map((l) => l.slice(0, 80)), [], "every line a whole record");
  t.is(all.length, 4 * 30 * 3000);
});

