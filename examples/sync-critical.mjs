// A critical section: inside log.syncMode(fn) each record is in the file when its log call
// returns, so a crash right after it cannot lose it. Outside, writes stay asynchronous.
// Usage: node examples/sync-critical.mjs [file.log]
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { log } from "../dist/index.mjs";

const file = process.argv[2] ?? fileURLToPath(new URL("./sync-critical.log", import.meta.url));
log.init(file);

log.info("batch job starting", { accounts: 1 });

const onDisk = log.syncMode(() => {
  log.warning("charging card", { account: "acct-7", amount: 120 });
  // The record is in the file already: read it back before anything else runs.
  return readFileSync(file, "utf8").includes('"charging card"');
});

log.info("batch job done"); // asynchronous again
await log.flush();
console.log(JSON.stringify({ onDiskBeforeReturn: onDisk, isAsync: log.isAsync }));
