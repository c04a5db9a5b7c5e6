import test, { type ExecutionContext } from "ava";
import { createReadStream, closeSync, constants, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mkfifo, nextMessage, runFixture, tempDir } from "./helpers";
import type { WriterMetrics } from "../src/index";
import { asyncSettings } from "../src/options";
import { FileTarget } from "../src/writers/fd";
import { JsAsyncWriter } from "../src/writers/js-async";

const N = 10_000;
const MAX_QUEUE = 1000;
const BATCH = 50;
/**
 * The most records a stalled writer may hold: the queue, plus the batch its
 * writer thread has taken (native), plus the lines gathered on the JavaScript
 * side before a hand-over (native).
 */
const MOST_PENDING = MAX_QUEUE + 2 * BATCH;

interface Report {
  type: "looped" | "flushed";
  metrics: WriterMetrics;
  /** CPU time and wall time of the logging loop (looped only). */
  cpuMs: number;
  wallMs: number;
}

/** Starts a child logging N records into a FIFO that nobody reads yet. */
function stalledFifo(policy: string) {
  const fifo = join(tempDir(), "pipe");
  mkfifo(fifo);
  // A reader that never reads: the child can open the FIFO, then fills it and stalls.
  const idle = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const run = runFixture("fifo-writer.cjs", [fifo, policy, String(N), String(MAX_QUEUE)]);
  const looped = nextMessage<Report>(run.child, (m) => m.type === "looped");
  const flushed = nextMessage<Report>(run.child, (m) => m.type === "flushed");
  const readAll = (): Promise<number[]> =>
    new Promise((resolve, reject) => {
      let text = "";
      createReadStream(fifo, "utf8")
        .on("data", (d) => (text += d))
        .on("end", () => {
          closeSync(idle);
          try {
            resolve(text.split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { i: number }).i));
          } catch (err) {
            reject(err);
          }
        })
        .on("error", reject);
    });
  return { ...run, looped, flushed, readAll };
}

function exact(t: ExecutionContext, m: WriterMetrics): void {
  t.is(m.enqueued, m.written + m.dropped + m.pending, JSON.stringify(m));
}

test("block makes the caller wait while the reader is stalled and loses nothing", async (t) => {
  const run = stalledFifo("block");
  // Nobody reads for 3 s; the child's start-up takes part of that, the loop's wait the rest.
  const first = await Promise.race([run.looped, new Promise((r) => setTimeout(() => r("still blocked"), 3000))]);
  t.is(first, "still blocked", "the logging loop cannot finish while nobody reads");
  const ids = run.readAll();
  const looped = await run.looped;
  exact(t, looped.metrics);
  t.is(looped.metrics.dropped, 0);
  t.true(looped.cpuMs < looped.wallMs / 4, `waiting did not spin: ${looped.cpuMs} ms of CPU in ${looped.wallMs} ms`);
  t.true(looped.metrics.pending <= MOST_PENDING);
  const flushed = await run.flushed;
  t.deepEqual(flushed.metrics, { enqueued: N, written: N, dropped: 0, errors: 0, pending: 0 });
  t.deepEqual(await ids, Array.from({ length: N }, (_, i) => i));
  t.is((await run.done).code, 0);
});

/** Runs a drop policy against the stalled FIFO; returns what it reported and the ids the reader got. */
async function dropRun(t: ExecutionContext, policy: string): Promise<{ looped: Report; got: number[] }> {
  const run = stalledFifo(policy);
  const looped = await run.looped;
  const ids = run.readAll();
  exact(t, looped.metrics);
  t.true(looped.metrics.dropped > 0);
  t.true(looped.metrics.pending <= MOST_PENDING, JSON.stringify(looped.metrics));
  const flushed = await run.flushed;
  exact(t, flushed.metrics);
  t.is(flushed.metrics.pending, 0);
  const got = await ids;
  t.is(got.length, flushed.metrics.written);
  return { looped, got };
}

test("drop_newest keeps the oldest records and counts every drop", async (t) => {
  const { got } = await dropRun(t, "drop_newest");
  // Nothing is dropped before the queue holds MAX_QUEUE records, and a queued record is never
  // dropped: the oldest MAX_QUEUE are all kept. Later ones may be too, wherever the writer's
  // taking a batch made room while the loop ran.
  t.deepEqual(got.slice(0, MAX_QUEUE), Array.from({ length: MAX_QUEUE }, (_, i) => i), "the oldest records, in order");
  t.true(got.every((v, i) => i === 0 || v > got[i - 1]!), "order is kept");
});

test("drop_oldest keeps the newest records and counts every drop", async (t) => {
  const { looped, got } = await dropRun(t, "drop_oldest");
  t.is(got.at(-1), N - 1, "the newest record is kept");
  t.true(got.every((v, i) => i === 0 || v > got[i - 1]!), "order is kept");
  // The tail holds the newest records without a gap: all that were queued when the loop ended.
  const tail = got.slice(-(looped.metrics.pending - 2 * BATCH));
  t.deepEqual(tail, Array.from({ length: tail.length }, (_, i) => N - tail.length + i));
});

