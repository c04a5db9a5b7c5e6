import { readFileSync } from "node:fs";
import test from "ava";
import { DEFAULT_LIMITS, Serializer } from "../src/serialize";

const ser = new Serializer();
const NO_RESERVED: ReadonlySet<string> = new Set();

/** An Error whose stack is fixed, so that its output can be asserted whole. */
function errorWith<E extends Error>(err: E, stack = "STACK"): E {
  err.stack = stack;
  return err;
}

test("DEFAULT_LIMITS are the documented numbers and cannot be changed", (t) => {
  t.deepEqual({ ...DEFAULT_LIMITS }, { maxDepth: 10, maxStringLength: 10_000, maxArrayLength: 1000, maxObjectKeys: 1000 });
  t.true(Object.isFrozen(DEFAULT_LIMITS));
});

test("a plain string is written as a JSON string", (t) => {
  t.is(ser.value("hello"), '"hello"');
  t.is(ser.string("hello"), '"hello"');
});

test("quotes, backslashes and control characters are escaped as JSON.stringify escapes them", (t) => {
  const s = 'say "hi"\\ \n\r\t\u0000\u001f';
  t.is(ser.value(s), JSON.stringify(s));
  t.is(ser.value(s), '"say \\"hi\\"\\\\ \\n\\r\\t\\u0000\\u001f"');
});

test("a lone surrogate is escaped, as JSON.stringify does since Node 12, so the line stays valid UTF-8", (t) => {
  t.is(JSON.stringify("a\ud800b"), '"a\\ud800b"');
  t.is(ser.value("a\ud800b\udfff"), '"a\\ud800b\\udfff"');
});

test("a surrogate pair is written as it is", (t) => {
  t.is(ser.value("x😀y"), '"x😀y"');
});

test("U+0085, U+2028 and U+2029 are escaped so that no line reader splits the line", (t) => {
  t.is(ser.value("a\u0085b\u2028c\u2029d"), '"a\\u0085b\\u2028c\\u2029d"');
  t.is(ser.value('"\u2028'), '"\\"\\u2028"');
});

test("a string longer than maxStringLength is cut and says how many chars were cut", (t) => {
  const short = new Serializer({ maxStringLength: 5 });
  t.is(short.value("abcdefgh"), '"abcde…[+3 chars]"');
  t.is(short.value("abcde"), '"abcde"');
  t.is(new Serializer({ maxStringLength: 3 }).string('ab"cd'), '"ab\\"…[+2 chars]"');
});

test("the cut never splits a surrogate pair", (t) => {
  t.is(new Serializer({ maxStringLength: 2 }).value("a😀b"), '"a…[+3 chars]"');
});

test("finite numbers are written as JSON.stringify writes them", (t) => {
  for (const n of [0, 1, -3, 1.5, 1e21, 5e-7, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE]) {
    t.is(ser.value(n), JSON.stringify(n));
  }
});

test("NaN, Infinity and -Infinity are written as their names in strings", (t) => {
  t.is(ser.value([NaN, Infinity, -Infinity]), '["NaN","Infinity","-Infinity"]');
});

test("-0 is written as 0", (t) => {
  t.is(ser.value(-0), "0");
});

test("a bigint is written as a string of its digits", (t) => {
  t.is(ser.value(12345678901234567890n), '"12345678901234567890"');
  t.is(ser.value(-5n), '"-5"');
});

test("booleans and null are written as JSON", (t) => {
  t.is(ser.value([true, false, null]), "[true,false,null]");
});

test("undefined is null at the top and inside arrays, and omitted as a member", (t) => {
  t.is(ser.value(undefined), "null");
  t.is(ser.value([undefined, 1]), "[null,1]");
  // biome-ignore lint/suspicious/noSparseArray: a hole must serialize as null
  t.is(ser.value([, 2]), "[null,2]");
  t.is(ser.value({ a: undefined, b: 1 }), '{"b":1}');
});

