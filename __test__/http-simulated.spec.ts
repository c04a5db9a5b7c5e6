// logxpy/http with simulated requests: light-my-request, which fastify.inject() uses. In a file of its
// own, as it runs in a process of its own: given an Express app, light-my-request swaps the prototypes
// of Express's request and response for its own, for every app of the process.
import test from "ava";
import express from "express";
import { once } from "node:events";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Logger } from "../src/index";
import { httpLogger } from "../src/http/index";
import { readRecords, tempDir } from "./helpers";

type Rec = Record<string, unknown>;

test("with a simulated request (light-my-request, as fastify.inject() uses), the action ends with the response, not as a client abort", async (t) => {
  // Fastify's own light-my-request; its response never reports a flush to a network.
  const inject = createRequire(require.resolve("fastify"))("light-my-request") as (
    app: unknown,
    options: { url: string },
  ) => Promise<{ statusCode: number }>;
  const file = join(tempDir(), "http.log");
  const log = new Logger().init(file);
  const app = express();
  app.use(httpLogger({ logger: log }));
  let closed!: Promise<unknown>;
  app.get("/users/:id", async (req, res) => {
    // After the middleware's own listener, which ends the action.
    closed = once(res, "close");
    log.info("looking up");
    await log.flush(); // awaited work before the response, as a handler's would be
    res.json({ id: req.params.id });
  });
  t.is((await inject(app, { url: "/users/7" })).statusCode, 200);
  await closed;
  await log.flush();
  const records = readRecords(file);
  const start = records.find((r) => r.at === "http:request" && r.st === "started" && r.url === "/users/7")!;
  const task = records.filter((r) => r.tid === start.tid);
  const end = task.find((r) => r.at === "http:request" && r.st !== "started") as Rec;
  t.like(end, { st: "succeeded", status: 200 });
  t.is(end.aborted, undefined);
  t.truthy(task.find((r) => r.msg === "looking up"));
});
