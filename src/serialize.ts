import { Buffer } from "node:buffer";
import { types } from "node:util";
import { errorType } from "./error-parts";
import { advancePaths, nameMatcher, pathCursors, redactor, type MaskRules, type PathCursor } from "./masking";
import { quote, writeJsonString } from "./json-text";
import { LineBuffer } from "./line-buffer";

/**
 * Bounds that keep one log line finite whatever the caller hands over.
 *
 * @example
 * const ser = new Serializer({ maxDepth: 4, maxStringLength: 2_000 });
 */
export interface SerializeLimits {
  /** Objects nested deeper than this are written as "[Object]", arrays as "[Array]". */
  maxDepth: number;
  /** Longer string values are cut here and end in "…[+N chars]"; keys are never cut, so they stay distinct. */
  maxStringLength: number;
  /** Items written per array, Set, Map or typed array before one "…[+N items]" marker. */
  maxArrayLength: number;
  /** Keys written per object before one `"…": "[+N keys]"` marker. */
  maxObjectKeys: number;
}

/**
 * The limits a `Serializer` uses for every value not given to its constructor.
 *
 * @example
 * new Serializer({ ...DEFAULT_LIMITS, maxDepth: 3 });
 */
export const DEFAULT_LIMITS: Readonly<SerializeLimits> = Object.freeze({
  maxDepth: 10,
  maxStringLength: 10_000,
  maxArrayLength: 1000,
  maxObjectKeys: 1000,
});

const MASKED = '"***"';
const CIRCULAR = '"[Circular]"';
const DEEP_OBJECT = '"[Object]"';
const DEEP_ARRAY = '"[Array]"';
// Bounds on the key cache: it holds at most about 1000 * 64 * 2 * 2 bytes of text.
const KEY_CACHE_SIZE = 1000;
const KEY_CACHE_MAX_LENGTH = 64;
// Its own key so that a record whose keys cannot be listed still says why (see `fields`).
const UNLISTABLE_FIELDS = "fields";

// An Error's own keys that its head already wrote from the same property ("name" as "type").
const ERROR_HEAD_KEYS: ReadonlySet<string> = new Set(["name", "message", "stack", "errors", "cause"]);
// What an exception record's head writes itself (exc, reason, stack, cause), so its own properties skip them.
const FAILURE_HEAD_KEYS: ReadonlySet<string> = new Set(["name", "message", "stack", "cause"]);
// "type" is ours in an Error's object, so an own "type" property is written as "_type".
const ERROR_RESERVED: ReadonlySet<string> = new Set(["type"]);

const objectTag = Object.prototype.toString;
const hasOwn = Object.prototype.hasOwnProperty;

/** Whether one of `sources` from `from` on has `key` of its own (a proxy whose trap throws has not). */
function shadowed(key: string, sources: readonly object[], from: number): boolean {
  for (let j = from; j < sources.length; j++) {
    try {
      if (hasOwn.call(sources[j], key)) return true;
    } catch {
      // A throwing trap: its own value for the key is written as the throw, so this one is not.
    }
  }
  return false;
}
const isEnumerable = Object.prototype.propertyIsEnumerable;

/** A member name as it is written (`"name":`) and whether its value is masked. */
interface KeyInfo {
  readonly text: string;
  readonly masked: boolean;
}

/**
 * Turns any JavaScript value into JSON text for one log line, written as UTF-8 into a
 * {@link LineBuffer} (the `write*` methods, which the logger uses) or returned as a string
 * (`value`, `string`, `fields`). Every method is total: it produces valid JSON (UTF-8 safe,
 * no line break) and never throws, whatever getters, proxies or `toJSON` methods do.
 *
 * @example
 * const ser = new Serializer({}, { names: ["password"], patterns: [] });
 * ser.value({ user: "ann", password: "hunter2" }); // '{"user":"ann","password":"***"}'
 * '{"msg":' + ser.string("hi") + ser.fields({ msg: "x", n: 1 }, new Set(["msg"])) + "}";
 * // '{"msg":"hi","_msg":"x","n":1}'
 */
