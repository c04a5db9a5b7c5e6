// OpenTelemetry: each action a span (otel: { spans: true }), every record inside carrying its trace ids,
// and a traceparent handed to the next hop. An OTLP destination needs a Collector: pass its URL to add one.
// Usage: node examples/opentelemetry.mjs [file.log] [otlp+http://127.0.0.1:4318]
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { fileURLToPath } from "node:url";
import { log } from "../dist/index.mjs";

// The SDK an application sets up once (here in memory, to print the spans at the end).
const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const file = process.argv[2] ?? fileURLToPath(new URL("./opentelemetry.log", import.meta.url));
const collector = process.argv[3];
log.init(file, { otel: { spans: true }, destinations: collector ? [collector] : [] });

let handedOver;
await log.action("checkout", { cartId: "c-9", card: { last4: "1111", password: "pw" } }, async () => {
  await log.action("price:compute", async () => log.info("priced", { total: 30 }));
  handedOver = log.traceparent(); // what an outgoing request would carry as its traceparent header
});
// The next service continues the trace from that header.
log.continueTask(handedOver, () => log.info("payment service got the call"));
await log.flush();

for (const span of exporter.getFinishedSpans()) {
  const parent = span.parentSpanContext?.spanId ?? "-";
  console.log(`span ${span.name} ${span.spanContext().spanId} parent ${parent} trace ${span.spanContext().traceId}`);
}
console.log(`wrote ${file}`);
