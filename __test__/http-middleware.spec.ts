// logxpy/http over real HTTP: Express 5 and plain node:http, one http:request task per request.
import test from "ava";
import connect from "connect";
import express from "express";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { pipeline, Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { ErrorCode, Logger } from "../src/index";
import { httpLogger } from "../src/http/index";
import { abortOnceStarted, readRecords, tempDir } from "./helpers";

type Rec = Record<string, unknown>;

async function listen(t: { teardown(fn: () => unknown): void }, server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

function logger(): { log: Logger; file: string } {
  const file = join(tempDir(), "http.log");
  return { log: new Logger().init(file), file };
}

function taskOf(records: Rec[], url: string): Rec[] {
  const start = records.find((r) => r.at === "http:request" && r.st === "started" && r.url === url);
  if (start === undefined) throw new Error(`no http:request action for ${url}`);
  return records.filter((r) => r.tid === start.tid);
}

const end = (task: Rec[]): Rec => task.find((r) => r.at === "http:request" && r.st !== "started")!;

async function expressApp(t: { teardown(fn: () => unknown): void }) {
  const { log, file } = logger();
  const logging = httpLogger({ logger: log, echoRequestId: true });
  const app = express();
  app.use(logging);
  app.get("/users/:id", async (req, res) => {
    (req as unknown as { log: Logger }).log.info("looking up");
    await sleep(5);
    log.info("found", { id: req.params.id });
    res.json({ id: req.params.id });
  });
  app.get("/boom", async () => {
    await sleep(1);
    throw new Error("handler broke");
  });
  app.get("/stream", (_req, res) => {
    let n = 0;
    const body = new Readable({
      read() {
        if (n === 3) return this.push(null);
        n++;
        log.info("chunk", { n });
        setTimeout(() => this.push(`part ${n}\n`), 10);
      },
    });
    body.pipe(res);
  });
  const slow = { started: false };
  app.get("/slow", async (_req, res) => {
    slow.started = true;
    await sleep(600);
    res.send("late");
  });
  app.use(logging.errors);
  const url = await listen(t, createServer(app));
  return { log, file, url, slow };
}

test("Express: each request is an http:request task holding everything the handler logs, ended with status and duration", async (t) => {
  const { log, file, url } = await expressApp(t);
  const res = await fetch(`${url}/users/7`, { headers: { "x-request-id": "req-abc" } });
  t.deepEqual(await res.json(), { id: "7" });
  t.is(res.headers.get("x-request-id"), "req-abc", "the request id is echoed back");
  const generated = await fetch(`${url}/users/8`);
  await generated.text();
  await log.flush();
  const records = readRecords(file);
  const seven = taskOf(records, "/users/7");
  t.like(seven[0], { st: "started", method: "GET", url: "/users/7", requestId: "req-abc", remoteAddress: "127.0.0.1" });
  t.deepEqual(seven.filter((r) => r.msg).map((r) => [r.msg, r.requestId]), [["looking up", "req-abc"], ["found", undefined]]);
  t.like(end(seven), { st: "succeeded", status: 200 });
  t.true((end(seven).dur as number) >= 0.004, "the duration covers the awaited work");
  const eight = taskOf(records, "/users/8");
  t.regex(String(eight[0]!.requestId), /^[0-9a-f]{8}-[0-9a-z]+$/, "a request without an id gets one");
  t.is(generated.headers.get("x-request-id"), eight[0]!.requestId as string);
  t.not(eight[0]!.tid, seven[0]!.tid);
});

test("Express: an async handler's error fails the action with that error when logging.errors is installed", async (t) => {
  const { log, file, url } = await expressApp(t);
  t.is((await fetch(`${url}/boom`)).status, 500);
  await log.flush();
  t.like(end(taskOf(readRecords(file), "/boom")), { st: "failed", status: 500, exc: "Error", reason: "handler broke" });
});

test("Express without the error handler: a 500 still fails the action, by its status", async (t) => {
  const { log, file } = logger();
  const app = express();
  app.use(httpLogger({ logger: log }));
  app.get("/boom", () => {
    throw new Error("sync throw");
  });
  const url = await listen(t, createServer(app));
  t.is((await fetch(`${url}/boom`)).status, 500);
  await log.flush();
  t.like(end(taskOf(readRecords(file), "/boom")), { st: "failed", status: 500, exc: "HttpStatusError" });
});

test("Express: a 404 ends the action as succeeded with its status", async (t) => {
  const { log, file, url } = await expressApp(t);
  t.is((await fetch(`${url}/missing`)).status, 404);
  await log.flush();
  t.like(end(taskOf(readRecords(file), "/missing")), { st: "succeeded", status: 404 });
});

test("Express: a streaming response ends the action when the stream ends; its records are inside", async (t) => {
  const { log, file, url } = await expressApp(t);
  t.is(await (await fetch(`${url}/stream`)).text(), "part 1\npart 2\npart 3\n");
  await log.flush();
  const task = taskOf(readRecords(file), "/stream");
  t.deepEqual(task.filter((r) => r.msg === "chunk").map((r) => r.n), [1, 2, 3]);
  t.is(task.at(-1)!.st, "succeeded", "the end comes after every chunk");
  t.true((end(task).dur as number) >= 0.02);
});

test("Express: a client that goes away first fails the action as aborted", async (t) => {
  const { log, file, url, slow } = await expressApp(t);
  t.is(await abortOnceStarted(`${url}/slow`, slow, log, file), "aborted");
  t.like(end(taskOf(readRecords(file), "/slow")), { st: "failed", aborted: true, exc: "ClientAbortedError" });
});

test("a response the server breaks off fails the action with the error, not as the client's abort", async (t) => {
  const { log, file } = logger();
  const logging = httpLogger({ logger: log });
  const app = express();
  app.use(logging);
  const closed: Promise<unknown>[] = [];
  app.get("/error-after-headers", (_req, res, next) => {
    closed.push(new Promise((resolve) => res.once("close", resolve)));
    res.write("first part");
    next(new Error("upstream broke")); // the headers are sent: Express's final handler destroys the socket
  });
  app.get("/pipe-error", (_req, res) => {
    closed.push(new Promise((resolve) => res.once("close", resolve)));
    const body = new Readable({
      read() {
        this.destroy(new Error("disk read failed"));
      },
    });
    pipeline(body, res, () => {});
  });
  app.use(logging.errors);
  const url = await listen(t, createServer(app));
  for (const path of ["/error-after-headers", "/pipe-error"]) {
    await fetch(`${url}${path}`)
      .then((res) => res.text())
      .catch(() => "broken off");
  }
  await Promise.all(closed);
  await log.flush();
  const records = readRecords(file);
  for (const [path, reason] of [["/error-after-headers", "upstream broke"], ["/pipe-error", "disk read failed"]]) {
    const failed = end(taskOf(records, path!));
    t.like(failed, { st: "failed", exc: "Error", reason }, path);
    t.false("aborted" in failed, `${path}: the client did not go away`);
  }
});

test("a caller's task id header continues its task: the request's records join the caller's tree", async (t) => {
  const { log, file, url } = await expressApp(t);
  let handedOver = "";
  await log.action("client:call", async () => {
    handedOver = log.currentTaskId();
    await (await fetch(`${url}/users/1`, { headers: { "x-logxpy-task": handedOver } })).text();
  });
  await log.flush();
  const records = readRecords(file);
  const caller = records.find((r) => r.at === "client:call")!;
  const served = records.find((r) => r.at === "http:request" && r.url === "/users/1")!;
  t.is(served.tid, caller.tid);
  t.deepEqual(served.lvl, [...handedOver.split("@/")[1]!.split("/").map(Number), 1]);
});

test("a malformed traceparent, without a task id header, is not taken for an invalid task id", async (t) => {
  const { log, file } = logger();
  const logging = httpLogger({ logger: log });
  const url = await listen(t, createServer((req, res) => logging(req, res, () => res.end("x"))));
  await (await fetch(`${url}/bad-traceparent`, { headers: { traceparent: "00-not-a-trace" } })).text();
  await (await fetch(`${url}/bad-task`, { headers: { "x-logxpy-task": "not-a-task" } })).text();
  await log.flush();
  const records = readRecords(file);
  t.false("invalidTaskId" in taskOf(records, "/bad-traceparent")[0]!, "no task id was sent");
  t.is(taskOf(records, "/bad-task")[0]!.invalidTaskId, "not-a-task");
});

test("node:http: the middleware wraps a plain handler", async (t) => {
  const { log, file } = logger();
  const logging = httpLogger({ logger: log, requestIdHeader: "X-Correlation-Id", genReqId: () => "fixed-id", echoRequestId: true });
  const server = createServer((req, res) =>
    logging(req, res, async () => {
      await sleep(2);
      log.info("plain handler");
      res.statusCode = 201;
      res.end("made");
    }),
  );
  const url = await listen(t, server);
  const res = await fetch(`${url}/things`, { method: "POST" });
  t.is(res.status, 201);
  t.is(res.headers.get("x-correlation-id"), "fixed-id");
  const quiet = await listen(t, createServer((req, res) => httpLogger({ logger: log })(req, res, () => res.end("x"))));
  t.is((await fetch(quiet)).headers.get("x-request-id"), null, "the id is sent back only when asked");
  await log.flush();
  const task = taskOf(readRecords(file), "/things");
  t.like(task[0], { method: "POST", requestId: "fixed-id" });
  t.is(task.find((r) => r.msg === "plain handler")!.tid, task[0]!.tid);
  t.like(end(task), { st: "succeeded", status: 201 });
});

test("Connect: the same middleware, with an error passed to next() failing the action", async (t) => {
  const { log, file } = logger();
  const logging = httpLogger({ logger: log });
  // Connect ships no types of its own; its app is a (req, res, next) function with use().
  const app = (connect as unknown as () => ((req: unknown, res: unknown) => void) & { use(...args: unknown[]): void })();
  app.use(logging);
  app.use("/ok", (_req: unknown, res: { end(s: string): void }) => {
    log.info("connect handler");
    res.end("fine");
  });
  app.use("/bad", (_req: unknown, _res: unknown, next: (err: unknown) => void) => next(new RangeError("bad input")));
  app.use(logging.errors);
  const url = await listen(t, createServer(app as never));
  t.is(await (await fetch(`${url}/ok`)).text(), "fine");
  t.is((await fetch(`${url}/bad`)).status, 500);
  await log.flush();
  const records = readRecords(file);
  const ok = taskOf(records, "/ok");
  t.is(ok.find((r) => r.msg === "connect handler")!.tid, ok[0]!.tid);
  t.like(end(ok), { st: "succeeded", status: 200 });
  t.like(end(taskOf(records, "/bad")), { st: "failed", status: 500, exc: "RangeError", reason: "bad input" });
});

test("the middleware mounted twice (app and router) keeps one task per request", async (t) => {
  const { log, file } = logger();
  const logging = httpLogger({ logger: log });
  const app = express();
  const router = express.Router();
  router.use(logging);
  router.get("/twice", (_req, res) => {
    log.info("inside");
    res.send("ok");
  });
  app.use(logging);
  app.use(router);
  const url = await listen(t, createServer(app));
  t.is(await (await fetch(`${url}/twice`)).text(), "ok");
  await log.flush();
  const records = readRecords(file);
  t.is(records.filter((r) => r.at === "http:request" && r.st === "started").length, 1);
  const task = taskOf(records, "/twice");
  t.like(end(task), { st: "succeeded", status: 200 });
  t.is(task.find((r) => r.msg === "inside")!.tid, task[0]!.tid);
});

test("mounted on a path (app.use(path, logging), or in a router mounted on one), the records keep the request's whole url", async (t) => {
  const { log, file } = logger();
  const logging = httpLogger({ logger: log });
  const app = express();
  const router = express.Router();
  router.use(logging);
  router.get("/users/:id", (req, res) => {
    (req as unknown as { log: Logger }).log.info({ req }, "in router");
    res.send("user");
  });
  app.use("/api", router);
  app.use("/v2", logging, (_req: unknown, res: { send(s: string): void }) => res.send("v2"));
  const url = await listen(t, createServer(app));
  t.is(await (await fetch(`${url}/api/users/7?full=1`)).text(), "user");
  t.is(await (await fetch(`${url}/v2/thing`)).text(), "v2");
  await log.flush();
  const records = readRecords(file);
  const user = taskOf(records, "/api/users/7?full=1");
  t.like(user.find((r) => r.msg === "in router")!.req, { url: "/api/users/7?full=1", route: "/api/users/:id" });
  t.like(end(user), { st: "succeeded", status: 200 });
  t.like(end(taskOf(records, "/v2/thing")), { st: "succeeded", status: 200 });
});

test("many concurrent requests keep their records in their own tasks", async (t) => {
  const { log, file, url } = await expressApp(t);
  const ids = Array.from({ length: 50 }, (_, i) => String(i));
  await Promise.all(ids.map((id) => fetch(`${url}/users/${id}`).then((r) => r.text())));
  await log.flush();
  const records = readRecords(file);
  for (const id of ids) t.deepEqual(taskOf(records, `/users/${id}`).filter((r) => r.msg === "found").map((r) => r.id), [id]);
});

test("bad options are configuration errors", (t) => {
  t.throws(() => httpLogger({ requestIdHeader: "bad header" }), { code: ErrorCode.OPTION, message: /requestIdHeader/ });
  t.throws(() => httpLogger({ logger: {} as never }), { code: ErrorCode.OPTION, message: /logger/ });
  t.throws(() => httpLogger({ genReqId: 3 } as never), { code: ErrorCode.OPTION });
  t.throws(() => httpLogger({ level: "info" } as never), { code: ErrorCode.OPTION, message: /unknown option "level"/ });
});
