import test from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Logger } from "../src/index";
import { tempDir } from "./helpers";
import { memoryLogger } from "./memory";

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
  const { log, lines } = memoryLogger({ maskFields: [/\b\d{4}-\d{4}-\d{4}-\d{4}\b/] });
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
  const handler = log.logged(function login(request: unknown, password: string) {
    return { token, ok: true };
  });
  handler(req, token);
  await log.flush();
  const text = readFileSync(file, "utf8");
  t.is(text.split("\n").length - 1, 7);
  t.false(text.includes("c2VjcmV0LXBheWxvYWQ"), "the token appears nowhere");
});
