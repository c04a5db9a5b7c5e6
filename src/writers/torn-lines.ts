import * as path_ from "node:path";

/** Paths whose last writer gave up inside a line (see {@link markTorn}). */
const tornPaths = new Set<string>();

/**
 * Notes that a writer closed with `path` left inside a line (a short write
 * to a stalled pipe, say): the next writer to it must start on a new line.
 *
 * @example
 * markTorn("app.log"); takeTorn("app.log"); // true, once
 */
export function markTorn(path: string): void {
  tornPaths.add(path_.resolve(path));
}

/** Whether `path` was left inside a line; asking forgets it. */
export function takeTorn(path: string): boolean {
  return tornPaths.delete(path_.resolve(path));
}
