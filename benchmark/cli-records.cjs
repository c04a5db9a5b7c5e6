// Writes the reader benchmark's log: tasks of an HTTP request with a nested
// database query and a message, 1% of queries failing, in logxpy's
// format: "eliot" so eliot-tree reads the same file.
//   node cli-records.cjs FILE MEGABYTES
const { statSync } = require("node:fs");
const { log } = require("../dist/index.js");
const [file, mb] = [process.argv[2], Number(process.argv[3])];
log.init(file, { mode: "w", format: "eliot" });

async function main() {
  for (let i = 0; ; i++) {
    try {
      log.action("http:request", { method: "GET", path: `/api/v1/users/${i % 5000}`, requestId: `r-${i}` }, () => {
        log.action("db:query", { table: "users", sql: "SELECT id, name, email FROM users WHERE id = $1" }, () => {
          if (i % 100 === 42) throw new Error("deadlock detected");
        });
        log.info("rows read", { rows: 1 + (i % 7) });
      });
    } catch {}
    if (i % 2000 === 0) {
      await log.flush();
      if (statSync(file).size >= mb * 1024 * 1024) break;
    }
  }
  await log.flush();
}
main();
