import { EventEmitter } from "node:events";
import { type IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import type { Action } from "../action";
import { traceStorage, type TraceContext } from "../context";
import { rawRequest, rawResponse, requestSummary } from "./request";

type Fields = Record<string, unknown>;

/** How a request's action begins: a new task, or continuing the caller's task (its id header), in the caller's trace (its traceparent). */
export type StartRequestAction = (fields: Fields, taskId: string | undefined, traceparent: string | undefined) => Action;

/**
 * One request's `http:request` action, from the request's arrival to its
 * response's end: `succeeded` with the status (below 500), `failed` with the
 * error a handler raised or the status (500 and above), or `failed` as
 * aborted when the client went away first. Ends once.
 *
 * @example
 * const task = RequestTask.start(req, (fields, from) => log.startAction("http:request", fields), "x-logxpy-task");
 * task.watch(res);
 */
export class RequestTask {
  readonly action: Action;
  readonly #req: IncomingMessage;
  #res: ServerResponse | undefined;
  /** The error a handler raised (`next(err)`, a failed record's `err`), for the failed record. */
  error: unknown;

  private constructor(req: IncomingMessage, action: Action, res: ServerResponse | undefined) {
    this.#req = req;
    this.action = action;
    (req as Tracked)[TASK] = this;
    // Both close after the response has finished, or when the client goes away first. One shared
    // listener, not a closure per request: a busy server starts tens of thousands a second.
    if (res === undefined) {
      req.on("close", onClose);
    } else {
      this.#res = res;
      res.on("close", onClose);
    }
  }

  /**
   * Starts the action for `req` (a request or a framework's wrapper); `taskHeader` names the
   * header a caller's task id comes in. The action ends when the response closes: `res`, or the
   * one found for `req` (Fastify logs the request without it); when none is found, when the request does.
   */
  static start(value: unknown, start: StartRequestAction, taskHeader: string, res?: ServerResponse): RequestTask | undefined {
    const req = rawRequest(value);
    if (req === undefined) return undefined;
    const from = req.headers[taskHeader];
    const traceparent = req.headers.traceparent;
    return new RequestTask(req, start(requestSummary(value)!, typeof from === "string" ? from : undefined, typeof traceparent === "string" ? traceparent : undefined), res ?? responseTo(req));
  }

  /** The open task of a request (or of the response to it), if one was started. */
  static of(value: unknown): RequestTask | undefined {
    const task = RequestTask.find(value);
    return task?.action.ended === false ? task : undefined;
  }

  /** The task of a request (or of the response to it), open or ended, if one was started. */
  static find(value: unknown): RequestTask | undefined {
    const req = rawRequest(value) ?? (rawResponse(value) as (ServerResponse & { req?: IncomingMessage }) | undefined)?.req;
    return req === undefined ? undefined : (req as Tracked)[TASK];
  }

  /**
   * Makes the rest of the current synchronous run, and everything it starts
   * (hooks, the handler, what it awaits), run inside this task's action:
   * for a framework that gives no function to wrap, only a place to log.
   */
  enter(): void {
    const current = traceStorage.getStore();
    const outer = current !== undefined && ENTERED.has(current) ? ENTERED.get(current) : current;
    // The scope around it stays, as `Action.run` keeps it for the middleware's requests.
    const store: TraceContext = { action: this.action, scope: outer?.scope };
    ENTERED.set(store, outer);
    traceStorage.enterWith(store);
    // enterWith sets the store of what runs now, a node:http server's parser of this connection: the
    // next request on it (keep-alive) would start inside this task, and one that opens no task of its
    // own (a route at level warn) would log into it. Each request of the server starts outside it.
    const server = (this.#req.socket as { server?: unknown } | null)?.server;
    if (server instanceof EventEmitter && !CLEANED.has(server)) {
      CLEANED.add(server);
      server.prependListener("request", startsClean);
    }
  }

  /** A framework's response record: the action ends at once if the response has finished, else when the response (or, not known, the request) closes. */
  watch(value: unknown): void {
    const res = rawResponse(value);
    if (res === undefined) return;
    this.#res = res;
    if (this.#finished(res)) this.end();
  }

  /**
   * Ends the action from the response's status: `failed` at 500 and above,
   * with the handler's error when one was seen; a 4xx is the client's
   * mistake, answered, so the action succeeded.
   */
  end(): void {
    if (this.action.ended) return;
    const status = this.#res?.statusCode;
    if (status === undefined) {
      if (this.error === undefined) this.action.finish();
      else this.action.fail(this.error);
    } else if (status >= 500) {
      this.action.fail(this.error ?? new HttpStatusError(status), { status });
    } else {
      this.action.finish({ status });
    }
  }

  /**
   * Whether all of `res` was handed on: to the network, or, for a simulated
   * request (light-my-request's, behind `fastify.inject()`, with no network
   * socket, whose response never reports its end as flushed), by `end()`.
   */
  #finished(res: ServerResponse): boolean {
    return res.writableFinished || (res.writableEnded && !(this.#req.socket instanceof Socket));
  }

  /**
   * The request closed: after the response finished, with the client gone
   * before it did, or with the server breaking the response off (a stream
   * piped into it failed, an error after the headers were sent).
   */
  closed(): void {
    if (this.action.ended) return;
    // `aborted` is the one sign of a client gone when no response was seen (Fastify logs none at a higher level).
    if (this.#res === undefined ? !this.#req.aborted : this.#finished(this.#res)) {
      this.end();
      return;
    }
    const status = this.#res?.statusCode;
    // A handler's error, or the one the response was destroyed with, is why the response did not end.
    const err = this.error ?? this.#res?.errored ?? undefined;
    if (err !== undefined) this.action.fail(err, status === undefined ? undefined : { status });
    else this.action.fail(new ClientAbortedError(), status === undefined ? { aborted: true } : { aborted: true, status });
  }
}

/** Where a request keeps its task: a property, which costs the collector less than a WeakMap entry. */
const TASK = Symbol("logxpy.requestTask");
/** The response to a request, noted from its server's "request" event (see `startsClean`). */
const RESPONSE = Symbol("logxpy.response");
type Tracked = IncomingMessage & { [TASK]?: RequestTask; [RESPONSE]?: ServerResponse };

/** The context each entered store replaced (`enter`), which a request of the same connection starts in again. */
const ENTERED = new WeakMap<TraceContext, TraceContext | undefined>();
/** The servers whose requests start in the context their connection had before any `enter`. */
const CLEANED = new WeakSet<EventEmitter>();

/** A server's first "request" listener: leaves the task an earlier request of the connection entered, and notes the response. */
function startsClean(req: IncomingMessage, res: ServerResponse): void {
  const store = traceStorage.getStore();
  if (store !== undefined && ENTERED.has(store)) traceStorage.enterWith(ENTERED.get(store) as TraceContext);
  (req as Tracked)[RESPONSE] = res;
}

/**
 * The response to `req`, for a framework that logs the request without it (Fastify): from the
 * server's "request" event, or, for the request that made logxpy listen to it, the response the
 * socket is writing, when it is this request's (a pipelined request waits behind another's).
 */
function responseTo(req: IncomingMessage): ServerResponse | undefined {
  const noted = (req as Tracked)[RESPONSE];
  if (noted !== undefined) return noted;
  const current = (req.socket as { _httpMessage?: unknown } | null)?._httpMessage;
  return current instanceof ServerResponse && current.req === req ? current : undefined;
}

function onClose(this: IncomingMessage | ServerResponse): void {
  const req = "req" in this ? (this as ServerResponse).req : (this as IncomingMessage);
  (req as Tracked | undefined)?.[TASK]?.closed();
}

/** The failure of a request answered with a 5xx status and no error raised. */
export class HttpStatusError extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`responded ${status}`);
    this.name = "HttpStatusError";
    this.status = status;
  }
}

/** The failure of a request whose client closed the connection before the response ended. */
export class ClientAbortedError extends Error {
  constructor() {
    super("the client closed the connection before the response ended");
    this.name = "ClientAbortedError";
  }
}
