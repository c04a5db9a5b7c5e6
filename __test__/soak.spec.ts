import test from "ava";
import { runFixture } from "./helpers";

/** `npm run soak` sets 10 million; CI runs a smaller N through the same checks. */
const N = Number(process.env.LOGXPY_SOAK_N ?? 1_000_000);
const MB = 1024 * 1024;

for (const policy of ["drop_oldest", "block"]) {
  test(`soak: ${N.toLocaleString("en")} records through a 1,000-record queue under ${policy}: RSS flat, metrics exact`, async (t) => {
    const run = runFixture("soak-child.cjs", [policy, String(N)]);
    const result = await run.done;
    t.is(result.code, 0, result.stderr);
    const { samples, metrics } = result.messages[0] as {
      samples: number[];
      metrics: { enqueued: number; written: number; dropped: number; pending: number };
    };
    t.is(metrics.enqueued, N);
    t.is(metrics.pending, 0);
    t.is(metrics.enqueued, metrics.written + metrics.dropped);
    if (policy === "block") t.is(metrics.dropped, 0);
    // The garbage collector makes RSS a sawtooth; bounded means the second half peaks no higher than the first.
    const half = Math.floor(samples.length / 2);
    const growth = Math.max(...samples.slice(half)) - Math.max(...samples.slice(0, half));
    t.true(growth < 16 * MB, `RSS peaked ${(growth / MB).toFixed(1)} MB higher in the second half: ${samples.map((s) => Math.round(s / MB)).join(" ")}`);
  });
}