test("a function is written with its name, or as anonymous", (t) => {
  function named() {}
  t.is(ser.value(named), '"[Function: named]"');
  t.is(ser.value([() => 1]), '["[Function: anonymous]"]');
  t.is(ser.value({ f: class Thing {} }), '{"f":"[Function: Thing]"}');
});

test("a function whose name getter throws is anonymous", (t) => {
  // biome-ignore lint/complexity/noStaticOnlyClass: the class is the value under test, and its static getter the fault
  class Odd {
    static get name(): string {
      throw new Error("no name");
    }
  }
  t.is(ser.value(Odd), '"[Function: anonymous]"');
});

test("a symbol value is written as Symbol(description)", (t) => {
  t.is(ser.value(Symbol("tag")), '"Symbol(tag)"');
  t.is(ser.value(Symbol()), '"Symbol()"');
});

test("symbol keys are skipped", (t) => {
  t.is(ser.value({ [Symbol("s")]: 1, a: 2 }), '{"a":2}');
});

test("a Date is written as its ISO string", (t) => {
  t.is(ser.value(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6))), '"2024-01-02T03:04:05.006Z"');
});

test("an invalid Date is written as Invalid Date", (t) => {
  t.is(ser.value(new Date(NaN)), '"Invalid Date"');
});

test("an Error is written with its type, message, stack, own properties and cause", (t) => {
  const err = errorWith(Object.assign(new Error("boom", { cause: "disk" }), { code: "E_BOOM", errno: 5 }));
  t.is(ser.value(err), '{"type":"Error","message":"boom","stack":"STACK","code":"E_BOOM","errno":5,"cause":"disk"}');
});

test("a real stack trace is kept, escaped onto one line", (t) => {
  const parsed = JSON.parse(ser.value(new Error("traced"))) as { stack: string };
  t.true(parsed.stack.startsWith("Error: traced\n    at "));
});

test("an Error subclass that kept the built-in name is named by its constructor", (t) => {
  class PaymentError extends Error {}
  class Strict extends TypeError {}
  t.is(ser.value(errorWith(new PaymentError("no funds"))), '{"type":"PaymentError","message":"no funds","stack":"STACK"}');
  t.is(ser.value(errorWith(new Strict("bad"))), '{"type":"Strict","message":"bad","stack":"STACK"}');
  t.is(ser.value(errorWith(new RangeError("far"))), '{"type":"RangeError","message":"far","stack":"STACK"}');
});

test("an Error's own name wins over its constructor's", (t) => {
  class HttpError extends Error {
    override name = "NotFound";
  }
  t.is(ser.value(errorWith(new HttpError("gone"))), '{"type":"NotFound","message":"gone","stack":"STACK"}');
});

test("an own type property of an Error is written as _type", (t) => {
  const err = errorWith(Object.assign(new Error("x"), { type: "validation" }));
  t.is(ser.value(err), '{"type":"Error","message":"x","stack":"STACK","_type":"validation"}');
});

test("a cause assigned after construction is written once, last", (t) => {
  const err = errorWith(new Error("outer"));
  (err as { cause?: unknown }).cause = errorWith(new TypeError("inner"), "S2");
  t.is(
    ser.value(err),
    '{"type":"Error","message":"outer","stack":"STACK","cause":{"type":"TypeError","message":"inner","stack":"S2"}}',
  );
});

test("a cause of any type is serialized like any value", (t) => {
  const err = errorWith(new Error("x", { cause: { id: 7n, at: new Date(0) } }));
  t.is(ser.value(err), '{"type":"Error","message":"x","stack":"STACK","cause":{"id":"7","at":"1970-01-01T00:00:00.000Z"}}');
});

test("an Error that is its own cause, directly or through another, ends in [Circular]", (t) => {
  const self = errorWith(new Error("loop"));
  (self as { cause?: unknown }).cause = self;
  t.is(ser.value(self), '{"type":"Error","message":"loop","stack":"STACK","cause":"[Circular]"}');
  const a = errorWith(new Error("a"));
  const b = errorWith(new Error("b", { cause: a }));
  (a as { cause?: unknown }).cause = b;
  t.is(
    ser.value(a),
    '{"type":"Error","message":"a","stack":"STACK","cause":{"type":"Error","message":"b","stack":"STACK","cause":"[Circular]"}}',
  );
});

