import { parseArgs } from "node:util";
import { usage, type FilterOptions } from "./filters";

/** The commands; `tree` when none is named. */
export const COMMANDS = ["tree", "follow", "stats", "export"] as const;

/** One of {@link COMMANDS}. */
export type Command = (typeof COMMANDS)[number];

/** The export formats of `export --to`. */
export const EXPORT_FORMATS = ["json", "csv", "logfmt", "html"] as const;

/** Everything the command line says. */
export interface CommandLine extends FilterOptions {
  command: Command;
  files: string[];
  only: boolean;
  color: boolean | undefined;
  maxValue: number | undefined;
  json: boolean;
  to: (typeof EXPORT_FORMATS)[number];
  fields: string[] | undefined;
  output: string | undefined;
  quiet: string;
  lines: number;
  help: boolean;
  version: boolean;
}

/** Printed by `--help`. */
export const HELP = `Usage: logxpy [command] [options] [files…]

Reads logxpy files (compact or format: "eliot"), Eliot's files and the
Python logxpy's files; several files (rotated ones, .gz too) are merged by
time. Without files, or with -, reads standard input.

Commands:
  tree              each task as a tree (the default)
  follow, -f        like tail -f: print each task when it ends or goes quiet
  stats             per action type: count, failures, duration p50/p90/p99/max;
                    per level counts; the slowest tasks (--json for machines)
  export --to FMT   json | csv | logfmt | html  (--fields a,b.c  -o FILE)

Filters (a task is shown when one of its records passes all of them):
  --task ID                  --action TYPE (glob, or /regex/)
  --status started|succeeded|failed     --level LEVEL (that level and above)
  --since T  --until T       (ISO date-time, or a duration ago: 10m, 2h)
  --min-duration D  --max-duration D    (250ms, 2s)
  --field key=value  --has key          (dotted paths, repeatable)
  --grep TEXT                --only     (only the records that pass)

Output:
  --color / --no-color       (default: FORCE_COLOR if set, else colour on a terminal unless NO_COLOR)
  --max-value N              cut values longer than N characters (--full: never)
  --quiet D                  follow: print an unfinished task after D quiet (2s)
  -n, --lines N              follow: start N lines before the end (10)
`;

/**
 * Parses the arguments after `logxpy`; a bad one throws `LOGXPY_ERR_USAGE`.
 *
 * @example
 * parseCommandLine(["stats", "--json", "app.log"]).command; // "stats"
 */
export function parseCommandLine(argv: string[]): CommandLine {
  const parsed = parseOrExplain(argv);
  const v = parsed.values;
  const files = [...parsed.positionals];
  let command: Command = "tree";
  if (files.length > 0 && (COMMANDS as readonly string[]).includes(files[0]!)) command = files.shift() as Command;
  if (v.follow === true) {
    if (command !== "tree" && command !== "follow") throw usage(`-f follows with tree output; it does not go with ${command}`);
    command = "follow";
  }
  const to = v.to ?? "json";
  if (!(EXPORT_FORMATS as readonly string[]).includes(to)) throw usage(`--to must be one of ${EXPORT_FORMATS.join(", ")}; got ${JSON.stringify(to)}`);
  if (v.to !== undefined && command !== "export") throw usage("--to goes with the export command");
  const fields = v.fields?.split(",").map((f) => f.trim()).filter((f) => f !== "");
  if (fields?.length === 0) throw usage(`--fields takes field names separated by commas, such as tid,msg; got ${JSON.stringify(v.fields)}`);
  if (command === "follow" && files.length !== 1) throw usage("follow reads exactly one file");
  if (command === "follow" && files[0] === "-") throw usage("follow reads a file, not standard input (logxpy - reads standard input to its end)");
  return {
    command,
    files,
    task: v.task,
    action: v.action,
    status: v.status,
    level: v.level,
    since: v.since,
    until: v.until,
    minDuration: v["min-duration"],
    maxDuration: v["max-duration"],
    field: v.field,
    has: v.has,
    grep: v.grep,
    only: v.only === true,
    color: v["no-color"] === true ? false : v.color === true ? true : undefined,
    maxValue: v.full === true ? Infinity : v["max-value"] === undefined ? undefined : count("--max-value", v["max-value"], 1),
    json: v.json === true,
    to: to as CommandLine["to"],
    fields,
    output: v.output,
    quiet: v.quiet ?? "2s",
    lines: v.lines === undefined ? 10 : count("--lines", v.lines, 0),
    help: v.help === true,
    version: v.version === true,
  };
}

function count(option: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) throw usage(`${option} takes a whole number of at least ${min}; got ${JSON.stringify(text)}`);
  return n;
}

/** Node's parse of the command line; what it refuses becomes a usage error that points to --help. */
function parseOrExplain(argv: string[]) {
  try {
    return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      follow: { type: "boolean", short: "f" },
      task: { type: "string" },
      action: { type: "string" },
      status: { type: "string" },
      level: { type: "string" },
      since: { type: "string" },
      until: { type: "string" },
      "min-duration": { type: "string" },
      "max-duration": { type: "string" },
      field: { type: "string", multiple: true },
      has: { type: "string", multiple: true },
      grep: { type: "string" },
      only: { type: "boolean" },
      color: { type: "boolean" },
      "no-color": { type: "boolean" },
      "max-value": { type: "string" },
      full: { type: "boolean" },
      json: { type: "boolean" },
      to: { type: "string" },
      fields: { type: "string" },
      output: { type: "string", short: "o" },
      quiet: { type: "string" },
      lines: { type: "string", short: "n" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "V" },
    },
  });
  } catch (err) {
    throw usage(`${(err as Error).message}; see logxpy --help`);
  }
}
