// File + OTLP/HTTP to a local OpenTelemetry Collector (the one .ci/otelcol.sh
// builds: OTLP receiver, file exporter): logxpy (native and pure-TS) against
// pino with pino-opentelemetry-transport writing the same file and exporting
// to the same collector. Each run is a fresh child and a fresh collector; the
// time runs from the first log call until the collector has written every
// record, counted in its output. The child stays up until then, so its peak
// RSS includes the export.
//   node benchmark/otlp.mjs <logxpy|pino> <n> <file> <port>   (child)
import { execFileSync, spawn } from "node:child_process";
import { closeSync, openSync, readSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MESSAGE, SHAPES } from "./records.mjs";
import { peakRssMb } from "./rss.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CONFIGS = [
  { id: "logxpy native", logger: "logxpy", env: { LOGXPY_NATIVE: "1" } },
  { id: "logxpy js", logger: "logxpy", env: { LOGXPY_NATIVE: "0" } },
  { id: "pino + otel transport", logger: "pino", env: {} },
];
/** A run whose collector count has not moved for this long has lost the rest. */
const STALL_MS = 10_000;

/** Runs every configuration `rounds` times; returns the report's markdown section and whether every run delivered everything. */
export async function otlpSection({ n, rounds, build, workDir, progress }) {
  let collector;
  try {
    collector = execFileSync("bash", [join(ROOT, ".ci/otelcol.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", 2] }).trim();
  } catch (err) {
    progress(`otlp: no collector (${err.message}); section skipped`);
    return { section: "\n## File + OTLP/HTTP to a local collector\n\nNot measured: .ci/otelcol.sh could not build the collector.\n", ok: false };
  }
  const runs = [];
  for (let round = 0; round < rounds; round++) {
    for (const config of CONFIGS) {
      const run = await measure(config, { n, build, workDir, collector });
      runs.push(run);
      progress(`[otlp ${round + 1}/${rounds}] ${config.id.padEnd(22)} ${run.failure ? `FAILED: ${run.failure}` : `${run.lost === 0 ? `${Math.round(run.perSec)} records/s` : `${run.lost} never arrived`}, ${run.collected}/${n} at the collector`}`);
    }
  }
  const rows = CONFIGS.map((config) => {
    const mine = runs.filter((r) => r.config === config.id && !r.failure);
    if (mine.length === 0) return `| ${config.id} | failed | | | | |`;
    const med = (key) => median(mine.map((r) => r[key]));
    const complete = mine.filter((r) => r.lost === 0);
    const rate = complete.length === 0 ? "never all" : Math.round(median(complete.map((r) => r.perSec))).toLocaleString("en-US");
    return `| ${config.id} | ${rate} | ${med("p50Us").toFixed(2)} / ${med("p99Us").toFixed(2)} | ${med("peakRssMb").toFixed(0)} | ${Math.min(...mine.map((r) => r.collected))} / ${n} | ${Math.min(...mine.map((r) => r.fileLines))} / ${n} |`;
  });
  const section = [
    "",
    "## File + OTLP/HTTP to a local collector",
    "",
    `Standard record, ${n.toLocaleString("en-US")} calls in a loop, median of ${rounds} run(s). Every configuration writes the file and exports to an OpenTelemetry Collector on 127.0.0.1 over OTLP/HTTP (protobuf; logxpy's pure-TS writer sends JSON, as its exporter package does). records/s counts from the first call until the collector has written the last record. pino: \`pino.transport\` with \`pino/file\` and \`pino-opentelemetry-transport\` (batch processor, its queue raised from 2,048 to ${n.toLocaleString("en-US")} so that it does not drop).`,
    "",
    "| configuration | records/s until the collector has all | caller p50 / p99 µs | peak RSS MB | at the collector (worst run) | in the file (worst run) |",
    "|---|---:|---:|---:|---:|---:|",
    ...rows,
    "",
  ].join("\n");
  return { section, ok: runs.every((r) => !r.failure) };
}

