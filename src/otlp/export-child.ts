// The pure-TypeScript OTLP writer's synchronous flush: `flushSync`, and so
// the exit flush, cannot let the event loop run an export, so they hand the
// queued lines to this script in a child process (`spawnSync`) and wait for
// it. It exports them with the same exporter and mapping, one batch after
// another, and exits 0 once the collector took them all; otherwise it says
// why on stderr and exits 1.
import { readFileSync } from "node:fs";
import { loadExporter } from "./exporter";
import { toLogRecord } from "./log-record";
import type { OtlpTarget } from "./target";

const BATCH = 512;

async function main(): Promise<void> {
  const { target, lines } = JSON.parse(readFileSync(0, "utf8")) as { target: OtlpTarget; lines: string[] };
  const { exporter, resource } = loadExporter(target);
  const ms = Date.now();
  const observed: [number, number] = [Math.floor(ms / 1000), (ms % 1000) * 1e6];
  for (let i = 0; i < lines.length; i += BATCH) {
    const records = lines.slice(i, i + BATCH).map((line) => toLogRecord(line, observed, resource, { name: "logxpy" }));
    const result = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(records, resolve));
    if (result.code !== 0) {
      process.stderr.write(`${i} of ${lines.length} record(s) exported, then: ${result.error?.message ?? "the export failed"}\n`);
      process.exit(1);
    }
  }
  await exporter.shutdown();
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