test("warn drops like drop_newest and emits a rate-limited warning", async (t) => {
  const run = stalledFifo("warn");
  const looped = await run.looped;
  t.true(looped.metrics.dropped > 0);
  const ids = run.readAll();
  await run.flushed;
  await ids;
  const result = await run.done;
  const warnings = result.stderr.match(/LOGXPY_ERR_QUEUE_FULL/g) ?? [];
  t.is(warnings.length, 1, result.stderr);
  t.regex(result.stderr, /record\(s\) dropped/);
});


test("pure-TypeScript drop_oldest: flush waits for a batch the stalled reader left half written", async (t) => {
  const fifo = join(tempDir(), "pipe");
  mkfifo(fifo);
  const idle = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const settings = asyncSettings({ maxQueue: 400, batchSize: 50, policy: "drop_oldest" });
  const writer = new JsAsyncWriter(FileTarget.open(fifo, { mode: "a", clean: false, fileMode: 0o640 }), settings, 5000, () => {});
  const log = (i: number): void => {
    const line = Buffer.from(`${JSON.stringify({ i, pad: "x".repeat(1000) })}\n`);
    writer.write(line, 0, line.length);
  };
  // 300 KB for a 64 KB pipe: the first write stops part-way through a batch, the rest of it is carried.
  for (let i = 0; i < 300; i++) log(i);
  t.false(writer.flushSync(50), "nobody reads: the pipe is full");
  let flushed = false;
  const flush = writer.flush().then(() => (flushed = true));
  // Newer records push older queued ones out: more drops than records before the flush, none from the carried batch.
  for (let i = 300; i < 1300; i++) log(i);
  t.true(writer.metrics().dropped > 300, JSON.stringify(writer.metrics()));
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  t.false(flushed, "flush resolved while the carried batch was still unwritten");
  let text = "";
  const read = new Promise<void>((resolve, reject) => {
    createReadStream(fifo, "utf8").on("data", (d) => (text += d)).on("end", resolve).on("error", reject);
  });
  await flush;
  const m = writer.metrics();
  // The rest while the reader reads: close's synchronous flush would block this process's reader.
  await writer.flush();
  writer.close(5000);
  closeSync(idle);
  await read;
  const ids = text.split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { i: number }).i);
  // The carried batch is the oldest records, written whole before the flush resolved.
  t.true(ids.length >= m.written, `${ids.length} lines read, ${m.written} written at flush`);
  t.deepEqual(ids.slice(0, 100), Array.from({ length: 100 }, (_, i) => i));
});

test("pure-TypeScript block: records an error listener logs during a write do not overtake that write", (t) => {
  const dir = tempDir();
  const file = join(dir, "app.log");
  // Already past its size, and rotation fails: slot 1 (the only one kept) is a directory that
  // cannot be deleted. The fault is reported from inside the write.
  writeFileSync(file, "x".repeat(200) + "\n");
  mkdirSync(`${file}.1`);
  const settings = asyncSettings({ maxQueue: 4, batchSize: 4, policy: "block" });
  let n = 0;
  let writer: JsAsyncWriter | undefined;
  const log = (): void => {
    const line = Buffer.from(`${JSON.stringify({ n: n++ })}\n`);
    writer!.write(line, 0, line.length);
  };
  const faults: string[] = [];
  const listener = (fault: { message: string }): void => {
    faults.push(fault.message);
    // More than the queue holds: the fifth waits for room while the write that reported is under way.
    for (let i = 0; i < 5; i++) log();
  };
  writer = new JsAsyncWriter(FileTarget.open(file, { mode: "a", clean: false, fileMode: 0o640 }), settings, 5000, listener, {
    sizeBytes: 100,
    keep: 1,
    compress: false,
  });
  for (let i = 0; i < 10; i++) log();
  t.true(writer.flushSync(5000));
  writer.close(5000);
  t.true(faults.length >= 1 && faults.every((m) => m.includes("cannot rotate")), faults.join("; "));
  const ns = readFileSync(file, "utf8").split("\n").slice(1).filter(Boolean).map((l) => (JSON.parse(l) as { n: number }).n);
  t.deepEqual([...ns].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i), "every record once");
  // The batch being written when the fault was reported goes first: nothing logged from inside its
  // write may overtake it. (Record 4 was waiting for room meanwhile, so the listener's come before it.)
  t.deepEqual(ns.slice(0, 4), [0, 1, 2, 3]);
  const fromListener = ns.filter((v) => v >= 5 && v <= 9);
  t.deepEqual(fromListener, [5, 6, 7, 8, 9]);
});
