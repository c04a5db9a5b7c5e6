import test from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_MASK_FIELDS, Logger, LogxpyError, MASK_PATTERNS } from "../src/index";
import { memoryLogger, readRecords, tempDir } from "./helpers";

const SECRET = "s3cr3t-Value-42";

test("the default mask hides passwords, tokens and authorization headers", (t) => {
  const { log, lines } = memoryLogger();
  log.info("login", { user: "alice", password: SECRET, headers: { Authorization: `Bearer ${SECRET}` }, apiKey: SECRET });
  t.false(lines[0]!.includes(SECRET));
  t.regex(lines[0]!, /"password":"\*\*\*"/);
  t.regex(lines[0]!, /"Authorization":"\*\*\*"/);
});

test("maskFields: [] masks nothing", (t) => {
  const { log, lines } = memoryLogger({ maskFields: [] });
  log.info("x", { password: "visible" });
  t.regex(lines[0]!, /"password":"visible"/);
});

test("mask names match at any depth, inside arrays, and case-insensitively", (t) => {
  const { log, lines } = memoryLogger({ maskFields: ["ssn"] });
  log.info("x", { people: [{ name: "a", SSN: SECRET }, { nested: { ssn: SECRET } }] });
  t.false(lines[0]!.includes(SECRET));
});

test("mask patterns replace matches inside strings and the message", (t) => {
  const { log, lines } = memoryLogger({ maskPatterns: [/\b\d{4}-\d{4}-\d{4}-\d{4}\b/] });
  log.info("card 1234-5678-9012-3456 used", { note: "paid with 1234-5678-9012-3456 today" });
  t.false(lines[0]!.includes("1234-5678"));
  t.regex(lines[0]!, /card \*\*\* used/);
});

test("masking applies to scope, child context and action fields and to logged arguments and results", async (t) => {
  const { log, lines } = memoryLogger({ maskFields: ["password", "token"] });
  log.scope({ token: SECRET }, () => log.info("in scope"));
  log.ctx({ password: SECRET }).info("child");
  log.action("auth", { password: SECRET }, () => undefined);
  const login = log.logged(function login(user: string, password: string) {
    return { token: SECRET, user, password };
  });
  login("alice", SECRET);
  await log.action("async", { token: SECRET }, async () => log.info("x", { password: SECRET }));
  t.true(lines.length >= 9);
  for (const line of lines) t.false(line.includes(SECRET), line);
});

test("masking applies on the async file path", async (t) => {
  const file = join(tempDir(), "mask-async.log");
  const log = new Logger().init(file, { maskFields: ["secret"] });
  t.true(log.isAsync);
  for (let i = 0; i < 500; i++) log.info("m", { secret: SECRET, i });
  await log.flush();
  const text = readFileSync(file, "utf8");
  t.is(text.split("\n").length - 1, 500);
  t.false(text.includes(SECRET));
});

test("configure changes the mask for records logged afterwards", (t) => {
  const { log, lines } = memoryLogger({ maskFields: [] });
  log.info("a", { pin: "1111" });
  log.configure({ maskFields: ["pin"] });
  log.info("b", { pin: "2222" });
  t.true(lines[0]!.includes("1111"));
  t.false(lines[1]!.includes("2222"));
});

test("a realistic request with an authorization header leaves no trace of the secret anywhere in the file", async (t) => {
  const file = join(tempDir(), "request.log");
  const log = new Logger().init(file);
  const token = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.sig-XYZ";
  const req = {
    method: "POST",
    url: "/api/login",
    headers: { host: "example.com", authorization: `Bearer ${token}`, Cookie: `session=${token}` },
    body: { user: "alice", password: token },
  };
  const err = Object.assign(new Error("upstream refused"), { token, config: { headers: new Map([["Authorization", token]]) } });
  log.info("request", { req });
  log.exception(err, "login failed", { req });
  await log.action("login", { req }, async () => log.warning("retrying", { headers: req.headers }));
  // biome-ignore lint/correctness/noUnusedFunctionParameters: logged() records the arguments by these names
  const handler = log.logged(function login(request: unknown, password: string) {
    return { token, ok: true };
  });
  handler(req, token);
  await log.flush();
  const text = readFileSync(file, "utf8");
  t.is(text.split("\n").length - 1, 7);
  t.false(text.includes("c2VjcmV0LXBheWxvYWQ"), "the token appears nowhere");
});

