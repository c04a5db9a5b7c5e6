// `npm run bench -- --cli [--size-mb=1024] [--eliot-tree-mb=N]`: the reader
// on a big file. Writes (once, in /tmp, never in the repository) a log of
// HTTP-request tasks in logxpy's format: "eliot", then times `logxpy stats`,
// a filtered `logxpy tree` and a full `logxpy tree` against eliot-tree on
// the same file, output to /dev/null, printing wall and CPU time, MB/s and
// peak RSS.
// eliot-tree reads about 1 MB/s, so --eliot-tree-mb gives it the first N MB
// instead (a file of its own, cut at a line end) when the whole would take
// too long; the table says which size each row read.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, createReadStream, createWriteStream, existsSync, openSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { peakRssMb } from "./rss.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const CLI = join(HERE, "..", "dist", "cli", "main.js");
const arg = (name, dflt) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? dflt);
const sizeMb = arg("size-mb", 1024);
const eliotMb = arg("eliot-tree-mb", sizeMb);
const eliotTree = process.env.LOGXPY_ELIOT_TREE ?? join(os.homedir(), ".cache", "logxpy-ci", "eliot-tree", "bin", "eliot-tree");
const venv = dirname(dirname(eliotTree));
const dir = "/tmp/logxpy-cli-bench";
const big = join(dir, `eliot-${sizeMb}mb.log`);

function ensureLog() {
  if (existsSync(big) && statSync(big).size >= sizeMb * 1024 * 1024) return;
  spawnSync("mkdir", ["-p", dir]);
  console.error(`writing ${big} (${sizeMb} MB)…`);
  const r = spawnSync(process.execPath, [join(HERE, "cli-records.cjs"), big, String(sizeMb)], { stdio: "inherit" });
  if (r.status !== 0) throw new Error("cli-records.cjs failed");
}

/** The first `mb` megabytes of the big file, ending at a line end. */
async function prefix(mb) {
  if (mb >= sizeMb) return big;
  const path = join(dir, `eliot-${sizeMb}mb-first-${mb}mb.log`);
  if (existsSync(path)) return path;
  await new Promise((resolve, reject) => {
    const out = createWriteStream(path);
    let left = mb * 1024 * 1024;
    const input = createReadStream(big);
    input.on("data", (chunk) => {
      if (left <= 0) return;
      let piece = chunk.subarray(0, Math.min(chunk.length, left));
      left -= piece.length;
      if (left <= 0) {
        piece = piece.subarray(0, piece.lastIndexOf(10) + 1);
        input.destroy();
        out.end(piece, resolve);
      } else out.write(piece);
    });
    input.on("error", reject);
    input.on("end", () => out.end(resolve));
  });
  return path;
}

/** CPU seconds (user + system) the process has used so far, from /proc (clock ticks of 1/100 s). */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Runs a command with its output to /dev/null; wall seconds, CPU seconds and
 * peak RSS, sampled from /proc every 20 ms. CPU seconds are given because on
 * a shared machine the wall time also counts the waits for a core.
 */
function measure(cmd, args) {
  return new Promise((resolve, reject) => {
    const devnull = openSync("/dev/null", "w");
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ["ignore", devnull, "pipe"] });
    let peak = 0;
    let cpu = 0;
    let stderr = "";
    const timer = setInterval(() => {
      peak = Math.max(peak, peakRssMb(child.pid) ?? 0);
      cpu = Math.max(cpu, cpuSeconds(child.pid) ?? 0);
    }, 20);
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      clearInterval(timer);
      closeSync(devnull);
      if (code !== 0) reject(new Error(`${cmd} ${args.join(" ")} exited ${code}: ${stderr.slice(0, 2000)}`));
      else resolve({ seconds, peak, cpu });
    });
  });
}

ensureLog();
const eliotFile = await prefix(eliotMb);
const runs = [
  ["logxpy stats", process.execPath, [CLI, "stats", big], big],
  ["logxpy tree --action db:query --status failed", process.execPath, [CLI, "--action", "db:query", "--status", "failed", big], big],
  ["logxpy tree (every task)", process.execPath, [CLI, big], big],
  ["logxpy tree (every task), eliot-tree's input", process.execPath, [CLI, eliotFile], eliotFile],
  ["eliot-tree (every task)", eliotTree, [eliotFile], eliotFile],
  ["eliot-tree --select failed db:query", eliotTree, ["--select", "action_type == 'db:query' && action_status == 'failed'", eliotFile], eliotFile],
];
if (!existsSync(eliotTree)) throw new Error(`no eliot-tree at ${eliotTree}: make the venv as .ci/run does, or set LOGXPY_ELIOT_TREE`);
const version = spawnSync(join(venv, "bin", "pip"), ["show", "eliot-tree"], { encoding: "utf8" }).stdout.match(/Version: (\S+)/)?.[1];
const lines = [];
const say = (line) => {
  console.log(line);
  lines.push(line);
};
say(`machine: ${os.cpus()[0].model}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GB; node ${process.version}; eliot-tree ${version}`);
say(`records: HTTP-request tasks (request ⊃ query + message, 1% of queries failing with a stack), format "eliot"\n`);
say("| command | input MB | wall s | CPU s | MB/s (wall) | MB/s (CPU) | peak RSS MB |");
say("|---|---:|---:|---:|---:|---:|---:|");
for (const [name, cmd, args, file] of runs) {
  if (file === eliotFile && file === big && name.includes("eliot-tree's input")) continue;
  const mb = statSync(file).size / 2 ** 20;
  const { seconds, peak, cpu } = await measure(cmd, args);
  say(`| ${name} | ${mb.toFixed(0)} | ${seconds.toFixed(1)} | ${cpu.toFixed(1)} | ${(mb / seconds).toFixed(1)} | ${(mb / cpu).toFixed(1)} | ${peak.toFixed(0)} |`);
}
// RESULTS.md is rewritten whole by the writer benchmark, so the reader's numbers keep a file of their own.
if (sizeMb >= 1024) {
  const head = "# The reader on a 1 GB file\n\n`npm run bench -- --cli` (benchmark/cli.mjs): output to /dev/null, peak RSS sampled from /proc every 20 ms.\n\n";
  writeFileSync(join(HERE, "RESULTS-cli.md"), head + lines.join("\n") + "\n");
}
