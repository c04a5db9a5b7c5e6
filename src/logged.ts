import { ErrorCode, LogxpyError } from "./errors";
import { describe, levelValue, type LevelName } from "./levels";
import { arrayOption, boolOption, plainObject, rejectUnknown } from "./option-checks";
import { runInAction, type Action } from "./action";

/** Options of `log.logged()`. */
export interface LoggedOptions {
  /** Action type; default: the function's name. */
  name?: string;
  /** Record the arguments on the `started` record as `args` (default true). */
  captureArgs?: boolean;
  /** Record the return value on the `succeeded` record as `result` (default true). */
  captureResult?: boolean;
  /** Argument names (or positions) left out of `args`. */
  exclude?: ReadonlyArray<string | number>;
  /** Below the logger's level the function runs without records (default "info"). */
  level?: LevelName;
}

const LOGGED_KEYS = new Set(["name", "captureArgs", "captureResult", "exclude", "level"]);

/** What a logged function needs of its logger: to start an action, and whether a level is on. */
export interface ActionHost {
  startAction(type: string, fields?: Record<string, unknown>): Action;
  isEnabled(level: number): boolean;
}

/**
 * Wraps `fn` so every call runs as an action. Arguments are recorded under
 * their parameter names when the parameter list is plain (`(a, b = 1, ...rest)`),
 * else under their positions, so that `maskFields` can mask a `password`
 * argument by name.
 *
 * @example
 * const add = loggedFunction({ startAction: (t, f) => log.startAction(t, f), isEnabled: () => true }, function add(a, b) { return a + b; });
 */
export function loggedFunction<F extends (...args: never[]) => unknown>(host: ActionHost, fn: F, options: LoggedOptions = {}): F {
  if (typeof fn !== "function") throw new LogxpyError(ErrorCode.OPTION, "log.logged needs a function");
  rejectUnknown(plainObject(options, "logged options"), LOGGED_KEYS, "logged");
  if (options.name !== undefined && typeof options.name !== "string") {
    throw new LogxpyError(ErrorCode.OPTION, `logged: name must be a string; got ${describe(options.name)}`);
  }
  const type = options.name ?? (fn.name || "anonymous");
  const level = levelValue(options.level ?? "info");
  const captureArgs = boolOption(options.captureArgs, "logged: captureArgs", true);
  const captureResult = boolOption(options.captureResult, "logged: captureResult", true);
  const exclude = new Set(arrayOption(options.exclude, "logged: exclude").map(String));
  const names = parameterNames(fn);
  const result = captureResult ? (value: unknown) => ({ result: value }) : undefined;

  const wrapper = function (this: unknown, ...args: never[]): unknown {
    if (!host.isEnabled(level)) return fn.apply(this, args);
    const fields = captureArgs ? { args: argumentFields(args, names, exclude) } : undefined;
    return runInAction(host.startAction(type, fields), () => fn.apply(this, args), result);
  };
  Object.defineProperty(wrapper, "name", { value: fn.name });
  Object.defineProperty(wrapper, "length", { value: fn.length });
  return wrapper as unknown as F;
}

function argumentFields(args: readonly unknown[], names: readonly string[] | undefined, exclude: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const plain = names?.length ?? 0;
  const restName = plain > 0 && names![plain - 1]!.startsWith("...") ? names![plain - 1]!.slice(3) : undefined;
  for (let i = 0; i < args.length; i++) {
    if (restName !== undefined && i >= plain - 1) {
      if (!exclude.has(restName)) out[restName] = args.slice(plain - 1);
      break;
    }
    const name = names?.[i] ?? String(i);
    if (!exclude.has(name) && !exclude.has(String(i))) out[name] = args[i];
  }
  return out;
}

/**
 * The parameter names of a function whose parameter list is plain
 * identifiers (with simple defaults, and a trailing rest parameter), or
 * undefined for destructuring, complex defaults and native functions.
 *
 * @example
 * parameterNames(function f(a, b = 2, ...more) {}); // ["a", "b", "...more"]
 */
export function parameterNames(fn: (...args: never[]) => unknown): string[] | undefined {
  let source: string;
  try {
    source = Function.prototype.toString.call(fn);
  } catch {
    return undefined;
  }
  const m = /^(?:async\s*)?(?:function\s*\*?\s*[\w$]*\s*)?\(([^()]*)\)/.exec(source) ?? /^(?:async\s+)?([\w$]+)\s*=>/.exec(source);
  if (m === null) {
    const method = /^(?:async\s*)?\*?\s*[\w$]+\s*\(([^()]*)\)/.exec(source);
    if (method === null) return undefined;
    return splitParameters(method[1]!);
  }
  return splitParameters(m[1]!);
}

function splitParameters(list: string): string[] | undefined {
  const cleaned = list.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "").trim();
  if (cleaned === "") return [];
  const names: string[] = [];
  for (const part of cleaned.split(",")) {
    const p = part.trim();
    if (p === "") continue;
    const id = /^(\.\.\.)?([\w$]+)\s*(?:=\s*[^={}[\]`]+)?$/.exec(p);
    if (id === null) return undefined;
    names.push((id[1] ?? "") + id[2]!);
  }
  return names;
}
