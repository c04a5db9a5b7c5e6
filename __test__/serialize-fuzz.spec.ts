import test from "ava";
import fc from "fast-check";
import { Serializer } from "../src/serialize";

// Every check here is one promise: whatever the value, the serializer returns one line of
// valid JSON, well-formed as UTF-8, and does not throw.
const LINE_BREAK = /[\n\r\u0085\u2028\u2029]/;

function assertLine(text: string): void {
  if (typeof text !== "string") throw new Error(`not a string: ${typeof text}`);
  JSON.parse(text);
  if (LINE_BREAK.test(text)) throw new Error(`line break in ${JSON.stringify(text)}`);
  // A lone surrogate would come back from UTF-8 as U+FFFD.
  if (Buffer.from(text, "utf8").toString("utf8") !== text) throw new Error(`not well-formed: ${JSON.stringify(text)}`);
}

/** The keys of the outermost object in valid JSON text, duplicates included (JSON.parse hides them). */
function topLevelKeys(json: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let keyNext = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let end = i + 1;
      while (json[end] !== '"') end += json[end] === "\\" ? 2 : 1;
      if (depth === 1 && keyNext) keys.push(JSON.parse(json.slice(i, end + 1)) as string);
      keyNext = false;
      i = end;
    } else if (c === "{" || c === "[") {
      depth++;
      keyNext = depth === 1;
    } else if (c === "}" || c === "]") {
      depth--;
    } else if (c === "," && depth === 1) {
      keyNext = true;
    }
  }
  return keys;
}

// Any UTF-16 code unit, so lone surrogates turn up often, plus the characters that must be escaped.
const codeUnit = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom("\n", "\r", "\u0085", "\u2028", "\u2029", '"', "\\", "\ud800", "\udfff", "😀"),
);
const text = fc.string({ unit: codeUnit, maxLength: 12 });
const key = fc.oneof(text, fc.constantFrom("__proto__", "constructor", "toJSON", "type", "message", "cause", "ts", "_ts"));

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

// Hostile values are generated as recipes and built inside each property: fast-check itself
// inspects what it generates (`cloneMethod in value`), which a revoked proxy would not survive.
// Recipes also give every run fresh objects to tie into cycles.
type Make = () => unknown;
const ready = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<Make> => arb.map((v) => () => v);

/** What a hostile getter, trap or toJSON throws: not always an Error, not always printable. */
const thrownValue: fc.Arbitrary<Make> = fc.oneof(
  text.map((m) => () => new Error(m)),
  ready(fc.anything({ maxDepth: 1 })),
  ready(fc.constant(Symbol("thrown"))),
  fc.constant(() => Object.create(null)),
  fc.constant(() => ({ toString: () => { throw new Error("toString throws too"); } })),
  fc.constant(revokedProxy),
  fc.constant(() => new Proxy(new Error("proxied"), { get: () => { throw new Error("get on the error"); } })),
);

const TRAPS = ["ownKeys", "get", "getPrototypeOf", "getOwnPropertyDescriptor", "has"] as const;

function asObject(v: unknown): object {
  return typeof v === "object" && v !== null ? v : { v };
}

function throwing(thrown: Make): () => never {
  return () => {
    throw thrown();
  };
}

/** An object built member by member, so that "__proto__" becomes an own key and not the prototype. */
function objectOf(entries: ReadonlyArray<readonly [string, Make]>, proto: object | null = Object.prototype): object {
  const o = Object.create(proto) as object;
  for (const [k, make] of entries) Object.defineProperty(o, k, { value: make(), enumerable: true, writable: true, configurable: true });
  return o;
}

class Sample {
  constructor(
    readonly a: unknown,
    readonly b: unknown,
  ) {}
}

