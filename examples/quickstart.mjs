// The README's Quick start: a small "server" that logs a request as a task
// with nested actions, then prints the log file it wrote.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { log } from "../dist/index.mjs";

const file = fileURLToPath(new URL("./quickstart.log", import.meta.url));
log.init(file, { level: "debug" });

log.info("server starting", { port: 8080 });

async function handle(req) {
  return log.scope({ requestId: req.id }, () =>
    log.action("http:request", { method: "GET", path: req.path }, async () => {
      const user = await log.action("db:query", { table: "users" }, async () => {
        log.debug("cache miss", { key: `user:${req.userId}` });
        return { id: req.userId, name: "alice", password: "hunter2" }; // masked by default
      });
      log.success("user loaded", { user });
      return 200;
    }),
  );
}

await handle({ id: "r-1", path: "/api/v1/users/7", userId: 7 });
await handle({ id: "r-2", path: "/api/v1/users/8", userId: 8 });

try {
  await log.action("payment", { amount: 20 }, async () => {
    throw new Error("card declined");
  });
} catch {
  // The failed action record holds the error; the program goes on.
}

await log.flush();
process.stdout.write(readFileSync(file, "utf8"));
console.log(`\nbackend: ${log.backend}; metrics: ${JSON.stringify(log.getAsyncMetrics())}`);
