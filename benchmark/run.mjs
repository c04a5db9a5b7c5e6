// `npm run bench [-- --quick]`: runs every scenario for every configuration,
// each measurement in its own fresh child process (child.mjs), alternating
// the configurations within each round, checks every file, and prints one
// markdown report (report.mjs). Progress goes to stderr, the report to stdout.
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CONFIGS } from "./configs.mjs";
import { durableSection } from "./durable.mjs";
import { otlpSection } from "./otlp.mjs";
import { cpuTicks, otherCpuShare } from "./cpu-share.mjs";
import { makeFifo, startSlowReader } from "./fifo.mjs";
import { SHAPE_NOTES } from "./records.mjs";
import { peakRssMb } from "./rss.mjs";
import { renderReport, summarize } from "./report.mjs";
import { checkRecords } from "./validate.mjs";

if (process.argv.includes("--http")) {
  // A server under load is a scenario of its own: see benchmark/http.mjs.
  await import("./http.mjs");
  process.exit(process.exitCode ?? 0);
}

if (process.argv.includes("--cli")) {
  // The reader on a big file is a program of its own: see benchmark/cli.mjs.
  await import("./cli.mjs");
  process.exit(0);
}

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..");

// Full: 5 rounds take ~11 minutes on 2 cores. The deep and 2 KB records get
// half the calls: at 200,000 they took 45% of a 14-minute run (winston alone
// 15 s a run). Quick: a smoke run for CI that exercises every path in well
// under 2 minutes; its figures mean little.
const PLANS = {
  full: { rounds: 5, throughputN: 200_000, bigRecordN: 100_000, latencyN: 100_000, exitN: 100_000, fifoN: 100_000, fifoRounds: 3, fifoTimeoutMs: 20_000, durableN: 2_000, otlpN: 100_000, otlpRounds: 3 },
  quick: { rounds: 1, throughputN: 20_000, bigRecordN: 10_000, latencyN: 10_000, exitN: 20_000, fifoN: 5_000, fifoRounds: 1, fifoTimeoutMs: 10_000, durableN: 200, otlpN: 5_000, otlpRounds: 1 },
};
// 6.4 MB/s at most: a standard-record logger produces several times that.
const FIFO_READER = { chunkBytes: 64 * 1024, everyMs: 10 };
// Only a hung child reaches this; the slowest full run (winston, 2 KB records) takes ~10 s.
const CHILD_TIMEOUT_MS = 300_000;

const mode = process.argv.includes("--quick") ? "quick" : "full";
const plan = PLANS[mode];
// --only=fifo (or any scenario id prefix) reruns one figure while working on it.
const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
const progress = (text) => process.stderr.write(text + "\n");