test("a RegExp in maskFields is tested against field names at any depth, and the whole value is masked", (t) => {
  const { log, records, lines } = memoryLogger({ maskFields: ["password", /token/i] });
  log.info("the token rotated", { nested: { apiToken: SECRET, list: [{ refresh_TOKEN: { deep: SECRET } }] }, tokens: 3 });
  t.false(lines[0]!.includes(SECRET));
  t.like(records[0], { msg: "the token rotated", nested: { apiToken: "***", list: [{ refresh_TOKEN: "***" }] }, tokens: "***" });
});

test("a field name in maskFields matches ignoring case", (t) => {
  const { log, records } = memoryLogger({ maskFields: ["ApiKey"] });
  log.info("x", { apikey: SECRET, APIKEY: SECRET, apiKey: SECRET, other: "kept" });
  t.like(records[0], { apikey: "***", APIKEY: "***", apiKey: "***", other: "kept" });
});

test("maskPatterns hide bearer tokens, JWTs and card numbers inside values and the message with the ready patterns", (t) => {
  const { log, lines } = memoryLogger({ maskFields: [], maskPatterns: Object.values(MASK_PATTERNS) });
  const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl";
  log.info(`retrying with Authorization: Bearer ${SECRET}`, {
    header: `bearer ${SECRET}==`,
    note: `session ${jwt} expired`,
    cards: ["4111 1111 1111 1111", "5500-0000-0000-0004", "378282246310005"],
  });
  for (const secret of [SECRET, jwt, "4111", "5500", "378282"]) t.false(lines[0]!.includes(secret), secret);
  t.regex(lines[0]!, /"msg":"retrying with Authorization: \*\*\*"/);
  t.regex(lines[0]!, /"note":"session \*\*\* expired"/);
});

test("a RegExp in maskFields masks by name only, leaving the same word inside values", (t) => {
  const { log, records } = memoryLogger({ maskFields: [/secret/i] });
  log.info("no secret here", { text: "a secret word", clientSecret: SECRET });
  t.like(records[0], { msg: "no secret here", text: "a secret word", clientSecret: "***" });
});

test("pino-style paths mask the field at that path and no other of the same name", (t) => {
  const { log, records, lines } = memoryLogger({ maskFields: ["req.headers.authorization", "users[*].password", 'cfg["db.url"]'] });
  log.info("x", {
    req: { headers: { Authorization: SECRET, host: "example.com" } },
    users: [{ name: "a", password: SECRET }, { password: SECRET }],
    cfg: { "db.url": SECRET, port: 5432 },
    other: { authorization: "visible", password: "visible" },
  });
  log.scope({ req: { headers: { authorization: SECRET } } }, () => log.info("in scope"));
  for (const line of lines) t.false(line.includes(SECRET), line);
  t.like(records[0], {
    req: { headers: { Authorization: "***", host: "example.com" } },
    users: [{ name: "a", password: "***" }, { password: "***" }],
    cfg: { "db.url": "***", port: 5432 },
    other: { authorization: "visible", password: "visible" },
  });
  t.like(records[1], { req: { headers: { authorization: "***" } } });
});

test("extending the default mask is one line: [...DEFAULT_MASK_FIELDS, name]", (t) => {
  const { log, records } = memoryLogger({ maskFields: [...DEFAULT_MASK_FIELDS, "ssn"] });
  log.info("x", { password: SECRET, ssn: SECRET, name: "kept" });
  t.like(records[0], { password: "***", ssn: "***", name: "kept" });
});

test("paths and patterns mask on the file writer too", async (t) => {
  for (const asyncEnabled of [true, false]) {
    const file = join(tempDir(), `paths-${asyncEnabled}.log`);
    const log = new Logger().init(file, { asyncEnabled, maskFields: ["a[*].b"], maskPatterns: [MASK_PATTERNS.jwt] });
    log.info("eyJx.eyJy.zzz", { a: [{ b: SECRET }], c: SECRET });
    await log.flush();
    t.like(readRecords(file)[0], { msg: "***", a: [{ b: "***" }], c: SECRET });
  }
});

test("unreadable paths and patterns that are not RegExps, or match nothing at all, are refused with a code", (t) => {
  for (const options of [
    { maskFields: ["a..b"] },
    { maskFields: ["a[x]"] },
    { maskPatterns: ["token" as never] },
    { maskPatterns: [/x*/] },
  ]) {
    t.is(t.throws(() => new Logger().configure(options), { instanceOf: LogxpyError })?.code, "LOGXPY_ERR_OPTION", JSON.stringify(options));
  }
});
