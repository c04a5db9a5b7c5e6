// OTLP export to a real OpenTelemetry Collector (built by .ci/otelcol.sh),
// on whichever writer the suite runs: the native one, or the pure-TypeScript
// one with LOGXPY_NATIVE=0. Fault cases use a real collector too, except the
// 503 / 400 answers and the stall, which a small node:http / node:net server
// plays, since a collector cannot be told to answer so.
import test from "ava";
import { createServer as createHttpServer, type IncomingMessage } from "node:http";
import { createServer as createTcpServer, type Socket } from "node:net";
import { join } from "node:path";
import { Logger, type LogxpyError } from "../src/index";
import { resolveDestination } from "../src/destinations";
import { resolveOtlp } from "../src/otlp/target";
import { collected, collectorPorts, freePort, readCollected, startCollector } from "./collector";
import { readRecords, runFixture, tempDir, waitFor, within } from "./helpers";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN_ID = "00f067aa0ba902b7";

/** A logger with a file and one OTLP destination, collecting its reports. */
function fileAndCollector(otlp: unknown, options: Record<string, unknown> = {}): { log: Logger; file: string; faults: LogxpyError[] } {
  const file = join(tempDir(), "app.log");
  const faults: LogxpyError[] = [];
  // A flush gives up after shutdownTimeout without progress: on a busy machine, with a dozen
  // collectors and exports starting at once, 5 s is too short to tell stalled from slow.
  const log = new Logger().init(file, { onError: (e) => faults.push(e), destinations: [otlp as never], shutdownTimeout: "20s", ...options });
  return { log, file, faults };
}

/** Closes the OTLP writer (its queue is counted and reported if it cannot be exported in time). */
function end(log: Logger): void {
  log.configure({ destinations: [] });
}

function countOnce(values: unknown[], n: number): { missing: number[]; duplicated: number[] } {
  const seen = new Map<number, number>();
  for (const v of values) seen.set(v as number, (seen.get(v as number) ?? 0) + 1);
  const missing: number[] = [];
  const duplicated: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = seen.get(i) ?? 0;
    if (c === 0) missing.push(i);
    if (c > 1) duplicated.push(i);
  }
  return { missing, duplicated };
}

for (const [protocol, port] of [
  ["gRPC", (p: { grpc: number }) => p.grpc],
  ["HTTP", (p: { http: number }) => p.http],
] as const) {
  test(`every record sent over OTLP/${protocol} arrives once with its severity, body, attributes, trace ids and resource`, async (t) => {
    const ports = await collectorPorts();
    const collector = await startCollector(ports);
    t.teardown(() => collector.kill());
    const { log, file, faults } = fileAndCollector({
      type: "otlp",
      endpoint: `http://127.0.0.1:${port(ports)}`,
      protocol: protocol === "gRPC" ? "grpc" : "http/protobuf",
      resource: { "service.name": "checkout", "deployment.environment": "test" },
    });
    const N = 300;
    for (let i = 0; i < N; i++) log.info("order placed", { i, user: { id: i * 2, tags: ["a", "b"] }, ok: i % 2 === 0 });
    log.warning("disk nearly full", { i: N, trace_id: TRACE_ID, span_id: SPAN_ID, trace_flags: "01" });
    await log.action("db:query", { table: "users" }, async () => {});
    await log.flush();
    const got = await collected(collector.out, N + 3);
    t.deepEqual(faults, []);
    t.is(log.backend, process.env.LOGXPY_NATIVE === "0" ? "js" : "native", "the suite runs the writer it says");
    t.is(got.length, N + 3, "nothing arrives twice");
    const messages = got.filter((r) => r.body === "order placed");
    t.deepEqual(countOnce(messages.map((r) => r.attributes.i), N), { missing: [], duplicated: [] });
    const first = messages.find((r) => r.attributes.i === 0)!;
    t.is(first.severityNumber, 9);
    t.is(first.severityText, "info");
    t.is(first.attributes["user.id"], 0);
    t.deepEqual(first.attributes["user.tags"], ["a", "b"]);
    t.is(first.attributes.ok, true);
    t.is(typeof first.attributes["logxpy.task_id"], "string");
    t.deepEqual(first.attributes["logxpy.task_level"], [1]);
    t.is(first.resource["service.name"], "checkout");
    t.is(first.resource["deployment.environment"], "test");
    t.is(first.scope, "logxpy");
    // The time is the record's own, to the microsecond.
    const fileRecord = readRecords(file).find((r) => r.i === 0 && r.msg === "order placed")!;
    t.is(BigInt(first.timeUnixNano), BigInt(Math.round((fileRecord.ts as number) * 1e6)) * 1000n);
    const warning = got.find((r) => r.body === "disk nearly full")!;
    t.is(warning.severityNumber, 13);
    t.is(warning.traceId, TRACE_ID);
    t.is(warning.spanId, SPAN_ID);
    t.is(warning.flags, 1);
    t.false("trace_id" in warning.attributes);
    const ended = got.find((r) => r.attributes["logxpy.action_status"] === "succeeded")!;
    t.is(ended.body, "db:query succeeded");
    t.is(ended.attributes["logxpy.action_type"], "db:query");
    t.is(got.find((r) => r.attributes["logxpy.action_status"] === "started")!.attributes.table, "users");
    t.is(typeof ended.attributes["logxpy.duration"], "number");
    t.is(readRecords(file).length, N + 3, "the file has every record too");
    const m = log.getAsyncMetrics();
    t.is(m.enqueued, m.written + m.dropped + m.pending);
    t.is(m.dropped, 0);
    end(log);
  });
}

