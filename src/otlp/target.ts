import { basename } from "node:path";
import { ErrorCode, LogxpyError } from "../errors";
import { describe } from "../levels";
import { durationMs } from "../units";

/** `"grpc"` (OTLP/gRPC, port 4317) or `"http/protobuf"` (OTLP/HTTP, port 4318, path `/v1/logs`). */
export type OtlpProtocol = "grpc" | "http/protobuf";

/**
 * An OpenTelemetry Collector to export records to. Every option falls back
 * to the standard `OTEL_EXPORTER_OTLP_LOGS_*` / `OTEL_EXPORTER_OTLP_*`
 * environment variables, then to OpenTelemetry's defaults.
 *
 * @example
 * log.configure({ destinations: ["app.log", { type: "otlp", endpoint: "http://collector:4318", resource: { "service.name": "api" } }] });
 */
export interface OtlpDestination {
  type: "otlp";
  /** `http://host:4317` for gRPC; for HTTP the base (`/v1/logs` is added) or, with a path, the full URL. */
  endpoint?: string;
  protocol?: OtlpProtocol;
  /** Sent with every export (gRPC metadata, or HTTP headers). */
  headers?: Record<string, string>;
  /** Resource attributes; `service.name` defaults to `OTEL_SERVICE_NAME`, else `unknown_service:node`. */
  resource?: Record<string, unknown>;
  /** Bound of one export: ms or a duration string ("10s"). Default 10 s. */
  timeout?: number | string;
  /** Default `"gzip"`. */
  compression?: "gzip" | "none";
  /** When the circuit breaker opens and how often it probes a collector that is down. */
  breaker?: { failures?: number; after?: number | string; cooldown?: number | string };
}

/** An OTLP destination resolved: every default applied, the endpoint checked. */
export interface OtlpTarget {
  /** How reports name it: the endpoint with its scheme, `otel://host:4317` or the URL. */
  name: string;
  protocol: OtlpProtocol;
  /** gRPC: `http://host:port`; HTTP: the full URL of the logs path. */
  url: string;
  headers: [string, string][];
  resource: Record<string, unknown>;
  timeoutMs: number;
  gzip: boolean;
  breaker: { failures: number; afterMs: number; cooldownMs: number };
}

const KEYS: ReadonlySet<string> = new Set(["type", "endpoint", "protocol", "headers", "resource", "timeout", "compression", "breaker"]);
const BREAKER_KEYS: ReadonlySet<string> = new Set(["failures", "after", "cooldown"]);
// Ten failed tries take about three seconds of backoff: a collector restarting is waited for, one that is gone is not.
const DEFAULT_BREAKER = { failures: 10, afterMs: 5000, cooldownMs: 2000 };
const DEFAULT_TIMEOUT_MS = 10_000;

/** Destination strings naming a collector: the scheme says the protocol; the URL scheme is http. */
const SCHEMES: ReadonlyMap<string, OtlpProtocol> = new Map([
  ["otel:", "grpc"],
  ["otlp+grpc:", "grpc"],
  ["otlp+http:", "http/protobuf"],
  ["otlp+https:", "http/protobuf"],
]);

/**
 * The OTLP destination a string names, or undefined when it names none:
 * `"otel://host:4317"` (gRPC), `"otlp+http://host:4318"` (HTTP),
 * `"otlp+https://…"`, or `"otlp"` alone (everything from the environment).
 *
 * @example
 * otlpFromString("otel://127.0.0.1:4317")?.url; // "http://127.0.0.1:4317"
 */
export function otlpFromString(dest: string, env: NodeJS.ProcessEnv = process.env): OtlpTarget | undefined {
  if (dest === "otlp") return resolveOtlp({ type: "otlp" }, env);
  const scheme = /^[a-z+]+:/i.exec(dest)?.[0].toLowerCase();
  const protocol = scheme === undefined ? undefined : SCHEMES.get(scheme);
  if (protocol === undefined) return undefined;
  const rest = dest.slice(scheme!.length);
  if (!rest.startsWith("//") || rest.length === 2) throw badEndpoint(dest, "it has no host");
  const http = scheme === "otlp+https:" ? "https:" : "http:";
  return resolveOtlp({ type: "otlp", protocol, endpoint: `${http}${rest}` }, env, dest);
}

