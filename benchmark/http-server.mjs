// One HTTP server under load (benchmark/http.mjs): node:http answering "ok",
// logging three records per request with the configuration named by argv[2]
// into argv[3]. Prints {"port"} once listening; on "stop" from standard input
// it stops taking connections, waits until every line is in the file, prints
// {"served", "backend", "cpuUsPerRequest"} and exits.
import { once } from "node:events";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const LOGXPY_BUILD = process.env.LOGXPY_BENCH_BUILD ?? fileURLToPath(new URL("..", import.meta.url));
const [configId, file] = process.argv.slice(2);

/**
 * Each configuration: `handle(req, res, id)` serves one request, logging its
 * three records (received, handled, completed, or an action's start, one
 * message and its end), and `drain()` resolves once they are all written.
 */
const CONFIGS = {
  async none() {
    return { backend: "none", handle: (_req, res) => res.end("ok"), drain: async () => {} };
  },
  // No logging, but one AsyncLocalStorage.run per request: what the context store alone costs.
  async "none-als"() {
    const { AsyncLocalStorage } = await import("node:async_hooks");
    const als = new AsyncLocalStorage();
    return { backend: "none", handle: (_req, res) => als.run({}, () => res.end("ok")), drain: async () => {} };
  },
  async "pino-async"() {
    const { default: pino } = await import("pino");
    const dest = pino.destination({ dest: file, sync: false });
    if (dest.fd < 0) await once(dest, "ready");
    return { backend: "sonic-boom, async", ...pinoShape(pino(dest)), drain: async () => dest.flushSync() };
  },
  async "pino-transport"() {
    const { default: pino } = await import("pino");
    const transport = pino.transport({ target: "pino/file", options: { destination: file } });
    await once(transport, "ready");
    return {
      backend: "thread-stream worker",
      ...pinoShape(pino(transport)),
      drain: async () => {
        const closed = once(transport, "close");
        transport.end();
        await closed;
      },
    };
  },
  async "logxpy-plain"() {
    const { log } = require(join(LOGXPY_BUILD, "dist/index.js"));
    log.init(file);
    return {
      backend: log.backend,
      handle(req, res, reqId) {
        log.info("request received", { reqId, method: req.method, url: req.url });
        log.info("handled", { reqId, userId: 7 });
        res.end("ok");
        log.info("request completed", { reqId, status: res.statusCode });
      },
      drain: () => log.flush(),
    };
  },
  async "logxpy-scope-action"() {
    const { log } = require(join(LOGXPY_BUILD, "dist/index.js"));
    log.init(file);
    return {
      backend: log.backend,
      handle(req, res, reqId) {
        log.scope({ reqId }, () =>
          log.action("http:request", { method: req.method, url: req.url }, () => {
            log.info("handled", { userId: 7 });
            res.end("ok");
          }),
        );
      },
      drain: () => log.flush(),
    };
  },
  async "logxpy-middleware"() {
    const { log } = require(join(LOGXPY_BUILD, "dist/index.js"));
    const { httpLogger } = require(join(LOGXPY_BUILD, "dist/http/index.js"));
    log.init(file);
    const logging = httpLogger({ logger: log });
    return {
      backend: log.backend,
      handle(req, res) {
        logging(req, res, () => {
          log.info("handled", { userId: 7 });
          res.end("ok");
        });
      },
      drain: () => log.flush(),
    };
  },
  async logtape() {
    const { configure, getLogger, dispose, jsonLinesFormatter } = await import("@logtape/logtape");
    const { getFileSink } = await import("@logtape/file");
    await configure({
      sinks: { file: getFileSink(file, { formatter: jsonLinesFormatter, nonBlocking: true }) },
      loggers: [
        { category: "app", sinks: ["file"], lowestLevel: "info" },
        { category: ["logtape", "meta"], sinks: [], lowestLevel: "warning" },
      ],
    });
    const logger = getLogger("app");
    return {
      backend: "file sink, non-blocking",
      handle(req, res, reqId) {
        logger.info("request received", { reqId, method: req.method, url: req.url });
        logger.info("handled", { reqId, userId: 7 });
        res.end("ok");
        logger.info("request completed", { reqId, status: res.statusCode });
      },
      drain: () => dispose(),
    };
  },
};

/** pino's calls for the same three records. */
function pinoShape(logger) {
  return {
    handle(req, res, reqId) {
      logger.info({ reqId, method: req.method, url: req.url }, "request received");
      logger.info({ reqId, userId: 7 }, "handled");
      res.end("ok");
      logger.info({ reqId, status: res.statusCode }, "request completed");
    },
  };
}

const make = CONFIGS[configId];
if (make === undefined) throw new Error(`unknown configuration ${configId}; known: ${Object.keys(CONFIGS).join(", ")}`);
const config = await make();
let served = 0;
const server = createServer((req, res) => {
  served++;
  config.handle(req, res, `r${served}`);
});
server.keepAliveTimeout = 60_000;
let cpuAtListen;
server.listen(0, "127.0.0.1", () => {
  cpuAtListen = process.cpuUsage();
  process.stdout.write(JSON.stringify({ port: server.address().port }) + "\n");
});

process.stdin.setEncoding("utf8");
process.stdin.on("data", async (text) => {
  if (!text.includes("stop")) return;
  server.close();
  server.closeAllConnections();
  await config.drain();
  // Every thread of the process (the writer's too), from listening to the last line written.
  const cpu = process.cpuUsage(cpuAtListen);
  // LOGXPY_BENCH_THREADS=1: each thread's CPU per request on stderr (the writer thread's share, for the mmap question).
  if (process.env.LOGXPY_BENCH_THREADS) {
    const { readdirSync, readFileSync } = await import("node:fs");
    const per = {};
    for (const t of readdirSync("/proc/self/task")) {
      const comm = readFileSync(`/proc/self/task/${t}/comm`, "utf8").trim();
      const f = readFileSync(`/proc/self/task/${t}/stat`, "utf8").split(") ")[1].split(" ");
      per[`${comm}:${t}`] = Number(((Number(f[11]) + Number(f[12])) * 10000 / served).toFixed(2));
    }
    process.stderr.write(`${configId} µs/request by thread: ${JSON.stringify(per)}\n`);
  }
  process.stdout.write(JSON.stringify({ served, backend: config.backend, cpuUsPerRequest: (cpu.user + cpu.system) / served }) + "\n");
  process.exit(0);
});
