import { closeSync, openSync, writeSync } from "node:fs";
import type { CommandLine } from "./args";
import { CsvExporter, JsonExporter, LogfmtExporter, type LineExporter, taskRecords } from "./export";
import { HtmlExporter } from "./export-html";
import type { Item } from "./filters";
import { renderTask } from "./render-tree";
import { Stats } from "./stats";
import type { Task } from "./task";
import type { Paint } from "./text";

/** Output is gathered up to this many characters per write: one syscall per task would cap the speed on a big file. */
const GATHER = 64 * 1024;

/**
 * Text output to standard output or a file, written in gathered pieces.
 * Standard output to a pipe or file is synchronous on Linux, so memory
 * stays bounded however fast the input is read.
 *
 * @example
 * const out = new Output(undefined); out.write("hi\n"); out.close();
 */
export class Output {
  #pending = "";
  readonly #fd: number | undefined;

  constructor(path: string | undefined) {
    this.#fd = path === undefined ? undefined : openSync(path, "w");
  }

  write(text: string): void {
    this.#pending += text;
    if (this.#pending.length >= GATHER) this.flush();
  }

  flush(): void {
    if (this.#pending === "") return;
    if (this.#fd === undefined) process.stdout.write(this.#pending);
    else writeSync(this.#fd, this.#pending);
    this.#pending = "";
  }

  close(): void {
    this.flush();
    if (this.#fd !== undefined) closeSync(this.#fd);
  }
}

/** Where the tasks that pass the filters go. */
export interface Sink {
  task(task: Task): void;
  end(): void;
}

/**
 * The sink of a command: tree text, stats, or an export format.
 *
 * @example
 * const sink = sinkFor(cli, out, paint, keep);
 */
export function sinkFor(cli: CommandLine, out: Output, paint: Paint, keep: ((i: Item) => boolean) | undefined, maxValue: number): Sink {
  if (cli.command === "stats") {
    const stats = new Stats();
    return {
      task: (t) => stats.addTask(t),
      end: () => out.write(cli.json ? JSON.stringify(stats.toJSON(), null, 2) + "\n" : stats.text(paint, maxValue)),
    };
  }
  if (cli.command === "export" && cli.to === "html") {
    const page = new HtmlExporter(cli.files.join(", ") || "standard input", keep);
    out.write(page.header());
    return { task: (t) => out.write(page.task(t)), end: () => out.write(page.footer()) };
  }
  if (cli.command === "export") {
    const exporter: LineExporter =
      cli.to === "csv" ? new CsvExporter(cli.fields) : cli.to === "logfmt" ? new LogfmtExporter(cli.fields) : new JsonExporter(cli.fields);
    out.write(exporter.header());
    return {
      task: (t) => {
        for (const e of taskRecords(t, keep)) out.write(exporter.record(e));
      },
      end: () => {},
    };
  }
  return { task: (t) => out.write(renderTask(t, { paint, maxValue, keep })), end: () => {} };
}
