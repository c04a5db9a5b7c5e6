import test from "ava";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { readRecords, tempDir } from "./helpers";

const run = promisify(execFile);

/** Runs examples/<name>.mjs as a user would, with its log file in a fresh directory. */
async function example(name: string, ...args: string[]) {
  const file = join(tempDir(), `${name}.log`);
  const { stdout } = await run(process.execPath, [join(__dirname, "../examples", `${name}.mjs`), file, ...args]);
  return { stdout: stdout.trim(), records: readRecords(file) };
}

const backend = process.env.LOGXPY_NATIVE === "0" ? "js" : "native";

test("async-basic writes a task whose nested action and message sit inside it, with the scope's field", async (t) => {
  const { stdout, records } = await example("async-basic");
  t.regex(stdout, new RegExp(`with the ${backend} writer$`));
  t.deepEqual(
    records.map((r) => [r.lvl, r.at ?? r.mt, r.st ?? r.msg, r.requestId]),
    [
      [[1], "info", "service starting", undefined],
      [[1], "order:create", "started", "r-42"],
      [[2, 1], "price:compute", "started", "r-42"],
      [[2, 2], "price:compute", "succeeded", "r-42"],
      [[3], "success", "order stored", "r-42"],
      [[4], "order:create", "succeeded", "r-42"],
    ],
  );
  t.is(new Set(records.slice(1).map((r) => r.tid)).size, 1);
});

test("high-throughput writes every record under the block policy, with its async_stats records, and debug records are not written", async (t) => {
  const { stdout, records } = await example("high-throughput", "120000");
  const report = JSON.parse(stdout) as Record<string, number | string>;
  const stats = records.filter((r) => r.mt === "async_stats");
  t.is(report.backend, backend);
  t.is(stats.length, 2);
  t.like(report, { records: 120_000, dropped: 0, errors: 0, pending: 0, enqueued: 120_000 + stats.length, written: 120_000 + stats.length });
  const served = records.filter((r) => r.msg === "request served");
  t.is(served.length, 120_000);
  t.true(served.every((r, i) => r.i === i));
  t.false(records.some((r) => r.mt === "debug"));
});

test("sync-critical has its record in the file before the log call returns, then logs asynchronously again", async (t) => {
  const { stdout, records } = await example("sync-critical");
  t.deepEqual(JSON.parse(stdout), { onDiskBeforeReturn: true, isAsync: true });
  t.deepEqual(
    records.map((r) => r.msg),
    ["batch job starting", "charging card", "batch job done"],
  );
});

test("worker-threads puts every worker's records into the main thread's task, each under its own remote task", async (t) => {
  const { stdout, records } = await example("worker-threads", "3");
  t.regex(stdout, /^3 workers logged to /);
  t.is(new Set(records.map((r) => r.tid)).size, 1);
  t.deepEqual(records[0]!.lvl, [1]);
  t.like(records.at(-1), { at: "jobs:run", st: "succeeded" });
  const remote = records.filter((r) => r.at === "logxpy:remote_task" && r.st === "started");
  t.deepEqual(remote.map((r) => (r.lvl as number[])[0]).sort(), [2, 3, 4]);
  for (const n of [0, 1, 2]) {
    const steps = records.filter((r) => r.worker === n);
    t.deepEqual(steps.map((r) => r.step), [0, 1, 2]);
    // A worker's steps sit one level under its remote task's start.
    const root = (steps[0]!.lvl as number[])[0];
    t.true(steps.every((r) => (r.lvl as number[])[0] === root && (r.lvl as number[]).length === 2));
  }
});

/** The records of the http:request task for `url`, and its end record. */
function requestTask(records: Record<string, unknown>[], url: string) {
  const start = records.find((r) => r.at === "http:request" && r.st === "started" && r.url === url)!;
  const task = records.filter((r) => r.tid === start.tid);
  return { start, task, end: task.find((r) => r.at === "http:request" && r.st !== "started")! };
}

test("http-server serves three requests, each one task with the handler's action inside, ended by its status", async (t) => {
  const { stdout, records } = await example("http-server");
  t.regex(stdout, /^\/users\/7 → 200\n\/users\/9 → 404\n\/crash → 500\n/);
  const found = requestTask(records, "/users/7");
  t.like(found.start, { method: "GET", requestId: "demo-users-7" });
  t.deepEqual(found.task.map((r) => r.at ?? r.msg), ["http:request", "looking up", "db:find_user", "db:find_user", "http:request"]);
  t.like(found.end, { st: "succeeded", status: 200 });
  t.like(requestTask(records, "/users/9").end, { st: "succeeded", status: 404 });
  t.like(requestTask(records, "/crash").end, { st: "failed", status: 500, reason: "the handler broke" });
});

test("fastify serves two requests, each one task holding Fastify's own records, request.log's and the awaited action", async (t) => {
  const { stdout, records } = await example("fastify");
  t.regex(stdout, /^\/orders\/1 → 200\n\/fail → 500\n/);
  const order = requestTask(records, "/orders/1");
  t.deepEqual(order.task.map((r) => r.at ?? r.msg), ["http:request", "incoming request", "loading order", "db:load_order", "db:load_order", "request completed", "http:request"]);
  t.like(order.end, { st: "succeeded", status: 200 });
  t.like(requestTask(records, "/fail").end, { st: "failed", status: 500, reason: "payment service down" });
});

test("opentelemetry makes each action a span, the records carry their span's ids, and the next hop joins the trace", async (t) => {
  const { stdout, records } = await example("opentelemetry");
  const spans = [...stdout.matchAll(/^span (\S+) (\S+) parent (\S+) trace (\S+)$/gm)].map(([, name, id, parent, traceId]) => ({ name, id, parent, traceId }));
  const by = (name: string) => spans.find((s) => s.name === name)!;
  t.is(by("price:compute").parent, by("checkout").id);
  t.is(by("logxpy:remote_task").parent, by("checkout").id, "the continued task's span is a child of the caller's");
  t.is(new Set(spans.map((s) => s.traceId)).size, 1);
  t.is(records.find((r) => r.msg === "priced")!.span_id, by("price:compute").id);
  t.is(records.find((r) => r.msg === "payment service got the call")!.trace_id, by("checkout").traceId);
  t.is((records[0]!.card as Record<string, unknown>).password, "***");
});

test("otlp with no collector listening reports the failure, and the file still gets every record and the process ends", async (t) => {
  const file = join(tempDir(), "otlp.log");
  // A port just closed: nothing listens there.
  const { createServer } = await import("node:net");
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  const env = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_SERVICE_NAME: "shop" };
  const { stdout, stderr } = await run(process.execPath, [join(__dirname, "../examples/otlp.mjs"), file], { env });
  t.regex(stdout, /^wrote /);
  t.regex(stderr, /not all exported|LOGXPY_ERR_EXPORT|OTLP/);
  t.deepEqual(readRecords(file).map((r) => r.msg ?? `${r.at}:${r.st}`), ["checkout:started", "payment accepted", "checkout:succeeded", "stock low"]);
});