/**
 * Checks an OTLP destination object and fills it in from the environment.
 * Throws `LOGXPY_ERR_DESTINATION` naming what is wrong.
 *
 * @example
 * resolveOtlp({ type: "otlp", endpoint: "http://localhost:4318" }).url; // "http://localhost:4318/v1/logs"
 */
export function resolveOtlp(d: OtlpDestination, env: NodeJS.ProcessEnv = process.env, name?: string): OtlpTarget {
  const unknown = Object.keys(d).find((key) => !KEYS.has(key));
  if (unknown !== undefined) {
    throw new LogxpyError(ErrorCode.DESTINATION, `an otlp destination has no option ${JSON.stringify(unknown)}; it takes ${[...KEYS].join(", ")}`);
  }
  const fromEnv = (key: string): string | undefined => {
    const v = env[`OTEL_EXPORTER_OTLP_LOGS_${key}`] ?? env[`OTEL_EXPORTER_OTLP_${key}`];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  };
  const protocol = d.protocol ?? (fromEnv("PROTOCOL") as OtlpProtocol | undefined) ?? "http/protobuf";
  if (protocol !== "grpc" && protocol !== "http/protobuf") {
    throw new LogxpyError(ErrorCode.DESTINATION, `otlp protocol must be "grpc" or "http/protobuf"; got ${describe(protocol)}`);
  }
  const url = endpointUrl(d.endpoint, protocol, env);
  const headers = [...parseList(fromEnv("HEADERS"), "OTEL_EXPORTER_OTLP_HEADERS"), ...Object.entries(checkedHeaders(d.headers))];
  const compression = d.compression ?? fromEnv("COMPRESSION") ?? "gzip";
  if (compression !== "gzip" && compression !== "none") {
    throw new LogxpyError(ErrorCode.DESTINATION, `otlp compression must be "gzip" or "none"; got ${describe(compression)}`);
  }
  const timeoutMs = d.timeout !== undefined ? durationMs(d.timeout, "otlp timeout", false) : envTimeout(fromEnv("TIMEOUT"));
  return {
    name: name ?? `${protocol === "grpc" ? "otel" : "otlp+http"}:${url.slice(url.indexOf("//"))}`,
    protocol,
    url,
    headers,
    resource: resourceAttributes(d.resource, env),
    timeoutMs,
    gzip: compression === "gzip",
    breaker: breakerSettings(d.breaker),
  };
}

function badEndpoint(endpoint: unknown, why: string): LogxpyError {
  return new LogxpyError(ErrorCode.DESTINATION, `otlp endpoint ${describe(endpoint)} is not usable: ${why}`);
}

/** The URL exports go to. For HTTP, a base endpoint (no path) gets `/v1/logs`, as the specification says. */
function endpointUrl(endpoint: unknown, protocol: OtlpProtocol, env: NodeJS.ProcessEnv): string {
  const logsEndpoint = env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT?.trim() || undefined;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || undefined;
  const given = endpoint ?? logsEndpoint ?? base ?? (protocol === "grpc" ? "http://localhost:4317" : "http://localhost:4318");
  if (typeof given !== "string" || given === "") throw badEndpoint(given, "it must be a URL string");
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw badEndpoint(given, "it is not a URL (write http://host:port)");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw badEndpoint(given, "the scheme must be http or https");
  if (url.hostname === "") throw badEndpoint(given, "it has no host");
  if (url.username !== "" || url.search !== "" || url.hash !== "") throw badEndpoint(given, "credentials, a query or a fragment do not belong in it; use headers");
  if (protocol === "grpc") {
    if (url.protocol === "https:") throw badEndpoint(given, "OTLP/gRPC over TLS is not supported yet; use otlp+https:// (OTLP/HTTP)");
    if (url.pathname !== "/" && url.pathname !== "") throw badEndpoint(given, "a gRPC endpoint has no path");
    return `${url.protocol}//${url.host}`;
  }
  const bare = url.pathname === "/" || url.pathname === "";
  // OTEL_EXPORTER_OTLP_LOGS_ENDPOINT and an explicit URL with a path are used as they are.
  const useAsIs = !bare || (endpoint === undefined && logsEndpoint !== undefined);
  return useAsIs ? url.href : `${url.protocol}//${url.host}/v1/logs`;
}

