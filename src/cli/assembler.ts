import type { Entry } from "./entry";
import { Task } from "./task";

/** Limits that keep the assembler's memory bounded. */
export interface AssemblerLimits {
  /**
   * Records held across all unfinished tasks. Past it the oldest task is
   * let go as incomplete; later records of its id make a continued task.
   */
  readonly maxHeld: number;
  /**
   * Records read after a task completes before it is let go, so that a
   * worker or a remote process logging a little after the end still joins.
   */
  readonly grace: number;
  /**
   * Tasks let go are put in time order within windows of this many: one
   * file is not always in time order (a worker thread's writer may write
   * its lines before the main thread's earlier ones). 0 hands them over at once.
   */
  readonly window: number;
}

/** Sizes chosen so a task tree holds some 50k records (tens of MB) at most. */
export const DEFAULT_LIMITS: AssemblerLimits = { maxHeld: 50_000, grace: 1_000, window: 1_000 };

/**
 * Builds tasks from records in arrival order and hands each over once,
 * sorted by time within a window: when complete (its first action ended)
 * and past the grace, or when memory would pass the limit, or at the end of
 * input.
 *
 * @example
 * const a = new Assembler((task) => render(task));
 * for (const e of entries) a.add(e);
 * a.finish();
 */
export class Assembler {
  readonly #open = new Map<string, Task>();
  readonly #completedAt = new Map<Task, number>();
  readonly #shown = new Set<string>();
  #sorting: Task[] = [];
  #seq = 0;
  #held = 0;

  constructor(
    readonly onTask: (task: Task) => void,
    readonly limits: AssemblerLimits = DEFAULT_LIMITS,
  ) {}

  /** Adds one record. */
  add(e: Entry): void {
    const seq = this.#seq++;
    let task = this.#open.get(e.tid);
    if (task === undefined) {
      task = new Task(e.tid, seq);
      task.continued = this.#shown.has(e.tid);
      this.#open.set(e.tid, task);
    }
    task.add(e, seq);
    this.#held++;
    if (!this.#completedAt.has(task) && task.complete) this.#completedAt.set(task, seq);
    this.#release(false);
  }

  /** Hands over every task still held, complete or not. */
  finish(): void {
    this.#release(true);
    this.#drain(0);
  }

  /** Hands over the tasks whose last record is older than `seconds` by the clock (follow mode). */
  releaseQuiet(nowSeconds: number, seconds: number): void {
    for (const task of [...this.#open.values()]) {
      if (task.lastTs === undefined || nowSeconds - task.lastTs >= seconds || this.#completedAt.has(task)) this.#let(task);
    }
  }

  #release(all: boolean): void {
    for (const task of this.#open.values()) {
      const done = this.#completedAt.get(task);
      const ready = all || this.#held > this.limits.maxHeld || (done !== undefined && this.#seq - done > this.limits.grace);
      if (!ready) return;
      this.#let(task);
    }
  }

  #let(task: Task): void {
    this.#open.delete(task.tid);
    this.#completedAt.delete(task);
    this.#held -= task.records;
    // Ids shown are remembered only while a later fragment is plausible; the cap keeps the set bounded.
    if (this.#shown.size >= this.limits.maxHeld) this.#shown.clear();
    this.#shown.add(task.tid);
    if (this.limits.window === 0) {
      this.onTask(task);
      return;
    }
    this.#sorting.push(task);
    if (this.#sorting.length >= 2 * this.limits.window) this.#drain(this.limits.window);
  }

  /** Hands over the earliest tasks waiting to be sorted, keeping `keep` of them. */
  #drain(keep: number): void {
    const byTime = (a: Task, b: Task) => (a.firstTs ?? -Infinity) - (b.firstTs ?? -Infinity) || a.seq - b.seq;
    this.#sorting.sort(byTime);
    const out = this.#sorting.splice(0, this.#sorting.length - keep);
    for (const task of out) this.onTask(task);
  }
}