test("an AggregateError also lists its errors", (t) => {
  const agg = errorWith(new AggregateError([errorWith(new Error("one"), "S1"), "two"], "both failed"));
  t.is(
    ser.value(agg),
    '{"type":"AggregateError","message":"both failed","stack":"STACK","errors":[{"type":"Error","message":"one","stack":"S1"},"two"]}',
  );
});

test("a system error keeps errno, code, syscall and path", (t) => {
  let caught: unknown;
  try {
    readFileSync("/definitely/not/here");
  } catch (e) {
    caught = e;
  }
  const parsed = JSON.parse(ser.value(caught)) as Record<string, unknown>;
  t.like(parsed, { type: "Error", code: "ENOENT", errno: -2, syscall: "open", path: "/definitely/not/here" });
});

test("an Error whose message getter throws has [Throws: message] as its message", (t) => {
  const err = errorWith(new Error("x"));
  Object.defineProperty(err, "message", {
    get() {
      throw new Error("no message");
    },
  });
  t.is(ser.value(err), '{"type":"Error","message":"[Throws: no message]","stack":"STACK"}');
});

test("a Map with string keys becomes an object", (t) => {
  t.is(ser.value(new Map<string, unknown>([["a", 1], ["b", undefined], ["c", [2]]])), '{"a":1,"c":[2]}');
});

test("a Map with number keys becomes an object keyed by their string forms", (t) => {
  t.is(ser.value(new Map([[1, "x"], [NaN, "y"], [-0, "z"]])), '{"1":"x","NaN":"y","0":"z"}');
});

test("a Map with other or mixed keys becomes an array of [key, value] pairs", (t) => {
  t.is(ser.value(new Map<unknown, unknown>([[{ id: 1 }, "obj"], [true, undefined]])), '[[{"id":1},"obj"],[true,null]]');
  // 1 and "1" would collide as object keys.
  t.is(ser.value(new Map<unknown, number>([[1, 1], ["1", 2]])), '[[1,1],["1",2]]');
});

test("an empty Map is an empty object", (t) => {
  t.is(ser.value(new Map()), "{}");
});

test("a Set becomes an array", (t) => {
  t.is(ser.value(new Set([1, "a", undefined])), '[1,"a",null]');
});

test("a Buffer becomes its type, length and base64", (t) => {
  t.is(ser.value(Buffer.from("hi!")), '{"type":"Buffer","length":3,"base64":"aGkh"}');
});

test("Uint8Array, ArrayBuffer, SharedArrayBuffer and DataView are written like a Buffer", (t) => {
  const bytes = new Uint8Array([1, 2, 3, 4]);
  const expected = '{"type":"Buffer","length":2,"base64":"AgM="}';
  t.is(ser.value(bytes.subarray(1, 3)), expected);
  t.is(ser.value(new DataView(bytes.buffer, 1, 2)), expected);
  t.is(ser.value(bytes.buffer.slice(1, 3)), expected);
  t.is(ser.value(new SharedArrayBuffer(1)), '{"type":"Buffer","length":1,"base64":"AA=="}');
});

test("base64 covers only the bytes whose encoding fits in maxStringLength", (t) => {
  // 8 chars of base64 hold 6 bytes.
  t.is(new Serializer({ maxStringLength: 9 }).value(Buffer.from("abcdefgh")), '{"type":"Buffer","length":8,"base64":"YWJjZGVm"}');
});

test("other typed arrays become arrays of numbers", (t) => {
  t.is(ser.value(new Float64Array([1.5, NaN, -0])), '[1.5,"NaN",0]');
  t.is(ser.value(new Int8Array([-1, 2])), "[-1,2]");
  t.is(ser.value(new Uint8ClampedArray([255])), "[255]");
});

