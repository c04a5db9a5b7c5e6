// Peak resident set size, read where the kernel keeps it exactly.
import { readFileSync } from "node:fs";

/**
 * The VmHWM (peak RSS, every thread of the process included) of `pid`, in
 * MB, or undefined without /proc or once the process is gone. Not
 * getrusage's maxRSS: on Linux that survives exec, so a child would report
 * its parent's peak (seen: 385 MB for a 40 MB child).
 *
 * @example
 * peakRssMb("self"); // 58.2
 */
export function peakRssMb(pid) {
  try {
    const kb = /VmHWM:\s*(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}
