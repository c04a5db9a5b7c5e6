// How much of the machine other processes used while the benchmark ran. A
// load average cannot tell: the benchmark's own children make most of it.
import { readFileSync } from "node:fs";

/**
 * Busy and total CPU ticks of the machine, and the ticks of this process
 * and its finished children, or undefined without /proc.
 *
 * @example
 * const before = cpuTicks();
 * // ... run children ...
 * otherCpuShare(before, cpuTicks()); // 0.02: others took 2% of all cores
 */
export function cpuTicks() {
  try {
    // "cpu  user nice system idle iowait irq softirq steal ..."
    const all = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    const total = all.reduce((a, b) => a + b, 0);
    const idle = all[3] + all[4];
    // Fields 14-17 of /proc/self/stat (utime stime cutime cstime), counted after the ")" that ends the name.
    const self = readFileSync("/proc/self/stat", "utf8");
    const own = self.slice(self.lastIndexOf(")") + 2).split(" ").slice(11, 15).map(Number);
    return { total, busy: total - idle, own: own.reduce((a, b) => a + b, 0) };
  } catch {
    return undefined;
  }
}

/** The share of all cores' time, between two `cpuTicks()`, that went to other processes. */
export function otherCpuShare(before, after) {
  if (!before || !after || after.total === before.total) return undefined;
  const others = after.busy - before.busy - (after.own - before.own);
  return Math.max(0, others) / (after.total - before.total);
}