test("BigInt64Array items become strings", (t) => {
  t.is(ser.value(new BigInt64Array([1n, -2n])), '["1","-2"]');
  t.is(ser.value(new BigUint64Array([18446744073709551615n])), '["18446744073709551615"]');
});

test("typed arrays longer than maxArrayLength end with an item count", (t) => {
  t.is(new Serializer({ maxArrayLength: 2 }).value(new Uint16Array(5)), '[0,0,"…[+3 items]"]');
});

test("an object with toJSON is written as what toJSON returns", (t) => {
  t.is(ser.value({ when: { toJSON: () => "today" } }), '{"when":"today"}');
  class Money {
    toJSON() {
      return { amount: 5n, currency: "EUR" };
    }
  }
  t.is(ser.value(new Money()), '{"amount":"5","currency":"EUR"}');
});

test("toJSON is called once per value, as JSON.stringify calls it", (t) => {
  const inner = { toJSON: () => "inner" };
  t.is(ser.value({ toJSON: () => inner }), '{"toJSON":"[Function: toJSON]"}');
});

test("a toJSON that returns its own object is written as that object's members", (t) => {
  t.is(ser.value({ a: 1, toJSON() { return this; } }), '{"a":1,"toJSON":"[Function: toJSON]"}');
});

test("a toJSON that returns a new object holding the original ends in [Circular]", (t) => {
  const o = { toJSON(): unknown { return { self: o }; } };
  t.is(ser.value(o), '{"self":"[Circular]"}');
});

test("a toJSON that throws gives [Throws: message]", (t) => {
  const bad = { toJSON() { throw new Error("cannot"); } };
  t.is(ser.value({ bad, ok: 1 }), '{"bad":"[Throws: cannot]","ok":1}');
});

test("a URL is written as its href", (t) => {
  t.is(ser.value(new URL("https://example.com/a?b=1")), '"https://example.com/a?b=1"');
});

test("a getter that throws gives that member [Throws: message]", (t) => {
  const o = {
    before: 1,
    get broken(): number {
      throw new Error("getter failed");
    },
    after: 2,
  };
  t.is(ser.value(o), '{"before":1,"broken":"[Throws: getter failed]","after":2}');
});

test("a thrown value that is not an Error is described by String", (t) => {
  const o = {
    get a(): number {
      throw "plain text";
    },
    get b(): number {
      throw Symbol("thrown");
    },
  };
  t.is(ser.value(o), '{"a":"[Throws: plain text]","b":"[Throws: Symbol(thrown)]"}');
});

test("a thrown value that cannot become a string gives [Throws]", (t) => {
  const o = {
    get a(): number {
      throw Object.create(null);
    },
  };
  t.is(ser.value(o), '{"a":"[Throws]"}');
});

test("a proxy whose ownKeys trap throws becomes [Throws: message]", (t) => {
  const proxy = new Proxy({ a: 1 }, { ownKeys() { throw new Error("no keys"); } });
  t.is(ser.value({ proxy, ok: true }), '{"proxy":"[Throws: no keys]","ok":true}');
});

test("a proxy whose get trap throws becomes [Throws: message]", (t) => {
  const proxy = new Proxy({ a: 1 }, { get() { throw new Error("no get"); } });
  t.is(ser.value([proxy, 2]), '["[Throws: no get]",2]');
});

test("a proxy whose getPrototypeOf trap throws becomes [Throws: message]", (t) => {
  const proxy = new Proxy({}, { getPrototypeOf() { throw new Error("no proto"); } });
  t.is(ser.value(proxy), '"[Throws: no proto]"');
});

test("a revoked proxy becomes [Throws: message]", (t) => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  t.is(ser.value(proxy), '"[Throws: Cannot perform \'getPrototypeOf\' on a proxy that has been revoked]"');
});

test("a well-behaved proxy is written as its target", (t) => {
  t.is(ser.value(new Proxy({ a: [1] }, {})), '{"a":[1]}');
});

