import { randomUUID } from "node:crypto";
import { threadId } from "node:worker_threads";

/** One counter per thread, shared by every TaskIds, so a second `init` never reissues an id. */
let counter = 0;

const BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/**
 * A non-negative integer in base 62 (`0-9a-zA-Z`), as the Python logxpy writes it.
 *
 * @example
 * base62(3843); // "ZZ"
 */
export function base62(n: number): string {
  let out = "";
  do {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out;
}

/**
 * Makes task ids. "sqid" ids are `<pid>.<counter>` in base 62 (`"Xa.1"`):
 * short and ordered. Unlike the Python logxpy, which kept only 2 characters
 * of the pid (so two processes could mint the same id), the whole pid is
 * kept, padded to at least 2 characters, and a worker thread adds its thread
 * id (`"Xa~3.1"`) because every thread has its own counter. Ids are unique on
 * one host at one time; use "uuid" when logs from many hosts are merged.
 *
 * @example
 * const ids = new TaskIds("sqid");
 * ids.next(); // "Xa.1"
 */
export class TaskIds {
  readonly next: () => string;

  constructor(mode: "sqid" | "uuid", pid: number = process.pid, thread: number = threadId) {
    if (mode === "uuid") {
      this.next = randomUUID;
      return;
    }
    const prefix = base62(pid).padStart(2, "0") + (thread > 0 ? `~${base62(thread)}` : "") + ".";
    this.next = () => prefix + base62(++counter);
  }
}
