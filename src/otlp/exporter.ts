import { createRequire } from "node:module";
import { ErrorCode, LogxpyError } from "../errors";
import { type OtlpLogRecord, push } from "./log-record";
import type { OtlpTarget } from "./target";

/** What logxpy uses of the official exporters (`OTLPLogExporter` of either package). */
export interface LogExporter {
  export(records: OtlpLogRecord[], done: (result: { code: number; error?: Error & { code?: unknown; data?: unknown } }) => void): void;
  shutdown(): Promise<void>;
}

/** The packages the pure-TypeScript writer exports with, pinned in package.json (optional peers). */
const PACKAGES = {
  grpc: "@opentelemetry/exporter-logs-otlp-grpc",
  "http/protobuf": "@opentelemetry/exporter-logs-otlp-http",
} as const;

/**
 * The official exporter for the target's protocol, and its resource, loaded
 * from the application's dependencies. Throws `LOGXPY_ERR_DESTINATION`
 * when they are not installed, at configuration, never in a log call.
 */
export function loadExporter(target: OtlpTarget): { exporter: LogExporter; resource: unknown } {
  const name = PACKAGES[target.protocol];
  let exporterModule: { OTLPLogExporter: new (config: unknown) => LogExporter };
  let resources: { resourceFromAttributes(attributes: Record<string, unknown>): unknown };
  try {
    exporterModule = require(name);
    resources = require("@opentelemetry/resources");
  } catch (err) {
    throw new LogxpyError(
      ErrorCode.DESTINATION,
      `without the native addon, logxpy exports OTLP with ${name} and @opentelemetry/resources, which are not installed (${(err as Error).message.split("\n")[0]}); npm i ${name} @opentelemetry/resources`,
      { destination: target.name, cause: err },
    );
  }
  const common = { url: target.url, timeoutMillis: target.timeoutMs, compression: target.gzip ? "gzip" : "none" };
  let config: Record<string, unknown>;
  if (target.protocol === "grpc") {
    // The exporter takes gRPC metadata, of the @grpc/grpc-js it depends on.
    const grpc = createRequire(require.resolve(name))("@grpc/grpc-js") as { Metadata: new () => { set(k: string, v: string): void } };
    const metadata = new grpc.Metadata();
    for (const [key, value] of target.headers) metadata.set(key.toLowerCase(), value);
    config = { ...common, metadata };
  } else {
    config = { ...common, headers: Object.fromEntries(target.headers) };
  }
  const flat: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(target.resource)) push(flat, key, value, 0);
  return { exporter: new exporterModule.OTLPLogExporter(config), resource: resources.resourceFromAttributes(flat) };
}