export class Serializer {
  readonly #out: LineBuffer;
  readonly #maxDepth: number;
  readonly #maxStringLength: number;
  readonly #maxArrayLength: number;
  readonly #maxObjectKeys: number;
  /** Bytes of a binary value shown as base64: as many as fit in maxStringLength characters. */
  readonly #maxBytes: number;
  // Masking is chosen here once: without rules the hot path meets only two trivial functions,
  // which TurboFan inlines (seen with --trace-turbo-inlining; fields() within noise of no check).
  readonly #isMaskedName: (key: string) => boolean;
  readonly #redact: (s: string) => string;
  readonly #keys = new Map<string, KeyInfo>();
  /** The mask paths, each at its first step, for a record's fields. */
  readonly #paths: PathCursor[] | null;
  /** The paths that go on into the members being written now; null (the usual case) when none does. */
  #active: PathCursor[] | null = null;

  /** `out` is where the `write*` methods write; the logger shares its own. */
  constructor(limits: Partial<SerializeLimits> = {}, mask: MaskRules = { names: [], patterns: [] }, out = new LineBuffer(1024)) {
    this.#out = out;
    this.#maxDepth = limits.maxDepth ?? DEFAULT_LIMITS.maxDepth;
    this.#maxStringLength = limits.maxStringLength ?? DEFAULT_LIMITS.maxStringLength;
    this.#maxArrayLength = limits.maxArrayLength ?? DEFAULT_LIMITS.maxArrayLength;
    this.#maxObjectKeys = limits.maxObjectKeys ?? DEFAULT_LIMITS.maxObjectKeys;
    this.#maxBytes = Math.floor(this.#maxStringLength / 4) * 3;
    this.#isMaskedName = nameMatcher(mask.names) ?? neverMasked;
    this.#redact = redactor(mask.patterns) ?? unredacted;
    const paths = pathCursors(mask.names);
    this.#paths = paths.length === 0 ? null : paths;
  }

  /**
   * JSON text for any value; `undefined` at the top is `null`.
   *
   * @example
   * new Serializer().value(new Map([["a", 1n]])); // '{"a":"1"}'
   */
  value(v: unknown): string {
    return this.#text(() => this.writeValue(v));
  }

  /**
   * A JSON string literal: mask patterns applied first (so a secret that straddles the cut is
   * still hidden), then the length limit.
   *
   * @example
   * new Serializer({ maxStringLength: 3 }).string('ab"cd'); // '"ab\\"…[+2 chars]"'
   */
  string(s: string): string {
    return this.#text(() => this.writeString(s));
  }

  /**
   * The record's user fields as `,"key":value` members, ready to follow the caller's own head
   * and be closed with `}`; "" for an empty object. A key in `reserved` is written with a
   * leading "_" (more when that name is taken too), so a line never holds a key twice.
   *
   * @example
   * new Serializer().fields({ msg: "dup", user: "ann", skip: undefined }, new Set(["ts", "msg"]));
   * // ',"_msg":"dup","user":"ann"'
   */
  fields(obj: object, reserved: ReadonlySet<string>): string {
    return this.#text(() => this.writeFields(obj, reserved));
  }

  /** {@link value}, written to the buffer. */
  writeValue(v: unknown): void {
    const out = this.#out;
    const mark = out.pos;
    // A value on its own (a message, a cause) is outside the record's fields, where mask paths start.
    const outer = this.#active;
    this.#active = null;
    try {
      this.#item(v, 1, []);
    } catch (e) {
      // Only reached when even the per-object guards failed, e.g. the call stack ran out.
      out.pos = mark;
      this.writeString(thrown(e));
    } finally {
      this.#active = outer;
    }
  }

  /** {@link string}, written to the buffer. */
  writeString(s: string): void {
    s = this.#redact(s);
    this.#quote(s.length > this.#maxStringLength ? cut(s, this.#maxStringLength) : s);
  }

  /** {@link fields}, written to the buffer. */
  writeFields(obj: object, reserved: ReadonlySet<string>): void {
    this.writeMergedFields([obj], reserved);
  }

