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
  /** Longer strings (and keys) are cut here and end in "…[+N chars]". */
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
const CIRCULAR = '"[Circular]"';
const DEEP_OBJECT = '"[Object]"';
const DEEP_ARRAY = '"[Array]"';
// Its own key so that a record whose keys cannot be listed still says why (see `fields`).
const UNLISTABLE_FIELDS = "fields";

// What JSON must escape, plus the surrogate range so JSON.stringify can escape lone halves
// (it does since Node 12), plus U+0085, U+2028 and U+2029: JSON allows them raw, but
// Python's str.splitlines() and many editors end a line there, and a line must stay one line.
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\u0085\u2028\u2029\ud800-\udfff]/;
const UNICODE_LINE_ENDS = /[\u0085\u2028\u2029]/g;
const ASCII_UPPER = /[A-Z]/;
const ASCII_UPPER_RUNS = /[A-Z]+/g;

// An Error's own keys that its head already wrote from the same property.
const ERROR_HEAD_KEYS: ReadonlySet<string> = new Set(["message", "stack", "errors", "cause"]);
// "type" is ours in an Error's object, so an own "type" property is written as "_type".
const ERROR_RESERVED: ReadonlySet<string> = new Set(["type"]);
const BUILTIN_ERROR_NAMES: ReadonlySet<string> = new Set([
  "Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError", "AggregateError",
]);