async function measure(config, { n, build, workDir, collector }) {
  const port = await freePort();
  const out = join(workDir, `otlp-${port}.json`);
  const file = join(workDir, `otlp-${port}.log`);
  const configFile = join(workDir, `otelcol-${port}.yaml`);
  writeFileSync(
    configFile,
    `receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:${port}\nexporters:\n  file:\n    path: ${out}\n    flush_interval: 20ms\nservice:\n  telemetry:\n    metrics:\n      level: none\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [file]\n`,
  );
  const otelcol = spawn(collector, ["--config", configFile], { stdio: ["ignore", "ignore", "ignore"] });
  const run = { config: config.id };
  try {
    await waitForPort(port);
    const env = {
      ...process.env,
      ...config.env,
      LOGXPY_BENCH_BUILD: build,
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `http://127.0.0.1:${port}/v1/logs`,
      OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: "http/protobuf",
      // The snapshot of dist/ has no node_modules: the pure-TS writer finds its exporter packages here.
      NODE_PATH: join(ROOT, "node_modules"),
    };
    delete env.LOGXPY_SYNC;
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), config.logger, String(n), file, String(port)], { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const closed = new Promise((resolve) => child.on("close", resolve));
    const counter = recordCounter(out);
    let seen = 0;
    let movedAt = Date.now();
    for (let c = counter(); c < n && Date.now() - movedAt < STALL_MS && child.exitCode === null; c = counter()) {
      if (c !== seen) [seen, movedAt] = [c, Date.now()];
      await sleep(5);
    }
    const doneAt = Date.now();
    await waitFor(() => stdout.includes("\n"), 5000).catch(() => {
      throw new Error(`the child did not report: ${stderr.slice(-300)}`);
    });
    run.peakRssMb = peakRssMb(child.pid);
    child.stdin.end();
    // One that does not end when told (an exit flush waiting for a collector that is gone) is ended.
    const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await closed;
    clearTimeout(kill);
    const result = JSON.parse(stdout.trim().split("\n")[0]);
    Object.assign(run, result);
    run.collected = counter();
    run.perSec = n / ((doneAt - result.startedAt) / 1000);
    run.fileLines = countLines(file);
    // Records that never arrive are a result (the table's "at the collector"), a crash is not.
    if (child.exitCode !== 0 && child.exitCode !== null) run.failure = `exit code ${child.exitCode}: ${stderr.slice(-300)}`;
    run.lost = n - run.collected;
  } catch (err) {
    run.failure = err.message;
  } finally {
    otelcol.kill("SIGKILL");
  }
  return run;
}

/**
 * Counts the records in the collector's output as it grows, reading only
 * what is new. It counts the one key each record has rather than parsing
 * the JSON: on two cores, parsing 100,000 records took CPU from the
 * collector and the logger being measured.
 */
function recordCounter(path) {
  const KEY = '"observedTimeUnixNano"';
  let offset = 0;
  let tail = "";
  let count = 0;
  const buf = Buffer.alloc(1 << 20);
  return () => {
    let fd;
    try {
      fd = openSync(path, "r");
    } catch {
      return count;
    }
    try {
      for (;;) {
        const got = readSync(fd, buf, 0, buf.length, offset);
        if (got === 0) break;
        offset += got;
        // A key cut by the chunk's end is found with the next one.
        const text = tail + buf.toString("latin1", 0, got);
        for (let i = text.indexOf(KEY); i >= 0; i = text.indexOf(KEY, i + KEY.length)) count++;
        const keep = Math.min(KEY.length - 1, text.length);
        tail = text.slice(text.length - keep);
      }
    } finally {
      closeSync(fd);
    }
    return count;
  };
}

function countLines(path) {
  try {
    if (statSync(path).size === 0) return 0;
  } catch {
    return 0;
  }
  return execFileSync("wc", ["-l", path], { encoding: "utf8" }).trim().split(/\s+/)[0] | 0;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition, ms) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("the child did not report");
    await sleep(5);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port) {
  const { connect } = await import("node:net");
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error("the collector did not start");
    await sleep(50);
  }
}

async function child([logger, nText, file]) {
  const n = Number(nText);
  const make = SHAPES.standard;
  let info;
  if (logger === "logxpy") {
    const build = process.env.LOGXPY_BENCH_BUILD ?? ROOT;
    const { log } = await import(join(build, "dist/index.js"));
    log.init(file, { destinations: ["otlp"] });
    info = (i) => log.info(MESSAGE, make(i));
  } else {
    const { default: pino } = await import("pino");
    const transport = pino.transport({
      targets: [
        { target: "pino/file", options: { destination: file } },
        // Its batch processor drops past its queue (2,048 by default): raised so that every record can arrive.
        { target: "pino-opentelemetry-transport", options: { logRecordProcessorOptions: { recordProcessorType: "batch", processorConfig: { maxQueueSize: n } } } },
      ],
    });
    const logger = pino(transport);
    info = (i) => logger.info(make(i), MESSAGE);
  }
  const times = new Float64Array(n);
  const startedAt = Date.now();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    info(i);
    times[i] = (performance.now() - t0) * 1000;
  }
  const loopMs = Date.now() - startedAt;
  times.sort();
  const at = (q) => times[Math.min(n - 1, Math.floor(q * n))];
  process.stdout.write(`${JSON.stringify({ startedAt, loopMs, p50Us: at(0.5), p99Us: at(0.99) })}\n`);
  // Stay up (the event loop free for the exporters) until the parent has counted.
  process.stdin.resume();
  process.stdin.on("end", () => process.exit(0));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await child(process.argv.slice(2));
