import test from "ava";
import { Logger, type LogxpyError } from "../src/index";

test("a full disk is counted and reported with ENOSPC, and no log call throws", (t) => {
  const errors: LogxpyError[] = [];
  const log = new Logger().init("/dev/full", { mode: "a", shutdownTimeout: "200ms" });
  log.on("error", (e) => errors.push(e));
  t.notThrows(() => {
    for (let i = 0; i < 100; i++) log.info("lost?", { i });
  });
  t.false(log.flushSync(), "flushSync reports that the lines could not be written");
  const m = log.getAsyncMetrics();
  t.true(m.errors >= 1);
  t.is(m.pending, 100, "nothing is thrown away while the disk may come back");
  t.is(m.enqueued, m.written + m.dropped + m.pending);
  t.is(errors[0]!.code, "LOGXPY_ERR_WRITE");
  t.is(errors[0]!.errno, "ENOSPC");
  t.is(errors[0]!.destination, "/dev/full");
});

test("a synchronous write to a full disk is counted as an error and a drop", (t) => {
  const errors: LogxpyError[] = [];
  const log = new Logger().init("/dev/full", { mode: "a", asyncEnabled: false, onError: (e) => errors.push(e) });
  t.notThrows(() => log.info("x"));
  t.deepEqual(log.getAsyncMetrics(), { enqueued: 1, written: 0, dropped: 1, errors: 1, pending: 0 });
  t.is(errors[0]!.errno, "ENOSPC");
});

test("an error listener that throws does not make the log call throw", (t) => {
  const log = new Logger().init("/dev/full", { mode: "a", asyncEnabled: false });
  log.on("error", () => {
    throw new Error("listener bug");
  });
  t.notThrows(() => log.info("x"));
});

test('log.on rejects events other than "error"', (t) => {
  const log = new Logger();
  t.is(t.throws(() => log.on("data" as never, () => {}))?.message, 'logxpy emits only "error" events; got data');
});
