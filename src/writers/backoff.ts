// How the writers wait between retries. The failing-destination pauses are
// the Rust writer thread's too (crates/logxpy-core/src/backoff.rs);
// __test__/constants.spec.ts keeps them equal.

/** First pause after a failed write; it doubles up to the longest. */
export const FIRST_ERROR_BACKOFF_MS = 10;
/** Longest pause between retries of a failing destination. */
export const MAX_ERROR_BACKOFF_MS = 1000;
/** Longest pause between retries of a full pipe. */
export const MAX_AGAIN_BACKOFF_MS = 50;
