import test from "ava";
import { join } from "node:path";
import { logxpy, writeAppLog } from "./cli-helpers";
import { tempDir } from "./helpers";
import { Pane } from "./tmux";

const ESC = "\x1b[";

function appLog(): string {
  const file = join(tempDir(), "app.log");
  writeAppLog(file, "logxpy");
  return file;
}

/** What `logxpy args…` shows in a terminal: the text, and the text with its colour sequences. */
async function onTerminal(args: string[], env: Record<string, string> = {}): Promise<{ text: string; coloured: string }> {
  const pane = new Pane(args, env);
  try {
    const text = await pane.until((s) => s.includes("odd input"));
    return { text, coloured: pane.screen(true) };
  } finally {
    pane.close();
  }
}

test("on a terminal the tree is coloured: status, levels, keys", async (t) => {
  const screen = (await onTerminal([appLog()])).coloured;
  t.true(screen.includes(`${ESC}32m✔ succeeded`), screen);
  t.true(screen.includes(`${ESC}31m✖ failed`), screen);
  t.true(screen.includes(`${ESC}33mwarning`), screen);
});

test("NO_COLOR and --no-color turn colour off on a terminal", async (t) => {
  for (const [args, env] of [[[], { NO_COLOR: "1" }], [["--no-color"], {}]] as const) {
    const screen = (await onTerminal([...args, appLog()], env)).coloured;
    t.false(screen.includes(`${ESC}32m`), screen);
    t.true(screen.includes("✔ succeeded"));
  }
});

test("piped output is plain unless --color or FORCE_COLOR asks for colour", (t) => {
  const file = appLog();
  t.false(logxpy([file]).stdout.includes(ESC));
  t.true(logxpy(["--color", file]).stdout.includes(`${ESC}32m✔ succeeded`));
  t.true(logxpy([file], { env: { FORCE_COLOR: "1" } }).stdout.includes(`${ESC}32m✔ succeeded`));
  t.false(logxpy([file], { env: { FORCE_COLOR: "0" } }).stdout.includes(ESC));
  t.false(logxpy(["--no-color", file], { env: { FORCE_COLOR: "1" } }).stdout.includes(ESC), "the option wins");
});

test("FORCE_COLOR=0 turns colour off on a terminal", async (t) => {
  const screen = (await onTerminal([appLog()], { FORCE_COLOR: "0" })).coloured;
  t.false(screen.includes(`${ESC}32m`), screen);
  t.true(screen.includes("✔ succeeded"));
});

test("control characters in records are shown escaped: a value cannot recolour the terminal or forge a line", async (t) => {
  const { text: screen, coloured } = await onTerminal([appLog()]);
  t.false(coloured.includes(`${ESC}31mred`), "the record's own escape never reaches the terminal");
  t.true(screen.includes("raw: a\\x1b[31mred\\x1b[0m\\r\\nFAKE line\n"), screen);
  t.false(/\nFAKE line/.test(screen));
  const piped = logxpy([appLog()]).stdout;
  t.true(piped.includes("raw: a\\x1b[31mred\\x1b[0m\\r\\nFAKE line\n"));
});

test("long values are cut with a marker saying how much is left out, --full shows them whole", (t) => {
  const file = appLog();
  t.regex(logxpy(["--max-value", "50", file]).stdout, /long: x{50}…\(\+2950\)\n/);
  t.regex(logxpy(["--full", file]).stdout, /long: x{3000}\n/);
  t.regex(logxpy([file]).stdout, /long: x{1000}…\(\+2000\)\n/, "piped output cuts at 1000 characters");
});
