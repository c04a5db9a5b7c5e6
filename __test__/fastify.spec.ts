// Fastify 5 with logxpy as its logger (`loggerInstance`), over real HTTP: each request one task.
import test from "ava";
import Fastify from "fastify";
import { readFileSync } from "node:fs";
import { Agent, get } from "node:http";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Logger } from "../src/index";
import { abortOnceStarted, readRecords, tempDir } from "./helpers";

type Rec = Record<string, unknown>;

/** A Fastify app with a logxpy logger of its own, writing `file`. */
function fastifyApp() {
  const file = join(tempDir(), "fastify.log");
  const log = new Logger().init(file);
  return { file, log, app: Fastify({ loggerInstance: log }) };
}

async function server(t: { teardown(fn: () => unknown): void }) {
  const { file, log, app } = fastifyApp();
  const slow = { started: false };
  const lookup = async (id: string) => {
    await sleep(5);
    log.info("looked up", { id }); // the root logger, in awaited code: still inside the request
    return { id };
  };
  app.get("/users/:id", async (request) => {
    request.log.info({ step: "handler" }, "handling");
    return lookup((request.params as { id: string }).id);
  });
  app.get("/boom", async () => {
    await sleep(1);
    throw new Error("kaboom");
  });
  app.get("/slow", async () => {
    slow.started = true;
    await sleep(600);
    return "late";
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as { port: number };
  t.teardown(() => app.close());
  return { app, log, file, slow, url: `http://127.0.0.1:${port}` };
}

/** The records of each task, by task id. */
function tasks(records: Rec[]): Map<string, Rec[]> {
  const by = new Map<string, Rec[]>();
  for (const r of records) by.set(r.tid as string, [...(by.get(r.tid as string) ?? []), r]);
  return by;
}

function requestTask(records: Rec[], url: string): Rec[] {
  const start = records.find((r) => r.at === "http:request" && r.st === "started" && r.url === url);
  if (start === undefined) throw new Error(`no http:request action for ${url}`);
  return tasks(records).get(start.tid as string)!;
}

/** True when `inner`'s level is under `outer`'s action (Eliot levels: the action's prefix). */
function inside(rec: Rec, action: Rec): boolean {
  const a = action.lvl as number[];
  const r = rec.lvl as number[];
  return r.length > a.length - 1 && a.slice(0, -1).every((n, i) => r[i] === n);
}

test("fastify({ loggerInstance: log }) is accepted, and each request is one http:request task", async (t) => {
  const { app, log, file, url } = await server(t);
  const res = await fetch(`${url}/users/7`, {
    headers: { authorization: "Bearer secret-token", "proxy-authorization": "Basic c2VjcmV0", "x-api-key": "k-123", cookie: "sid=1", "x-custom": "kept" },
  });
  t.deepEqual(await res.json(), { id: "7" });
  await fetch(`${url}/users/8`);
  await app.close();
  await log.flush();
  const records = readRecords(file);
  const seven = requestTask(records, "/users/7");
  const [start] = seven;
  t.like(start, { at: "http:request", st: "started", method: "GET", url: "/users/7", route: "/users/:id", remoteAddress: "127.0.0.1" });
  t.is(typeof start!.reqId, "string", "Fastify's request id binding is on the started record");
  const end = seven.find((r) => r.at === "http:request" && r.st === "succeeded")!;
  t.truthy(end, "the action ends");
  t.is(end.status, 200);
  t.true(typeof end.dur === "number" && end.dur > 0);
  const msgs = seven.filter((r) => r.msg !== undefined).map((r) => r.msg);
  t.deepEqual(msgs, ["incoming request", "handling", "looked up", "request completed"]);
  for (const r of seven) t.true(inside(r, start!), `${String(r.msg ?? r.st)} sits inside the action`);
  t.is(new Set(seven.map((r) => JSON.stringify(r.lvl))).size, seven.length, "every record has its own level");
  const incoming = seven.find((r) => r.msg === "incoming request")!;
  const req = incoming.req as Rec;
  t.like(req, { method: "GET", url: "/users/7", route: "/users/:id", remoteAddress: "127.0.0.1" });
  for (const name of ["authorization", "proxy-authorization", "x-api-key", "cookie"]) t.is((req.headers as Rec)[name], "***", `the ${name} header is masked`);
  t.is((req.headers as Rec)["x-custom"], "kept");
  const completed = seven.find((r) => r.msg === "request completed")!;
  t.deepEqual(completed.res, { statusCode: 200 });
  t.true(typeof completed.responseTime === "number");
  t.is(seven.find((r) => r.msg === "looked up")!.id, "7");
  const eight = requestTask(records, "/users/8");
  t.not(eight[0]!.tid, start!.tid, "the next request on the same connection is its own task");
  t.is(eight.filter((r) => r.msg === "looked up").length, 1);
});

test("a handler that throws fails its action with the error and the 500 status", async (t) => {
  const { app, log, file, url } = await server(t);
  const res = await fetch(`${url}/boom`);
  t.is(res.status, 500);
  await app.close();
  await log.flush();
  const boom = requestTask(readRecords(file), "/boom");
  const failed = boom.find((r) => r.at === "http:request" && r.st === "failed")!;
  t.truthy(failed);
  t.like(failed, { status: 500, exc: "Error", reason: "kaboom" });
  t.true(String(failed.stack).includes("kaboom"));
  const errored = boom.find((r) => r.mt === "error")!;
  t.is((errored.err as Rec).message, "kaboom");
  t.deepEqual(errored.res, { statusCode: 500 });
});

test("a 404 is a task that ends with status 404, not a failure", async (t) => {
  const { app, log, file, url } = await server(t);
  t.is((await fetch(`${url}/nowhere`)).status, 404);
  await app.close();
  await log.flush();
  const task = requestTask(readRecords(file), "/nowhere");
  t.like(task.find((r) => r.at === "http:request" && r.st !== "started"), { st: "succeeded", status: 404 });
});

test("a client that goes away before the response fails the action as aborted", async (t) => {
  const { app, log, file, slow, url } = await server(t);
  t.is(await abortOnceStarted(`${url}/slow`, slow, log, file), "aborted");
  const task = requestTask(readRecords(file), "/slow");
  t.like(task.find((r) => r.at === "http:request" && r.st === "failed"), { aborted: true, exc: "ClientAbortedError" });
  await app.close();
});

test("concurrent requests keep their records in their own tasks", async (t) => {
  const { app, log, file, url } = await server(t);
  const ids = Array.from({ length: 40 }, (_, i) => String(i));
  await Promise.all(ids.map((id) => fetch(`${url}/users/${id}`).then((r) => r.json())));
  await app.close();
  await log.flush();
  const records = readRecords(file);
  for (const id of ids) {
    const task = requestTask(records, `/users/${id}`);
    t.deepEqual(task.filter((r) => r.msg === "looked up").map((r) => r.id), [id]);
    t.is(task.filter((r) => r.at === "http:request").length, 2);
  }
});

/** GETs `url` through `agent`, reading the whole body, so that the agent's socket is free for the next request. */
function getThrough(agent: Agent, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode!));
    }).on("error", reject);
  });
}

