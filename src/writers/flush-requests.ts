import type { LogxpyError } from "../errors";

/** How soon a flush request that found the writer's control slots full is asked again. */
const FLUSH_RETRY_MS = 10;

/** Callers waiting for one flush of the writer thread. */
interface FlushGroup {
  durable: boolean;
  waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }>;
}

/** What {@link FlushRequests} needs of its writer. */
export interface FlushTarget {
  /** Asks the writer thread for flush `id` (answered through `answered`); false when it could not be asked. */
  ask(id: number, durable: boolean): boolean;
  closed(): boolean;
  pending(): number;
  /** Runs before callers are answered (collecting faults, which may call back into the logger). */
  beforeAnswer(): void;
  /** The rejection of a flush that did not finish. */
  failure(why: string): LogxpyError;
}

/**
 * Flushes asked of the native writer thread, coalesced: at most one is in
 * flight (its id is `#inflight`, 0 while a retry is scheduled); callers
 * arriving meanwhile share the next one, which is asked once the first is
 * answered. So 1,000 concurrent `ainfo` calls cost two. See ARCHITECTURE.md,
 * "Flush acknowledgement".
 *
 * @example
 * const flushes = new FlushRequests(target);
 * await flushes.request(false); // target.ask(1, false) ... flushes.answered(1, true)
 */
export class FlushRequests {
  readonly #target: FlushTarget;
  #inflight: { id: number; group: FlushGroup } | undefined;
  #nextGroup: FlushGroup | undefined;
  #seq = 0;

  constructor(target: FlushTarget) {
    this.#target = target;
  }

  /** Resolves once everything handed over before the call is written (and synced when `durable`). */
  request(durable: boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter = { resolve, reject };
      if (this.#inflight === undefined) {
        this.#ask({ durable, waiters: [waiter] });
      } else {
        const next = (this.#nextGroup ??= { durable: false, waiters: [] });
        next.durable ||= durable;
        next.waiters.push(waiter);
      }
    });
  }

  /** Asks the writer thread for a flush on behalf of `group`. */
  #ask(group: FlushGroup): void {
    const id = (this.#seq = (this.#seq % 0xffff_fffe) + 1);
    let asked = false;
    try {
      asked = this.#target.ask(id, group.durable);
    } catch {
      // Closed by another holder: settled below from what is pending.
    }
    if (asked) {
      this.#inflight = { id, group };
    } else if (this.#target.closed()) {
      this.#answer(group, this.#target.pending() === 0);
    } else {
      // The thread's control slots are full (other threads' flushes): ask again shortly.
      this.#inflight = { id: 0, group };
      setTimeout(() => {
        this.#inflight = undefined;
        this.#ask(this.#merge(group));
      }, FLUSH_RETRY_MS).unref();
    }
  }

  /** The writer thread answered flush `id` (on this thread, through the binding's callback). */
  answered(id: number, written: boolean): void {
    if (this.#inflight?.id !== id) return;
    const { group } = this.#inflight;
    // The callers who came meanwhile get the next flush, asked before anything here can call back
    // into the logger: an error listener that flushes from `beforeAnswer` then joins a flush
    // still to be asked instead of replacing the one in flight.
    const next = this.#nextGroup;
    this.#nextGroup = undefined;
    this.#inflight = undefined;
    if (next !== undefined) this.#ask(next);
    this.#target.beforeAnswer();
    this.#answer(group, written);
  }

  #answer(group: FlushGroup, written: boolean): void {
    const err = written ? undefined : this.#target.failure(group.durable ? "the data could not be written and synced" : "the writer gave up on them");
    for (const w of group.waiters) {
      if (err === undefined) w.resolve();
      else w.reject(err);
    }
  }

  /** `group` with the callers that queued for the next flush meanwhile. */
  #merge(group: FlushGroup): FlushGroup {
    const next = this.#nextGroup;
    this.#nextGroup = undefined;
    if (next === undefined) return group;
    return { durable: group.durable || next.durable, waiters: [...group.waiters, ...next.waiters] };
  }
}
