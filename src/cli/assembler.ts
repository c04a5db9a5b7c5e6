import type { Entry } from "./entry";
import { Task } from "./task";

/** Limits that keep the assembler's memory bounded. */
export interface AssemblerLimits {
  /**
   * Records held across all unfinished tasks. Past it the oldest task is
   * let go as incomplete; later records of its id make a continued task.
   * Tasks let go and waiting to be sorted hold at most as many again.
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
 * sorted by time within a window: in the order tasks began when complete
 * (its first action ended) and past the grace, or when memory would pass
 * the limit (finished tasks first, then the oldest unfinished one), or at
 * the end of input.
 *
 * @example
 * const a = new Assembler((task) => render(task));
 * for (const e of entries) a.add(e);
 * a.finish();
 */
export class Assembler {
  readonly #open = new Map<string, Task>();
  readonly #completedAt = new Map<Task, number>();
  /** Ids let go, each with whether that part awaits its first action's end (was let go before it). */
  readonly #shown = new Map<string, boolean>();
  #sorting: Task[] = [];
  #sortingRecords = 0;
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
      const before = this.#shown.get(e.tid);
      task.continued = before !== undefined;
      task.awaitsEnd = before === true;
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
    this.#drain(0, 0);
  }

  /** Hands over the tasks whose last record is older than `seconds` by the clock (follow mode). */
  releaseQuiet(nowSeconds: number, seconds: number): void {
    for (const task of [...this.#open.values()]) {
      if (task.lastTs === undefined || nowSeconds - task.lastTs >= seconds || this.#completedAt.has(task)) this.#let(task);
    }
  }

  #release(all: boolean): void {
    // In the order tasks began, as far as the first one not ready.
    for (const task of this.#open.values()) {
      const done = this.#completedAt.get(task);
      if (!all && (done === undefined || this.#seq - done <= this.limits.grace)) break;
      this.#let(task);
    }
    if (this.#held <= this.limits.maxHeld) return;
    // Past the limit, the finished tasks waiting behind an unfinished one go first, in the order they
    // finished: a long-lived task (a server's lifetime) is not cut for the requests it saw.
    for (const task of this.#completedAt.keys()) {
      if (this.#held <= this.limits.maxHeld) return;
      this.#let(task);
    }
    while (this.#held > this.limits.maxHeld) this.#let(this.#open.values().next().value!);
  }

  #let(task: Task): void {
    this.#open.delete(task.tid);
    this.#completedAt.delete(task);
    this.#held -= task.records;
    // Ids shown are remembered only while a later fragment is plausible; the cap keeps the set bounded.
    if (this.#shown.size >= this.limits.maxHeld) this.#shown.clear();
    this.#shown.set(task.tid, !task.complete && (task.root.start !== undefined || task.awaitsEnd));
    if (this.limits.window === 0) {
      this.onTask(task);
      return;
    }
    this.#sorting.push(task);
    this.#sortingRecords += task.records;
    // Counted in records too: a few big parts of one long task would otherwise wait here in full.
    if (this.#sorting.length >= 2 * this.limits.window || this.#sortingRecords > this.limits.maxHeld) {
      this.#drain(this.limits.window, this.limits.maxHeld / 2);
    }
  }

  /** Hands over the earliest tasks waiting to be sorted, keeping at most `keep` of them and `keepRecords` records. */
  #drain(keep: number, keepRecords: number): void {
    const byTime = (a: Task, b: Task) => (a.firstTs ?? -Infinity) - (b.firstTs ?? -Infinity) || a.seq - b.seq;
    this.#sorting.sort(byTime);
    let n = 0;
    for (let records = this.#sortingRecords; n < this.#sorting.length && (this.#sorting.length - n > keep || records > keepRecords); n++) {
      records -= this.#sorting[n]!.records;
    }
    for (const task of this.#sorting.splice(0, n)) {
      this.#sortingRecords -= task.records;
      this.onTask(task);
    }
  }
}