ensureInstalled();
const scenarios = planScenarios(plan).filter((s) => !only || s.id.startsWith(only));
const meta = describeRun();
const workDir = mkdtempSync(join(os.tmpdir(), "logxpy-bench-"));
const build = snapshotBuild();
const started = performance.now();
const ticksAtStart = cpuTicks();
const runs = [];
let durable = "";
let otlp = { section: "", ok: true };
try {
  for (let round = 0; round < plan.rounds; round++) {
    for (const scenario of scenarios) {
      if (round >= scenario.rounds) continue;
      for (const config of rotate(CONFIGS, round)) {
        if (scenario.needsFile && config.writes === false) continue;
        if (config.scenarios && !config.scenarios.includes(scenario.id)) continue;
        const run = await measure(config, scenario, round);
        runs.push(run);
        progress(`[${mode} ${round + 1}/${plan.rounds}] ${scenario.id.padEnd(19)} ${config.id.padEnd(15)} ${describeOutcome(run)}`);
      }
    }
  }
  if (!only || only === "durable") durable = durableSection({ n: plan.durableN, build, workDir, progress });
  if (!only || only === "otlp") otlp = await otlpSection({ n: plan.otlpN, rounds: plan.otlpRounds, build, workDir, progress });
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
meta.durationS = (performance.now() - started) / 1000;
meta.otherCpuShare = otherCpuShare(ticksAtStart, cpuTicks());

const summary = summarize(runs, scenarios);
// The breakdown of where a request's logging time goes, and the mmap decision, are written by hand
// from profiles (benchmark/breakdown.md); a full run carries them into RESULTS.md with its figures.
const breakdown = existsSync(join(HERE, "breakdown.md")) ? `\n${readFileSync(join(HERE, "breakdown.md"), "utf8")}` : "";
const report = renderReport(meta, scenarios, summary) + durable + otlp.section + breakdown;
const resultsDir = join(HERE, "results");
mkdirSync(resultsDir, { recursive: true });
const stamp = meta.date.replace(/[:.]/g, "-");
writeFileSync(join(resultsDir, `${stamp}-${mode}.json`), JSON.stringify({ meta, scenarios, runs, summary }, null, 2));
// A quick or partial run must not replace the committed full table.
const complete = mode === "full" && !only;
writeFileSync(complete ? join(HERE, "RESULTS.md") : join(resultsDir, `RESULTS-${mode}${only ? "-" + only : ""}.md`), report);
process.stdout.write(report);

const failures = runs.filter((r) => r.failure);
if (!otlp.ok) {
  progress("\nthe OTLP section has failed runs (see above)");
  process.exitCode = 1;
}
if (failures.length > 0) {
  progress(`\n${failures.length} run(s) failed:`);
  for (const r of failures) progress(`  ${r.scenario} ${r.config} (round ${r.round + 1}): ${r.failure}`);
  process.exitCode = 1;
}
progress(`\nbenchmark (${mode}) took ${meta.durationS.toFixed(0)} s`);

/**
 * Copies dist/ and native/ (the addon dist/ loads by a relative path) so that
 * every run measures one build: a rebuild meanwhile empties dist/ first and
 * would fail runs, or mix two writers into one median.
 */
function snapshotBuild() {
  const dir = join(workDir, "logxpy");
  for (const part of ["dist", "native"]) {
    if (existsSync(join(ROOT, part))) cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  }
  return dir;
}

/** Installs the peers and builds logxpy when a fresh clone has neither. */
function ensureInstalled() {
  const quiet = { cwd: ROOT, stdio: ["ignore", 2, 2] };
  if (!existsSync(join(HERE, "node_modules"))) {
    progress("installing benchmark dependencies (npm ci --prefix benchmark)");
    execFileSync("npm", ["ci", "--prefix", "benchmark", "--no-audit", "--no-fund"], quiet);
  }
  if (!existsSync(join(ROOT, "dist/index.js"))) {
    // The root's `prepare` script builds dist/ as part of the install.
    const args = existsSync(join(ROOT, "node_modules")) ? ["run", "build"] : ["ci", "--no-audit", "--no-fund"];
    progress(`building logxpy (npm ${args.join(" ")})`);
    execFileSync("npm", args, quiet);
  }
}

function planScenarios(p) {
  const all = { rounds: p.rounds, shape: "standard", timeoutMs: CHILD_TIMEOUT_MS };
  return [
    { ...all, id: "throughput-standard", kind: "throughput", n: p.throughputN },
    ...["deep", "long"].map((shape) => ({ ...all, id: `throughput-${shape}`, kind: "throughput", shape, n: p.bigRecordN })),
    { ...all, id: "latency", kind: "latency", n: p.latencyN },
    { ...all, id: "exit", kind: "exit", n: p.exitN, needsFile: true },
    { ...all, id: "throw", kind: "throw", n: p.exitN, needsFile: true },
    { ...all, id: "fifo", kind: "fifo", n: p.fifoN, needsFile: true, rounds: p.fifoRounds, timeoutMs: p.fifoTimeoutMs, reader: FIFO_READER },
  ];
}

/** One child process: its figures, the check of its file, and what went wrong, if anything. */
async function measure(config, scenario, round) {
  const file = join(workDir, `${config.id}.${scenario.id}.log`);
  let records = file;
  let reader;
  if (scenario.kind === "fifo") {
    makeFifo(file);
    records = `${file}.capture`;
    reader = startSlowReader(file, records, scenario.reader);
  }
  // The FIFO run is the throughput run with a slow destination.
  const childScenario = scenario.kind === "fifo" ? "throughput" : scenario.kind;
  const args = [join(HERE, "child.mjs"), config.id, childScenario, String(scenario.n), file, scenario.shape];
  const child = await runChild(args, childEnv(config.env), scenario.timeoutMs);
  if (reader) await reader.finish();

  const run = { ...child.result, round, config: config.id, scenario: scenario.id, exitCode: child.code, signal: child.signal, timedOut: child.timedOut };
  if (config.writes !== false && existsSync(records)) {
    run.check = checkRecords(records, run.logged ?? scenario.n);
    run.lost = run.check.missing;
    run.invalid = run.check.invalid;
    run.other = run.check.other;
    run.lineBytes = run.check.bytes / Math.max(1, run.check.lines);
  }
  rmSync(file, { force: true });
  rmSync(records, { force: true });
  if (run.totalMs !== undefined) run.logsPerSec = scenario.n / (run.totalMs / 1000);
  if (run.peakRssMb === undefined) run.peakRssMb = child.peakRssMbAtKill;
  if (run.peakRssMb !== undefined && run.rssBeforeMb !== undefined) run.rssGrowthMb = run.peakRssMb - run.rssBeforeMb;
  run.failure = failureOf(scenario, run, child);
  if (run.failure) run.stderr = child.stderr.slice(-4000);
  return run;
}

/** Why a run cannot be trusted, or undefined. Lines lost at exit and a FIFO timeout are results, not failures. */
function failureOf(scenario, run, child) {
  const lines = child.stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  const why = lines.find((l) => /Error\b|ERR_/.test(l)) ?? lines.at(-1) ?? "no output";
  if (scenario.kind === "exit" || scenario.kind === "throw") {
    const expectedCode = scenario.kind === "exit" ? 0 : 1;
    return run.exitCode === expectedCode ? undefined : `exit code ${run.exitCode ?? run.signal}, expected ${expectedCode}: ${why}`;
  }
  if (run.timedOut) return scenario.kind === "fifo" ? undefined : "timed out";
  if (run.exitCode !== 0 || child.result === undefined) return `exit code ${run.exitCode ?? run.signal}: ${why}`;
  if (run.check && !run.check.ok) {
    const c = run.check;
    return `file check: ${c.lines} lines, ${c.invalid} invalid, ${c.missing} missing, ${c.duplicates} duplicated`;
  }
  return undefined;
}

function runChild(args, env, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    let timedOut = false;
    let peakRssMbAtKill;
    const timer = setTimeout(() => {
      timedOut = true;
      // A logger that buffers without bound is what this limit stops: keep its peak.
      peakRssMbAtKill = peakRssMb(child.pid);
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split("\n").pop();
      let result;
      try {
        result = last ? JSON.parse(last) : undefined;
      } catch {
        stderr += `\nunparsable child output: ${last}`;
      }
      resolve({ code, signal, timedOut, stderr, result, peakRssMbAtKill });
    });
  });
}

