/** Buckets per factor of two: each is 2^(1/64) ≈ 1.1% wide. */
const PER_OCTAVE = 64;
/** The smallest duration told apart, in seconds (1 ns); anything shorter lands in the first bucket. */
const FLOOR = 1e-9;

/**
 * Duration quantiles in memory that does not grow with the count: values go
 * into logarithmic buckets 1.1% wide, so a quantile is within about 1.1% of
 * the exact one (the maximum is kept exactly). A million actions of one type
 * cost the same few kilobytes as ten.
 *
 * @example
 * const h = new Histogram();
 * h.add(0.002); h.add(0.004);
 * h.quantile(0.5); // ≈ 0.002
 */
export class Histogram {
  readonly #counts = new Map<number, number>();
  count = 0;
  max = 0;

  /** Adds a duration in seconds. */
  add(seconds: number): void {
    const b = seconds <= FLOOR ? 0 : Math.ceil(Math.log2(seconds / FLOOR) * PER_OCTAVE);
    this.#counts.set(b, (this.#counts.get(b) ?? 0) + 1);
    this.count++;
    if (seconds > this.max) this.max = seconds;
  }

  /** The value below which a fraction `q` of the durations lie (0 when empty). */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (const b of [...this.#counts.keys()].sort((x, y) => x - y)) {
      seen += this.#counts.get(b)!;
      if (seen >= rank) return Math.min(this.max, b === 0 ? FLOOR : FLOOR * 2 ** (b / PER_OCTAVE));
    }
    return this.max;
  }
}
