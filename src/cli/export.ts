import { type Entry, OWN_NAMES, put, withFields } from "./entry";
import { type Item, lookup } from "./filters";
import { ActionNode, type Task } from "./task";

/** The record's own names, in the order they are written. */
const OWN = OWN_NAMES;

/** CSV columns without `--fields`: the own names, then the user fields as one JSON text. */
const CSV_DEFAULT = [...OWN, "fields"];

/**
 * A task's records in tree order (an action's start, its children, its end),
 * the ones `keep` accepts when given.
 *
 * @example
 * for (const e of taskRecords(task)) console.log(e.lvl);
 */
export function* taskRecords(task: Task, keep?: (item: Item) => boolean): Generator<Entry> {
  yield* nodeRecords(task.root, keep);
}

function* nodeRecords(node: ActionNode, keep?: (item: Item) => boolean): Generator<Entry> {
  const own = keep === undefined || keep(node);
  if (own && node.start !== undefined) yield node.start;
  for (const c of node.ordered()) {
    if (c.item instanceof ActionNode) yield* nodeRecords(c.item, keep);
    else if (keep === undefined || keep(c.item)) yield c.item;
  }
  if (own && node.end !== undefined) yield node.end;
}

/**
 * A record under logxpy's compact names whatever format it was read in,
 * then its user fields; with `fields`, only those (dotted paths pick nested
 * values and name the output key).
 *
 * @example
 * plain(entry, undefined); // { ts: 1.5, tid: "Xa.1", lvl: [1], mt: "info", msg: "hi", n: 1 }
 * plain(entry, ["tid", "user.id"]); // { tid: "Xa.1", "user.id": 7 }
 */
export function plain(e: Entry, fields: readonly string[] | undefined): Record<string, unknown> {
  const all: Record<string, unknown> = {};
  for (const k of OWN) if (e[k] !== undefined) all[k] = e[k];
  if (fields === undefined) return withFields(all, e.fields);
  let user: Record<string, unknown> | undefined;
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = Object.hasOwn(all, f) ? all[f] : lookup((user ??= withFields({}, e.fields)), f.split("."));
    if (v !== undefined) put(out, f, v);
  }
  return out;
}

/** Writes records one way: a header (CSV), then one line per record. */
export interface LineExporter {
  header(): string;
  record(e: Entry): string;
}

/**
 * JSON lines under logxpy's names: a file of any format comes out in one.
 *
 * @example
 * new JsonExporter(undefined).record(entry); // '{"ts":1.5,"tid":"Xa.1",...}\n'
 */
export class JsonExporter implements LineExporter {
  constructor(readonly fields: readonly string[] | undefined) {}

  header(): string {
    return "";
  }

  record(e: Entry): string {
    return JSON.stringify(plain(e, this.fields)) + "\n";
  }
}

/**
 * RFC 4180 CSV: the given fields as columns, or the own names and a `fields`
 * column holding the rest as JSON (a column per field would need a first
 * pass over the whole file to know them).
 *
 * @example
 * new CsvExporter(["tid", "msg"]).record(entry); // 'Xa.1,"a, b"\r\n'
 */
export class CsvExporter implements LineExporter {
  readonly #columns: readonly string[];

  constructor(readonly fields: readonly string[] | undefined) {
    this.#columns = fields ?? CSV_DEFAULT;
  }

  header(): string {
    return this.#columns.map(cell).join(",") + "\r\n";
  }

  record(e: Entry): string {
    const row = this.fields === undefined ? { ...plain(e, [...OWN]), fields: e.fields } : plain(e, this.fields);
    return this.#columns.map((c) => cell(row[c])).join(",") + "\r\n";
  }
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return "";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * logfmt (`key=value`, quoted where needed; nested values as JSON), one line
 * per record, flat keys for the tools that read it.
 *
 * @example
 * new LogfmtExporter(undefined).record(entry); // 'ts=1.5 tid=Xa.1 lvl=[1] mt=info msg="hi there"\n'
 */
export class LogfmtExporter implements LineExporter {
  constructor(readonly fields: readonly string[] | undefined) {}

  header(): string {
    return "";
  }

  record(e: Entry): string {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(plain(e, this.fields))) parts.push(`${logfmtKey(k)}=${logfmtValue(v)}`);
    return parts.join(" ") + "\n";
  }
}

function logfmtKey(key: string): string {
  return key.replace(/[^A-Za-z0-9_.:@-]/g, "_") || "_";
}

function logfmtValue(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  // JSON quoting escapes quotes, backslashes and control characters, which is what logfmt readers expect.
  return /^[^\s"=\\\u0000-\u001f\u007f-\u009f]+$/.test(text) ? text : JSON.stringify(text);
}