/** The parent's environment, less anything that would change which writer logxpy picks, plus the configuration's own. */
function childEnv(extra) {
  const env = { ...process.env, LOGXPY_SYNC: undefined, LOGXPY_NATIVE: undefined, LOGXPY_BENCH_BUILD: build, ...extra };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return env;
}

/** The configurations starting at a different one each round, so none always runs first (on a cold disk cache) or last. */
function rotate(list, k) {
  const i = k % list.length;
  return [...list.slice(i), ...list.slice(0, i)];
}

function describeOutcome(run) {
  if (run.failure) return `FAILED: ${run.failure}`;
  if (run.timedOut) return "timed out (reported)";
  if (run.p99Us !== undefined) return `p99 ${run.p99Us.toFixed(1)} µs`;
  if (run.totalMs !== undefined) return `${run.totalMs.toFixed(0)} ms`;
  return `${run.lost} lost`;
}

function describeRun() {
  const version = (dir) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version;
  const peer = (name) => version(join(HERE, "node_modules", name));
  let commit = "";
  try {
    const git = (...args) => execFileSync("git", args, { cwd: ROOT, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
    commit = git("rev-parse", "--short", "HEAD");
    // dist/ is built from the working tree, which may be ahead of the commit.
    if (git("status", "--porcelain") !== "") commit += " + uncommitted changes";
  } catch {
    // Not a git checkout (an unpacked tarball): the version alone names the build.
  }
  return {
    date: new Date().toISOString(),
    mode,
    plan,
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    memoryGb: os.totalmem() / 2 ** 30,
    node: process.version,
    versions: {
      logxpy: version(ROOT) + (commit ? ` (${commit})` : ""),
      pino: peer("pino"),
      "sonic-boom": peer("sonic-boom"),
      "thread-stream": peer("thread-stream"),
      "pino-opentelemetry-transport": peer("pino-opentelemetry-transport"),
      winston: peer("winston"),
    },
    shapes: SHAPE_NOTES,
  };
}
