import { AsyncLocalStorage } from "node:async_hooks";
import type { Action } from "./action";

/** What travels with the code that runs inside an action or a scope, across `await` and timers. */
export interface TraceContext {
  /** The innermost action, whose next child level a record takes. */
  readonly action: Action | undefined;
  /** Fields added by `log.scope`, merged from the outermost scope inwards. */
  readonly scope: Readonly<Record<string, unknown>> | undefined;
}

/**
 * The one store for actions and scopes. AsyncLocalStorage follows promises,
 * timers and callbacks, which is what keeps Eliot task levels right across
 * `await` where the Python logxpy lost them.
 */
export const traceStorage = new AsyncLocalStorage<TraceContext>();
