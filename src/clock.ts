import { performance } from "node:perf_hooks";
import type { LineBuffer } from "./line-buffer";

/**
 * Wall-clock time in seconds with microsecond precision, as the `ts` field
 * text ("1795718250.304033"). `Date.now()` has only milliseconds, so the
 * sub-millisecond part comes from the monotonic clock, anchored to the wall
 * clock and re-anchored when the two drift apart (NTP steps, suspend).
 */
let offsetMs = Date.now() - performance.now();
let calls = 0;

/**
 * Writes the current time as a JSON number with six decimals.
 *
 * @example
 * writeTimestamp(out); // 1795718250.304033
 */
export function writeTimestamp(out: LineBuffer): void {
  if (++calls >= 4096) {
    calls = 0;
    const drift = Date.now() - (offsetMs + performance.now());
    if (drift > 2 || drift < -2) offsetMs += drift;
  }
  const micros = Math.round((offsetMs + performance.now()) * 1000);
  const seconds = Math.floor(micros / 1_000_000);
  let frac = micros - seconds * 1_000_000;
  out.integer(seconds);
  out.ensure(7);
  const buf = out.buf;
  const p = out.pos;
  buf[p] = 46; // "."
  for (let i = 6; i > 0; i--) {
    const q = Math.floor(frac / 10);
    buf[p + i] = 48 + (frac - q * 10);
    frac = q;
  }
  out.pos = p + 7;
}
