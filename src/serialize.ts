import { Buffer } from "node:buffer";
import { types } from "node:util";

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

/**
 * What to hide in a line.
 *
 * @example
 * new Serializer({}, { names: ["password", "authorization"], patterns: [/\b\d{16}\b/] });
 */
export interface MaskRules {
  /** Members with one of these names have their value written as "***", at any depth; ASCII case is ignored. */
  names: readonly string[];
  /** Every match inside any string value is replaced by "***". */
  patterns: readonly RegExp[];
}

const MASKED = '"***"';
// Not JSON text: what #value returns for undefined, so that the caller can leave it out.
const OMIT = "";
const CIRCULAR = '"[Circular]"';
const DEEP_OBJECT = '"[Object]"';
const DEEP_ARRAY = '"[Array]"';
// Bounds on the quoted-key cache: it holds at most about 1000 * 64 * 2 * 2 bytes of text.
const KEY_CACHE_SIZE = 1000;
const KEY_CACHE_MAX_LENGTH = 64;
// Its own key so that a record whose keys cannot be listed still says why (see `fields`).
const UNLISTABLE_FIELDS = "fields";

// What JSON must escape, plus the surrogate range so JSON.stringify can escape lone halves
// (it does since Node 12), plus U+0085, U+2028 and U+2029: JSON allows them raw, but
// Python's str.splitlines() and many editors end a line there, and a line must stay one line.
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\u0085\u2028\u2029\ud800-\udfff]/;
const UNICODE_LINE_ENDS = /[\u0085\u2028\u2029]/g;
const NON_ASCII = /[^\u0000-\u007f]/;
const ASCII_UPPER_RUNS = /[A-Z]+/g;

// An Error's own keys that its head already wrote from the same property ("name" as "type").
const ERROR_HEAD_KEYS: ReadonlySet<string> = new Set(["name", "message", "stack", "errors", "cause"]);
// "type" is ours in an Error's object, so an own "type" property is written as "_type".
const ERROR_RESERVED: ReadonlySet<string> = new Set(["type"]);
const BUILTIN_ERROR_NAMES: ReadonlySet<string> = new Set([
  "Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError", "AggregateError",
]);

const objectTag = Object.prototype.toString;
const hasOwn = Object.prototype.hasOwnProperty;
const isEnumerable = Object.prototype.propertyIsEnumerable;

/**
 * Turns any JavaScript value into JSON text for one log line. Every method is total: it
 * returns valid JSON (UTF-8 safe, no line break) and never throws, whatever getters,
 * proxies or `toJSON` methods do.
 *
 * @example
 * const ser = new Serializer({}, { names: ["password"], patterns: [] });
 * ser.value({ user: "ann", password: "hunter2" }); // '{"user":"ann","password":"***"}'
 * '{"msg":' + ser.string("hi") + ser.fields({ msg: "x", n: 1 }, new Set(["msg"])) + "}";
 * // '{"msg":"hi","_msg":"x","n":1}'
 */
export class Serializer {
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
  readonly #keyText = new Map<string, string>();

  constructor(limits: Partial<SerializeLimits> = {}, mask: MaskRules = { names: [], patterns: [] }) {
    this.#maxDepth = limits.maxDepth ?? DEFAULT_LIMITS.maxDepth;
    this.#maxStringLength = limits.maxStringLength ?? DEFAULT_LIMITS.maxStringLength;
    this.#maxArrayLength = limits.maxArrayLength ?? DEFAULT_LIMITS.maxArrayLength;
    this.#maxObjectKeys = limits.maxObjectKeys ?? DEFAULT_LIMITS.maxObjectKeys;
    this.#maxBytes = Math.floor(this.#maxStringLength / 4) * 3;
    this.#isMaskedName = mask.names.length === 0 ? neverMasked : nameMatcher(mask.names);
    this.#redact = mask.patterns.length === 0 ? unredacted : redactor(mask.patterns);
  }

  /**
   * JSON text for any value; `undefined` at the top is `null`.
   *
   * @example
   * new Serializer().value(new Map([["a", 1n]])); // '{"a":"1"}'
   */
  value(v: unknown): string {
    try {
      return this.#item(v, 1, []);
    } catch (e) {
      // Only reached when even the per-object guards failed, e.g. the call stack ran out.
      return this.string(thrown(e));
    }
  }

