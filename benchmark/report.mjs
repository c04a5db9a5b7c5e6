// Turns the runs into medians and the medians into the markdown report:
// a summary table first, then one table per figure, then how it was measured.
import { CONFIGS } from "./configs.mjs";

const METRICS = ["mainCpuMs", "writerCpuMs", "otherCpuMs", "loopMs", "totalMs", "logsPerSec", "peakRssMb", "rssGrowthMb", "p50Us", "p99Us", "p999Us", "maxUs", "lost", "invalid", "other", "lineBytes"];
/** The rows every time ratio is quoted against. */
const REFERENCES = [
  { id: "pino-async", header: "time ÷ pino async" },
  { id: "pino-transport", header: "time ÷ pino transport" },
  { id: "floor", header: "time ÷ floor" },
];

function median(values) {
  const sorted = values.filter((v) => typeof v === "number" && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The median of every figure per scenario and configuration.
 * @returns {Record<string, Record<string, object>>} summary[scenarioId][configId]
 */
export function summarize(runs, scenarios) {
  const summary = {};
  for (const scenario of scenarios) {
    summary[scenario.id] = {};
    for (const config of CONFIGS) {
      const mine = runs.filter((r) => r.scenario === scenario.id && r.config === config.id);
      if (mine.length === 0) continue;
      const row = {
        runs: mine.length,
        backend: [...new Set(mine.map((r) => r.backend).filter(Boolean))].join(", "),
        failures: mine.filter((r) => r.failure).length,
        timedOut: mine.filter((r) => r.timedOut).length,
        // Any lost or broken line in any round makes the speed figures void.
        valid: mine.every((r) => !r.failure && (!r.check || r.check.ok)),
      };
      for (const key of METRICS) {
        const m = median(mine.map((r) => r[key]));
        if (m !== undefined) row[key] = m;
      }
      summary[scenario.id][config.id] = row;
    }
  }
  return summary;
}

// ---- formatting ------------------------------------------------------------

const DASH = "—";
/** Share of the CPU taken by other processes above which the report warns. */
const BUSY_SHARE = 0.05;
const int = (v) => (v === undefined ? DASH : Math.round(v).toLocaleString("en-US"));
const fixed = (digits) => (v) => (v === undefined ? DASH : v.toFixed(digits));
const ms = fixed(1);
const seconds = (v) => (v === undefined ? DASH : (v / 1000).toFixed(2));
const mb = fixed(0);
const us = (v) => (v === undefined ? DASH : v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0));

function table(headers, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(headers), line(headers.map((_, i) => (i === 0 ? "---" : "---:"))), ...rows.map(line)].join("\n");
}

/** The configuration's name, unless it did not get the writer it is named for. */
function label(config, row) {
  const backends = row?.backend ? row.backend.split(", ") : [];
  if (!config.expectsBackend || backends.length === 0 || row.backend === config.expectsBackend) return config.label;
  // The writer changed between rounds (dist/ was rebuilt meanwhile): the medians mix two writers.
  if (backends.length > 1) return `${config.label} (writers varied across rounds: ${row.backend})`;
  return `logxpy async (${row.backend} — native not available)`;
}

/** Time ratio of `row` to the reference row of the same scenario, when both delivered every line. */
function ratio(rows, row, refId) {
  const ref = rows[refId];
  if (!row?.valid || !ref?.valid || row.totalMs === undefined || ref.totalMs === undefined) return DASH;
  return `${(row.totalMs / ref.totalMs).toFixed(2)}×`;
}

/** Logs per second, or why there is no honest figure. */
function speed(row) {
  if (!row) return DASH;
  if (!row.valid) return row.lost > 0 ? `invalid: ${int(row.lost)} lost` : "invalid: run failed";
  return int(row.logsPerSec);
}

function exitLoss(row) {
  if (!row) return DASH;
  if (row.failures) return "error";
  const torn = row.invalid ? ` (+${int(row.invalid)} torn)` : "";
  const own = row.other ? ` (+${int(row.other)} of its own)` : "";
  return int(row.lost) + torn + own;
}

function fifoCells(row) {
  if (!row) return [DASH, DASH];
  if (row.timedOut === row.runs) return ["timed out", mb(row.peakRssMb)];
  if (row.failures) return ["error", DASH];
  return [seconds(row.loopMs), mb(row.peakRssMb)];
}

// ---- the report ------------------------------------------------------------

/**
 * The whole markdown report: header, summary, one section per figure that
 * was measured (a `--only` run has some), and how it was measured.
 */
