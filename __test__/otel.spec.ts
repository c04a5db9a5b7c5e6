// OpenTelemetry: trace ids on records inside spans, actions as spans, traceparent across a hop.
// A real SDK (sdk-trace-base with an in-memory exporter) records the spans.
import test from "ava";
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { execFileSync } from "node:child_process";
import { cpSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ErrorCode, Logger } from "../src/index";
import { httpLogger } from "../src/http/index";
import { parseTraceparent } from "../src/otel";
import { readRecords, tempDir } from "./helpers";

type Rec = Record<string, unknown>;

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(provider);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const tracer = trace.getTracer("test");

function logger(otel?: Record<string, unknown>): { log: Logger; records: () => Rec[] } {
  const file = join(tempDir(), "otel.log");
  const log = new Logger().init(file, { asyncEnabled: false, ...(otel === undefined ? {} : { otel }) });
  return { log, records: () => readRecords(file) };
}

/** The spans this test's tracer made, by name. */
function spansNamed(spans: ReadableSpan[], name: string): ReadableSpan[] {
  return spans.filter((s) => s.name === name);
}

const parentId = (s: ReadableSpan): string | undefined => s.parentSpanContext?.spanId;

test.serial("records inside an active span carry its trace_id, span_id and trace_flags; records outside carry none", (t) => {
  const { log, records } = logger();
  log.info("before");
  const ids = tracer.startActiveSpan("outer", (span) => {
    log.info("inside", { trace_id: "mine" });
    log.action("work", () => log.warn("deeper"));
    span.end();
    return span.spanContext();
  });
  log.info("after");
  const [before, inside, started, deeper, succeeded, after] = records();
  for (const r of [before, after]) t.false("trace_id" in r!, String(r!.msg));
  for (const r of [inside, started, deeper, succeeded]) t.like(r, { trace_id: ids.traceId, span_id: ids.spanId, trace_flags: "01" });
  t.is(inside!._trace_id, "mine", "a field of the same name is renamed, not lost");
  t.regex(String(inside!.trace_id), /^[0-9a-f]{32}$/);
});

test.serial("otel: { traceIds: false } leaves the ids out; unknown otel options are refused", (t) => {
  const { log, records } = logger({ traceIds: false });
  tracer.startActiveSpan("quiet", (span) => {
    log.info("inside");
    span.end();
  });
  t.false("trace_id" in records()[0]!);
  t.throws(() => new Logger().init(join(tempDir(), "x.log"), { otel: { spanz: true } as never }), { code: ErrorCode.OPTION, message: /spanz/ });
  t.throws(() => new Logger().init(join(tempDir(), "x.log"), { otel: { spans: "yes" } as never }), { code: ErrorCode.OPTION });
});

test.serial("with otel: { spans: true }, the span tree is the action tree, with fields, status and the exception", async (t) => {
  exporter.reset();
  const { log, records } = logger({ spans: true });
  await t.throwsAsync(
    log.action("order:create", { orderId: 7, card: { password: "hunter2" } }, async () => {
      await log.action("price:compute", async () => {
        await sleep(1);
        return 30;
      });
      log.info("priced");
      const child = tracer.startSpan("library call"); // an instrumentation below the action
      child.end();
      await log.action("payment:charge", async () => {
        throw new TypeError("card declined");
      });
    }),
    { message: "card declined" },
  );
  const spans = exporter.getFinishedSpans();
  const [order] = spansNamed(spans, "order:create");
  const [price] = spansNamed(spans, "price:compute");
  const [charge] = spansNamed(spans, "payment:charge");
  const [library] = spansNamed(spans, "library call");
  t.truthy(order && price && charge && library);
  t.is(parentId(price!), order!.spanContext().spanId);
  t.is(parentId(charge!), order!.spanContext().spanId);
  t.is(parentId(library!), order!.spanContext().spanId, "code inside the action sees its span as the active one");
  t.is(new Set(spans.map((s) => s.spanContext().traceId)).size, 1);
  t.like(order!.attributes, { orderId: 7, "card.password": "***" });
  t.is(price!.status.code, 1, "succeeded: OK");
  t.is(charge!.status.code, 2, "failed: ERROR");
  t.is(charge!.status.message, "card declined");
  t.like(charge!.events.find((e) => e.name === "exception")?.attributes, { "exception.type": "TypeError", "exception.message": "card declined" });
  const recs = records();
  const spanOf = (at: string) => recs.find((r) => r.at === at && r.st === "started")!.span_id;
  t.is(spanOf("order:create"), order!.spanContext().spanId);
  t.is(spanOf("price:compute"), price!.spanContext().spanId);
  t.is(recs.find((r) => r.msg === "priced")!.span_id, order!.spanContext().spanId);
});

test.serial("spans follow their actions across await, concurrently", async (t) => {
  exporter.reset();
  const { log } = logger({ spans: true });
  await Promise.all(
    [1, 2, 3].map((n) =>
      log.action(`job:${n}`, async () => {
        await sleep(3 - n);
        await log.action(`step:${n}`, () => sleep(1));
      }),
    ),
  );
  const spans = exporter.getFinishedSpans();
  for (const n of [1, 2, 3]) t.is(parentId(spansNamed(spans, `step:${n}`)[0]!), spansNamed(spans, `job:${n}`)[0]!.spanContext().spanId);
});