  /**
   * A JSON string literal: mask patterns applied first (so a secret that straddles the cut is
   * still hidden), then the length limit.
   *
   * @example
   * new Serializer({ maxStringLength: 3 }).string('ab"cd'); // '"ab\\"…[+2 chars]"'
   */
  string(s: string): string {
    s = this.#redact(s);
    return quote(s.length > this.#maxStringLength ? cut(s, this.#maxStringLength) : s);
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
    try {
      const members = this.#members(obj, 1, [obj], reserved, null);
      return members === "" ? "" : "," + members;
    } catch (e) {
      const name = reserved.has(UNLISTABLE_FIELDS) ? rename(UNLISTABLE_FIELDS, {}, reserved) : UNLISTABLE_FIELDS;
      return "," + this.#key(name) + ":" + this.string(thrown(e));
    }
  }

  /**
   * `depth` is the nesting level `v` takes if it is an object; `stack` holds its ancestors.
   * OMIT for undefined (also from toJSON), which a member leaves out and an item writes as null.
   */
  #value(v: unknown, depth: number, stack: unknown[]): string {
    switch (typeof v) {
      case "string":
        return this.string(v);
      case "number":
        return number(v);
      case "boolean":
        return v ? "true" : "false";
      case "object":
        return v === null ? "null" : this.#object(v, depth, stack, true);
      case "undefined":
        return OMIT;
      case "bigint":
        return '"' + v + '"';
      case "symbol":
        return this.string(String(v));
      case "function":
        return this.string(functionLabel(v));
    }
  }

  /** Guards one object: whatever throws inside it replaces this value only. */
  #object(o: object, depth: number, stack: unknown[], useToJSON: boolean): string {
    if (stack.includes(o)) return CIRCULAR;
    const mark = stack.length;
    try {
      if (depth > this.#maxDepth) return Array.isArray(o) ? DEEP_ARRAY : DEEP_OBJECT;
      stack.push(o);
      const text = this.#shape(o, depth, stack, useToJSON);
      stack.pop();
      return text;
    } catch (e) {
      stack.length = mark;
      return this.string(thrown(e));
    }
  }

