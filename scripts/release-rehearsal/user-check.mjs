// A user's ES module program: logs one record through `import`, then prints which writer wrote it.
import { log } from "logxpy";
import { readFileSync } from "node:fs";

log.init("import.log");
log.info("installed", { via: "import" });
await log.flush();
const lines = readFileSync("import.log", "utf8").split("\n").filter(Boolean);
console.log(JSON.stringify({ backend: log.backend, lines: lines.length }));