test("under block, a loop that logs far more than maxQueue without yielding gets every record to the collector", async (t) => {
  const ports = await collectorPorts();
  const collector = await startCollector(ports);
  t.teardown(() => collector.kill());
  const { log, file, faults } = fileAndCollector({ type: "otlp", endpoint: `http://127.0.0.1:${ports.http}` }, { asyncMaxQueue: 500, asyncPolicy: "block" });
  for (let i = 0; i < 2000; i++) log.info("burst", { i });
  await log.flush();
  const got = await collected(collector.out, 2000);
  t.deepEqual(countOnce(got.map((r) => r.attributes.i), 2000), { missing: [], duplicated: [] });
  t.deepEqual(faults, []);
  t.is(log.getAsyncMetrics().dropped, 0);
  t.is(readRecords(file).length, 2000);
  end(log);
});

test("two loggers exporting to one collector with different resources each keep their own", async (t) => {
  const ports = await collectorPorts();
  const collector = await startCollector(ports);
  t.teardown(() => collector.kill());
  const endpoint = `http://127.0.0.1:${ports.grpc}`;
  const a = fileAndCollector({ type: "otlp", endpoint, protocol: "grpc", resource: { "service.name": "alpha" } });
  const b = fileAndCollector({ type: "otlp", endpoint, protocol: "grpc", resource: { "service.name": "beta" } });
  for (let i = 0; i < 20; i++) {
    a.log.info("from alpha", { i });
    b.log.info("from beta", { i });
  }
  await Promise.all([a.log.flush(), b.log.flush()]);
  const got = await collected(collector.out, 40);
  t.is(got.length, 40);
  t.true(got.every((r) => r.resource["service.name"] === (r.body === "from alpha" ? "alpha" : "beta")));
  end(a.log);
  end(b.log);
});

test("with the collector not started yet, records are queued, the failure is reported, and they are delivered once it starts", async (t) => {
  const ports = await collectorPorts();
  // The export timeout bounds how long a try takes (the official exporter retries within it).
  const { log, file, faults } = fileAndCollector({ type: "otlp", endpoint: `http://127.0.0.1:${ports.http}`, timeout: "2s", breaker: { failures: 1000, after: "1m" } });
  for (let i = 0; i < 50; i++) log.info("early", { i });
  await waitFor(() => faults.some((f) => f.code === "LOGXPY_ERR_EXPORT"), "a report of the failed export", 20_000);
  const fault = faults.find((f) => f.code === "LOGXPY_ERR_EXPORT")!;
  t.regex(fault.message, new RegExp(`127\\.0\\.0\\.1:${ports.http}`));
  t.true(log.getAsyncMetrics().errors >= 1);
  const collector = await startCollector(ports);
  t.teardown(() => collector.kill());
  await within(log.flush(), "the flush after the collector started", 20_000);
  const got = await collected(collector.out, 50);
  t.deepEqual(countOnce(got.map((r) => r.attributes.i), 50), { missing: [], duplicated: [] });
  t.is(readRecords(file).length, 50);
  t.false(faults.some((f) => f.code === "LOGXPY_ERR_CIRCUIT"));
  end(log);
});

