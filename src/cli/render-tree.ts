import type { Entry } from "./entry";
import { type Item, wanted } from "./filters";
import { ActionNode, type Task } from "./task";
import { isoTime, levelColour, type Paint, seconds, shown } from "./text";

/** How a task is drawn. */
export interface TreeOptions {
  readonly paint: Paint;
  /** Longest value shown before it is cut with a marker. */
  readonly maxValue: number;
  /** With `--only`: which items to draw (ancestors of a drawn item are drawn as headers). */
  readonly keep?: (item: Item) => boolean;
}

/** A line of the drawing with the lines under it. */
interface Shape {
  readonly text: string;
  /** Lines printed under `text` without a branch of their own (a stack). */
  readonly extra?: readonly string[];
  readonly kids: Shape[];
}

const ICON: Record<string, string> = { succeeded: "✔", failed: "✖", started: "…" };

/**
 * One task as a tree: actions with their status, duration and fields,
 * messages at the place their level gives them, a failure's exception with
 * its stack on lines of its own.
 *
 * @example
 * process.stdout.write(renderTask(task, { paint: colors(false, false, {}), maxValue: 200 }));
 * // Xa.2 · 2026-12-01T14:00:00.000Z · 1.23ms
 * // └─ db:query ✔ succeeded 1.23ms
 * //    ├─ table: users
 * //    └─ info rows read +0.5ms
 */
export function renderTask(task: Task, o: TreeOptions): string {
  const p = o.paint;
  const notes: string[] = [];
  if (task.continued) notes.push("continued");
  if (!task.complete) notes.push("incomplete: no end record yet");
  const dur = task.duration;
  const head = [p.bold(shown(task.tid, o.maxValue)), isoTime(task.firstTs), dur === undefined || task.records < 2 ? undefined : seconds(dur)]
    .filter((s) => s !== undefined)
    .join(p.dim(" · ")) + (notes.length > 0 ? " " + p.yellow(`(${notes.join("; ")})`) : "");
  const kids = task.root.start !== undefined || task.root.end !== undefined
    ? [actionShape(task.root, task, o, undefined)]
    : childShapes(task.root, task, o, undefined);
  const lines = [head];
  draw(kids, "", lines);
  return lines.join("\n") + "\n\n";
}

/**
 * The start fields of the enclosing actions, innermost first: scope fields
 * are written on every record, and shown once where they begin.
 */
interface Shown {
  readonly fields: Record<string, unknown>;
  readonly up: Shown | undefined;
}

/** True when an enclosing action's start already shows `key` with this value. */
function inherited(outer: Shown | undefined, key: string, value: unknown): boolean {
  for (let s = outer; s !== undefined; s = s.up) {
    if (!Object.hasOwn(s.fields, key)) continue;
    const v = s.fields[key];
    return v === value || (typeof v === "object" && v !== null && JSON.stringify(v) === JSON.stringify(value));
  }
  return false;
}

function actionShape(node: ActionNode, task: Task, o: TreeOptions, outer: Shown | undefined): Shape {
  const p = o.paint;
  const status = node.status;
  const colour = status === "succeeded" ? p.green : status === "failed" ? p.red : p.yellow;
  const dur = node.duration;
  const parts = [p.bold(shown(node.type ?? "?", o.maxValue)), colour(`${ICON[status] ?? "?"} ${status}`)];
  if (dur !== undefined) parts.push(seconds(dur));
  const at = offset(node.start?.ts ?? node.end?.ts, task, p);
  if (at !== "" && node.path.length > 0) parts.push(at);
  if (node.start === undefined) parts.push(p.yellow("(start not in input)"));
  const own = o.keep === undefined || o.keep(node);
  const kids: Shape[] = [];
  const inner: Shown | undefined = node.start === undefined ? outer : { fields: node.start.fields, up: outer };
  if (own && node.start !== undefined) kids.push(...fieldShapes(node.start.fields, o, outer));
  kids.push(...childShapes(node, task, o, inner));
  if (own && node.end !== undefined) {
    kids.push(...fieldShapes(node.endFields, o, inner));
    const exc = exceptionShape(node.end, o);
    if (exc !== undefined) kids.push(exc);
  }
  return { text: parts.join(" "), kids };
}

function childShapes(node: ActionNode, task: Task, o: TreeOptions, outer: Shown | undefined): Shape[] {
  const out: Shape[] = [];
  for (const c of node.ordered()) {
    if (c.item instanceof ActionNode) {
      if (o.keep === undefined || wanted(c.item, o.keep)) out.push(actionShape(c.item, task, o, outer));
    } else if (o.keep === undefined || o.keep(c.item)) {
      out.push(messageShape(c.item, task, o, outer));
    }
  }
  return out;
}

function messageShape(e: Entry, task: Task, o: TreeOptions, outer: Shown | undefined): Shape {
  const p = o.paint;
  const mt = e.mt ?? "";
  const parts = [levelColour(mt, p)(shown(mt, o.maxValue))];
  if (e.msg !== undefined) parts.push(shown(e.msg, o.maxValue));
  const at = offset(e.ts, task, p);
  if (at !== "") parts.push(at);
  const kids = fieldShapes(e.fields, o, outer);
  const exc = exceptionShape(e, o);
  if (exc !== undefined) kids.push(exc);
  return { text: parts.join(" "), kids };
}

function exceptionShape(e: Entry, o: TreeOptions): Shape | undefined {
  if (e.exc === undefined && e.reason === undefined && e.stack === undefined) return undefined;
  const p = o.paint;
  const text = p.red(`✖ ${shown(e.exc ?? "traceback", o.maxValue)}${e.reason === undefined ? "" : ": " + shown(e.reason, o.maxValue)}`);
  // The stack keeps its own lines; each is escaped on its own so none can forge another.
  const extra = e.stack === undefined ? undefined : e.stack.split("\n").filter((l) => l.trim() !== "").map((l) => p.dim(shown(l, o.maxValue)));
  return { text, extra, kids: [] };
}

function fieldShapes(fields: Record<string, unknown>, o: TreeOptions, outer: Shown | undefined): Shape[] {
  const p = o.paint;
  return Object.entries(fields).filter(([k, v]) => !inherited(outer, k, v)).map(([k, v]) => ({ text: `${p.dim(shown(k, o.maxValue) + ":")} ${shown(v, o.maxValue)}`, kids: [] }));
}

function offset(ts: number | undefined, task: Task, p: Paint): string {
  if (ts === undefined || task.firstTs === undefined || task.records < 2) return "";
  return p.dim(`+${seconds(Math.max(0, ts - task.firstTs))}`);
}

function draw(shapes: readonly Shape[], prefix: string, lines: string[]): void {
  shapes.forEach((s, i) => {
    const last = i === shapes.length - 1;
    lines.push(prefix + (last ? "└─ " : "├─ ") + s.text);
    const inner = prefix + (last ? "   " : "│  ");
    for (const l of s.extra ?? []) lines.push(inner + "    " + l);
    draw(s.kids, inner, lines);
  });
}
