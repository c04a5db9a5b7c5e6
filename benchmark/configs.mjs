// The logger configurations under test. `open(file)` runs in the child: it
// builds the logger, waits until its destination is open (start-up is not
// what is measured) and returns
//   { backend, info(fields), drain(), summary() }
// where `drain` resolves once every line logged so far is in the file, by the
// logger's own flush or close. Peers are imported lazily, so a child loads
// only the logger it measures and the parent loads none.
import { once } from "node:events";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MESSAGE } from "./records.mjs";

const require = createRequire(import.meta.url);
/** Where logxpy's dist/ (and native/) are: run.mjs's snapshot, or this checkout. */
const LOGXPY_BUILD = process.env.LOGXPY_BENCH_BUILD ?? fileURLToPath(new URL("..", import.meta.url));
/** Where the benchmark's own @opentelemetry packages are, for the snapshot build to resolve the API from. */
const OTEL_PATH = fileURLToPath(new URL("./node_modules", import.meta.url));

async function openLogxpy(file, options) {
  const { log } = require(join(LOGXPY_BUILD, "dist/index.js"));
  log.init(file, options);
  return {
    backend: log.backend,
    info: (fields) => log.info(MESSAGE, fields),
    drain: () => log.flush(),
    // The writer's counters show any record dropped instead of written.
    summary: () => ({ metrics: log.getAsyncMetrics() }),
  };
}

/**
 * logxpy with @opentelemetry/api installed (the child's NODE_PATH lets the
 * snapshot build find it): with no SDK registered, so no span is ever
 * active, or with a recording span active around the whole measured loop.
 */
async function openLogxpyOtel(file, withSpan) {
  const logger = await openLogxpy(file, {});
  if (!withSpan) return logger;
  const { context, trace } = await import("@opentelemetry/api");
  const { BasicTracerProvider } = await import("@opentelemetry/sdk-trace-base");
  const { AsyncLocalStorageContextManager } = await import("@opentelemetry/context-async-hooks");
  trace.setGlobalTracerProvider(new BasicTracerProvider());
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const span = trace.getTracer("bench").startSpan("bench");
  return { ...logger, within: (fn) => context.with(trace.setSpan(context.active(), span), fn) };
}

async function openPinoDestination(file, options) {
  const { default: pino } = await import("pino");
  const dest = pino.destination({ dest: file, ...options });
  if (dest.fd < 0) await once(dest, "ready");
  const logger = pino(dest);
  return {
    backend: options.sync ? "sonic-boom, sync" : "sonic-boom, async",
    info: (fields) => logger.info(fields, MESSAGE),
    // flushSync, not logger.flush(cb): sonic-boom's flush callback comes after
    // an fsync, which no other configuration pays (measured here: 65-210 ms
    // for 40 MB). A write sonic-boom had in flight (16 KB at most) may finish
    // just after; the parent counts lines only once the child has exited.
    drain: async () => dest.flushSync(),
    summary: () => ({}),
  };
}

async function openPinoTransport(file) {
  const { default: pino } = await import("pino");
  const transport = pino.transport({ target: "pino/file", options: { destination: file } });
  await once(transport, "ready");
  const logger = pino(transport);
  return {
    backend: "thread-stream worker",
    info: (fields) => logger.info(fields, MESSAGE),
    // The worker writes the last lines as it closes (and its sonic-boom
    // fsyncs the file then); 'close' fires when the worker has exited.
    drain: async () => {
      const closed = once(transport, "close");
      transport.end();
      await closed;
    },
    summary: () => ({}),
  };
}

async function openWinston(file) {
  const { default: winston } = await import("winston");
  const transport = new winston.transports.File({ filename: file });
  await once(transport, "open");
  // timestamp() so the line carries a time, as pino's and logxpy's do.
  const logger = winston.createLogger({
    level: "info",
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [transport],
  });
  return {
    backend: "fs.WriteStream",
    info: (fields) => logger.info(MESSAGE, fields),
    drain: async () => {
      // winston#2219: end() ends the transports at once, and a line still in
      // the logger's own buffer is then a "write after end" crash. Let the
      // pipe take everything first.
      while (logger.writableLength + logger.readableLength > 0) await once(logger, "data");
      // The logger's 'finish' can come before the file's: wait for both.
      const finished = Promise.all([once(logger, "finish"), once(transport, "finish")]);
      logger.end();
      await finished;
    },
    summary: () => ({}),
  };
}

async function openFloor() {
  // The length is summed and reported so the engine cannot drop the work.
  let bytes = 0;
  return {
    backend: "none (no I/O)",
    info: (fields) => {
      bytes += JSON.stringify({ level: 30, time: Date.now(), msg: MESSAGE, ...fields }).length + 1;
    },
    drain: async () => {},
    summary: () => ({ bytes }),
  };
}

/**
 * Every configuration, in table order. `env` is applied to the child's
 * environment (undefined removes a variable); `writes: false` marks the
 * floor, which has no file to count, lose or block on; `scenarios` limits a
 * configuration to those scenario ids.
 */
export const CONFIGS = [
  {
    id: "logxpy-native",
    label: "logxpy native async",
    expectsBackend: "native",
    env: { LOGXPY_NATIVE: undefined },
    open: (file) => openLogxpy(file, {}),
  },
  {
    id: "logxpy-js",
    label: "logxpy pure-TS async",
    env: { LOGXPY_NATIVE: "0" },
    open: (file) => openLogxpy(file, {}),
  },
  {
    id: "logxpy-sync",
    label: "logxpy sync",
    env: {},
    open: (file) => openLogxpy(file, { asyncEnabled: false }),
  },
  {
    id: "logxpy-mixin",
    label: "logxpy native, a mixin adding 2 fields per record",
    expectsBackend: "native",
    env: { LOGXPY_NATIVE: undefined },
    scenarios: ["throughput-standard", "latency"],
    open: (file) => {
      let served = 0;
      return openLogxpy(file, { mixin: () => ({ served: ++served, worker: 1 }) });
    },
  },
  {
    id: "logxpy-otel",
    label: "logxpy native, @opentelemetry/api installed, no span",
    expectsBackend: "native",
    env: { LOGXPY_NATIVE: undefined, NODE_PATH: OTEL_PATH },
    scenarios: ["throughput-standard", "latency"],
    open: (file) => openLogxpyOtel(file, false),
  },
  {
    id: "logxpy-otel-span",
    label: "logxpy native, inside an active span",
    expectsBackend: "native",
    env: { LOGXPY_NATIVE: undefined, NODE_PATH: OTEL_PATH },
    scenarios: ["throughput-standard", "latency"],
    open: (file) => openLogxpyOtel(file, true),
  },
  {
    id: "pino-async",
    label: "pino async (minLength 4096)",
    env: {},
    open: (file) => openPinoDestination(file, { sync: false, minLength: 4096 }),
  },
  {
    id: "pino-sync",
    label: "pino sync",
    env: {},
    open: (file) => openPinoDestination(file, { sync: true }),
  },
  {
    id: "pino-transport",
    label: "pino.transport (pino/file)",
    env: {},
    open: (file) => openPinoTransport(file),
  },
  {
    id: "winston",
    label: "winston File",
    env: {},
    open: (file) => openWinston(file),
  },
  {
    id: "floor",
    label: "floor: JSON.stringify only",
    env: {},
    writes: false,
    open: () => openFloor(),
  },
];