const objectTag = Object.prototype.toString;

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
  // Masking is chosen here once, so that without rules the hot path only meets these two
  // trivial functions, which V8 inlines away.
  readonly #isMaskedName: (key: string) => boolean;
  readonly #redact: (s: string) => string;

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
      return this.#value(v, 1, []);
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
    return this.#quote(this.#redact(s));
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
      return this.#members(obj, Object.keys(obj), 1, [obj], reserved, ",");
    } catch (e) {
      return "," + this.#quote(rename(UNLISTABLE_FIELDS, [], reserved)) + ":" + this.string(thrown(e));
    }
  }

  /** `depth` is the nesting level `v` takes if it is an object; `stack` holds its ancestors. */
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
        return "null";
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
      case "[object Uint8Array]":
      case "[object DataView]":
        if (types.isArrayBufferView(o)) return this.#bytes(Buffer.from(o.buffer, o.byteOffset, o.byteLength));
        break;
      case "[object ArrayBuffer]":
      case "[object SharedArrayBuffer]":
        if (types.isAnyArrayBuffer(o)) return this.#bytes(Buffer.from(o));
        break;
      case "[object Int8Array]":
      case "[object Uint8ClampedArray]":
      case "[object Int16Array]":
      case "[object Uint16Array]":
      case "[object Int32Array]":
      case "[object Uint32Array]":
      case "[object Float32Array]":
      case "[object Float64Array]":
      case "[object BigInt64Array]":
      case "[object BigUint64Array]":
        if (types.isTypedArray(o)) return this.#list(o, o.length, depth, stack);
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
    return "{" + this.#members(o, Object.keys(o), depth, stack, null, "") + "}";
  }

  /** `o`'s members under `keys`, each preceded by a comma except the first when `sep` is "". */
  #members(
    o: object,
    keys: readonly string[],
    depth: number,
    stack: unknown[],
    reserved: ReadonlySet<string> | null,
    sep: string,
  ): string {
    const count = keys.length;
    const end = count > this.#maxObjectKeys ? this.#maxObjectKeys : count;
    let out = "";
    for (let i = 0; i < end; i++) {
      const key = keys[i];
      const v = read(o, key);
      if (v === undefined) continue;
      const name = reserved !== null && reserved.has(key) ? rename(key, keys, reserved) : key;
      out += sep + this.#member(name, key, v, depth, stack);
      sep = ",";
    }
    if (end < count) out += sep + '"…":"[+' + (count - end) + ' keys]"';
    return out;
  }

  /** `"name":value`, or the mask when `key` is a masked name. */
  #member(name: string, key: string, v: unknown, depth: number, stack: unknown[]): string {
    return this.#quote(name) + ":" + (this.#isMaskedName(key) ? MASKED : this.#value(v, depth + 1, stack));
  }

  #list(items: ArrayLike<unknown>, length: number, depth: number, stack: unknown[]): string {
    const end = length > this.#maxArrayLength ? this.#maxArrayLength : length;
    let out = "[";
    for (let i = 0; i < end; i++) {
      if (i > 0) out += ",";
      out += this.#value(read(items, i), depth + 1, stack);
    }
    if (end < length) out += (end > 0 ? "," : "") + '"…[+' + (length - end) + ' items]"';
    return out + "]";
  }

  #error(e: Error, depth: number, stack: unknown[]): string {
    let out = '{"type":' + this.string(errorType(e));
    out += this.#errorMember(e, "message", depth, stack) + this.#errorMember(e, "stack", depth, stack);
    const own = Object.keys(e).filter((key) => !ERROR_HEAD_KEYS.has(key));
    out += this.#members(e, own, depth, stack, ERROR_RESERVED, ",");
    out += this.#errorMember(e, "errors", depth, stack) + this.#errorMember(e, "cause", depth, stack);
    return out + "}";
  }

  #errorMember(e: Error, key: string, depth: number, stack: unknown[]): string {
    const v = read(e, key);
    return v === undefined ? "" : "," + this.#member(key, key, v, depth, stack);
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
        if (v === undefined) continue;
        const key = String(k);
        out += (out === "" ? "" : ",") + this.#member(key, key, v, depth, stack);
      }
      if (hidden > 0) out += (out === "" ? "" : ",") + '"…":"[+' + hidden + ' keys]"';
      return "{" + out + "}";
    }
    let out = "";
    for (const [k, v] of entries) {
      const masked = typeof k === "string" && this.#isMaskedName(k);
      out += (out === "" ? "[" : ",[") + this.#value(k, depth + 2, stack) + ",";
      out += (masked ? MASKED : this.#value(v, depth + 2, stack)) + "]";
    }
    if (hidden > 0) out += (out === "" ? "" : ",") + '"…[+' + hidden + ' items]"';
    return "[" + out + "]";
  }

  #bytes(buf: Buffer): string {
    const shown = buf.length > this.#maxBytes ? this.#maxBytes : buf.length;
    return '{"type":"Buffer","length":' + buf.length + ',"base64":"' + buf.toString("base64", 0, shown) + '"}';
  }

  /** Length limit and escaping only: keys pass here without mask patterns. */
  #quote(s: string): string {
    if (s.length > this.#maxStringLength) s = cut(s, this.#maxStringLength);
    return NEEDS_ESCAPE.test(s) ? JSON.stringify(s).replace(UNICODE_LINE_ENDS, escapeCodeUnit) : '"' + s + '"';
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
  const name: unknown = e.name;
  const ctor: unknown = typeof e.constructor === "function" ? e.constructor.name : undefined;
  const own = typeof name === "string" ? name : "";
  if (typeof ctor === "string" && ctor !== "" && !BUILTIN_ERROR_NAMES.has(ctor) && (own === "" || BUILTIN_ERROR_NAMES.has(own))) {
    return ctor;
  }
  return own === "" ? "Error" : own;
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

/** "_" in front until the name is neither reserved nor another key of the same object. */
function rename(key: string, keys: readonly string[], reserved: ReadonlySet<string>): string {
  let name = "_" + key;
  while (reserved.has(name) || keys.includes(name)) name = "_" + name;
  return name;
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

/** Names compared by their ASCII lower-case form; only keys with an upper-case letter pay to be lowered. */
function nameMatcher(names: readonly string[]): (key: string) => boolean {
  const lowered = new Set(names.map(asciiLower));
  return (key) => lowered.has(key) || (ASCII_UPPER.test(key) && lowered.has(asciiLower(key)));
}

function asciiLower(s: string): string {
  return s.replace(ASCII_UPPER_RUNS, (run) => run.toLowerCase());
}

/** Every match of every pattern becomes "***": a pattern without the g flag is given it. */
function redactor(patterns: readonly RegExp[]): (s: string) => string {
  const global = patterns.map((p) => new RegExp(p.source, p.flags.replace(/[gy]/g, "") + "g"));
  return (s) => {
    for (const re of global) s = s.replace(re, "***");
    return s;
  };
}
