// Settings for a service that logs a lot: a deeper queue, bigger batches, and a policy
// chosen on purpose. Usage: node examples/high-throughput.mjs [file.log] [records]
import { fileURLToPath } from "node:url";
import { log } from "../dist/index.mjs";

const file = process.argv[2] ?? fileURLToPath(new URL("./high-throughput.log", import.meta.url));
const records = Number(process.argv[3] ?? 200_000);

log.init(file, {
  level: "info", // debug records cost one comparison and nothing else
  asyncMaxQueue: 100_000, // records that may wait: absorbs a burst or a slow disk
  asyncBatchSize: 1_000, // records per writev
  asyncFlushInterval: "50ms", // the longest a record waits in a quiet period
  asyncPolicy: "block", // a full queue makes the caller wait: nothing is lost (drop_oldest / drop_newest trade lines for latency)
  statsInterval: 50_000, // one async_stats record every 50,000 records
});

const start = process.hrtime.bigint();
for (let i = 0; i < records; i++) {
  log.info("request served", { i, route: "/api/items", status: 200 });
  log.debug("below the level: never encoded", { i });
}
await log.flush();
const seconds = Number(process.hrtime.bigint() - start) / 1e9;

const m = log.getAsyncMetrics();
console.log(JSON.stringify({ backend: log.backend, records, perSecond: Math.round(records / seconds), ...m }));
