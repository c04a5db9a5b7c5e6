// Fastify 5 with logxpy as its logger: each request one task, request.log and awaited code inside it.
// Usage: node examples/fastify.mjs [file.log]   (serves a few requests to itself, then exits)
import Fastify from "fastify";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { log } from "../dist/index.mjs";

const file = process.argv[2] ?? fileURLToPath(new URL("./fastify.log", import.meta.url));
log.init(file);

const app = Fastify({ loggerInstance: log });
app.get("/orders/:id", async (request) => {
  request.log.info({ id: request.params.id }, "loading order");
  const order = await log.action("db:load_order", async () => {
    await sleep(2);
    return { id: request.params.id, total: 30 };
  });
  return order;
});
app.get("/fail", async () => {
  throw new Error("payment service down");
});

await app.listen({ port: 0, host: "127.0.0.1" });
const base = `http://127.0.0.1:${app.server.address().port}`;
for (const path of ["/orders/1", "/fail"]) console.log(`${path} → ${(await fetch(base + path)).status}`);
await app.close();
await log.flush();
console.log(`wrote ${file}; see it as trees with: npx logxpy ${file}`);