  #shape(o: object, depth: number, stack: unknown[], useToJSON: boolean): string {
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
        if (types.isDate(o)) return this.string(dateText(o));
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
        return this.string(RegExp.prototype.toString.call(o));
      case "[object Promise]":
      case "[object WeakMap]":
      case "[object WeakSet]":
      case "[object WeakRef]":
        return '"[' + tag.slice(8, -1) + ']"';
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
  #toJSON(o: { toJSON(): unknown }, depth: number, stack: unknown[]): string {
    const result = o.toJSON();
    if (result === o) return this.#shape(o, depth, stack, false);
    return typeof result === "object" && result !== null
      ? this.#object(result, depth, stack, false)
      : this.#value(result, depth, stack);
  }

  #record(o: object, depth: number, stack: unknown[]): string {
    return "{" + this.#members(o, depth, stack, null, null) + "}";
  }

  /**
   * `o`'s own enumerable members joined by commas; `reserved` keys are renamed, `skip` keys left
   * out. for...in with an own-property check costs a third of Object.keys on the benchmark record.
   */
  #members(
    o: object,
    depth: number,
    stack: unknown[],
    reserved: ReadonlySet<string> | null,
    skip: ReadonlySet<string> | null,
  ): string {
    const max = this.#maxObjectKeys;
    let count = 0;
    let out = "";
    for (const key in o) {
      if (!hasOwn.call(o, key) || (skip !== null && skip.has(key))) continue;
      // Past the limit the loop only counts, for the marker.
      if (++count > max) continue;
      const name = reserved !== null && reserved.has(key) ? rename(key, o, reserved) : key;
      const member = this.#member(name, key, read(o, key), depth, stack);
      if (member !== OMIT) out += (out === "" ? "" : ",") + member;
    }
    if (count > max) out += (out === "" ? "" : ",") + '"…":"[+' + (count - max) + ' keys]"';
    return out;
  }

  /** `"name":value`, the mask when `key` is a masked name, or OMIT for undefined. */
  #member(name: string, key: string, v: unknown, depth: number, stack: unknown[]): string {
    const text = v !== undefined && this.#isMaskedName(key) ? MASKED : this.#value(v, depth + 1, stack);
    return text === OMIT ? OMIT : this.#key(name) + ":" + text;
  }

  /** An array item, where undefined is null. */
  #item(v: unknown, depth: number, stack: unknown[]): string {
    const text = this.#value(v, depth, stack);
    return text === OMIT ? "null" : text;
  }

  #list(items: ArrayLike<unknown>, length: number, depth: number, stack: unknown[]): string {
    const end = length > this.#maxArrayLength ? this.#maxArrayLength : length;
    let out = "[";
    for (let i = 0; i < end; i++) {
      if (i > 0) out += ",";
      out += this.#item(read(items, i), depth + 1, stack);
    }
    if (end < length) out += (end > 0 ? "," : "") + '"…[+' + (length - end) + ' items]"';
    return out + "]";
  }

  #error(e: Error, depth: number, stack: unknown[]): string {
    let out = '{"type":' + this.string(errorType(e));
    out += this.#errorMember(e, "message", depth, stack) + this.#errorMember(e, "stack", depth, stack);
    const own = this.#members(e, depth, stack, ERROR_RESERVED, ERROR_HEAD_KEYS);
    if (own !== "") out += "," + own;
    out += this.#errorMember(e, "errors", depth, stack) + this.#errorMember(e, "cause", depth, stack);
    return out + "}";
  }

  #errorMember(e: Error, key: string, depth: number, stack: unknown[]): string {
    const member = this.#member(key, key, read(e, key), depth, stack);
    return member === OMIT ? OMIT : "," + member;
  }

  /**
   * An object when every key shown is a string, or every one a number (then their String forms
   * cannot collide); otherwise an array of [key, value] pairs.
   */
  #map(m: Map<unknown, unknown>, depth: number, stack: unknown[]): string {
    const entries = Array.from(take(m.entries(), this.#maxArrayLength));
    const hidden = m.size - entries.length;
    const keyType = entries.length === 0 ? "string" : typeof entries[0][0];
    if ((keyType === "string" || keyType === "number") && entries.every(([k]) => typeof k === keyType)) {
      let out = "";
      for (const [k, v] of entries) {
        const key = String(k);
        const member = this.#member(key, key, v, depth, stack);
        if (member !== OMIT) out += (out === "" ? "" : ",") + member;
      }
      if (hidden > 0) out += (out === "" ? "" : ",") + '"…":"[+' + hidden + ' keys]"';
      return "{" + out + "}";
    }
    let out = "";
    for (const [k, v] of entries) {
      const masked = typeof k === "string" && this.#isMaskedName(k);
      out += (out === "" ? "[" : ",[") + this.#item(k, depth + 2, stack) + ",";
      out += (masked ? MASKED : this.#item(v, depth + 2, stack)) + "]";
    }
    if (hidden > 0) out += (out === "" ? "" : ",") + '"…[+' + hidden + ' items]"';
    return "[" + out + "]";
  }

  #bytes(buf: Buffer): string {
    const shown = buf.length > this.#maxBytes ? this.#maxBytes : buf.length;
    return '{"type":"Buffer","length":' + buf.length + ',"base64":"' + buf.toString("base64", 0, shown) + '"}';
  }

  /**
   * A key's quoted text. Keys repeat from line to line, and a Map lookup costs a fifth of the
   * escape check (15 against 80 ns per key on the benchmark machine).
   */
  #key(name: string): string {
    let text = this.#keyText.get(name);
    if (text === undefined) {
      text = quote(name);
      if (name.length <= KEY_CACHE_MAX_LENGTH) {
        // Clearing rather than evicting one by one: a record shape that churns keys gains nothing either way.
        if (this.#keyText.size >= KEY_CACHE_SIZE) this.#keyText.clear();
        this.#keyText.set(name, text);
      }
    }
    return text;
  }
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

function number(n: number): string {
  // JSON has no NaN or Infinity; their names keep them visible where JSON.stringify writes null.
  // "" + -0 is "0", as in JSON.
  return Number.isFinite(n) ? "" + n : '"' + n + '"';
}

function functionLabel(f: Function): string {
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

/** A subclass that kept its parent's built-in name ("Error") is named by its constructor. */
function errorType(e: Error): string {
  const own: unknown = e.name;
  const name = typeof own === "string" && own !== "" ? own : "Error";
  const ctor: unknown = typeof e.constructor === "function" ? e.constructor.name : undefined;
  const isSubclass = typeof ctor === "string" && ctor !== "" && !BUILTIN_ERROR_NAMES.has(ctor);
  return isSubclass && BUILTIN_ERROR_NAMES.has(name) ? ctor : name;
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

function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s).replace(UNICODE_LINE_ENDS, escapeCodeUnit) : '"' + s + '"';
}

function cut(s: string, max: number): string {
  let end = max;
  // Keep a surrogate pair whole rather than leave its first half at the cut.
  const last = s.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end--;
  return s.slice(0, end) + "…[+" + (s.length - end) + " chars]";
}

function escapeCodeUnit(c: string): string {
  return "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0");
}

function neverMasked(): boolean {
  return false;
}

function unredacted(s: string): string {
  return s;
}

/**
 * Names compared by their ASCII lower-case form. A key whose length no name has is rejected
 * by one array read: on the benchmark record (six camelCase keys, four names) lowering and
 * looking up every key instead made `fields()` about 40% slower.
 */
function nameMatcher(names: readonly string[]): (key: string) => boolean {
  const lowered = new Set(names.map(asciiLower));
  const hasLength: boolean[] = [];
  for (const name of lowered) hasLength[name.length] = true;
  return (key) => hasLength[key.length] === true && (lowered.has(key) || lowered.has(asciiLower(key)));
}

function asciiLower(s: string): string {
  // toLowerCase is exact for ASCII text and far cheaper than a replace with a callback.
  return NON_ASCII.test(s) ? s.replace(ASCII_UPPER_RUNS, (run) => run.toLowerCase()) : s.toLowerCase();
}

/** Every match of every pattern becomes "***": a pattern without the g flag is given it. */
function redactor(patterns: readonly RegExp[]): (s: string) => string {
  const global = patterns.map((p) => new RegExp(p.source, p.flags.replace(/[gy]/g, "") + "g"));
  return (s) => {
    for (const re of global) s = s.replace(re, "***");
    return s;
  };
}
