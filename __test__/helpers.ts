import test from "ava";
import { execFileSync, fork, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger, type InitOptions } from "../src/index";

let filesRoot: string | undefined;

/**
 * A fresh directory for one test's files, inside one directory per test file that goes when the
 * file's tests are done, passed or failed: the suite writes gigabytes over a run, and leaving them
 * would fill the disk of the machine that runs it.
 */
export function tempDir(): string {
  if (filesRoot === undefined) {
    filesRoot = mkdtempSync(join(tmpdir(), "logxpy-test-"));
    // Each test's own directory is 0700; a test that runs a child as another user opens its own up.
    chmodSync(filesRoot, 0o755);
  }
  return mkdtempSync(join(filesRoot, "t-"));
}

test.after.always("remove the test files", () => {
  if (filesRoot !== undefined) rmSync(filesRoot, { recursive: true, force: true });
});

/** The records of a log file, each line parsed; fails the test on a line that is not JSON. */
export function readRecords(path: string): Record<string, unknown>[] {
  const text = readFileSync(path, "utf8");
  if (text === "") return [];
  if (!text.endsWith("\n")) throw new Error(`${path} does not end with a newline`);
  return text
    .slice(0, -1)
    .split("\n")
    .map((line, i) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`line ${i + 1} of ${path} is not JSON: ${line.slice(0, 200)}`);
      }
    });
}

/** Makes a FIFO at `path`. */
export function mkfifo(path: string): void {
  execFileSync("mkfifo", [path]);
}

/** The path of a fixture script. */
export function fixture(name: string): string {
  return join(__dirname, "fixtures", name);
}

/** Result of a child process run to its end. */
export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  messages: unknown[];
}

/** Forks a fixture with IPC; collects its output and messages. */
export function runFixture(name: string, args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<ChildResult> } {
  // execArgv: [] keeps ava's TypeScript loader out of the plain-JavaScript fixtures.
  const child = fork(fixture(name), args, { env: { ...process.env, ...env }, execArgv: [], stdio: ["ignore", "pipe", "pipe", "ipc"] });
  const messages: unknown[] = [];
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  child.on("message", (m) => messages.push(m));
  const done = new Promise<ChildResult>((resolve) => {
    child.on("exit", (code, signal) => {
      // Let the pipes finish: 'close' comes after both streams ended.
      child.on("close", () => resolve({ code, signal, stdout, stderr, messages }));
    });
  });
  return { child, done };
}

/** The next IPC message from a child that satisfies `pred`. */
export function nextMessage<T>(child: ChildProcess, pred: (m: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: unknown): void => {
      if (pred(m as T)) {
        child.off("message", on);
        resolve(m as T);
      }
    };
    child.on("message", on);
  });
}

/** The reqId fields of records, checking each 0..n-1 appears exactly once. */
export function checkAllPresent(records: Record<string, unknown>[], n: number): { missing: number; duplicated: number } {
  const seen = new Uint8Array(n);
  let duplicated = 0;
  for (const r of records) {
    const i = r.i as number;
    if (seen[i]) duplicated++;
    seen[i] = 1;
  }
  return { missing: seen.filter((s) => s === 0).length, duplicated };
}

/** A logger whose only destination is an array of parsed records, plus the raw lines. */
export function memoryLogger(options: Pick<InitOptions, "maskFields" | "maskPatterns" | "context" | "level"> = {}): {
  log: Logger;
  records: Record<string, unknown>[];
  lines: string[];
} {
  const records: Record<string, unknown>[] = [];
  const lines: string[] = [];
  const log = new Logger().configure({
    ...options,
    destinations: [
      (record, line) => {
        records.push(record);
        lines.push(line);
      },
    ],
  });
  return { log, records, lines };
}

/** Longest a test waits for something to happen before it fails saying what did not. */
export const WAIT_BOUND_MS = 10_000;

/** Settles as `promise` does, or rejects naming `what` once `ms` passed without it. */
export async function within<T>(promise: Promise<T>, what: string, ms: number = WAIT_BOUND_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once `condition()` holds, looking every millisecond; rejects naming `what` once `ms` passed without it. */
export async function waitFor(condition: () => boolean, what: string, ms: number = WAIT_BOUND_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() >= deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/**
 * Requests `url` and aborts once the server's handler has started (on a
 * loaded machine the request may not have been sent before a fixed sleep
 * ends), then waits until the request's `http:request` action has failed in
 * `file`. Resolves with what the client saw: "aborted".
 */
export async function abortOnceStarted(url: string, handler: { started: boolean }, log: { flushSync(): boolean }, file: string): Promise<unknown> {
  const ac = new AbortController();
  const pending = fetch(url, { signal: ac.signal }).catch(() => "aborted");
  await waitFor(() => handler.started, "the slow handler starting");
  ac.abort();
  const seen = await pending;
  await waitFor(() => {
    log.flushSync();
    return readRecords(file).some((r) => r.at === "http:request" && r.st === "failed");
  }, "the aborted request's action ending");
  return seen;
}
