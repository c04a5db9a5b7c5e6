// The pretty console on the records of a small request, with a failure:
// `node examples/console.mjs` on a terminal. With a file argument the same
// records also go to that file as JSON lines (the README feeds them to
// pino-pretty for its comparison).
import { log } from "../dist/index.mjs";

log.init("console", { level: "debug", destinations: process.argv[2] ? [process.argv[2]] : [] });
log.info("server starting", { port: 8080 });

const a = log.startAction("http:request", { method: "GET", path: "/users/7" });
const b = log.startAction("http:request", { method: "POST", path: "/orders" });
a.run(() =>
  log.action("db:query", { table: "users" }, () => {
    log.debug("cache miss", { key: "user:7" });
  }),
);
b.run(() => log.info("order received", { items: 2 }));
a.finish({ status: 200 });

const declined = new Error("card declined", { cause: new Error("gateway timeout") });
declined.code = "ECONNRESET";
declined.errno = -104;
b.run(() => {
  try {
    log.action("payment", { amount: 20 }, () => {
      throw declined;
    });
  } catch (err) {
    b.fail(err);
  }
});
