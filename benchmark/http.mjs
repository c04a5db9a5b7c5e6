// `npm run bench -- --http [--quick]`: an HTTP server under load, per logger.
// Each run is a fresh server process (http-server.mjs) loaded by autocannon
// from another (http-load.mjs), the configurations alternating within each
// round; then the server writes out every line and the parent checks the
// file (three whole JSON lines per request served). Reported per Node
// version: median req/s, its ratio to the server that logs nothing, the
// logging overhead (1 − ratio), autocannon's p50/p99 latency and the server
// process's CPU time per request (every thread). --configs=a,b, --rounds=N
// and --only-other-node rerun a part while working on it.
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cpuTicks, otherCpuShare } from "./cpu-share.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..");
const quick = process.argv.includes("--quick");
// Full: 3 rounds of 8 s per configuration and Node version (~8 minutes).
const PLAN = quick ? { rounds: 1, warmupS: 1, seconds: 2, connections: 50 } : { rounds: 3, warmupS: 2, seconds: 8, connections: 50 };
const rounds = Number(process.argv.find((a) => a.startsWith("--rounds="))?.slice("--rounds=".length) ?? PLAN.rounds);
PLAN.rounds = rounds;
const CONFIGS = [
  { id: "none", label: "no logging" },
  { id: "none-als", label: "no logging, ALS run" },
  { id: "pino-async", label: "pino, async destination" },
  { id: "pino-transport", label: "pino.transport (worker)" },
  { id: "logtape", label: "LogTape file sink" },
  { id: "logxpy-plain", label: "logxpy, 3 × log.info" },
  { id: "logxpy-scope-action", label: "logxpy, scope + action" },
  { id: "logxpy-middleware", label: "logxpy/http middleware" },
];
const RECORDS_PER_REQUEST = 3;
// --configs=a,b reruns some rows while working on them.
const chosen = process.argv.find((a) => a.startsWith("--configs="))?.slice("--configs=".length).split(",");
const RUN_CONFIGS = chosen ? CONFIGS.filter((c) => chosen.includes(c.id)) : CONFIGS;
// The other Node whose AsyncLocalStorage differs (AsyncContextFrame from 24 on); an npm package carries it.
const OTHER_NODE = process.argv.find((a) => a.startsWith("--node="))?.slice("--node=".length) ?? "24.22.3";
const progress = (text) => process.stderr.write(text + "\n");

const nodes = process.argv.includes("--only-other-node") ? [] : [{ version: process.version, bin: process.execPath }];
if (!quick || process.argv.includes("--only-other-node")) nodes.push({ version: `v${OTHER_NODE}`, bin: execFileSync("bash", [join(ROOT, ".ci/node-build"), OTHER_NODE], { encoding: "utf8" }).trim() });

const workDir = mkdtempSync(join(os.tmpdir(), "logxpy-http-bench-"));
// One build for every run, as run.mjs does: a rebuild meanwhile cannot change the writer between rounds.
const build = join(workDir, "logxpy");
for (const part of ["dist", "native"]) if (existsSync(join(ROOT, part))) cpSync(join(ROOT, part), join(build, part), { recursive: true });

