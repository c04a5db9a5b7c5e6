import { performance } from "node:perf_hooks";

/**
 * Wall-clock time in seconds with microsecond precision, as the `ts` field
 * text ("1795718250.304033"). `Date.now()` has only milliseconds, so the
 * sub-millisecond part comes from the monotonic clock, anchored to the wall
 * clock and re-anchored when the two drift apart (NTP steps, suspend).
 */
let offsetMs = Date.now() - performance.now();
let calls = 0;

/**
 * The current time as the text of a JSON number with six decimals.
 *
 * @example
 * timestamp(); // "1795718250.304033"
 */
export function timestamp(): string {
  if (++calls >= 4096) {
    calls = 0;
    const drift = Date.now() - (offsetMs + performance.now());
    if (drift > 2 || drift < -2) offsetMs += drift;
  }
  const micros = Math.round((offsetMs + performance.now()) * 1000);
  const seconds = Math.floor(micros / 1_000_000);
  const frac = micros - seconds * 1_000_000;
  return seconds + (frac < 100_000 ? "." + String(frac).padStart(6, "0") : "." + frac);
}