test.serial("traceparent: produced inside an action, accepted by continueTask, so the next hop joins the caller's trace", (t) => {
  exporter.reset();
  const { log, records } = logger({ spans: true });
  let header: string | undefined;
  log.action("client:call", () => {
    header = log.traceparent();
  });
  t.regex(header!, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  const caller = parseTraceparent(header)!;
  log.continueTask(header!, () => log.info("served"));
  const served = records().find((r) => r.msg === "served")!;
  t.is(served.trace_id, caller.traceId);
  const [remote] = spansNamed(exporter.getFinishedSpans(), "logxpy:remote_task");
  t.is(parentId(remote!), caller.spanId);
  t.is(remote!.spanContext().traceId, caller.traceId);
  t.is(log.traceparent(), undefined, "outside any span");
});

test.serial("without spans, a continued traceparent still puts the caller's ids on the records", (t) => {
  const { log, records } = logger();
  const header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  log.continueTask(header, () => {
    log.info("joined");
    log.action("inner", () => log.info("deeper"));
  });
  t.like(records().find((r) => r.msg === "joined"), { trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", span_id: "00f067aa0ba902b7", trace_flags: "01" });
  t.like(records().find((r) => r.msg === "deeper"), { trace_id: "4bf92f3577b34da6a3ce929d0e0e4736" }, "nested actions keep the caller's ids");
});

test.serial("the middleware joins a request's traceparent", async (t) => {
  const { log, records } = logger();
  const server = createServer((req, res) => httpLogger({ logger: log })(req, res, () => {
    log.info("handled");
    res.end("ok");
  }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  await (await fetch(url, { headers: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" } })).text();
  server.close();
  await log.flush();
  t.is(records().find((r) => r.msg === "handled")!.trace_id, "0af7651916cd43dd8448eb211c80319c");
});

test.serial("under an instrumentation's server span that continued the caller's traceparent, the request's span is that span's child", async (t) => {
  exporter.reset();
  const { log, records } = logger({ spans: true });
  const logging = httpLogger({ logger: log });
  const caller = parseTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")!;
  // What an HTTP instrumentation does: a server span, child of the caller's, active around the listener.
  const server = createServer((req, res) => {
    const remote = trace.setSpanContext(context.active(), { ...caller, isRemote: true });
    tracer.startActiveSpan("GET", {}, remote, (span) => {
      res.on("finish", () => span.end());
      logging(req, res, () => {
        log.info("handled");
        res.end("ok");
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  await (await fetch(url, { headers: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" } })).text();
  await log.flush();
  const spans = exporter.getFinishedSpans();
  const [serverSpan] = spansNamed(spans, "GET");
  const [request] = spansNamed(spans, "http:request");
  t.is(parentId(serverSpan!), caller.spanId);
  t.is(parentId(request!), serverSpan!.spanContext().spanId, "a child of the server span, not its sibling");
  t.is(request!.spanContext().traceId, caller.traceId);
  t.is(records().find((r) => r.msg === "handled")!.span_id, request!.spanContext().spanId);
  // Under a span of another trace, the traceparent given is still the parent.
  tracer.startActiveSpan("unrelated", (span) => {
    log.continueTask("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", () => log.info("continued"));
    span.end();
  });
  const [remote] = spansNamed(exporter.getFinishedSpans(), "logxpy:remote_task");
  t.is(parentId(remote!), "00f067aa0ba902b7");
});

test("a traceparent is taken only in its W3C form", (t) => {
  t.deepEqual(parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: 1 });
  for (const bad of [
    "",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
    "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
    "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
    '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"',
  ]) {
    t.is(parseTraceparent(bad), undefined, bad);
  }
  t.truthy(parseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future"), "a later version may add fields");
});

test("without @opentelemetry/api installed, nothing of it is loaded, records carry no ids, and spans are a configuration error", (t) => {
  // The package as a user without the API has it: dist/ and native/ in a directory of their own.
  const dir = tempDir();
  cpSync(join(__dirname, "../dist"), join(dir, "node_modules/logxpy/dist"), { recursive: true });
  cpSync(join(__dirname, "../native"), join(dir, "node_modules/logxpy/native"), { recursive: true });
  cpSync(join(__dirname, "../package.json"), join(dir, "node_modules/logxpy/package.json"));
  writeFileSync(
    join(dir, "app.js"),
    `const { log, Logger } = require("logxpy");
     log.init(${JSON.stringify(join(dir, "app.log"))}, { asyncEnabled: false });
     log.info("plain");
     let refused = "";
     try { new Logger().init(${JSON.stringify(join(dir, "b.log"))}, { otel: { spans: true } }); } catch (e) { refused = e.code + " " + e.message; }
     const loaded = Object.keys(require.cache).filter((k) => k.includes("opentelemetry"));
     console.log(JSON.stringify({ refused, loaded }));`,
  );
  const out = JSON.parse(execFileSync(process.execPath, [join(dir, "app.js")], { cwd: dir, encoding: "utf8" })) as { refused: string; loaded: string[] };
  t.deepEqual(out.loaded, []);
  t.regex(out.refused, /^LOGXPY_ERR_OPTION otel\.spans needs @opentelemetry\/api/);
  t.false("trace_id" in readRecords(join(dir, "app.log"))[0]!);
});
