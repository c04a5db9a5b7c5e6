/**
 * logxpy/http: one middleware for Express 5, Connect and node:http. Each
 * request becomes an `http:request` task: started with method, url and the
 * peer's address, everything the handler logs (also after `await`) inside
 * it, ended when the response finishes with the status and the duration,
 * failed when the handler's error reaches `errors`, at a 5xx status, or when
 * the client goes away first.
 *
 * @example
 * import express from "express";
 * import { httpLogger } from "logxpy/http";
 * const logging = httpLogger();
 * const app = express();
 * app.use(logging);
 * app.get("/users/:id", async (req, res) => { req.log.info("looking up"); res.json(await find(req.params.id)); });
 * app.use(logging.errors);
 *
 * // node:http
 * http.createServer((req, res) => logging(req, res, () => handle(req, res)));
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ErrorCode, LogxpyError } from "../errors";
import { describe } from "../levels";
import { log as defaultLogger } from "../index";
import { TASK_HEADER, type Logger } from "../logger";
import { boolOption, plainObject, rejectUnknown } from "../option-checks";
import { isThenable } from "../thenable";
import { RequestTask } from "./request-task";

/** Options of {@link httpLogger}. */
export interface HttpLoggerOptions {
  /** The logger the requests are logged with (default: `log`). */
  logger?: Logger;
  /** The header a request id comes in (default "x-request-id"). */
  requestIdHeader?: string;
  /** Send the request id back in the response, in the same header (default false). */
  echoRequestId?: boolean;
  /** Makes a request id when the request brings none (default: this process's random prefix and a counter, "3fa1c2-1b"). */
  genReqId?: (req: IncomingMessage) => string;
  /** The header a caller's logxpy task id comes in, to continue its task (default "x-logxpy-task"). */
  taskHeader?: string;
}

/** The middleware; `errors` is its Express error handler, which puts a handler's error on the failed record. */
export interface HttpMiddleware {
  (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => unknown): unknown;
  readonly errors: (err: unknown, req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
}

/** What the middleware adds to the request: its id, and a logger whose records carry it. */
export interface LoggedRequest {
  id: string;
  log: Logger;
}

const OPTION_KEYS = new Set(Object.keys({ logger: true, requestIdHeader: true, echoRequestId: true, genReqId: true, taskHeader: true } satisfies Record<keyof HttpLoggerOptions, true>));

/**
 * The request-logging middleware; see the module's description.
 *
 * @example
 * app.use(httpLogger({ requestIdHeader: "x-correlation-id" }));
 */
export function httpLogger(options: HttpLoggerOptions = {}): HttpMiddleware {
  rejectUnknown(plainObject(options, "httpLogger options"), OPTION_KEYS, "httpLogger");
  const logger = options.logger ?? defaultLogger;
  if (typeof (logger as Partial<Logger>)?.startTask !== "function") {
    throw new LogxpyError(ErrorCode.OPTION, `httpLogger: logger must be a logxpy Logger; got ${describe(logger)}`);
  }
  const idHeader = headerName(options.requestIdHeader ?? "x-request-id", "requestIdHeader");
  const taskHeader = headerName(options.taskHeader ?? TASK_HEADER, "taskHeader");
  const echo = boolOption(options.echoRequestId, "httpLogger: echoRequestId", false);
  const genReqId = options.genReqId ?? nextRequestId;
  if (typeof genReqId !== "function") throw new LogxpyError(ErrorCode.OPTION, `httpLogger: genReqId must be a function; got ${describe(genReqId)}`);

  const middleware = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => unknown): unknown => {
    // Mounted twice (an app and a router, say): the request keeps the one task it has.
    const open = RequestTask.of(req);
    if (open !== undefined) return next === undefined ? undefined : open.action.run(() => next());
    const given = req.headers[idHeader];
    let id: string;
    try {
      id = typeof given === "string" && given.length > 0 && given.length <= 200 ? given : String(genReqId(req));
    } catch {
      id = nextRequestId();
    }
    if (echo && !res.headersSent) res.setHeader(idHeader, id);
    const task = RequestTask.start(req, (fields, taskId, traceparent) => logger.startTask("http:request", { requestId: id, ...fields }, taskId, traceparent), taskHeader, res)!;
    const logged = req as IncomingMessage & Partial<LoggedRequest>;
    logged.id ??= id;
    logged.log ??= logger.child({ requestId: id });
    if (next === undefined) return undefined;
    let out: unknown;
    try {
      out = task.action.run(() => next());
    } catch (err) {
      task.error = err;
      throw err;
    }
    if (isThenable(out)) {
      return Promise.resolve(out).catch((err: unknown) => {
        task.error = err;
        throw err;
      });
    }
    return out;
  };
  const errors = (err: unknown, req: IncomingMessage, _res: ServerResponse, next: (err?: unknown) => void): void => {
    const task = RequestTask.of(req);
    if (task !== undefined) task.error = err;
    next(err);
  };
  return Object.assign(middleware, { errors });
}

/** Unique per process by the counter, across processes by the random prefix; a UUID cost a request measurably more. */
const REQUEST_ID_PREFIX = `${randomBytes(4).toString("hex")}-`;
let requestCount = 0;

function nextRequestId(): string {
  return REQUEST_ID_PREFIX + (++requestCount).toString(36);
}

function headerName(value: unknown, name: string): string {
  if (typeof value !== "string" || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value)) {
    throw new LogxpyError(ErrorCode.OPTION, `httpLogger: ${name} must be an HTTP header name; got ${describe(value)}`);
  }
  return value.toLowerCase();
}

export { ClientAbortedError, HttpStatusError } from "./request-task";
