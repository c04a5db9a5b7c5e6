import { toEntry, type Entry } from "./entry";
import { openSource, splitLines, type LineBatch } from "./lines";
import type { Problems } from "./problems";

/**
 * Turns one source's lines into records, reporting each bad line once.
 * Exported for `follow`, which reads lines its own way.
 *
 * @example
 * const entries = parseBatch("app.log", batch, problems);
 */
export function parseBatch(file: string, batch: LineBatch, problems: Problems): Entry[] {
  const out: Entry[] = [];
  const { texts, first } = batch;
  for (let i = 0; i < texts.length; i++) {
    let text = texts[i]!;
    // A byte order mark (an editor's "UTF-8 with BOM") begins the file, not its first record.
    if (first + i === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      const last = batch.unterminated && i === texts.length - 1;
      problems.line(file, first + i, last ? "truncated last line (no newline, not JSON)" : "not JSON");
      continue;
    }
    const e = toEntry(value, file, first + i);
    if (typeof e === "string") problems.line(file, first + i, e);
    else out.push(e);
  }
  return out;
}

/** One source's records, a batch at a time. */
class Cursor {
  entries: Entry[] = [];
  index = 0;

  constructor(
    readonly file: string,
    readonly batches: AsyncGenerator<LineBatch>,
    readonly problems: Problems,
  ) {}

  /** Reads until a batch with records or the end; false at the end. */
  async fill(): Promise<boolean> {
    this.index = 0;
    this.entries = [];
    while (this.entries.length === 0) {
      let next: IteratorResult<LineBatch>;
      try {
        next = await this.batches.next();
      } catch (err) {
        this.problems.file(this.file, err);
        return false;
      }
      if (next.done) return false;
      this.entries = parseBatch(this.file, next.value, this.problems);
    }
    return true;
  }
}

/**
 * Reads every source and hands over their records merged by time, so a task
 * spread over rotated files or over the files of several processes arrives
 * in the order it happened. A record without a time goes next from its
 * source. A source that cannot be read is reported and left out.
 *
 * @example
 * await readRecords(["app.log.1.gz", "app.log"], problems, (e) => assembler.add(e));
 */
export async function readRecords(paths: readonly string[], problems: Problems, onEntry: (e: Entry) => void): Promise<void> {
  const live: Cursor[] = [];
  for (const path of paths) {
    try {
      const stream = await openSource(path);
      const name = path === "-" ? "<stdin>" : path;
      const cursor = new Cursor(name, splitLines(stream, (line) => problems.line(name, line, "line longer than 16 MB")), problems);
      if (await cursor.fill()) live.push(cursor);
    } catch (err) {
      problems.file(path, err);
    }
  }
  while (live.length > 0) {
    let best = live[0]!;
    let bestTs = best.entries[best.index]!.ts ?? -Infinity;
    for (let i = 1; i < live.length; i++) {
      const c = live[i]!;
      const ts = c.entries[c.index]!.ts ?? -Infinity;
      if (ts < bestTs) {
        best = c;
        bestTs = ts;
      }
    }
    // Take the whole run of records that come before every other source's next one.
    let limit = Infinity;
    for (const c of live) if (c !== best) limit = Math.min(limit, c.entries[c.index]!.ts ?? -Infinity);
    const { entries } = best;
    do {
      onEntry(entries[best.index++]!);
    } while (best.index < entries.length && (entries[best.index]!.ts ?? -Infinity) <= limit);
    if (best.index >= entries.length && !(await best.fill())) live.splice(live.indexOf(best), 1);
  }
}