const started = performance.now();
const ticksAtStart = cpuTicks();
const runs = [];
try {
  for (const node of nodes) {
    for (let round = 0; round < PLAN.rounds; round++) {
      for (const config of rotate(RUN_CONFIGS, round)) {
        const run = await measure(node, config, round);
        runs.push(run);
        progress(`[http ${node.version} ${round + 1}/${PLAN.rounds}] ${config.id.padEnd(20)} ${run.failure ? `FAILED: ${run.failure}` : `${run.reqPerSec.toFixed(0)} req/s, p99 ${run.p99Ms} ms, ${run.cpuUsPerRequest.toFixed(1)} µs CPU/req`}`);
      }
    }
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}

const others = otherCpuShare(ticksAtStart, cpuTicks());
const report = render(runs, others);
mkdirSync(join(HERE, "results"), { recursive: true });
writeFileSync(quick ? join(HERE, "results", "RESULTS-http-quick.md") : join(HERE, "RESULTS-http.md"), report);
process.stdout.write(report);
const failures = runs.filter((r) => r.failure);
for (const r of failures) progress(`  ${r.node} ${r.config} (round ${r.round + 1}): ${r.failure}`);
if (failures.length > 0) process.exitCode = 1;
progress(`\nHTTP benchmark (${quick ? "quick" : "full"}) took ${((performance.now() - started) / 1000).toFixed(0)} s`);

/** One server process under one load run, and the check of its file. */
async function measure(node, config, round) {
  const file = join(workDir, `${config.id}.log`);
  rmSync(file, { force: true });
  const server = spawn(node.bin, [join(HERE, "http-server.mjs"), config.id, file], {
    env: { ...process.env, LOGXPY_BENCH_BUILD: build, LOGXPY_NATIVE: undefined, LOGXPY_SYNC: undefined },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const lines = jsonLines(server.stdout);
  let stderr = "";
  server.stderr.on("data", (d) => (stderr += d));
  const run = { node: node.version, config: config.id, round };
  try {
    const { port } = await lines.next();
    const url = `http://127.0.0.1:${port}/`;
    await load(url, PLAN.warmupS);
    Object.assign(run, await load(url, PLAN.seconds));
    server.stdin.write("stop\n");
    const { served, backend, cpuUsPerRequest } = await lines.next();
    Object.assign(run, { served, backend, cpuUsPerRequest });
    await new Promise((resolve) => server.once("close", resolve));
    if (!config.id.startsWith("none")) run.check = checkFile(file, served * RECORDS_PER_REQUEST);
    run.failure = failureOf(run);
  } catch (err) {
    server.kill("SIGKILL");
    run.failure = `${err.message}${stderr ? `: ${stderr.trim().split("\n").at(-1)}` : ""}`;
  }
  rmSync(file, { force: true });
  return run;
}

function failureOf(run) {
  if (run.errors > 0 || run.non2xx > 0) return `${run.errors} errors, ${run.non2xx} non-2xx answers`;
  if (run.check && !run.check.ok) return `file: ${run.check.lines} lines for ${run.check.expected} expected, ${run.check.invalid} invalid`;
  return undefined;
}

/** Every line whole JSON, and as many as the requests served make. */
function checkFile(file, expected) {
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  const all = text.split("\n");
  if (all.at(-1) === "") all.pop();
  let invalid = 0;
  for (const line of all) {
    try {
      JSON.parse(line);
    } catch {
      invalid++;
    }
  }
  return { ok: invalid === 0 && all.length === expected && text.endsWith("\n"), lines: all.length, expected, invalid };
}

function load(url, seconds) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(HERE, "http-load.mjs"), url, String(PLAN.connections), String(seconds)], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}: ${err.trim()}`));
      resolve(JSON.parse(out.trim().split("\n").at(-1)));
    });
  });
}

/** Reads one JSON line at a time from a child's standard output. */
function jsonLines(stream) {
  let buffered = "";
  const waiting = [];
  const ready = [];
  stream.setEncoding("utf8");
  stream.on("data", (text) => {
    buffered += text;
    let i;
    while ((i = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      const value = JSON.parse(line);
      if (waiting.length > 0) waiting.shift().resolve(value);
      else ready.push(value);
    }
  });
  stream.on("close", () => {
    for (const w of waiting.splice(0)) w.reject(new Error("the server exited"));
  });
  return {
    next: () => (ready.length > 0 ? Promise.resolve(ready.shift()) : new Promise((resolve, reject) => waiting.push({ resolve, reject }))),
  };
}

function rotate(list, k) {
  const i = k % list.length;
  return [...list.slice(i), ...list.slice(0, i)];
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function render(all, others) {
  const out = [];
  const cpu = os.cpus()[0]?.model ?? "unknown";
  out.push(`# HTTP server under load${quick ? " (quick run: figures mean little)" : ""}`, "");
  out.push(
    `${new Date().toISOString()} · ${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB · ${os.type()} ${os.release()} · ` +
      `autocannon, ${PLAN.connections} connections from another process, ${PLAN.seconds} s a run after ${PLAN.warmupS} s of warm-up, ${PLAN.rounds} round(s), medians · ` +
      `node:http answering "ok", ${RECORDS_PER_REQUEST} records a request; every file checked (${RECORDS_PER_REQUEST} whole JSON lines per request served)` +
      (others === undefined ? "" : ` · other processes used ${(others * 100).toFixed(0)}% of the machine meanwhile${others > 0.05 ? " (figures disturbed)" : ""}`),
    "",
  );
  for (const node of [...new Set(all.map((r) => r.node))]) {
    const runs = all.filter((r) => r.node === node && !r.failure);
    const by = (id) => runs.filter((r) => r.config === id);
    const base = median(by("none").map((r) => r.reqPerSec));
    const overhead = {};
    out.push(`## Node ${node}`, "", "| logger | writer | req/s | ÷ no logging | overhead | p50 ms | p99 ms | server CPU µs/request | lines checked |", "|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for (const c of RUN_CONFIGS) {
      const rs = by(c.id);
      if (rs.length === 0) {
        out.push(`| ${c.label} | failed | | | | | | | |`);
        continue;
      }
      const rps = median(rs.map((r) => r.reqPerSec));
      overhead[c.id] = 1 - rps / base;
      const lines = rs.reduce((n, r) => n + (r.check?.lines ?? 0), 0);
      out.push(
        `| ${c.label} | ${rs[0].backend} | ${rps.toFixed(0)} | ${(rps / base).toFixed(2)} | ${c.id === "none" ? "" : `${(overhead[c.id] * 100).toFixed(1)}%`} | ${median(rs.map((r) => r.p50Ms))} | ${median(rs.map((r) => r.p99Ms))} | ${median(rs.map((r) => r.cpuUsPerRequest)).toFixed(1)} | ${c.id === "none" ? "" : lines.toLocaleString("en-US")} |`,
      );
    }
    out.push("", ...bars(overhead), "");
  }
  return out.join("\n") + "\n";
}

function fraction(text) {
  const [a, b] = text.split("/").map(Number);
  return a / b;
}

/** The issue's bars, as measured in this run. */
function bars(o) {
  const ratio = (a, b) => (o[a] === undefined || o[b] === undefined || o[b] <= 0 ? "n/a" : (o[a] / o[b]).toFixed(2));
  const line = (what, a, b, bar) => {
    const r = ratio(a, b);
    return `- ${what}: ${r} of ${b}'s overhead (bar ≤ ${bar}) ${r === "n/a" ? "" : Number(r) <= fraction(bar) ? "✔" : "✘"}`;
  };
  return [
    line("logxpy/http middleware", "logxpy-middleware", "pino-async", "1/3"),
    line("logxpy/http middleware", "logxpy-middleware", "pino-transport", "1/2"),
    line("logxpy scope + action", "logxpy-scope-action", "pino-async", "1/3"),
    line("logxpy plain", "logxpy-plain", "pino-async", "1/4"),
  ];
}
