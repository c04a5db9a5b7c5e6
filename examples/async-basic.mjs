// The default setup: asynchronous writes, records grouped into tasks and actions.
// Usage: node examples/async-basic.mjs [file.log]
import { fileURLToPath } from "node:url";
import { log } from "../dist/index.mjs";

const file = process.argv[2] ?? fileURLToPath(new URL("./async-basic.log", import.meta.url));
log.init(file); // async by default: the log call hands the record to a background writer

log.info("service starting", { version: "1.4.0" });

await log.scope({ requestId: "r-42" }, () =>
  log.action("order:create", { items: 2 }, async () => {
    const total = await log.action("price:compute", async () => 30);
    log.success("order stored", { total });
  }),
);

// Records are written within asyncFlushInterval; flush() waits until they are in the file.
await log.flush();
console.log(`wrote ${file} with the ${log.backend} writer`);
