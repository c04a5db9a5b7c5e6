import { randomUUID } from "node:crypto";
import { threadId } from "node:worker_threads";
import type { LineBuffer } from "./line-buffer";

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

/** `base62(n)`, written into `out` without making the string. */
function writeBase62(out: LineBuffer, n: number): void {
  let digits = 1;
  for (let m = Math.floor(n / 62); m > 0; m = Math.floor(m / 62)) digits++;
  out.ensure(digits);
  const buf = out.buf;
  const end = out.pos + digits;
  for (let p = end - 1; p >= out.pos; p--) {
    buf[p] = BASE62_CODES[n % 62]!;
    n = Math.floor(n / 62);
  }
  out.pos = end;
}

const BASE62_CODES = Uint8Array.from(BASE62, (c) => c.charCodeAt(0));

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
  /**
   * Writes the next id as a JSON string straight into `out`: a message
   * outside any action makes one per record, and building it as a string
   * cost half a dozen small strings a record.
   */
  readonly writeNext: (out: LineBuffer) => void;

  constructor(mode: "sqid" | "uuid", pid: number = process.pid, thread: number = threadId) {
    if (mode === "uuid") {
      this.next = randomUUID;
      this.writeNext = (out) => out.ascii('"' + randomUUID() + '"');
      return;
    }
    const prefix = base62(pid).padStart(2, "0") + (thread > 0 ? `~${base62(thread)}` : "") + ".";
    this.next = () => prefix + base62(++counter);
    const quotedPrefix = '"' + prefix;
    this.writeNext = (out) => {
      out.ascii(quotedPrefix);
      writeBase62(out, ++counter);
      out.byte(34);
    };
  }
}
