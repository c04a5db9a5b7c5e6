// One measurement in a fresh process, so no run inherits another's heap, JIT
// state or open files:
//   node benchmark/child.mjs <config> <scenario> <n> <file> [shape]
// Prints one JSON line with the figures; the parent counts the lines in
// <file>. Scenarios: throughput, latency, exit, throw.
import { readdirSync, readFileSync } from "node:fs";
import { setImmediate as nextTurn } from "node:timers/promises";
import { CONFIGS } from "./configs.mjs";
import { SHAPES } from "./records.mjs";
import { peakRssMb } from "./rss.mjs";

/** Untimed calls before the latency sample, so first-call compilation is not in it. */
const LATENCY_WARMUP = 1000;
/**
 * Calls between event-loop turns in the throughput and latency loops. A
 * server returns to its loop between requests, and that is when async
 * writers do their I/O; a loop that never yields would measure how they pile
 * up memory instead (200,000 2 KB records kept pino's buffer at 430 MB and
 * made its flushSync take 5.7 s). The exit scenarios never yield: the
 * harshest case for what is still queued.
 */
const CALLS_PER_TURN = 100;

const [configId, scenario, nText, file, shape = "standard"] = process.argv.slice(2);
const config = CONFIGS.find((c) => c.id === configId);
const make = SHAPES[shape];
const n = Number(nText);
if (!config || !make || !Number.isSafeInteger(n) || n < 1 || !file) {
  console.error("usage: node child.mjs <config> <throughput|latency|exit|throw> <n> <file> [standard|deep|long]");
  process.exit(2);
}

/** Peak RSS in MB; without /proc, getrusage's maxRSS, the best there is (see rss.mjs for its flaw). */
const peakRss = () => peakRssMb("self") ?? process.resourceUsage().maxRSS / 1024;

const logger = await config.open(file);

/**
 * The logger's drain, with the event loop held open meanwhile, as a server's
 * listening socket would hold it: a writer that waits on an unref'd timer
 * (logxpy's retry of a full pipe, pino's transport worker) must not let the
 * process end with the flush unsettled.
 */
async function drain() {
  const keepAlive = setInterval(() => {}, 1000);
  try {
    await logger.drain();
  } finally {
    clearInterval(keepAlive);
  }
}

const base = { config: configId, scenario, shape, n, backend: logger.backend };

/**
 * CPU time of this process's threads from /proc (Linux), in ms: the main
 * thread, logxpy's writer threads, and the rest (V8's and libuv's helpers,
 * pino's transport worker). For the question whether the writer thread, and
 * so writev, is what limits logxpy.
 */
function threadCpu() {
  try {
    const tick = 10; // ms per clock tick (USER_HZ is 100 on Linux)
    const cpu = { mainCpuMs: 0, writerCpuMs: 0, otherCpuMs: 0 };
    for (const t of readdirSync("/proc/self/task")) {
      const comm = readFileSync(`/proc/self/task/${t}/comm`, "utf8").trim();
      const f = readFileSync(`/proc/self/task/${t}/stat`, "utf8").split(") ")[1].split(" ");
      const ms = (Number(f[11]) + Number(f[12])) * tick;
      if (Number(t) === process.pid) cpu.mainCpuMs += ms;
      else if (comm.startsWith("logxpy")) cpu.writerCpuMs += ms;
      else cpu.otherCpuMs += ms;
    }
    return cpu;
  } catch {
    return {};
  }
}

const scenarios = {
  async throughput() {
    const rssBeforeMb = process.memoryUsage.rss() / 2 ** 20;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      logger.info(make(i));
      if (i % CALLS_PER_TURN === CALLS_PER_TURN - 1) await nextTurn();
    }
    const t1 = performance.now();
    await drain();
    const t2 = performance.now();
    return { logged: n, loopMs: t1 - t0, totalMs: t2 - t0, rssBeforeMb, peakRssMb: peakRss(), ...threadCpu() };
  },

  async latency() {
    const total = LATENCY_WARMUP + n;
    const samples = new Float64Array(total);
    const clock = process.hrtime.bigint;
    for (let i = 0; i < total; i++) {
      const fields = make(i);
      const start = clock();
      logger.info(fields);
      samples[i] = Number(clock() - start);
      if (i % CALLS_PER_TURN === CALLS_PER_TURN - 1) await nextTurn();
    }
    await drain();
    const timed = samples.subarray(LATENCY_WARMUP).sort();
    const at = (q) => timed[Math.min(timed.length - 1, Math.ceil(q * timed.length) - 1)] / 1000;
    return { logged: total, p50Us: at(0.5), p99Us: at(0.99), p999Us: at(0.999), maxUs: timed[timed.length - 1] / 1000, peakRssMb: peakRss() };
  },

  exit() {
    for (let i = 0; i < n; i++) logger.info(make(i));
    process.exit(0);
  },

  throw() {
    for (let i = 0; i < n; i++) logger.info(make(i));
    // From a tick callback, as a real uncaught exception comes, and before
    // the event loop turns, so an async logger gets no extra time to write.
    process.nextTick(() => {
      throw new Error("benchmark: uncaught exception right after logging");
    });
  },
};

const run = scenarios[scenario];
if (!run) {
  console.error(`unknown scenario ${scenario}`);
  process.exit(2);
}
// A configuration may run the measurement inside a context of its own (an active span).
const figures = await (logger.within ?? ((fn) => fn()))(run);
if (figures) console.log(JSON.stringify({ ...base, ...figures, ...logger.summary() }));