const leaf: fc.Arbitrary<Make> = fc.oneof(
  ready(
    fc.anything({
      maxDepth: 2,
      key,
      stringUnit: codeUnit,
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withNullPrototype: true,
      withObjectString: true,
      withSet: true,
      withSparseArray: true,
      withTypedArray: true,
    }),
  ),
  ready(text),
  ready(fc.bigInt()),
  ready(fc.double()),
  text.map((d) => () => Symbol(d)),
  ready(fc.constantFrom(() => 1, function named() {}, class Klass {}, Math.max, Symbol.iterator, undefined)),
  fc.integer().map((ms) => () => new Date(ms * 1e6)),
  fc.constant(() => new Date(NaN)),
  fc.uint8Array({ maxLength: 8 }).map((bytes) => () => Buffer.from(bytes)),
  fc.uint8Array({ maxLength: 8 }).map((bytes) => () => new DataView(bytes.buffer)),
  fc.bigInt64Array({ maxLength: 4 }).map((items) => () => items),
  fc.constant(() => [Promise.resolve(), new WeakMap(), new WeakSet(), /a+"\n/gu, new URL("https://x.test/?q=\u2028")]),
);

/** A graph of containers built from a list of edges: self loops, longer cycles and shared siblings. */
const cyclic: fc.Arbitrary<Make> = fc
  .record({
    kinds: fc.array(fc.constantFrom("object", "array", "map", "set", "error", "bare"), { minLength: 1, maxLength: 6 }),
    edges: fc.array(fc.tuple(fc.nat(), fc.nat(), key), { maxLength: 12 }),
  })
  .map(({ kinds, edges }) => () => {
    const nodes = kinds.map((kind): object => {
      switch (kind) {
        case "array":
          return [];
        case "map":
          return new Map();
        case "set":
          return new Set();
        case "error":
          return new Error("node");
        case "bare":
          return Object.create(null) as object;
        default:
          return {};
      }
    });
    for (const [from, to, k] of edges) {
      const source = nodes[from % nodes.length];
      const target = nodes[to % nodes.length];
      if (Array.isArray(source)) source.push(target);
      else if (source instanceof Map) source.set(k, target);
      else if (source instanceof Set) source.add(target);
      else if (source instanceof Error) (source as { cause?: unknown }).cause = target;
      else Object.defineProperty(source, k, { value: target, enumerable: true, configurable: true });
    }
    return nodes[0];
  });

const { value: nastyValue } = fc.letrec<{ value: Make; container: Make; hostile: Make }>((tie) => ({
  value: fc.oneof({ maxDepth: 4, depthSize: "small" }, leaf, tie("hostile"), tie("container"), cyclic),
  container: fc.oneof(
    fc.array(tie("value"), { maxLength: 4 }).map((items) => () => items.map((make) => make())),
    fc.array(fc.tuple(key, tie("value")), { maxLength: 4 }).map((entries) => () => objectOf(entries)),
    fc.array(fc.tuple(key, tie("value")), { maxLength: 3 }).map((entries) => () => objectOf(entries, null)),
    fc.array(fc.tuple(tie("value"), tie("value")), { maxLength: 3 }).map((pairs) => () => new Map(pairs.map(([k, v]) => [k(), v()]))),
    fc.array(tie("value"), { maxLength: 3 }).map((items) => () => new Set(items.map((make) => make()))),
    fc.tuple(tie("value"), tie("value")).map(([a, b]) => () => new Sample(a(), b())),
    fc.tuple(text, tie("value")).map(([m, cause]) => () => new Error(m, { cause: cause() })),
    fc.array(tie("value"), { maxLength: 3 }).map((errors) => () => new AggregateError(errors.map((make) => make()), "many")),
  ),
  hostile: fc.oneof(
    fc.tuple(tie("value"), fc.subarray([...TRAPS], { minLength: 1 }), thrownValue).map(([target, traps, thrown]) => () =>
      new Proxy(asObject(target()), Object.fromEntries(traps.map((trap) => [trap, throwing(thrown)])))),
    fc.tuple(tie("value"), key, thrownValue).map(([sibling, k, thrown]) => () =>
      Object.defineProperty({ sibling: sibling() }, k, { enumerable: true, get: throwing(thrown) })),
    thrownValue.map((thrown) => () => ({ toJSON: throwing(thrown) })),
    tie("value").map((result) => () => ({ toJSON: result })),
    fc.constant(() => ({ toJSON() { return this; } })),
    fc.tuple(text, thrownValue).map(([m, thrown]) => () => Object.defineProperty(new Error(m), "message", { get: throwing(thrown) })),
    fc.constant(revokedProxy),
  ),
}));

const anyLimits = fc.record({
  maxDepth: fc.integer({ min: 0, max: 5 }),
  maxStringLength: fc.integer({ min: 0, max: 16 }),
  maxArrayLength: fc.integer({ min: 0, max: 4 }),
  maxObjectKeys: fc.integer({ min: 0, max: 4 }),
});
const anyMask = fc.record({
  names: fc.subarray(["password", "Token", "type", "__proto__", "ts"]),
  patterns: fc.subarray([/\d+/, /a/gi, /\ud800/, /(?:)/]),
});

test("value() of any value is one line of valid JSON and never throws", (t) => {
  const ser = new Serializer();
  fc.assert(fc.property(nastyValue, (make) => assertLine(ser.value(make()))), { numRuns: 500 });
  t.pass();
});

test("value() keeps that promise under any limits and masks", (t) => {
  fc.assert(
    fc.property(anyLimits, anyMask, nastyValue, (limits, mask, make) => assertLine(new Serializer(limits, mask).value(make()))),
    { numRuns: 500 },
  );
  t.pass();
});

test("string() of any string is one valid JSON string literal", (t) => {
  fc.assert(
    fc.property(anyLimits, anyMask, fc.string({ unit: codeUnit, maxLength: 64 }), (limits, mask, s) => {
      const out = new Serializer(limits, mask).string(s);
      assertLine(out);
      if (typeof JSON.parse(out) !== "string") throw new Error(`not a string literal: ${out}`);
    }),
  );
  t.pass();
});

test("fields() always closes into one object line without duplicate keys", (t) => {
  const reserved = new Set(["ts", "tid", "lvl", "mt", "msg"]);
  const entries = fc.array(fc.tuple(fc.oneof(key, fc.constantFrom("ts", "_ts", "__ts", "msg", "_msg", "fields")), nastyValue), { maxLength: 8 });
  fc.assert(
    fc.property(anyLimits, anyMask, entries, (limits, mask, fields) => {
      const line = '{"ts":1,"tid":"a","lvl":[1],"mt":"info","msg":"m"' + new Serializer(limits, mask).fields(objectOf(fields), reserved) + "}";
      assertLine(line);
      const keys = topLevelKeys(line);
      if (new Set(keys).size !== keys.length) throw new Error(`duplicate keys in ${line}`);
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test("fields() of a hostile object still closes into one object line", (t) => {
  const ser = new Serializer();
  fc.assert(
    fc.property(nastyValue, (make) => assertLine("{" + ser.fields(asObject(make()), new Set(["ts"])).slice(1) + "}")),
    { numRuns: 300 },
  );
  t.pass();
});

test("JSON-safe values come out exactly as JSON.stringify writes them, line ends escaped", (t) => {
  const roomy = new Serializer({ maxDepth: 100, maxStringLength: 1e6, maxArrayLength: 1e6, maxObjectKeys: 1e6 });
  const escapeLineEnds = (s: string) => s.replace(/[\u0085\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 6, stringUnit: codeUnit }), (v) => {
      const expected = escapeLineEnds(JSON.stringify(v));
      const actual = roomy.value(v);
      if (actual !== expected) throw new Error(`${actual} !== ${expected}`);
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test("a masked name never lets its value through, whatever the case or nesting", (t) => {
  const SECRET = "s3cr3t-value";
  const ser = new Serializer({}, { names: ["password"], patterns: [] });
  const secretHolder = fc
    .tuple(fc.constantFrom("password", "PASSWORD", "Password", "pAsSwOrD"), fc.constantFrom(SECRET, [SECRET], { deep: SECRET }, new Error(SECRET)))
    .map(([name, secret]) => ({ [name]: secret }));
  const { tree } = fc.letrec((tie) => ({
    tree: fc.oneof({ maxDepth: 4 }, secretHolder, fc.array(tie("tree"), { maxLength: 3 }), fc.dictionary(text, tie("tree"), { maxKeys: 3 }),
      tie("tree").map((inner) => new Map([["password", SECRET], ["x", inner]])),
      tie("tree").map((inner) => Object.assign(new Error("outer"), { Password: SECRET, inner }))),
  }));
  fc.assert(
    fc.property(tree, (v) => {
      const out = ser.value(v);
      if (out.includes(SECRET)) throw new Error(`leaked: ${out}`);
    }),
  );
  t.pass();
});

class BrokenMap extends Map<string, number> {
  override entries(): never {
    throw new Error("no entries");
  }
}

/** Regressions and shapes found by hand. `expected` is given where the exact text matters. */
const corpus: Array<{ name: string; make: () => unknown; expected?: string; limits?: Partial<ConstructorParameters<typeof Serializer>[0]> }> = [
  { name: "revoked proxy", make: revokedProxy, expected: '"[Throws: Cannot perform \'getPrototypeOf\' on a proxy that has been revoked]"' },
  { name: "revoked proxy inside an array", make: () => [revokedProxy(), 1], expected: '["[Throws: Cannot perform \'getPrototypeOf\' on a proxy that has been revoked]",1]' },
  { name: "proxy whose every trap throws", make: () => new Proxy({}, Object.fromEntries(TRAPS.map((trap) => [trap, throwing(() => new Error(trap))]))), expected: '"[Throws: getPrototypeOf]"' },
  { name: "proxy claiming a key its get trap does not give", make: () => new Proxy({}, { ownKeys: () => ["ghost"], getOwnPropertyDescriptor: () => ({ value: 1, enumerable: true, configurable: true }) }), expected: "{}" },
  { name: "getter throwing a symbol", make: () => ({ get g() { throw Symbol("s"); } }), expected: '{"g":"[Throws: Symbol(s)]"}' },
  { name: "getter throwing an object whose toString throws", make: () => ({ get g() { throw { toString() { throw new Error("x"); } }; } }), expected: '{"g":"[Throws]"}' },
  { name: "getter throwing a revoked proxy", make: () => ({ get g() { throw revokedProxy(); } }), expected: '{"g":"[Throws]"}' },
  { name: "getter throwing undefined", make: () => ({ get g() { throw undefined; } }), expected: '{"g":"[Throws: undefined]"}' },
  { name: "error whose name getter throws", make: () => Object.defineProperty(new Error("m"), "name", { get: throwing(() => new Error("no name")) }), expected: '"[Throws: no name]"' },
  { name: "error that is its own cause", make: () => { const e = new Error("self"); e.stack = "S"; (e as { cause?: unknown }).cause = e; return e; }, expected: '{"type":"Error","message":"self","stack":"S","cause":"[Circular]"}' },
  { name: "error with a non-string message", make: () => { const e = new Error(); e.stack = "S"; (e as { message: unknown }).message = { code: 1 }; return e; }, expected: '{"type":"Error","message":{"code":1},"stack":"S"}' },
  { name: "fake error from Object.create", make: () => Object.create(Error.prototype) as object, expected: "{}" },
  { name: "toJSON returning this", make: () => ({ toJSON() { return this; } }), expected: '{"toJSON":"[Function: toJSON]"}' },
  { name: "toJSON returning a fresh self-referencing object each time", make: () => { const o: { toJSON(): unknown } = { toJSON: () => ({ again: o }) }; return o; }, expected: '{"again":"[Circular]"}' },
  { name: "toJSON returning undefined", make: () => ({ a: { toJSON: () => undefined }, b: 1 }), expected: '{"b":1}' },
  { name: "toJSON returning undefined inside an array", make: () => [{ toJSON: () => undefined }], expected: "[null]" },
  { name: "Map whose key is the map itself", make: () => { const m = new Map<unknown, unknown>(); m.set(m, m); return m; }, expected: '[["[Circular]","[Circular]"]]' },
  { name: "Map subclass whose iterator throws", make: () => new BrokenMap([["a", 1]]), expected: '"[Throws: no entries]"' },
  { name: "array with a throwing index getter", make: () => Object.defineProperty([1, 2], 0, { get: throwing(() => new Error("idx")) }), expected: '["[Throws: idx]",2]' },
  { name: "Symbol.toStringTag claiming Uint8Array", make: () => ({ [Symbol.toStringTag]: "Uint8Array", buffer: 1 }), expected: '{"buffer":1}' },
  { name: "Date prototype without a Date", make: () => Object.create(Date.prototype) as object, expected: '"[Throws: this is not a Date object.]"' },
  { name: "proxy of a Map", make: () => new Proxy(new Map([["a", 1]]), {}), expected: "{}" },
  { name: "proxy of an array", make: () => new Proxy([1, "x"], {}), expected: '[1,"x"]' },
  { name: "key needing every kind of escape", make: () => ({ '\n"\\\ud800\u2028': 1 }), expected: '{"\\n\\"\\\\\\ud800\\u2028":1}' },
  { name: "key with a surrogate pair", make: () => ({ "😀": "😀" }), expected: '{"😀":"😀"}' },
  { name: "own __proto__ key holding an array", make: () => JSON.parse('{"__proto__":[1]}') as unknown, expected: '{"__proto__":[1]}' },
  { name: "detached ArrayBuffer", make: () => { const b = new ArrayBuffer(8); structuredClone(b, { transfer: [b] }); return b; }, expected: '"[Throws: Cannot perform Construct on a detached ArrayBuffer]"' },
  // biome-ignore lint/complexity/noArguments: the value under test is an arguments object
  { name: "arguments object", make: function (this: unknown) { return (function (..._: unknown[]) { return arguments; })(1, "a"); }, expected: '{"0":1,"1":"a"}' },
  { name: "generator object", make: () => (function* () { yield 1; })(), expected: "{}" },
  { name: "object with 100000 keys", make: () => Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => ["k" + i, i])), limits: { maxObjectKeys: 1 }, expected: '{"k0":0,"…":"[+99999 keys]"}' },
  { name: "string of a million chars", make: () => "x".repeat(1e6), limits: { maxStringLength: 2 }, expected: '"xx…[+999998 chars]"' },
  { name: "100000-level list with no depth limit", make: () => { let l: unknown = null; for (let i = 0; i < 100_000; i++) l = { l }; return l; }, limits: { maxDepth: Infinity } },
  { name: "100000-level nested arrays with no depth limit", make: () => { let a: unknown = []; for (let i = 0; i < 100_000; i++) a = [a]; return a; }, limits: { maxDepth: Infinity } },
  { name: "10000 errors chained by cause with no depth limit", make: () => { let e: Error | undefined; for (let i = 0; i < 10_000; i++) e = new Error("e" + i, { cause: e }); return e; }, limits: { maxDepth: Infinity } },
];

for (const { name, make, expected, limits } of corpus) {
  test(`nasty corpus: ${name} is written as one valid line`, (t) => {
    const out = new Serializer(limits).value(make());
    t.notThrows(() => assertLine(out));
    if (expected !== undefined) t.is(out, expected);
  });
}