export function renderReport(meta, scenarios, summary) {
  const byId = Object.fromEntries(scenarios.map((s) => [s.id, s]));
  const sections = [header(meta), summarySection(summary)];
  for (const shape of ["standard", "deep", "long"]) {
    const id = `throughput-${shape}`;
    if (byId[id]) sections.push(throughputSection(shape, byId[id], summary[id]));
  }
  if (byId.latency) sections.push(latencySection(byId.latency, summary.latency));
  if (byId.exit) sections.push(exitSection(byId.exit, summary.exit, summary.throw));
  if (byId.fifo) sections.push(fifoSection(byId.fifo, summary.fifo));
  sections.push(METHOD);
  return sections.join("\n\n") + "\n";
}

function header(meta) {
  const { plan, versions } = meta;
  const others = meta.otherCpuShare === undefined ? "unknown (no /proc)" : `${(meta.otherCpuShare * 100).toFixed(0)}% of all cores`;
  // Other work on the machine slows every row, unevenly: say so next to the figures.
  const busy = meta.otherCpuShare > BUSY_SHARE;
  return [
    "# logxpy benchmark",
    ...(meta.mode === "quick" ? ["", "> **Quick smoke run** (`--quick`): small N, one round. Its figures only show that every path works."] : []),
    ...(busy ? ["", `> **The machine was busy:** other processes used ${others} during the run, so these figures are slower and noisier than a quiet machine's.`] : []),
    "",
    `- **Machine:** ${meta.cpu}, ${meta.cores} cores, ${meta.memoryGb.toFixed(0)} GB, ${meta.os}`,
    `- **Node** ${meta.node}; **logxpy** ${versions.logxpy}; **pino** ${versions.pino} (sonic-boom ${versions["sonic-boom"]}, thread-stream ${versions["thread-stream"]}); **winston** ${versions.winston}`,
    `- **Method:** every figure is the median of ${plan.rounds} round(s) (slow FIFO: ${Math.min(plan.rounds, plan.fifoRounds)}); each measurement runs in its own fresh \`node\` process and the configurations alternate within each round.`,
    `- **N:** ${int(plan.throughputN)} calls per standard-record throughput run, ${int(plan.bigRecordN)} for the deep and 2 KB records (4-11× the bytes); ${int(plan.latencyN)} timed calls for latency; ${int(plan.exitN)} lines before exit; ${int(plan.fifoN)} records into the slow FIFO.`,
    `- **Records:** standard = ${meta.shapes.standard}; deep = ${meta.shapes.deep}; long = ${meta.shapes.long}.`,
    `- **Run:** ${meta.date}, took ${meta.durationS.toFixed(0)} s; other processes used ${others} meanwhile.`,
  ].join("\n");
}

function summarySection(summary) {
  const std = summary["throughput-standard"] ?? {};
  const rows = CONFIGS.map((c) => {
    const row = std[c.id];
    return [
      label(c, row ?? summary.latency?.[c.id]),
      row?.backend ?? DASH,
      speed(row),
      ...REFERENCES.map((r) => ratio(std, row, r.id)),
      us(summary.latency?.[c.id]?.p99Us),
      mb(row?.peakRssMb),
      exitLoss(summary.exit?.[c.id]),
      exitLoss(summary.throw?.[c.id]),
      ...fifoCells(summary.fifo?.[c.id]),
    ];
  });
  return [
    "## Summary (standard record)",
    "",
    table(["configuration", "writer", "logs/s", ...REFERENCES.map((r) => r.header), "p99 µs", "peak RSS MB", "lost at exit()", "lost at uncaught throw", "slow FIFO: caller s", "slow FIFO: peak RSS MB"], rows),
    "",
    "Time ratios compare the time until every line is in the file (below 1× is faster); the floor only serializes, so its ratio is what each logger costs beyond `JSON.stringify`. A logger that lost or mangled a line in any round gets no speed figure.",
  ].join("\n");
}

/** The process's CPU by thread (the whole run, start-up included): the writer thread's share is what mmap could cut. */
function threads(row) {
  if (row.mainCpuMs === undefined) return DASH;
  return `${int(row.mainCpuMs)} / ${row.writerCpuMs > 0 ? int(row.writerCpuMs) : DASH} / ${int(row.otherCpuMs)}`;
}