test("a circular reference is written as [Circular]", (t) => {
  const o: Record<string, unknown> = { n: 1 };
  o.self = o;
  t.is(ser.value(o), '{"n":1,"self":"[Circular]"}');
  const a: unknown[] = [1];
  a.push({ back: a });
  t.is(ser.value(a), '[1,{"back":"[Circular]"}]');
});

test("a Map or Set that contains itself ends in [Circular]", (t) => {
  const m = new Map<string, unknown>();
  m.set("me", m);
  t.is(ser.value(m), '{"me":"[Circular]"}');
  const s = new Set<unknown>();
  s.add(s);
  t.is(ser.value(s), '["[Circular]"]');
});

test("the same object twice among siblings is written twice", (t) => {
  const shared = { id: 1 };
  t.is(ser.value({ a: shared, b: [shared, shared] }), '{"a":{"id":1},"b":[{"id":1},{"id":1}]}');
});

test("class instances are written as their own enumerable properties", (t) => {
  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
    get sum(): number {
      return this.x + this.y;
    }
  }
  t.is(ser.value(new Point(1, 2)), '{"x":1,"y":2}');
});

test("an object with a null prototype is written like a plain one", (t) => {
  const o = Object.assign(Object.create(null) as object, { a: 1, b: "two" });
  t.is(ser.value(o), '{"a":1,"b":"two"}');
});

test("a __proto__ own key is written as a normal key", (t) => {
  const o = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as object;
  t.is(ser.value(o), '{"__proto__":{"polluted":true},"a":1}');
  t.is(({} as Record<string, unknown>).polluted, undefined);
});

test("inherited enumerable properties are skipped", (t) => {
  const o = Object.assign(Object.create({ inherited: 1 }) as object, { own: 2 });
  t.is(ser.value(o), '{"own":2}');
});

test("keys are escaped as JSON and never cut", (t) => {
  const long = "k".repeat(20);
  t.is(new Serializer({ maxStringLength: 3 }).value({ 'a"b\n': 1, [long]: 2, "\ud800": 3 }), `{"a\\"b\\n":1,"${long}":2,"\\ud800":3}`);
});

test("a Promise, WeakMap, WeakSet and WeakRef are written as labels", (t) => {
  const p = Promise.resolve(1);
  t.is(ser.value([p, new WeakMap(), new WeakSet(), new WeakRef({})]), '["[Promise]","[WeakMap]","[WeakSet]","[WeakRef]"]');
});