test("a collector killed mid-stream loses nothing: what is logged while it is down arrives once it is back, and the file has every line", async (t) => {
  const ports = await collectorPorts();
  const dir = tempDir();
  const first = await startCollector(ports, dir);
  t.teardown(() => first.kill());
  const { log, file, faults } = fileAndCollector({ type: "otlp", endpoint: `http://127.0.0.1:${ports.grpc}`, protocol: "grpc", timeout: "2s", breaker: { failures: 1000, after: "1m" } });
  for (let i = 0; i < 100; i++) log.info("before", { i });
  await log.flush();
  await collected(first.out, 100);
  await first.kill();
  for (let i = 100; i < 200; i++) log.info("while down", { i });
  await waitFor(() => faults.some((f) => f.code === "LOGXPY_ERR_EXPORT"), "a report of the failed export", 20_000);
  const second = await startCollector(ports, dir);
  t.teardown(() => second.kill());
  await within(log.flush(), "the flush after the collector came back", 20_000);
  await collected(second.out, 100);
  const all = [...readCollected(first.out), ...readCollected(second.out)];
  t.deepEqual(countOnce(all.map((r) => r.attributes.i), 200), { missing: [], duplicated: [] });
  t.is(readRecords(file).length, 200);
  end(log);
});

/** A node:http server playing a collector with canned answers; resolves with its port and the requests' arrival times. */
async function cannedCollector(answer: (n: number, req: IncomingMessage) => { status: number; headers?: Record<string, string> }) {
  const arrivals: number[] = [];
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on("end", () => {
      arrivals.push(Date.now());
      const { status, headers } = answer(arrivals.length, req);
      res.writeHead(status, { "content-type": "application/x-protobuf", ...headers });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as { port: number }).port, arrivals, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test("an endpoint answering 503 with Retry-After is tried again no sooner than it asked, and the records are delivered once", async (t) => {
  const server = await cannedCollector((n) => (n === 1 ? { status: 503, headers: { "retry-after": "1" } } : { status: 200 }));
  t.teardown(server.close);
  const { log } = fileAndCollector({ type: "otlp", endpoint: `http://127.0.0.1:${server.port}`, compression: "none" });
  for (let i = 0; i < 10; i++) log.info("retry me", { i });
  await within(log.flush(), "the flush after the 503", 20_000);
  t.is(server.arrivals.length, 2, "one refused try, one delivery");
  t.true(server.arrivals[1]! - server.arrivals[0]! >= 1000, `retried after ${server.arrivals[1]! - server.arrivals[0]!} ms`);
  const m = log.getAsyncMetrics();
  t.is(m.dropped, 0);
  t.is(m.pending, 0);
  end(log);
});

test("an endpoint answering 400 is reported with the HTTP status and its records are counted as dropped, not retried", async (t) => {
  const server = await cannedCollector(() => ({ status: 400 }));
  t.teardown(server.close);
  const { log, file, faults } = fileAndCollector({ type: "otlp", endpoint: `http://127.0.0.1:${server.port}` });
  for (let i = 0; i < 10; i++) log.info("refused", { i });
  await within(log.flush(), "the flush after the 400", 20_000);
  const fault = faults.find((f) => f.code === "LOGXPY_ERR_EXPORT");
  t.truthy(fault, JSON.stringify(faults));
  t.regex(fault!.message, /HTTP 400/);
  t.regex(fault!.message, /10 record\(s\) dropped/);
  t.is(server.arrivals.length, 1);
  t.is(readRecords(file).length, 10);
  const m = log.getAsyncMetrics();
  // The file wrote all ten; the collector's ten are dropped.
  t.is(m.written, 10);
  t.is(m.dropped, 10);
  end(log);
});

test.serial("a collector that stalls opens the breaker: the file keeps every line and no log call waits longer than the policy allows", async (t) => {
  const held: Socket[] = [];
  const stall = createTcpServer((socket) => held.push(socket));
  await new Promise<void>((resolve) => stall.listen(0, "127.0.0.1", resolve));
  t.teardown(() => {
    for (const s of held) s.destroy();
    stall.close();
  });
  const port = (stall.address() as { port: number }).port;
  const { log, file, faults } = fileAndCollector(
    { type: "otlp", endpoint: `http://127.0.0.1:${port}`, timeout: "300ms", breaker: { failures: 2, after: "1s", cooldown: "500ms" } },
    { asyncMaxQueue: 200, asyncPolicy: "block", shutdownTimeout: "3s" },
  );
  const N = 5000;
  let longest = 0;
  for (let i = 0; i < N; i++) {
    const start = process.hrtime.bigint();
    log.info("while stalled", { i });
    longest = Math.max(longest, Number(process.hrtime.bigint() - start) / 1e6);
    // Let the writers run between bursts, as a server's event loop would.
    if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
  }
  t.true(longest < 3000, `a log call waited ${longest.toFixed(0)} ms, more than shutdownTimeout`);
  await waitFor(() => faults.some((f) => f.code === "LOGXPY_ERR_CIRCUIT" && /circuit open/.test(f.message)), "the breaker opening", 20_000);
  // The collector's share cannot be flushed (its breaker is open, so that says so at once); the file's can.
  await t.throwsAsync(log.flush());
  t.false(log.flushSync(), "flushSync waits for the file and reports the collector's records");
  t.is(readRecords(file).length, N, "the file has every line");
  const m = log.getAsyncMetrics();
  t.true(m.dropped > 0, "the collector's records are dropped and counted while its breaker is open");
  t.is(m.enqueued, m.written + m.dropped + m.pending);
  const opened = faults.filter((f) => f.code === "LOGXPY_ERR_CIRCUIT" && /circuit open/.test(f.message));
  t.is(opened.length, 1, "the opening is reported once");
  end(log);
});

test("a malformed OTLP endpoint is refused at configuration with a LogxpyError that names it", (t) => {
  const bad: [unknown, RegExp][] = [
    ["otel://", /has no host/],
    ["otlp+http://127.0.0.1:99999", /is not a URL/],
    ["otel://127.0.0.1:4317/v1/logs", /gRPC endpoint has no path/],
    [{ type: "otlp", endpoint: "ftp://collector:4318" }, /scheme must be http or https/],
    [{ type: "otlp", endpoint: "http://user:secret@collector:4318" }, /use headers/],
    [{ type: "otlp", protocol: "http/json" }, /protocol must be "grpc" or "http\/protobuf"/],
    [{ type: "otlp", headers: { "bad name": "x" } }, /not a valid header name/],
    [{ type: "otlp", timeout: -1 }, /timeout/],
    [{ type: "otlp", endpoint: "http://c:4318", level: "info" }, /has no option "level"/],
  ];
  for (const [dest, message] of bad) {
    const err = t.throws(() => new Logger().configure({ destinations: [dest as never] }), undefined, JSON.stringify(dest)) as LogxpyError;
    t.is(err.name, "LogxpyError");
    t.true(err.code === "LOGXPY_ERR_DESTINATION" || err.code === "LOGXPY_ERR_DURATION", err.code);
    t.regex(err.message, message);
  }
});

test("file://path is a file destination, and the OTLP URL forms name their protocol", async (t) => {
  const dir = tempDir();
  const log = new Logger().init(join(dir, "app.log"), { destinations: [`file://${dir}/a%20b.log`] });
  log.info("to a file URL");
  await log.flush();
  t.is(readRecords(join(dir, "a b.log"))[0]!.msg, "to a file URL");
  t.like(resolveDestination("otel://collector:4317"), { kind: "otlp", target: { protocol: "grpc", url: "http://collector:4317", name: "otel://collector:4317" } });
  t.like(resolveDestination("otlp+http://collector:4318"), { kind: "otlp", target: { protocol: "http/protobuf", url: "http://collector:4318/v1/logs" } });
  t.like(resolveDestination("otlp+https://collector"), { kind: "otlp", target: { protocol: "http/protobuf", url: "https://collector/v1/logs" } });
});

test("the OTEL_EXPORTER_OTLP_* variables configure an OTLP destination, and explicit options win over them", (t) => {
  const env = {
    OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
    OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer%20abc,x-tenant=7",
    OTEL_EXPORTER_OTLP_TIMEOUT: "2500",
    OTEL_EXPORTER_OTLP_COMPRESSION: "none",
    OTEL_SERVICE_NAME: "billing",
    OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=prod,service.name=ignored",
  };
  const target = resolveOtlp({ type: "otlp" }, env);
  t.is(target.protocol, "http/protobuf");
  t.is(target.url, "http://collector:4318/v1/logs");
  t.deepEqual(target.headers, [
    ["authorization", "Bearer abc"],
    ["x-tenant", "7"],
  ]);
  t.is(target.timeoutMs, 2500);
  t.false(target.gzip);
  t.is(target.resource["service.name"], "billing");
  t.is(target.resource["deployment.environment"], "prod");
  const grpc = resolveOtlp({ type: "otlp", protocol: "grpc", endpoint: "http://other:4317", timeout: "1s" }, { ...env, OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: "http/protobuf" });
  t.is(grpc.url, "http://other:4317");
  t.is(grpc.timeoutMs, 1000);
  const logsEndpoint = resolveOtlp({ type: "otlp" }, { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: "http://c:4318/custom/logs" });
  t.is(logsEndpoint.url, "http://c:4318/custom/logs");
});

for (const how of ["ends on its own", "calls process.exit()"] as const) {
  test(`a process that logs to "otlp" from its environment and ${how} delivers every record`, async (t) => {
    const ports = await collectorPorts();
    const collector = await startCollector(ports);
    t.teardown(() => collector.kill());
    const dir = tempDir();
    const args = [join(dir, "child.log"), "200", ...(how === "calls process.exit()" ? ["exit"] : [])];
    const result = await runFixture("otlp-child.cjs", args, {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${ports.http}`,
      OTEL_SERVICE_NAME: "child-service",
      OTEL_RESOURCE_ATTRIBUTES: "host.name=test-host",
    }).done;
    t.is(result.code, 0, result.stderr);
    t.is(result.stderr, "", "nothing was reported");
    const got = await collected(collector.out, 200);
    t.deepEqual(countOnce(got.map((r) => r.attributes.i), 200), { missing: [], duplicated: [] });
    t.is(got[0]!.resource["service.name"], "child-service");
    t.is(got[0]!.resource["host.name"], "test-host");
    t.is(readRecords(join(dir, "child.log")).length, 200);
  });
}

test("a port nobody listens on is only reported, never thrown from a log call, and once its breaker is open it is not waited for", async (t) => {
  const port = await freePort();
  const { log, faults } = fileAndCollector({ type: "otlp", endpoint: `http://127.0.0.1:${port}`, protocol: "grpc", breaker: { failures: 1, cooldown: "10s" } });
  t.notThrows(() => {
    for (let i = 0; i < 100; i++) log.info("nobody listens", { i });
  });
  await waitFor(() => faults.some((f) => f.code === "LOGXPY_ERR_CIRCUIT"), "the breaker opening");
  const reported = faults.find((f) => f.code === "LOGXPY_ERR_EXPORT")!;
  t.regex(reported.message, /gRPC/);
  t.is(reported.destination, `otel://127.0.0.1:${port}`);
  // With its breaker open the destination is not waited for (shutdownTimeout is 20 s here).
  const started = Date.now();
  const flushed = await t.throwsAsync(log.flush());
  t.is((flushed as LogxpyError).code, "LOGXPY_ERR_TIMEOUT");
  t.is((flushed as LogxpyError).pending, 100);
  t.false(log.flushSync(), "the queued records are not delivered");
  end(log);
  t.true(Date.now() - started < 2000, `flush, flushSync and closing took ${Date.now() - started} ms`);
  const m = log.getAsyncMetrics();
  t.is(m.dropped, 100, "what the closed writer gave up on is counted");
  t.true(faults.some((f) => f.code === "LOGXPY_ERR_TIMEOUT" && /100 record\(s\)/.test(f.message)), JSON.stringify(faults.map((f) => f.message)));
});