/** `key=value,key2=value2` with percent-encoded values (the OTEL_* list format). */
function parseList(text: string | undefined, name: string): [string, string][] {
  if (text === undefined) return [];
  const pairs: [string, string][] = [];
  for (const item of text.split(",")) {
    if (item.trim() === "") continue;
    const eq = item.indexOf("=");
    if (eq <= 0) throw new LogxpyError(ErrorCode.DESTINATION, `${name} must be key=value pairs separated by commas; got ${JSON.stringify(item)}`);
    let value: string;
    try {
      value = decodeURIComponent(item.slice(eq + 1).trim());
    } catch {
      throw new LogxpyError(ErrorCode.DESTINATION, `${name}: the value of ${JSON.stringify(item.slice(0, eq).trim())} is not percent-encoded correctly`);
    }
    pairs.push([item.slice(0, eq).trim(), value]);
  }
  return pairs;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function checkedHeaders(headers: unknown): Record<string, string> {
  if (headers === undefined) return {};
  if (headers === null || typeof headers !== "object" || Array.isArray(headers)) {
    throw new LogxpyError(ErrorCode.DESTINATION, `otlp headers must be an object of strings; got ${describe(headers)}`);
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) throw new LogxpyError(ErrorCode.DESTINATION, `otlp header name ${JSON.stringify(name)} is not a valid header name`);
    if (typeof value !== "string" || /[\r\n\0]/.test(value)) {
      throw new LogxpyError(ErrorCode.DESTINATION, `otlp header ${JSON.stringify(name)} must be a string without line breaks; got ${describe(value)}`);
    }
  }
  return headers as Record<string, string>;
}

function envTimeout(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TIMEOUT_MS;
  const ms = Number(text);
  if (!Number.isFinite(ms) || ms <= 0) throw new LogxpyError(ErrorCode.DESTINATION, `OTEL_EXPORTER_OTLP_TIMEOUT must be milliseconds above 0; got ${JSON.stringify(text)}`);
  return ms;
}

/**
 * The resource: `OTEL_RESOURCE_ATTRIBUTES`, then the destination's own
 * attributes, then `OTEL_SERVICE_NAME` (which the specification puts
 * above the others), and the SDK's name.
 */
function resourceAttributes(resource: unknown, env: NodeJS.ProcessEnv): Record<string, unknown> {
  if (resource !== undefined && (resource === null || typeof resource !== "object" || Array.isArray(resource))) {
    throw new LogxpyError(ErrorCode.DESTINATION, `otlp resource must be an object of attributes; got ${describe(resource)}`);
  }
  const attributes: Record<string, unknown> = {
    "service.name": `unknown_service:${basename(process.argv0 || "node")}`,
    "telemetry.sdk.name": "logxpy",
    "telemetry.sdk.language": "nodejs",
    ...Object.fromEntries(parseList(env.OTEL_RESOURCE_ATTRIBUTES, "OTEL_RESOURCE_ATTRIBUTES")),
    ...(resource as Record<string, unknown> | undefined),
  };
  const service = env.OTEL_SERVICE_NAME?.trim();
  if (service) attributes["service.name"] = service;
  return attributes;
}

function breakerSettings(breaker: unknown): OtlpTarget["breaker"] {
  if (breaker === undefined) return DEFAULT_BREAKER;
  if (breaker === null || typeof breaker !== "object") throw new LogxpyError(ErrorCode.DESTINATION, `otlp breaker must be an object; got ${describe(breaker)}`);
  const b = breaker as { failures?: unknown; after?: unknown; cooldown?: unknown };
  const unknown = Object.keys(b).find((key) => !BREAKER_KEYS.has(key));
  if (unknown !== undefined) throw new LogxpyError(ErrorCode.DESTINATION, `otlp breaker has no option ${JSON.stringify(unknown)}; it takes failures, after, cooldown`);
  const failures = b.failures ?? DEFAULT_BREAKER.failures;
  if (typeof failures !== "number" || !Number.isInteger(failures) || failures < 1 || failures > 0xffff_ffff) {
    throw new LogxpyError(ErrorCode.DESTINATION, `otlp breaker.failures must be a whole number of at least 1; got ${describe(failures)}`);
  }
  return {
    failures,
    afterMs: b.after === undefined ? DEFAULT_BREAKER.afterMs : durationMs(b.after, "otlp breaker.after", false),
    cooldownMs: b.cooldown === undefined ? DEFAULT_BREAKER.cooldownMs : durationMs(b.cooldown, "otlp breaker.cooldown", false),
  };
}