test("a RegExp is written as its source and flags", (t) => {
  t.is(ser.value(/a+"b/gi), '"/a+\\"b/gi"');
});

test("boxed primitives are written as their primitive", (t) => {
  t.is(ser.value([Object("s"), Object(2), Object(false), Object(3n), Object(Symbol("b")), Object(NaN)]), '["s",2,false,"3","Symbol(b)","NaN"]');
});

test("a spoofed Symbol.toStringTag does not make an object a Map or a Date", (t) => {
  t.is(ser.value({ [Symbol.toStringTag]: "Map", a: 1 }), '{"a":1}');
  class FakeDate {
    get [Symbol.toStringTag]() {
      return "Date";
    }
    v = 1;
  }
  t.is(ser.value(new FakeDate()), '{"v":1}');
});

test("objects deeper than maxDepth become [Object] and arrays [Array]", (t) => {
  const two = new Serializer({ maxDepth: 2 });
  t.is(two.value({ a: { b: { c: 1 } }, l: [[1]], d: { e: new Date(0) } }), '{"a":{"b":"[Object]"},"l":["[Array]"],"d":{"e":"[Object]"}}');
  t.is(new Serializer({ maxDepth: 0 }).value({}), '"[Object]"');
});

test("the default depth writes ten levels of nesting", (t) => {
  let nested: unknown = "leaf";
  for (let i = 0; i < 11; i++) nested = [nested];
  t.is(ser.value(nested), "[".repeat(10) + '"[Array]"' + "]".repeat(10));
});

test("arrays longer than maxArrayLength end with an item count", (t) => {
  const three = new Serializer({ maxArrayLength: 3 });
  t.is(three.value([1, 2, 3, 4, 5]), '[1,2,3,"…[+2 items]"]');
  t.is(three.value([1, 2, 3]), "[1,2,3]");
  t.is(new Serializer({ maxArrayLength: 0 }).value([1]), '["…[+1 items]"]');
});

test("a huge sparse array costs only maxArrayLength items", (t) => {
  t.is(new Serializer({ maxArrayLength: 1 }).value(new Array(2 ** 32 - 1)), '[null,"…[+4294967294 items]"]');
});

test("objects with more than maxObjectKeys keys end with a key count", (t) => {
  t.is(new Serializer({ maxObjectKeys: 2 }).value({ a: 1, b: 2, c: 3, d: 4 }), '{"a":1,"b":2,"…":"[+2 keys]"}');
});

test("Sets and Maps over maxArrayLength end with a count", (t) => {
  const two = new Serializer({ maxArrayLength: 2 });
  t.is(two.value(new Set([1, 2, 3])), '[1,2,"…[+1 items]"]');
  t.is(two.value(new Map([["a", 1], ["b", 2], ["c", 3]])), '{"a":1,"b":2,"…":"[+1 keys]"}');
  t.is(two.value(new Map([[true, 1], [false, 2], [null, 3]])), '[[true,1],[false,2],"…[+1 items]"]');
});

test("fields writes own enumerable members each after a comma", (t) => {
  t.is(ser.fields({ user: "ann", n: 1, tags: ["a"] }, NO_RESERVED), ',"user":"ann","n":1,"tags":["a"]');
});

test("fields returns an empty string for an object with nothing to write", (t) => {
  t.is(ser.fields({}, NO_RESERVED), "");
  t.is(ser.fields({ gone: undefined }, NO_RESERVED), "");
});

test("fields renames a reserved key with a leading underscore", (t) => {
  const reserved = new Set(["ts", "msg"]);
  t.is(ser.fields({ msg: "mine", other: 1 }, reserved), ',"_msg":"mine","other":1');
});

test("fields adds underscores until the renamed key is free", (t) => {
  const reserved = new Set(["ts"]);
  t.is(ser.fields({ ts: 1, _ts: 2, __ts: 3 }, reserved), ',"___ts":1,"_ts":2,"__ts":3');
});

test("fields treats the record itself as an ancestor", (t) => {
  const rec: Record<string, unknown> = { a: 1 };
  rec.me = rec;
  t.is(ser.fields(rec, NO_RESERVED), ',"a":1,"me":"[Circular]"');
});

test("fields of an object whose keys cannot be listed says why under the key fields", (t) => {
  const proxy = new Proxy({}, { ownKeys() { throw new Error("hidden"); } });
  t.is(ser.fields(proxy, NO_RESERVED), ',"fields":"[Throws: hidden]"');
  t.is(ser.fields(proxy, new Set(["fields"])), ',"_fields":"[Throws: hidden]"');
});

test("fields caps the member count with maxObjectKeys", (t) => {
  t.is(new Serializer({ maxObjectKeys: 1 }).fields({ a: 1, b: 2 }, NO_RESERVED), ',"a":1,"…":"[+1 keys]"');
});

test("fields of an Error writes only its own enumerable members", (t) => {
  t.is(ser.fields(Object.assign(new Error("m"), { code: "E" }), NO_RESERVED), ',"code":"E"');
});

const masked = new Serializer({}, { names: ["password", "Authorization"], patterns: [] });

test("a masked name hides its value at any depth", (t) => {
  t.is(
    masked.value({ password: "p1", user: { password: { nested: 1 } }, list: [{ password: 3 }] }),
    '{"password":"***","user":{"password":"***"},"list":[{"password":"***"}]}',
  );
  t.is(masked.fields({ password: "p", ok: 1 }, NO_RESERVED), ',"password":"***","ok":1');
});

test("a masked name matches regardless of ASCII case", (t) => {
  t.is(
    masked.value({ authorization: "a", AUTHORIZATION: "b", Authorization: "c", PassWord: "d" }),
    '{"authorization":"***","AUTHORIZATION":"***","Authorization":"***","PassWord":"***"}',
  );
});

test("a name of the same length or with non-ASCII case is not masked", (t) => {
  // "\u212A" (KELVIN SIGN) lower-cases to "k" in Unicode, but not in ASCII.
  const ser2 = new Serializer({}, { names: ["key"], patterns: [] });
  t.is(ser2.value({ kez: 1, "\u212Aey": 2, KEY: 3 }), '{"kez":1,"\u212Aey":2,"KEY":"***"}');
  t.is(masked.value({ passwort: "x" }), '{"passwort":"x"}');
});

test("an undefined value under a masked name is still omitted", (t) => {
  t.is(masked.value({ password: undefined }), "{}");
});

test("a masked name hides Map values and Error own properties", (t) => {
  t.is(masked.value(new Map([["Password", "x"], ["user", "y"]])), '{"Password":"***","user":"y"}');
  t.is(masked.value(new Map<unknown, string>([["password", "x"], [1, "y"]])), '[["password","***"],[1,"y"]]');
  const err = errorWith(Object.assign(new Error("m"), { authorization: "Bearer t" }));
  t.is(masked.value(err), '{"type":"Error","message":"m","stack":"STACK","authorization":"***"}');
});

const cards = new Serializer({}, { names: [], patterns: [/\b\d{4}-\d{4}\b/, /secret/i] });

test("mask patterns replace every match in string values", (t) => {
  t.is(cards.value("cards 1234-5678 and 8765-4321, SECRET"), '"cards *** and ***, ***"');
});

test("mask patterns apply inside nested values, error messages and string()", (t) => {
  const err = errorWith(new Error("bad card 1234-5678"), "Error: bad card 1234-5678");
  t.is(cards.value({ list: ["1111-2222"], err }), '{"list":["***"],"err":{"type":"Error","message":"bad card ***","stack":"Error: bad card ***"}}');
  t.is(cards.string("msg 1234-5678"), '"msg ***"');
});

test("mask patterns do not apply to keys", (t) => {
  t.is(cards.value({ secret: "public" }), '{"secret":"public"}');
});

test("mask patterns apply before the cut, so a secret across the cut is hidden", (t) => {
  const short = new Serializer({ maxStringLength: 8 }, { names: [], patterns: [/1234-5678/] });
  t.is(short.value("ab 1234-5678 cd"), '"ab *** c…[+1 chars]"');
});

test("a pattern given with the sticky flag still matches everywhere", (t) => {
  const sticky = new Serializer({}, { names: [], patterns: [/x/y] });
  t.is(sticky.value("axbx"), '"a***b***"');
});

test("strings around the short-string length, with an escape or a non-ASCII character anywhere, match JSON.stringify", (t) => {
  for (let length = 0; length <= 140; length++) {
    for (const odd of ["", '"', "\\", "\n", "\u007f", "é", "😀", "\u0000"]) {
      for (const at of [0, Math.floor(length / 2), length]) {
        const s = "a".repeat(at) + odd + "b".repeat(Math.max(0, length - at));
        t.is(ser.string(s), JSON.stringify(s), JSON.stringify(s));
      }
    }
  }
});

test("integers of every digit count are written as JSON.stringify writes them", (t) => {
  for (let n = 1; n <= Number.MAX_SAFE_INTEGER; n = n * 10 + 7) {
    for (const v of [n, n - 1, -n, n + 0.5]) t.is(ser.value(v), JSON.stringify(v));
  }
  t.is(ser.value(-0), "0");
  t.is(ser.value(2 ** 53), JSON.stringify(2 ** 53));
});

test("a value far larger than the serializer's buffer is written whole", (t) => {
  const big = { text: "ünïcødé ✓ ".repeat(900), items: Array.from({ length: 1000 }, (_, i) => ({ i, s: "😀".repeat(i % 9) })) };
  t.is(ser.value(big), JSON.stringify(big));
});
