// The README's OpenTelemetry section: a file, and an OpenTelemetry Collector
// over OTLP/HTTP, configured by the standard variables. Run a collector
// (`bash .ci/otelcol.sh` builds the tests' one) and then, for example:
//   OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 OTEL_SERVICE_NAME=shop node examples/otlp.mjs [file.log]
// With no collector listening, the failures are reported on stderr, the
// file still gets every record, and the process still exits.
import { fileURLToPath } from "node:url";
import { log } from "../dist/index.mjs";

const file = process.argv[2] ?? fileURLToPath(new URL("./otlp.log", import.meta.url));
log.init(file, { destinations: ["otlp"] });

await log.action("checkout", { cart: { items: 3, total: 42.5 } }, async () => {
  log.info("payment accepted", { provider: "acme", trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", span_id: "00f067aa0ba902b7" });
});
log.warning("stock low", { sku: "A-17", left: 2 });
await log.flush().catch((err) => console.error(`not all exported: ${err.message}`));
console.log(`wrote ${file}; metrics:`, log.getAsyncMetrics());
