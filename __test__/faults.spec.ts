import test from "ava";
import { execFileSync } from "node:child_process";
import { closeSync, constants, openSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Logger, LogxpyError } from "../src/index";
import { checkAllPresent, mkfifo, readRecords, runFixture, tempDir, within } from "./helpers";

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

test("an error listener that throws does not make the log call throw, and the listeners after it still hear the error", (t) => {
  const heard: string[] = [];
  const log = new Logger().init("/dev/full", { mode: "a", asyncEnabled: false });
  log.on("error", (e) => {
    heard.push(`throwing: ${e.errno}`);
    throw new Error("listener bug");
  });
  log.on("error", (e) => heard.push(`next: ${e.errno}`));
  t.notThrows(() => log.info("x"));
  t.deepEqual(heard, ["throwing: ENOSPC", "next: ENOSPC"]);
});

test('log.on rejects events other than "error"', (t) => {
  const log = new Logger();
  t.is(t.throws(() => log.on("data" as never, () => {}))?.message, 'logxpy emits only "error" events; got data');
});

test("an error listener that is not a function is refused at the call, and errors still reach stderr", async (t) => {
  const log = new Logger();
  for (const bad of [5, "handler", null, {}]) {
    t.is(t.throws(() => log.on("error", bad as never), { instanceOf: LogxpyError })?.code, "LOGXPY_ERR_OPTION");
  }
  // The refused listener was not added, so the stderr fallback still speaks for a failing write.
  const result = await runFixture("listener-child.cjs", []).done;
  t.is(result.code, 0, result.stderr);
  t.regex(result.stderr, /LOGXPY_ERR_WRITE ENOSPC/);
});

/** The next LOGXPY_ERR_FILE_GONE report; the writers check from unref'd timers, and the deadline's ref'd one keeps the process up meanwhile. */
function fileGone(log: Logger): Promise<LogxpyError> {
  const gone = new Promise<LogxpyError>((resolve) =>
    log.on("error", (e) => {
      if (e.code === "LOGXPY_ERR_FILE_GONE") resolve(e);
    }),
  );
  return within(gone, "a LOGXPY_ERR_FILE_GONE report");
}

test("a log file removed underneath the writer is reported, and reopen writes to a new file at the path", async (t) => {
  const file = join(tempDir(), "gone.log");
  const log = new Logger().init(file);
  const gone = fileGone(log);
  log.info("before");
  await log.flush();
  unlinkSync(file);
  const err = await gone;
  t.regex(err.message, /removed/);
  t.is(err.destination, file);
  log.reopen();
  log.info("after");
  await log.flush();
  t.deepEqual(readRecords(file).map((r) => r.msg), ["after"]);
});

test("a log file moved away is reported as replaced once another file takes its path", async (t) => {
  const dir = tempDir();
  const file = join(dir, "moved.log");
  const log = new Logger().init(file, { asyncEnabled: false });
  const moved = fileGone(log);
  log.info("one");
  renameSync(file, join(dir, "moved.log.1"));
  writeFileSync(file, "");
  t.regex((await moved).message, /replaced/);
});

test("a FIFO whose reader went away gives EPIPE: reported, counted, and the log call does not throw", async (t) => {
  const fifo = join(tempDir(), "epipe");
  mkfifo(fifo);
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const errors: LogxpyError[] = [];
  const log = new Logger().init(fifo, { onError: (e) => errors.push(e), shutdownTimeout: "300ms" });
  closeSync(reader);
  t.notThrows(() => log.info("into a broken pipe"));
  t.false(log.flushSync());
  t.true(log.getAsyncMetrics().errors >= 1);
  t.is(errors.find((e) => e.code === "LOGXPY_ERR_WRITE")?.errno, "EPIPE");
});

/** A tiny tmpfs, to fill a disk for real; CI runs as root, which mounting needs. */
function smallDisk(): string | undefined {
  const dir = tempDir();
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=128k", "tmpfs", dir], { stdio: "ignore" });
    return dir;
  } catch {
    return undefined;
  }
}
const disk = smallDisk();

(disk === undefined ? test.skip : test)(
  "on a full disk the block policy keeps every record and writes them all once space returns (needs root to mount a tmpfs)",
  async (t) => {
    const dir = disk!;
    t.teardown(() => execFileSync("umount", ["-l", dir]));
    const filler = join(dir, "filler");
    const errors: LogxpyError[] = [];
    // flushSync below waits out shutdownTimeout on the full disk: keep it short.
    const log = new Logger().init(join(dir, "app.log"), { onError: (e) => errors.push(e), shutdownTimeout: "200ms" });
    // Fill the disk to the last block, so the log's writes fail with ENOSPC.
    try {
      writeFileSync(filler, Buffer.alloc(256 * 1024));
    } catch {
      // ENOSPC: the filler took all the room there was.
    }
    for (let i = 0; i < 500; i++) log.info("during the outage", { i, pad: "p".repeat(100) });
    t.false(log.flushSync(), "nothing fits while the disk is full");
    t.is(errors[0]?.errno, "ENOSPC");
    unlinkSync(filler);
    await log.flush();
    const records = readRecords(join(dir, "app.log"));
    t.is(records.length, 500);
    t.deepEqual(checkAllPresent(records, 500), { missing: 0, duplicated: 0 });
    t.like(log.getAsyncMetrics(), { enqueued: 500, written: 500, dropped: 0, pending: 0 });
  },
);