test("a request that opens no task, on a kept-alive connection, logs outside the previous request's task", async (t) => {
  const { file, log, app } = fastifyApp();
  app.get("/logged", async (request) => {
    request.log.info("logged handler");
    return "a";
  });
  // At warn, Fastify's "incoming request" (info) is not written, so this request has no task.
  app.get("/quiet", { logLevel: "warn" }, async (request) => {
    request.log.warn("quiet handler");
    log.warn("quiet, root logger");
    return "b";
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  t.teardown(() => app.close());
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 }); // one connection for both requests
  t.teardown(() => agent.destroy());
  t.is(await getThrough(agent, `${url}/logged`), 200);
  t.is(await getThrough(agent, `${url}/quiet`), 200);
  await log.flush();
  const records = readRecords(file);
  const logged = requestTask(records, "/logged");
  t.is(logged.at(-1)!.st, "succeeded", "nothing comes after the end of the first request's action");
  t.false(logged.some((r) => String(r.msg).startsWith("quiet")));
  for (const msg of ["quiet handler", "quiet, root logger"]) {
    const rec = records.find((r) => r.msg === msg)!;
    t.not(rec.tid, logged[0]!.tid, msg);
    t.deepEqual(rec.lvl, [1], `${msg}: a task of its own`);
  }
});

