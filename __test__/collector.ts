// A real OpenTelemetry Collector for the OTLP tests: built once by
// .ci/otelcol.sh (cached), started on free 127.0.0.1 ports with the OTLP
// receiver and the file exporter, read back from the file it writes.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { join } from "node:path";
import { tempDir } from "./helpers";

let binary: string | undefined;

/** The collector binary; builds it on first use (a no-op when .ci/run has). */
export function collectorBinary(): string {
  binary ??= execFileSync("bash", [join(__dirname, "..", ".ci", "otelcol.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
  return binary;
}

/** A port free on 127.0.0.1 now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Two free ports for a collector: gRPC and HTTP. */
export async function collectorPorts(): Promise<{ grpc: number; http: number }> {
  return { grpc: await freePort(), http: await freePort() };
}

export interface Collector {
  readonly ports: { grpc: number; http: number };
  /** The file exporter's output (one JSON export request per line). */
  readonly out: string;
  /** Ends the collector with SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** Its stderr so far, for failure messages. */
  log(): string;
}

/** One exported record as the collector wrote it, with its resource's attributes. */
export interface Collected {
  timeUnixNano: string;
  severityNumber?: number;
  severityText?: string;
  body: unknown;
  attributes: Record<string, unknown>;
  traceId?: string;
  spanId?: string;
  flags?: number;
  resource: Record<string, unknown>;
  scope: string;
}

/** Starts a collector on `ports` and resolves once both receivers accept connections. */
export async function startCollector(ports: { grpc: number; http: number }, dir: string = tempDir()): Promise<Collector> {
  const out = join(dir, `collected-${ports.grpc}-${Date.now()}.json`);
  const config = join(dir, `otelcol-${ports.grpc}.yaml`);
  writeFileSync(
    config,
    [
      "receivers:",
      "  otlp:",
      "    protocols:",
      "      grpc:",
      `        endpoint: 127.0.0.1:${ports.grpc}`,
      "      http:",
      `        endpoint: 127.0.0.1:${ports.http}`,
      "exporters:",
      "  file:",
      `    path: ${out}`,
      "    flush_interval: 20ms",
      "service:",
      "  telemetry:",
      "    metrics:",
      "      level: none",
      "  pipelines:",
      "    logs:",
      "      receivers: [otlp]",
      "      exporters: [file]",
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn(collectorBinary(), ["--config", config], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 20_000;
  while (!((await accepts(ports.grpc)) && (await accepts(ports.http)))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the collector did not start:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    ports,
    out,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
    log: () => stderr,
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: { key: string; value: AnyValue }[] };
}

/** An OTLP JSON value as a plain one (ints as numbers). */
function plain(v: AnyValue | undefined): unknown {
  if (v === undefined) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(plain);
  if (v.kvlistValue !== undefined) return attributes(v.kvlistValue.values);
  return undefined;
}

function attributes(list: { key: string; value: AnyValue }[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, plain(kv.value)]));
}

/** Every record in the collector's output file, in the order it wrote them. */
export function readCollected(path: string): Collected[] {
  if (!existsSync(path)) return [];
  const records: Collected[] = [];
  const text = readFileSync(path, "utf8");
  // The collector may be inside a write: a last line without its newline is not there yet.
  const whole = text.slice(0, text.lastIndexOf("\n") + 1);
  for (const line of whole.split("\n")) {
    if (line.trim() === "") continue;
    const request = JSON.parse(line) as {
      resourceLogs?: { resource?: { attributes?: { key: string; value: AnyValue }[] }; scopeLogs?: { scope?: { name?: string }; logRecords?: Record<string, unknown>[] }[] }[];
    };
    for (const rl of request.resourceLogs ?? []) {
      const resource = attributes(rl.resource?.attributes);
      for (const sl of rl.scopeLogs ?? []) {
        for (const r of sl.logRecords ?? []) {
          records.push({
            timeUnixNano: String(r.timeUnixNano ?? ""),
            severityNumber: r.severityNumber as number | undefined,
            severityText: r.severityText as string | undefined,
            body: plain(r.body as AnyValue | undefined),
            attributes: attributes(r.attributes as { key: string; value: AnyValue }[] | undefined),
            traceId: (r.traceId as string | undefined) || undefined,
            spanId: (r.spanId as string | undefined) || undefined,
            flags: r.flags as number | undefined,
            resource,
            scope: sl.scope?.name ?? "",
          });
        }
      }
    }
  }
  return records;
}

/** Resolves with the collected records once at least `n` are in `path`; rejects after `ms` saying how many came. */
export async function collected(path: string, n: number, ms = 20_000): Promise<Collected[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const records = readCollected(path);
    if (records.length >= n) return records;
    if (Date.now() > deadline) throw new Error(`the collector has ${records.length} of ${n} records after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
