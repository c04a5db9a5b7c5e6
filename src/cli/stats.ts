import { put } from "./entry";
import { Histogram } from "./histogram";
import { ActionNode, type Task } from "./task";
import { type Paint, seconds, shown } from "./text";

/** How many of the slowest tasks are listed. */
const SLOWEST = 10;

interface TypeStats {
  count: number;
  failed: number;
  incomplete: number;
  readonly durations: Histogram;
}

interface Slow {
  readonly tid: string;
  readonly type: string | undefined;
  readonly duration: number;
}

/**
 * Counts over the tasks it is given, in memory that does not grow with the
 * file: per action type the count, failures and duration quantiles; per
 * message type (the level, for logxpy) a count; the slowest tasks.
 *
 * @example
 * const stats = new Stats();
 * stats.addTask(task);
 * process.stdout.write(stats.text(paint));
 */
export class Stats {
  readonly #types = new Map<string, TypeStats>();
  readonly #levels = new Map<string, number>();
  #slowest: Slow[] = [];
  tasks = 0;
  records = 0;

  /** Adds the actions and messages of one task. */
  addTask(task: Task): void {
    this.tasks++;
    this.records += task.records;
    this.#walk(task.root);
    const d = task.duration;
    if (d !== undefined && task.records > 1 && (this.#slowest.length < SLOWEST || d > this.#slowest[this.#slowest.length - 1]!.duration)) {
      this.#slowest.push({ tid: task.tid, type: task.root.type, duration: d });
      this.#slowest.sort((a, b) => b.duration - a.duration);
      if (this.#slowest.length > SLOWEST) this.#slowest.length = SLOWEST;
    }
  }

  #walk(node: ActionNode): void {
    if (node.start !== undefined || node.end !== undefined) {
      const type = node.type ?? "?";
      let s = this.#types.get(type);
      if (s === undefined) this.#types.set(type, (s = { count: 0, failed: 0, incomplete: 0, durations: new Histogram() }));
      s.count++;
      if (node.status === "failed") s.failed++;
      if (node.end === undefined) s.incomplete++;
      const d = node.duration;
      if (d !== undefined && node.end !== undefined) s.durations.add(d);
    }
    for (const c of node.children) {
      if (c.item instanceof ActionNode) this.#walk(c.item);
      else this.#levels.set(c.item.mt ?? "", (this.#levels.get(c.item.mt ?? "") ?? 0) + 1);
    }
  }

  /** The numbers as a plain object: durations in seconds. */
  toJSON(): object {
    const actions: Record<string, unknown> = {};
    for (const [type, s] of [...this.#types].sort((a, b) => b[1].count - a[1].count)) {
      const h = s.durations;
      put(actions, type, {
        count: s.count, failed: s.failed, incomplete: s.incomplete,
        duration: h.count === 0 ? null : { p50: h.quantile(0.5), p90: h.quantile(0.9), p99: h.quantile(0.99), max: h.max },
      });
    }
    return {
      tasks: this.tasks,
      records: this.records,
      actions,
      levels: Object.fromEntries([...this.#levels].sort((a, b) => b[1] - a[1])),
      slowest: this.#slowest,
    };
  }

  /** The numbers as aligned tables for a person. */
  text(p: Paint, maxValue: number): string {
    const rows: string[][] = [["action type", "count", "failed", "p50", "p90", "p99", "max"]];
    for (const [type, s] of [...this.#types].sort((a, b) => b[1].count - a[1].count)) {
      const h = s.durations;
      const q = (x: number) => (h.count === 0 ? "-" : seconds(x));
      rows.push([shown(type, maxValue), String(s.count), String(s.failed), q(h.quantile(0.5)), q(h.quantile(0.9)), q(h.quantile(0.99)), q(h.max)]);
    }
    const out = [p.bold(`${this.tasks} tasks, ${this.records} records`), "", table(rows, p)];
    const levels = [["message type", "count"], ...[...this.#levels].sort((a, b) => b[1] - a[1]).map(([k, n]) => [shown(k, maxValue), String(n)])];
    out.push("", table(levels, p));
    const slow = [["slowest task", "first action", "duration"], ...this.#slowest.map((s) => [shown(s.tid, maxValue), shown(s.type ?? "-", maxValue), seconds(s.duration)])];
    out.push("", table(slow, p), "");
    return out.join("\n");
  }
}

function table(rows: string[][], p: Paint): string {
  // Widths count code points: a type name may hold non-ASCII text.
  const width = (s: string) => [...s].length;
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => width(r[i]!))));
  return rows
    .map((r, n) => {
      const line = r.map((c, i) => (i === 0 ? c + " ".repeat(widths[i]! - width(c)) : " ".repeat(widths[i]! - width(c)) + c)).join("  ");
      return n === 0 ? p.bold(line) : line;
    })
    .join("\n");
}
