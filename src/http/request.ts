import { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";

type Fields = Record<string, unknown>;

/**
 * The node:http request behind `value`: the request itself, or the object a
 * framework wraps it in (Fastify's request keeps it as `raw`).
 */
export function rawRequest(value: unknown): IncomingMessage | undefined {
  return behind(value, isRequest);
}

/**
 * A node:http request, or a stream made to stand for one: light-my-request's,
 * behind `fastify.inject()`, which tests log through the same records (and
 * whose `rawHeaders` would carry the secrets the headers' masking hides).
 */
function isRequest(value: unknown): value is IncomingMessage {
  if (value instanceof IncomingMessage) return true;
  if (!(value instanceof Readable)) return false;
  const r = value as Readable & Partial<Record<"method" | "url" | "httpVersion" | "headers", unknown>>;
  return typeof r.method === "string" && typeof r.url === "string" && typeof r.httpVersion === "string" && typeof r.headers === "object" && r.headers !== null;
}

/** The node:http response behind `value`: the response itself, or a framework's wrapper (Fastify's reply). */
export function rawResponse(value: unknown): ServerResponse | undefined {
  return behind(value, (v): v is ServerResponse => v instanceof ServerResponse);
}

/** `value`, or the `raw` it wraps, when `is` says it is one; undefined otherwise. */
function behind<T>(value: unknown, is: (v: unknown) => v is T): T | undefined {
  try {
    if (is(value)) return value;
    const raw = typeof value === "object" && value !== null ? (value as { raw?: unknown }).raw : undefined;
    return is(raw) ? raw : undefined;
  } catch {
    // A proxy whose traps throw (or a revoked one) is no request: the serializer says what it can of it.
    return undefined;
  }
}

/**
 * What a record says of a request: method, url, the route pattern when the
 * framework knows it, the peer's address and the headers (masked by
 * `maskFields` like every field: `authorization`, `cookie` and the like by default).
 * `value` is the request or a framework's wrapper of it.
 *
 * @example
 * requestFields(req); // { method: "GET", url: "/users/7", remoteAddress: "127.0.0.1", remotePort: 51234, headers: {...} }
 */
export function requestFields(value: unknown): Fields | undefined {
  const req = rawRequest(value);
  if (req === undefined) return undefined;
  const route = routeOf(value, req);
  const socket = req.socket as { remoteAddress?: string; remotePort?: number } | undefined;
  return {
    method: req.method,
    url: urlOf(req),
    ...(route === undefined ? {} : { route }),
    remoteAddress: socket?.remoteAddress,
    remotePort: socket?.remotePort,
    headers: { ...req.headers },
  };
}

/**
 * The short form of a request for the `started` record of its action:
 * method, url, route and the peer's address.
 */
export function requestSummary(value: unknown): Fields | undefined {
  const req = rawRequest(value);
  if (req === undefined) return undefined;
  const route = routeOf(value, req);
  return { method: req.method, url: urlOf(req), ...(route === undefined ? {} : { route }), remoteAddress: req.socket?.remoteAddress };
}

/**
 * The url the client asked for: Express and Connect cut a mount path off
 * `req.url` (`app.use("/api", ...)` sees "/users/7"), and keep the whole
 * one as `originalUrl`.
 */
function urlOf(req: IncomingMessage): string | undefined {
  const original = (req as IncomingMessage & { originalUrl?: unknown }).originalUrl;
  return typeof original === "string" ? original : req.url;
}

/** What a record says of a response: its status code. */
export function responseFields(value: unknown): Fields | undefined {
  const res = rawResponse(value);
  return res === undefined ? undefined : { statusCode: res.statusCode };
}

/**
 * The route pattern ("/users/:id"): Fastify's `routeOptions.url`, or
 * Express's `req.route.path` joined to the router's `baseUrl`, once routing
 * has matched.
 */
function routeOf(value: unknown, req: IncomingMessage): string | undefined {
  try {
    const fastify = (value as { routeOptions?: { url?: unknown } }).routeOptions?.url;
    if (typeof fastify === "string") return fastify;
    const express = req as IncomingMessage & { route?: { path?: unknown }; baseUrl?: unknown };
    if (typeof express.route?.path === "string") return `${typeof express.baseUrl === "string" ? express.baseUrl : ""}${express.route.path}`;
  } catch {
    // A framework getter that throws leaves the route out; the url is still there.
  }
  return undefined;
}

/**
 * A copy of `fields` with requests and responses (node:http's, or a
 * framework's wrappers of them) replaced by what a record says of them, and
 * the logger's `serializers` applied; `fields` itself when nothing changes.
 * Plain objects under these names are left as they are.
 */
export function serializeFields(fields: Fields, serializers: Serializers | undefined): Fields {
  let out: Fields | undefined;
  const set = (key: string, value: unknown): void => {
    out ??= { ...fields };
    out[key] = value;
  };
  if (serializers !== undefined) {
    for (const key of Object.keys(serializers)) {
      if (fields[key] === undefined) continue;
      try {
        set(key, serializers[key]!(fields[key]));
      } catch (err) {
        set(key, `[Throws: ${err instanceof Error ? err.message : String(err)}]`);
      }
    }
  }
  const req = (out ?? fields).req;
  if (req !== undefined && typeof req === "object") {
    const serialized = requestFields(req);
    if (serialized !== undefined) set("req", serialized);
  }
  const res = (out ?? fields).res;
  if (res !== undefined && typeof res === "object") {
    const serialized = responseFields(res);
    if (serialized !== undefined) set("res", serialized);
  }
  return out ?? fields;
}

/** Functions applied to the fields of their names before a record is written, as pino's serializers are. */
export type Serializers = Readonly<Record<string, (value: unknown) => unknown>>;