  /**
   * The fields of several objects as one record's members, a key of a later
   * object winning over the same key of an earlier one, as if merged into
   * one object first, without making that object: each key is written where
   * the object it comes from is.
   *
   * @example
   * serializer.writeMergedFields([{ app: "a", v: 1 }, { v: 2 }], reserved); // ,"app":"a","v":2
   */
  writeMergedFields(sources: readonly object[], reserved: ReadonlySet<string>): void {
    const out = this.#out;
    // Mask paths start at the record's fields. Saved and restored: a getter may log a record meanwhile.
    const outer = this.#active;
    this.#active = this.#paths;
    try {
      for (let i = 0; i < sources.length; i++) {
        const mark = out.pos;
        try {
          this.#members(sources[i]!, 1, [sources[i]], reserved, null, sources, i + 1);
        } catch (e) {
          // An object whose keys cannot be listed (a proxy's trap threw) is one field saying so; the others stay.
          out.pos = mark;
          const name = reserved.has(UNLISTABLE_FIELDS) ? rename(UNLISTABLE_FIELDS, {}, reserved) : UNLISTABLE_FIELDS;
          out.byte(44);
          out.text(quote(name) + ":");
          this.writeString(thrown(e));
        }
      }
    } finally {
      this.#active = outer;
    }
  }


  /**
   * An error's own enumerable properties (`code`, `errno`, `syscall`...) as
   * `,"key":value` members of the record that reports it (an exception or a
   * failed action), renamed like fields when `reserved` holds their name.
   * Returns the names written, which the record's user fields must not take.
   *
   * @example
   * new Serializer().writeErrorProperties(Object.assign(new Error("x"), { code: "E1" }), new Set(["ts"])); // ["code"]
   */
  writeErrorProperties(err: object, reserved: ReadonlySet<string>): string[] {
    const out = this.#out;
    const mark = out.pos;
    const names: string[] = [];
    try {
      for (const key of Object.keys(err)) {
        if (FAILURE_HEAD_KEYS.has(key)) continue;
        if (names.length === this.#maxObjectKeys) break;
        const name = reserved.has(key) ? rename(key, err, reserved) : key;
        this.#member(name, key, read(err, key), 1, [err]);
        names.push(name);
      }
    } catch {
      // A proxy that cannot list its keys: the record keeps exc, reason and stack.
      out.pos = mark;
      return [];
    }
    return names;
  }

  /** What `write` put in the buffer, taken back out as text. */
  #text(write: () => void): string {
    const out = this.#out;
    const start = out.pos;
    write();
    const text = out.toString(start);
    out.pos = start;
    return text;
  }

