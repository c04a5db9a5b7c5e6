import { type Entry, put } from "./entry";

/** A child of an action: a message or a nested action, at its index in the parent's level path. */
export interface Child {
  readonly idx: number;
  readonly seq: number;
  readonly item: ActionNode | Entry;
}

/**
 * An action, known by the level path its records share (its start `[2,1]`
 * and end `[2,5]` both live under `[2]`). Either record may be missing: the
 * start before a rotated file's first line, the end while it still runs.
 */
export class ActionNode {
  start: Entry | undefined;
  end: Entry | undefined;
  readonly children: Child[] = [];
  #sorted = true;

  constructor(readonly path: readonly number[]) {}

  /** The action type from whichever record is there. */
  get type(): string | undefined {
    return this.start?.at ?? this.end?.at;
  }

  /** `started` while no end record is known, else the end's status. */
  get status(): string {
    return this.end?.st ?? (this.start === undefined ? "unknown" : "started");
  }

  /** Seconds: the end record's duration, or the time between start and end. */
  get duration(): number | undefined {
    if (this.end?.dur !== undefined) return this.end.dur;
    const a = this.start?.ts;
    const b = this.end?.ts;
    return a !== undefined && b !== undefined ? Math.max(0, b - a) : undefined;
  }

  /** The start's and the end's user fields together. */
  get fields(): Record<string, unknown> {
    return { ...this.start?.fields, ...this.end?.fields };
  }

  /**
   * The end record's fields less those the start already gave the same value
   * (scope fields are written on both).
   */
  get endFields(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const start = this.start?.fields ?? {};
    for (const [k, v] of Object.entries(this.end?.fields ?? {})) {
      if (!Object.hasOwn(start, k) || JSON.stringify(start[k]) !== JSON.stringify(v)) put(out, k, v);
    }
    return out;
  }

  /** Adds a child; children are kept in level order, not file order. */
  add(child: Child): void {
    const last = this.children[this.children.length - 1];
    if (last !== undefined && last.idx > child.idx) this.#sorted = false;
    this.children.push(child);
  }

  /** The children in level order (records with one index keep their file order). */
  ordered(): readonly Child[] {
    if (!this.#sorted) {
      this.children.sort((a, b) => a.idx - b.idx || a.seq - b.seq);
      this.#sorted = true;
    }
    return this.children;
  }
}

/**
 * The records of one task id put together as a tree. The root stands for the
 * level path `[]`: an action when the task began with one, else a holder of
 * the task's messages (a plain `log.info` is a task of its own at `[1]`).
 */
export class Task {
  readonly root = new ActionNode([]);
  readonly #nodes = new Map<string, ActionNode>([["", this.root]]);
  records = 0;
  firstTs: number | undefined;
  lastTs: number | undefined;
  /** Set when records of this id were already shown and this holds the later ones. */
  continued = false;
  /**
   * Set when the part shown before was let go while its first action ran:
   * this part is complete only once that action's end is in it.
   */
  awaitsEnd = false;

  constructor(readonly tid: string, readonly seq: number) {}

  /** Places one record by its level path. */
  add(e: Entry, seq: number): void {
    this.records++;
    if (e.ts !== undefined) {
      if (this.firstTs === undefined || e.ts < this.firstTs) this.firstTs = e.ts;
      if (this.lastTs === undefined || e.ts > this.lastTs) this.lastTs = e.ts;
    }
    if (e.lvl.length === 0) {
      // No level (the Python logxpy's message inside an Eliot action): under the root, in file order.
      this.root.add({ idx: this.root.children[this.root.children.length - 1]?.idx ?? 1, seq, item: e });
      return;
    }
    const parentPath = e.lvl.slice(0, -1);
    const idx = e.lvl[e.lvl.length - 1]!;
    if (e.at === undefined) {
      this.#node(parentPath, seq).add({ idx, seq, item: e });
    } else if (e.st === "started") {
      this.#node(parentPath, seq).start = e;
    } else {
      (this.#decoratorStart(parentPath, e) ?? this.#node(parentPath, seq)).end = e;
    }
  }

  /** True once the task's first action has ended, or when it holds messages only. */
  get complete(): boolean {
    if (this.awaitsEnd) return this.root.end !== undefined;
    if (this.root.start !== undefined || this.root.end !== undefined) return this.root.end !== undefined;
    return this.root.children.every((c) => !(c.item instanceof ActionNode));
  }

  /** Seconds from the first record to the last. */
  get duration(): number | undefined {
    return this.root.duration ?? (this.firstTs !== undefined && this.lastTs !== undefined ? this.lastTs - this.firstTs : undefined);
  }

  /**
   * The Python logxpy's decorators write a start at `[1]` and its end at
   * `[1,1]`: an end with no action of its own under its path, whose parent
   * path started the same action type and has not ended, is that one's end.
   */
  #decoratorStart(path: readonly number[], e: Entry): ActionNode | undefined {
    if (path.length === 0 || path[path.length - 1] !== 1 || this.#nodes.has(path.join("."))) return undefined;
    const parent = this.#nodes.get(path.slice(0, -1).join("."));
    return parent !== undefined && parent.start?.at === e.at && parent.end === undefined ? parent : undefined;
  }

  #node(path: readonly number[], seq: number): ActionNode {
    const key = path.join(".");
    let node = this.#nodes.get(key);
    if (node !== undefined) return node;
    node = new ActionNode(path);
    this.#nodes.set(key, node);
    this.#node(path.slice(0, -1), seq).add({ idx: path[path.length - 1]!, seq, item: node });
    return node;
  }
}