function throughputSection(shape, scenario, rows = {}) {
  const body = CONFIGS.filter((c) => rows[c.id]).map((c) => {
    const row = rows[c.id];
    return [
      label(c, row),
      ms(row.loopMs),
      ms(row.totalMs),
      speed(row),
      ...REFERENCES.map((r) => ratio(rows, row, r.id)),
      mb(row.peakRssMb),
      row.lineBytes === undefined ? DASH : int(row.lineBytes),
      threads(row),
      c.writes === false ? "no output" : row.valid ? "✓ every reqId once" : "✗",
    ];
  });
  return [
    `### Throughput, ${shape} record, N = ${int(scenario.n)}`,
    "",
    table(["configuration", "loop returns ms", "all in file ms", "logs/s", ...REFERENCES.map((r) => r.header), "peak RSS MB", "bytes/line", "CPU ms: main / writer / other threads", "file check"], body),
  ].join("\n");
}

function latencySection(scenario, rows = {}) {
  const body = CONFIGS.filter((c) => rows[c.id]).map((c) => {
    const row = rows[c.id];
    return [label(c, row), us(row.p50Us), us(row.p99Us), us(row.p999Us), us(row.maxUs), c.writes === false ? "no output" : row.valid ? "✓" : "✗"];
  });
  return [
    `### Latency per call, standard record, ${int(scenario.n)} timed calls after 1,000 untimed`,
    "",
    table(["configuration", "p50 µs", "p99 µs", "p99.9 µs", "max µs", "file check"], body),
  ].join("\n");
}

function exitSection(scenario, exitRows = {}, throwRows = {}) {
  const body = CONFIGS.filter((c) => exitRows[c.id]).map((c) => [label(c, exitRows[c.id]), exitLoss(exitRows[c.id]), exitLoss(throwRows[c.id])]);
  return [
    `### Lines lost when the process ends right after logging ${int(scenario.n)} lines`,
    "",
    table(["configuration", "process.exit(0): lost", "uncaught exception: lost"], body),
    "",
    "Counted in the file after the process ended: records whose reqId is missing; a torn line is a partial last record; \"of its own\" counts whole records the logger wrote besides the benchmark's (logxpy's one critical record of the uncaught exception that ended the process, `logUncaught`).",
  ].join("\n");
}

function fifoSection(scenario, rows = {}) {
  const { n, reader, timeoutMs } = scenario;
  const body = CONFIGS.filter((c) => rows[c.id]).map((c) => {
    const row = rows[c.id];
    const delivered = row.lost === undefined ? DASH : `${int(n - row.lost)} / ${int(n)}`;
    const timedOut = row.timedOut ? ` (${row.timedOut} of ${row.runs} killed at ${timeoutMs / 1000} s)` : "";
    return [label(c, row), seconds(row.loopMs), seconds(row.totalMs), mb(row.peakRssMb), mb(row.rssGrowthMb), delivered + timedOut];
  });
  return [
    `### Slow FIFO reader: ${int(n)} standard records, the reader takes ${reader.chunkBytes / 1024} KB every ${reader.everyMs} ms`,
    "",
    table(["configuration", "caller loop s", "all delivered s", "peak RSS MB", "RSS growth MB", "delivered"], body),
    "",
    "A logger that blocks shows a long caller loop; one that buffers shows a short loop and a grown RSS.",
  ].join("\n");
}

const METHOD = [
  "### How it is measured",
  "",
  "- **Loop returns:** the calls run in a loop that yields to the event loop every 100 calls, as a server returns to its loop between requests; async writers do their I/O in those turns. Whatever is still queued when the loop returns is in the next column. logxpy's async queue holds 10,000 records, then the caller writes a batch itself (policy `block`); pino's and winston's buffers have no bound.",
  "- **All in file:** until the logger's own flush or close says so — logxpy `await log.flush()`; pino `dest.flushSync()` (its `flush(cb)` would add an fsync that no other row pays); pino.transport `end()` until `close` (the worker's sonic-boom fsyncs on close, so this row includes one fsync); winston `end()` until both the logger and the File transport emit `finish`. The parent then reads the file and checks that every line is JSON and every reqId appears exactly once.",
  "- **Peak RSS:** the child's VmHWM from `/proc/self/status` (the kernel's high-water mark, worker threads included) after the flush; RSS growth is peak minus RSS before the loop. A FIFO run killed at the time limit has its VmHWM read by the parent just before the kill.",
  "- **Latency:** `process.hrtime.bigint()` around each call, the record built outside the timed span.",
  "- **Exit:** the child logs in a loop that never yields, then calls `process.exit(0)`, or throws from a `process.nextTick` callback, before the event loop turns again: everything an async writer holds is still queued.",
  "- **Build:** logxpy runs from a copy of `dist/` and `native/` taken when the run starts, so a rebuild meanwhile cannot change the writer between rounds.",
  "- **Slow FIFO:** the parent opens the FIFO non-blocking, reads it on a timer and keeps what it read; the child's run is killed after the time limit.",
].join("\n");
