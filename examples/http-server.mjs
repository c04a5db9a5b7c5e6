// An Express 5 server with logxpy/http: each request one task, the handler's records inside it.
// Usage: node examples/http-server.mjs [file.log]   (serves a few requests to itself, then exits)
import express from "express";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { log } from "../dist/index.mjs";
import { httpLogger } from "../dist/http/index.mjs";

const file = process.argv[2] ?? fileURLToPath(new URL("./http-server.log", import.meta.url));
log.init(file);

const users = new Map([["7", { id: "7", name: "Ada" }]]);
const findUser = (id) =>
  log.action("db:find_user", { id }, async () => {
    await sleep(2);
    return users.get(id);
  });

const logging = httpLogger();
const app = express();
app.use(logging);
app.get("/users/:id", async (req, res) => {
  req.log.info("looking up", { id: req.params.id });
  const user = await findUser(req.params.id);
  if (user === undefined) return res.status(404).json({ error: "no such user" });
  res.json(user);
});
app.get("/crash", async () => {
  throw new Error("the handler broke");
});
app.use(logging.errors);

const server = app.listen(0, "127.0.0.1");
await new Promise((resolve) => server.once("listening", resolve));
const base = `http://127.0.0.1:${server.address().port}`;
for (const path of ["/users/7", "/users/9", "/crash"]) {
  const res = await fetch(base + path, { headers: { "x-request-id": `demo${path.replaceAll("/", "-")}` } });
  console.log(`${path} → ${res.status}`);
}
server.close();
await log.flush();
console.log(`wrote ${file}; see it as trees with: npx logxpy ${file}`);