  /**
   * `depth` is the nesting level `v` takes if it is an object; `stack` holds its ancestors.
   * False for undefined (also from toJSON), which a member leaves out and an item writes as null.
   */
  #value(v: unknown, depth: number, stack: unknown[]): boolean {
    const out = this.#out;
    switch (typeof v) {
      case "string":
        this.writeString(v);
        return true;
      case "number":
        writeNumber(out, v);
        return true;
      case "boolean":
        out.ascii(v ? "true" : "false");
        return true;
      case "object":
        if (v === null) {
          out.ascii("null");
          return true;
        }
        return this.#object(v, depth, stack, true);
      case "undefined":
        return false;
      case "bigint":
        out.ascii('"' + v + '"');
        return true;
      case "symbol":
        this.writeString(String(v));
        return true;
      case "function":
        this.writeString(functionLabel(v as (...args: never[]) => unknown));
        return true;
    }
  }

  /** Guards one object: whatever throws inside it replaces this value only. */
  #object(o: object, depth: number, stack: unknown[], useToJSON: boolean): boolean {
    const out = this.#out;
    if (stack.includes(o)) {
      out.ascii(CIRCULAR);
      return true;
    }
    const mark = stack.length;
    const start = out.pos;
    try {
      if (depth > this.#maxDepth) {
        out.ascii(Array.isArray(o) ? DEEP_ARRAY : DEEP_OBJECT);
        return true;
      }
      stack.push(o);
      const wrote = this.#shape(o, depth, stack, useToJSON);
      stack.pop();
      return wrote;
    } catch (e) {
      stack.length = mark;
      out.pos = start;
      this.writeString(thrown(e));
      return true;
    }
  }

  #shape(o: object, depth: number, stack: unknown[], useToJSON: boolean): boolean {
    const proto: unknown = Object.getPrototypeOf(o);
    if (proto === Object.prototype || proto === null) {
      return useToJSON && hasToJSON(o) ? this.#toJSON(o, depth, stack) : this.#record(o, depth, stack);
    }
    if (Array.isArray(o)) return this.#list(o, o.length, depth, stack);
    if (ArrayBuffer.isView(o)) {
      return types.isTypedArray(o) && !types.isUint8Array(o)
        ? this.#list(o, o.length, depth, stack)
        : this.#bytes(Buffer.from(o.buffer, o.byteOffset, o.byteLength));
    }
    // The tag names built-ins across realms without a chain of instanceof checks; util.types
    // then confirms, so a spoofed Symbol.toStringTag cannot reach Map or Buffer code.
    const tag = objectTag.call(o);
    switch (tag) {
      case "[object Error]":
        return this.#error(o as Error, depth, stack);
      case "[object Date]":
        if (types.isDate(o)) {
          this.writeString(dateText(o));
          return true;
        }
        break;
      case "[object Map]":
        if (types.isMap(o)) return this.#map(o, depth, stack);
        break;
      case "[object Set]":
        if (types.isSet(o)) return this.#list(Array.from(take(o.values(), this.#maxArrayLength)), o.size, depth, stack);
        break;
      case "[object ArrayBuffer]":
      case "[object SharedArrayBuffer]":
        if (types.isAnyArrayBuffer(o)) return this.#bytes(Buffer.from(o));
        break;
      case "[object RegExp]":
        this.writeString(RegExp.prototype.toString.call(o));
        return true;
      case "[object Promise]":
      case "[object WeakMap]":
      case "[object WeakSet]":
      case "[object WeakRef]":
        this.#out.ascii('"[' + tag.slice(8, -1) + ']"');
        return true;
      case "[object String]":
      case "[object Number]":
      case "[object Boolean]":
      case "[object BigInt]":
      case "[object Symbol]":
        if (types.isBoxedPrimitive(o)) return this.#value(unbox(o), depth, stack);
        break;
    }
    return useToJSON && hasToJSON(o) ? this.#toJSON(o, depth, stack) : this.#record(o, depth, stack);
  }

  /** Like JSON.stringify, the result's own toJSON is not called again; `o` stays an ancestor. */
  #toJSON(o: { toJSON(): unknown }, depth: number, stack: unknown[]): boolean {
    const result = o.toJSON();
    if (result === o) return this.#shape(o, depth, stack, false);
    return typeof result === "object" && result !== null
      ? this.#object(result, depth, stack, false)
      : this.#value(result, depth, stack);
  }

  #record(o: object, depth: number, stack: unknown[]): boolean {
    const out = this.#out;
    const start = out.pos;
    this.#members(o, depth, stack, null, null);
    closeObject(out, start);
    return true;
  }

  /**
   * `o`'s own enumerable members, each written as `,"key":value`; `reserved` keys are renamed,
   * `skip` keys left out. for...in with an own-property check costs a third of Object.keys on
   * the benchmark record.
   */
  #members(
    o: object,
    depth: number,
    stack: unknown[],
    reserved: ReadonlySet<string> | null,
    skip: ReadonlySet<string> | null,
    // The record's field sources: a key that one from `later` on has too is written there, not here.
    sources: readonly object[] | null = null,
    later = 0,
  ): void {
    const max = this.#maxObjectKeys;
    let count = 0;
    for (const key in o) {
      if (!hasOwn.call(o, key) || skip?.has(key)) continue;
      if (sources !== null && later < sources.length && shadowed(key, sources, later)) continue;
      // Past the limit the loop only counts, for the marker.
      if (++count > max) continue;
      const name = reserved?.has(key) ? rename(key, o, reserved) : key;
      this.#member(name, key, read(o, key), depth, stack);
    }
    if (count > max) this.#out.text(',"…":"[+' + (count - max) + ' keys]"');
  }

  /** `,"name":value`, the mask when `key` is a masked name, or nothing for undefined. */
  #member(name: string, key: string, v: unknown, depth: number, stack: unknown[]): void {
    const out = this.#out;
    const info = this.#key(key);
    const start = out.pos;
    out.byte(44);
    out.text(name === key ? info.text : quote(name) + ":");
    if (v === undefined) out.pos = start;
    else if (info.masked) out.ascii(MASKED);
    else if (this.#active !== null) this.#alongPaths(key, v, depth + 1, stack, start);
    else if (!this.#value(v, depth + 1, stack)) out.pos = start;
  }

  /** A member (or an array item, `start` < 0) inside a mask path: masked where a path ends, else written with the paths that go on. */
  #alongPaths(key: string, v: unknown, depth: number, stack: unknown[], start: number): void {
    const out = this.#out;
    const outer = this.#active!;
    const { masked, next } = advancePaths(outer, key);
    if (masked) {
      out.ascii(MASKED);
      return;
    }
    this.#active = next;
    try {
      if (!this.#value(v, depth, stack)) {
        if (start < 0) out.ascii("null");
        else out.pos = start;
      }
    } finally {
      this.#active = outer;
    }
  }

  /** An array item, where undefined is null. */
  #item(v: unknown, depth: number, stack: unknown[]): void {
    if (!this.#value(v, depth, stack)) this.#out.ascii("null");
  }

  #list(items: ArrayLike<unknown>, length: number, depth: number, stack: unknown[]): boolean {
    const out = this.#out;
    const end = Math.min(length, this.#maxArrayLength);
    out.byte(91);
    for (let i = 0; i < end; i++) {
      if (i > 0) out.byte(44);
      if (this.#active === null) this.#item(read(items, i), depth + 1, stack);
      else this.#alongPaths(String(i), read(items, i), depth + 1, stack, -1);
    }
    if (end < length) out.text((end > 0 ? "," : "") + '"…[+' + (length - end) + ' items]"');
    out.byte(93);
    return true;
  }

  #error(e: Error, depth: number, stack: unknown[]): boolean {
    const out = this.#out;
    out.ascii('{"type":');
    this.writeString(errorType(e));
    this.#errorMember(e, "message", depth, stack);
    this.#errorMember(e, "stack", depth, stack);
    this.#members(e, depth, stack, ERROR_RESERVED, ERROR_HEAD_KEYS);
    this.#errorMember(e, "errors", depth, stack);
    this.#errorMember(e, "cause", depth, stack);
    out.byte(125);
    return true;
  }

  #errorMember(e: Error, key: string, depth: number, stack: unknown[]): void {
    this.#member(key, key, read(e, key), depth, stack);
  }

  /**
   * An object when every key shown is a string, or every one a number (then their String forms
   * cannot collide); otherwise an array of [key, value] pairs.
   */
  #map(m: Map<unknown, unknown>, depth: number, stack: unknown[]): boolean {
    const out = this.#out;
    const entries = Array.from(take(m.entries(), this.#maxArrayLength));
    const hidden = m.size - entries.length;
    const keyType = entries.length === 0 ? "string" : typeof entries[0][0];
    if ((keyType === "string" || keyType === "number") && entries.every(([k]) => typeof k === keyType)) {
      const start = out.pos;
      for (const [k, v] of entries) {
        const key = String(k);
        this.#member(key, key, v, depth, stack);
      }
      if (hidden > 0) out.text(',"…":"[+' + hidden + ' keys]"');
      closeObject(out, start);
      return true;
    }
    out.byte(91);
    for (let i = 0; i < entries.length; i++) {
      const [k, v] = entries[i]!;
      out.ascii(i === 0 ? "[" : ",[");
      this.#item(k, depth + 2, stack);
      out.byte(44);
      if (typeof k === "string" && this.#isMaskedName(k)) out.ascii(MASKED);
      else this.#item(v, depth + 2, stack);
      out.byte(93);
    }
    if (hidden > 0) out.text((entries.length > 0 ? "," : "") + '"…[+' + hidden + ' items]"');
    out.byte(93);
    return true;
  }

  #bytes(buf: Buffer): boolean {
    const shown = Math.min(buf.length, this.#maxBytes);
    this.#out.ascii('{"type":"Buffer","length":' + buf.length + ',"base64":"' + buf.toString("base64", 0, shown) + '"}');
    return true;
  }

  /** A JSON string literal (see {@link writeJsonString}). */
  #quote(s: string): void {
    writeJsonString(this.#out, s);
  }

  /**
   * A member name's text and whether it is masked. Keys repeat from line to line, and a Map
   * lookup costs a fraction of the escape check and the masked-name test.
   */
  #key(key: string): KeyInfo {
    let info = this.#keys.get(key);
    if (info === undefined) {
      info = { text: quote(key) + ":", masked: this.#isMaskedName(key) };
      if (key.length <= KEY_CACHE_MAX_LENGTH) {
        // Clearing rather than evicting one by one: a record shape that churns keys gains nothing either way.
        if (this.#keys.size >= KEY_CACHE_SIZE) this.#keys.clear();
        this.#keys.set(key, info);
      }
    }
    return info;
  }
}

/**
 * Ends an object whose members were written from `start`, each after a comma: the first comma
 * becomes the opening brace ("{}" when there were none).
 */
function closeObject(out: LineBuffer, start: number): void {
  if (out.pos === start) {
    out.ascii("{}");
  } else {
    out.buf[start] = 123;
    out.byte(125);
  }
}

function writeNumber(out: LineBuffer, n: number): void {
  // JSON has no NaN or Infinity; their names keep them visible where JSON.stringify writes null.
  // "" + -0 is "0", as in JSON.
  if (Number.isSafeInteger(n) && n >= 0) out.integer(n);
  else out.ascii(Number.isFinite(n) ? "" + n : '"' + n + '"');
}

/** A getter or proxy trap that throws gives its member the value "[Throws: message]". */
function read(o: object, key: string | number): unknown {
  try {
    return (o as Record<string | number, unknown>)[key];
  } catch (e) {
    return thrown(e);
  }
}

/** Never throws, even for a thrown Symbol, a revoked proxy or an object whose toString throws. */
function thrown(e: unknown): string {
  try {
    return "[Throws: " + String(types.isNativeError(e) || e instanceof Error ? e.message : e) + "]";
  } catch {
    return "[Throws]";
  }
}

function functionLabel(f: (...args: never[]) => unknown): string {
  let name: unknown;
  try {
    name = f.name;
  } catch {
    name = "";
  }
  return "[Function: " + (typeof name === "string" && name !== "" ? name : "anonymous") + "]";
}

function dateText(d: Date): string {
  const time = Date.prototype.getTime.call(d);
  return Number.isNaN(time) ? "Invalid Date" : Date.prototype.toISOString.call(d);
}

function hasToJSON(o: object): o is { toJSON(): unknown } {
  return typeof (o as { toJSON?: unknown }).toJSON === "function";
}

function unbox(o: object): unknown {
  if (types.isNumberObject(o)) return Number.prototype.valueOf.call(o);
  if (types.isStringObject(o)) return String.prototype.valueOf.call(o);
  if (types.isBooleanObject(o)) return Boolean.prototype.valueOf.call(o);
  if (types.isBigIntObject(o)) return BigInt.prototype.valueOf.call(o);
  return Symbol.prototype.valueOf.call(o);
}

/** The first `max` items, so that a huge Map or Set is never copied whole. */
function* take<T>(items: Iterator<T>, max: number): Generator<T> {
  for (let n = 0; n < max; n++) {
    const step = items.next();
    if (step.done === true) return;
    yield step.value;
  }
}

/** "_" in front until the name is neither reserved nor another key written for `o`. */
function rename(key: string, o: object, reserved: ReadonlySet<string>): string {
  let name = "_" + key;
  while (reserved.has(name) || isEnumerable.call(o, name)) name = "_" + name;
  return name;
}

function cut(s: string, max: number): string {
  let end = max;
  // Keep a surrogate pair whole rather than leave its first half at the cut.
  const last = s.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end--;
  return s.slice(0, end) + "…[+" + (s.length - end) + " chars]";
}

function neverMasked(): boolean {
  return false;
}

function unredacted(s: string): string {
  return s;
}