test("with an onResponse hook, the action still ends with the response's status, and fails at a 5xx", async (t) => {
  const { file, log, app } = fastifyApp();
  app.addHook("onResponse", async (request) => {
    request.log.info("onResponse hook");
  });
  app.setErrorHandler(async (_err, _request, reply) => reply.code(503).send({ retry: true }));
  app.get("/ok", async () => "fine");
  app.get("/unavailable", async () => {
    throw new Error("backend down");
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  t.teardown(() => app.close());
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  t.is((await fetch(`${url}/ok`)).status, 200);
  t.is((await fetch(`${url}/unavailable`)).status, 503);
  await app.close();
  await log.flush();
  const records = readRecords(file);
  t.like(requestTask(records, "/ok").find((r) => r.at === "http:request" && r.st !== "started"), { st: "succeeded", status: 200 });
  t.like(requestTask(records, "/unavailable").find((r) => r.at === "http:request" && r.st !== "started"), { st: "failed", status: 503, exc: "HttpStatusError" });
});

test("a scope the server was started in stays on the records of its requests, as with the middleware", async (t) => {
  const { file, log, app } = fastifyApp();
  app.get("/scoped", async (request) => {
    request.log.info("handling");
    return "ok";
  });
  await log.scope({ service: "api" }, () => app.listen({ port: 0, host: "127.0.0.1" }));
  t.teardown(() => app.close());
  await (await fetch(`http://127.0.0.1:${(app.server.address() as { port: number }).port}/scoped`)).text();
  await app.close();
  await log.flush();
  const task = requestTask(readRecords(file), "/scoped");
  t.deepEqual(
    task.map((r) => [r.msg ?? r.st, r.service]),
    [["started", "api"], ["incoming request", "api"], ["handling", "api"], ["request completed", "api"], ["succeeded", "api"]],
  );
});

test("a record about a request whose action has ended joins that task, and starts no second one", async (t) => {
  const { file, log, app } = fastifyApp();
  let background!: Promise<void>;
  app.get("/background", async (request, reply) => {
    // Work the handler leaves running: it reports on its request once the response is gone.
    background = new Promise((resolve) => {
      reply.raw.once("close", () =>
        setImmediate(() => {
          request.log.info({ req: request }, "background done");
          log.info("after the background work");
          resolve();
        }),
      );
    });
    return "ok";
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  t.teardown(() => app.close());
  await (await fetch(`http://127.0.0.1:${(app.server.address() as { port: number }).port}/background`)).text();
  await background;
  await app.close();
  await log.flush();
  const records = readRecords(file);
  t.is(records.filter((r) => r.at === "http:request" && r.st === "started").length, 1, "one task for one request");
  const task = requestTask(records, "/background");
  t.deepEqual(task.map((r) => r.msg ?? r.st).slice(-3), ["succeeded", "background done", "after the background work"]);
});

test("fastify.inject(): the simulated request is written as a request, masked, and the code after the call logs in no request's task", async (t) => {
  const { file, log, app } = fastifyApp();
  app.get("/users/:id", async (request) => {
    request.log.info("handling");
    return { id: (request.params as { id: string }).id };
  });
  t.teardown(() => app.close());
  log.info("before");
  const res = await app.inject({ url: "/users/7", headers: { authorization: "Bearer secret-token" } });
  t.is(res.statusCode, 200);
  log.info("after the request");
  await app.inject("/users/8");
  await log.flush();
  const text = readFileSync(file, "utf8");
  t.false(text.includes("secret-token"), "no header's value escapes the masking (light-my-request's rawHeaders)");
  const records = readRecords(file);
  const incoming = records.filter((r) => r.msg === "incoming request");
  t.is(incoming.length, 2);
  t.deepEqual(Object.keys(incoming[0]!.req as Rec).sort(), ["headers", "method", "remoteAddress", "route", "url"]);
  t.like(incoming[0]!.req, { method: "GET", url: "/users/7", route: "/users/:id", headers: { authorization: "***" } });
  const after = records.find((r) => r.msg === "after the request")!;
  t.deepEqual(after.lvl, [1], "a task of its own");
  t.is(records.filter((r) => r.tid === after.tid).length, 1, "nothing of a request shares its task");
});
