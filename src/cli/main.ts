#!/usr/bin/env node
/**
 * `logxpy`: reads log files as the stories they tell. This file only wires
 * the parts together: the command line, the reader, the task assembler, the
 * filter and the sink of the command.
 */
import { fstatSync, readFileSync, type Stats, statSync } from "node:fs";
import { join } from "node:path";
import { LogxpyError } from "../errors";
import { HELP, parseCommandLine, type CommandLine } from "./args";
import { Assembler, DEFAULT_LIMITS } from "./assembler";
import { type Item, TaskFilter, usage } from "./filters";
import { Follower } from "./follow";
import { Problems } from "./problems";
import { parseBatch, readRecords } from "./read";
import { Output, sinkFor } from "./sinks";
import { colors } from "./text";
import { parseDuration } from "./time-spec";

/** Values are cut here when standard output is not a terminal: long enough for any sane value, short enough to stay readable. */
const PIPED_MAX_VALUE = 1000;

async function run(argv: string[]): Promise<number> {
  const cli = parseCommandLine(argv);
  if (cli.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (cli.version) {
    const pkg = JSON.parse(readFileSync(join(__dirname, "../../package.json"), "utf8")) as { version: string };
    process.stdout.write(`logxpy ${pkg.version}\n`);
    return 0;
  }
  if (cli.files.length === 0) {
    if (process.stdin.isTTY) throw usage("no file given and standard input is a terminal; see logxpy --help");
    cli.files.push("-");
  }
  const tty = process.stdout.isTTY === true && cli.output === undefined;
  const paint = colors(cli.output === undefined ? cli.color : false, tty, process.env);
  const maxValue = cli.maxValue ?? (tty ? Math.max(40, (process.stdout.columns ?? 80) - 20) : PIPED_MAX_VALUE);
  const filter = TaskFilter.from(cli, Date.now() / 1000);
  const keep = cli.only && filter.selective ? (i: Item) => filter.passes(i) : undefined;
  if (cli.output !== undefined && readsOutput(cli.output, cli.files)) {
    throw usage(`-o ${JSON.stringify(cli.output)} is one of the files read; writing it would empty it before it is read`);
  }
  const problems = new Problems(process.stderr);
  let out: Output;
  try {
    out = new Output(cli.output);
  } catch (err) {
    problems.file(cli.output!, err);
    return 1;
  }
  const sink = sinkFor(cli, out, paint, keep, maxValue);
  const assembler = new Assembler((task) => {
    if (filter.matches(task)) sink.task(task);
  }, cli.command === "follow" ? { ...DEFAULT_LIMITS, grace: 0, window: 0 } : DEFAULT_LIMITS);
  if (cli.command === "follow") return follow(cli, assembler, problems, out);
  await readRecords(cli.files, problems, (e) => assembler.add(e));
  assembler.finish();
  sink.end();
  out.close();
  problems.finish();
  return problems.failed ? 1 : 0;
}

/** True when the output path is one of the inputs (standard input too, when redirected from it): opening it would truncate it. */
function readsOutput(output: string, files: readonly string[]): boolean {
  const out = statOrUndefined(() => statSync(output));
  // Only a regular file is emptied by opening it: -o /dev/null while reading /dev/null is fine.
  if (out === undefined || !out.isFile()) return false;
  return files.some((f) => {
    const st = statOrUndefined(() => (f === "-" ? fstatSync(0) : statSync(f)));
    return st !== undefined && st.dev === out.dev && st.ino === out.ino;
  });
}

function statOrUndefined(get: () => Stats): Stats | undefined {
  try {
    return get();
  } catch {
    return undefined;
  }
}

/** Runs until interrupted: tasks are printed as they end or go quiet. */
async function follow(cli: CommandLine, assembler: Assembler, problems: Problems, out: Output): Promise<number> {
  const quiet = parseDuration(cli.quiet);
  if (quiet === undefined) throw usage(`--quiet takes a duration such as 2s; got ${JSON.stringify(cli.quiet)}`);
  const file = cli.files[0]!;
  const tail = new Follower(
    file,
    (batch) => {
      for (const e of parseBatch(file, batch, problems)) assembler.add(e);
    },
    (note) => process.stderr.write(note + "\n"),
    (line) => problems.line(file, line, "line longer than 16 MB"),
  );
  try {
    await tail.start(cli.lines, () => {
      assembler.releaseQuiet(Date.now() / 1000, quiet);
      out.flush();
    });
  } catch (err) {
    // A directory, a file without read permission: reported as the other commands report a file they cannot read.
    await tail.stop();
    problems.file(file, err);
    out.close();
    return 1;
  }
  return new Promise<number>((resolve) => {
    const stop = () => {
      void tail.stop().then(() => {
        assembler.finish();
        out.close();
        resolve(0);
      });
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

// A reader piped into `head` must stop quietly, not with an EPIPE stack.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});
// Standard error closed (`2>&1 >out.txt | head`): the reports have nowhere to go, but the output still does.
process.stderr.on("error", () => {});

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof LogxpyError) {
      process.stderr.write(`logxpy: ${err.message} (${err.code})\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`logxpy: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
