import test from "ava";
import { readdirSync } from "node:fs";
import { fixture, runFixture, tempDir } from "./helpers";
import { Pane } from "./tmux";

const ESC = "\x1b[";

/** What console-pretty.cjs shows on a terminal of its own: the text, and the text with its colour sequences. */
async function onTerminal(env: Record<string, string> = {}): Promise<{ text: string; coloured: string }> {
  // The pane gets only the colour settings a case names, not those of the shell running the tests.
  const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const pane = new Pane([], {}, ["env", "-u", "FORCE_COLOR", "-u", "NO_COLOR", ...vars, process.execPath, fixture("console-pretty.cjs")]);
  try {
    const text = await pane.until((s) => s.includes("the end"));
    return { text, coloured: pane.screen(true) };
  } finally {
    pane.close();
  }
}

/** The screen's lines, and the one line that includes `text` (fails when none or several do). */
function lineWith(screen: string, text: string): string {
  const found = screen.split("\n").filter((l) => l.includes(text));
  if (found.length !== 1) throw new Error(`${found.length} lines include ${JSON.stringify(text)}:\n${screen}`);
  return found[0]!;
}

/** Column where the text after the time (and the task marker, if any) starts. */
function column(line: string, text: string): number {
  return line.indexOf(text);
}

test("on a terminal, messages sit indented under their action, nested actions further in", async (t) => {
  const { text } = await onTerminal();
  const start = lineWith(text, "▶ db:query started");
  const message = lineWith(text, "rows read");
  const inner = lineWith(text, "▶ cache:fill started");
  const deeper = lineWith(text, "cache miss");
  const end = lineWith(text, "✔ db:query succeeded");
  t.is(column(message, "INFO"), column(start, "▶") + 2, text);
  t.is(column(inner, "▶"), column(start, "▶") + 2);
  t.is(column(deeper, "DEBUG"), column(inner, "▶") + 2);
  t.is(column(end, "✔"), column(start, "▶"));
  t.regex(end, /succeeded \d+(\.\d+)?(µs|ms)/, "the duration is shown in a readable unit");
  t.regex(lineWith(text, "server starting"), /^\d\d:\d\d:\d\d\.\d{3} INFO +server starting port=8080$/);
});

test("while two tasks are in flight each of their lines carries a short task marker, and only then", async (t) => {
  const { text } = await onTerminal();
  const marker = (l: string) => /^\d\d:\d\d:\d\d\.\d{3} (\S+\.\S+) /.exec(l)?.[1];
  const first = lineWith(text, "▶ job:a started");
  t.is(marker(first), undefined, "job:a is alone when it starts");
  const [a, b] = [marker(lineWith(text, "a works")), marker(lineWith(text, "b works"))];
  t.truthy(a, text);
  t.truthy(b);
  t.not(a, b);
  t.is(marker(lineWith(text, "▶ job:b started")), b);
  t.is(marker(lineWith(text, "✔ job:a succeeded")), a);
  t.is(marker(lineWith(text, "b alone again")), undefined, "once job:a ended, job:b is alone");
  t.is(marker(lineWith(text, "no task in flight")), undefined);
});

test("a failure shows its code and errno beside its type, its stack on real lines once, its cause's own frames", async (t) => {
  const { text } = await onTerminal();
  const inner = lineWith(text, "✖ write failed");
  t.regex(inner, /Error \[ENOSPC\]: disk full errno=-28 syscall=write$/);
  const lines = text.split("\n");
  const at = lines.indexOf(inner);
  t.regex(lines[at + 1]!, /^ +at .*console-pretty\.cjs:\d+:\d+\)?$/, "the first frame is on the next line");
  t.false(inner.includes("\\n"), "the stack is not escaped into the head line");
  t.true(lines.slice(at + 1).some((l) => /^ +caused by TypeError: quota exceeded$/.test(l)));
  t.true(lines.slice(at + 1).some((l) => /^ +… \d+ lines matching the stack above$/.test(l)), "frames shared with the error are counted, as Node does");
  const outer = lineWith(text, "✖ upload failed");
  t.regex(outer, /Error \[ENOSPC\]: disk full errno=-28 syscall=write$/);
  t.regex(lines[lines.indexOf(outer) + 1]!, /^ +\(stack and causes shown above\)$/, "the same stack is shown once");
  t.is(lines.filter((l) => /console-pretty\.cjs:\d+:\d+/.test(l)).length, 2, "the error's first frame and its cause's: no frame twice");
});

test("odd records render on bounded lines: huge, nested, many fields, multi-line, non-string messages, long stacks", async (t) => {
  const { text, coloured } = await onTerminal();
  const lines = text.split("\n");
  t.true(lines.every((l) => l.length <= 1400), `longest line: ${Math.max(...lines.map((l) => l.length))}`);
  const odd = lineWith(text, "multi\\nline\\x1b[31m forged");
  t.regex(odd, /huge=x+…\(\+\d+\)/);
  t.regex(lineWith(text, "many fields"), / k\d+=\d+ …\(\+\d+ more\)$/, "fields past the line's bound are counted");
  t.false(lines.some((l) => l.startsWith("line")), "a newline in a message cannot forge a line");
  t.false(coloured.includes(`${ESC}31m forged`));
  t.regex(lineWith(text, "12345"), /INFO +12345$/);
  t.regex(lineWith(text, "toString"), /INFO +{"toString":5}$/);
  t.true(lines.some((l) => /^ +… \d+ more lines$/.test(l)), "a 500-frame stack is cut at 40 lines");
  t.true(text.includes("the end"));
});

test("on a terminal the console is coloured; NO_COLOR and FORCE_COLOR=0 turn it off", async (t) => {
  const { coloured } = await onTerminal();
  t.true(coloured.includes(`${ESC}31m✖ write failed`), coloured);
  t.true(coloured.includes(`${ESC}36mINFO`));
  for (const env of [{ NO_COLOR: "1" }, { FORCE_COLOR: "0" }]) {
    const off = await onTerminal(env);
    t.false(off.coloured.includes(`${ESC}3`), JSON.stringify(env));
    t.true(off.text.includes("✖ write failed"));
  }
});

test("FORCE_COLOR colours a pretty console on a pipe, as Node's util.styleText does; a pipe is plain otherwise", async (t) => {
  const forced = await runFixture("console-child.cjs", ["pretty"], { FORCE_COLOR: "1", NO_COLOR: undefined }).done;
  t.true(forced.stdout.includes(`${ESC}36mINFO`), forced.stdout);
  const plain = await runFixture("console-child.cjs", ["pretty"], { FORCE_COLOR: undefined, NO_COLOR: undefined }).done;
  t.false(plain.stdout.includes(ESC), plain.stdout);
  t.regex(plain.stdout, /INFO +to the console n=1/);
});

test('init("console") logs to standard output only and creates no file', async (t) => {
  const dir = tempDir();
  const run = await runFixture("console-pretty.cjs", [dir], { FORCE_COLOR: undefined }).done;
  t.is(run.code, 0, run.stderr);
  t.deepEqual(readdirSync(dir), []);
  const records = run.stdout.trim().split("\n").map((l) => JSON.parse(l) as { msg?: unknown });
  t.is(records.at(-1)!.msg, "the end", "piped, the console writes JSON lines");
});
