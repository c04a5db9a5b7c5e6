// The cost of awaiting a record: `await log.ainfo()` resolves once the record
// is written, or synced to disk with `durable: "fsync"`. Two shapes, each in a
// fresh child per writer and durability:
//   one at a time: a caller that awaits every record (the worst case);
//   1,000 at once: concurrent requests that each await their record, which
//   share one flush (and one sync).
// pino has no per-record acknowledgement to compare with: its `flush(cb)`
// syncs the whole destination, and `pino.destination({ sync: true })` never
// syncs.
//   node benchmark/durable.mjs <js|native> <written|fsync> <n> <file>   (child)
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MESSAGE, SHAPES } from "./records.mjs";

const CONCURRENT = 1000;

/** Runs every combination and returns the report's markdown section. */
export function durableSection({ n, build, workDir, progress }) {
  const rows = [];
  for (const writer of ["native", "js"]) {
    for (const durable of ["written", "fsync"]) {
      const file = join(workDir, `durable-${writer}-${durable}.log`);
      const env = { ...process.env, LOGXPY_BENCH_BUILD: build, LOGXPY_NATIVE: writer === "js" ? "0" : "1" };
      delete env.LOGXPY_SYNC;
      const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), writer, durable, String(n), file], { env, encoding: "utf8", timeout: 300_000 });
      const last = child.stdout.trim().split("\n").pop();
      if (child.status !== 0 || !last) {
        progress(`durable ${writer} ${durable}: FAILED ${child.stderr.slice(-500)}`);
        rows.push(`| ${writer} | ${durable} | failed | | |`);
        continue;
      }
      const r = JSON.parse(last);
      progress(`durable ${writer.padEnd(6)} ${durable.padEnd(7)} one at a time p50 ${r.p50Us.toFixed(0)} µs, ${CONCURRENT} at once ${r.concurrentMs.toFixed(1)} ms`);
      rows.push(`| ${r.backend} | ${durable} | ${r.p50Us.toFixed(0)} / ${r.p99Us.toFixed(0)} | ${r.concurrentMs.toFixed(1)} | ${((r.concurrentMs * 1000) / CONCURRENT).toFixed(1)} |`);
    }
  }
  return [
    "",
    "## Awaited records (`await log.ainfo()`)",
    "",
    `Standard record. One at a time: ${n} calls, each awaited before the next. At once: ${CONCURRENT} calls started together, then awaited together. fsync is \`fdatasync\` of the log file (a regular file on this machine's disk).`,
    "",
    "| writer | resolves when | one at a time p50 / p99 µs | 1,000 at once, ms | per call at once, µs |",
    "|---|---|---:|---:|---:|",
    ...rows,
    "",
  ].join("\n");
}

async function child([writer, durable, nText, file]) {
  const build = process.env.LOGXPY_BENCH_BUILD ?? fileURLToPath(new URL("..", import.meta.url));
  const { log } = await import(join(build, "dist/index.js"));
  log.init(file);
  const options = { durable: durable === "fsync" ? "fsync" : false };
  const make = SHAPES.standard;
  const n = Number(nText);
  for (let i = 0; i < 100; i++) await log.ainfo(MESSAGE, make(i), options); // warm-up
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await log.ainfo(MESSAGE, make(i), options);
    times[i] = (performance.now() - t0) * 1000;
  }
  times.sort();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => log.ainfo(MESSAGE, make(i), options)));
  const concurrentMs = performance.now() - t0;
  const at = (q) => times[Math.min(n - 1, Math.floor(q * n))];
  process.stdout.write(JSON.stringify({ backend: log.backend, writer, p50Us: at(0.5), p99Us: at(0.99), concurrentMs }) + "\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await child(process.argv.slice(2));
