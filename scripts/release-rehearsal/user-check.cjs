// A user's CommonJS program: logs one record through `require`, then prints which writer wrote it.
const { log } = require("logxpy");
const { readFileSync } = require("node:fs");

log.init("require.log");
log.info("installed", { via: "require" });
log.flush().then(() => {
  const lines = readFileSync("require.log", "utf8").split("\n").filter(Boolean);
  console.log(JSON.stringify({ backend: log.backend, lines: lines.length }));
});
