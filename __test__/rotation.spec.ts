import test from "ava";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Logger, type InitOptions, type LogxpyError } from "../src/index";
import { initSettings } from "../src/options";
import { onWatchCheckForTests } from "../src/writers/file-watch";
import { checkAllPresent, runFixture, tempDir, within } from "./helpers";

// One suite for every writer: the asynchronous one is native unless LOGXPY_NATIVE=0 picks the pure-TypeScript one.
const ASYNC_BACKEND = process.env.LOGXPY_NATIVE === "0" || process.env.LOGXPY_NATIVE === "false" ? "js" : "native";
const WRITERS = [
  { name: ASYNC_BACKEND, asyncEnabled: true },
  { name: "sync", asyncEnabled: false },
] as const;

const SIZE = 4096;

interface LogFile {
  name: string;
  bytes: Buffer;
}

/** Every file of the rotation, oldest first, gunzipped; fails on a name that does not belong. */
function rotationFiles(file: string): LogFile[] {
  const base = basename(file);
  const slots = readdirSync(dirname(file))
    .filter((name) => name !== base)
    .map((name) => {
      const m = new RegExp(`^${base.replace(".", "\\.")}\\.(\\d+)(\\.gz)?$`).exec(name);
      if (m === null) throw new Error(`unexpected file ${name} beside ${base}`);
      return { name, n: Number(m[1]), gz: m[2] !== undefined };
    })
    .sort((a, b) => b.n - a.n);
  const files = slots.map(({ name, gz }) => {
    const raw = readFileSync(join(dirname(file), name));
    return { name, bytes: gz ? gunzipSync(raw) : raw };
  });
  files.push({ name: base, bytes: readFileSync(file) });
  return files;
}

/** The `i` field of every record, file after file; each line must be JSON. */
function sequence(files: LogFile[]): number[] {
  return files.flatMap(({ name, bytes }) => {
    const text = bytes.toString("utf8");
    if (text === "") return [];
    if (!text.endsWith("\n")) throw new Error(`${name} ends inside a line`);
    return text.slice(0, -1).split("\n").map((line) => (JSON.parse(line) as { i: number }).i);
  });
}

/** Settles after the path watch next looks at `file`. */
function nextWatchCheck(file: string): Promise<void> {
  const looked = new Promise<void>((resolve) => {
    const stop = onWatchCheckForTests((path) => {
      if (path !== file) return;
      stop();
      resolve();
    });
  });
  return within(looked, `a look of the path watch at ${file}`);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, k) => from + k);
}

function logMany(log: Logger, from: number, to: number): void {
  for (let i = from; i < to; i++) log.info("request handled", { i, path: "/api/v1/items", pad: "x".repeat(i % 41) });
}

function rotating(file: string, asyncEnabled: boolean, rotate: InitOptions["rotate"], more: InitOptions = {}): Logger {
  return new Logger().init(file, { asyncEnabled, rotate, ...more });
}

for (const { name, asyncEnabled } of WRITERS) {
  test(`${name}: every line lands in exactly one file, in order, and no file passes the size`, async (t) => {
    const file = join(tempDir(), "app.log");
    const log = rotating(file, asyncEnabled, { size: SIZE, keep: 1000 });
    t.is(log.backend, name);
    logMany(log, 0, 3000);
    await log.flush();
    const files = rotationFiles(file);
    t.true(files.length > 50, `only ${files.length} files`);
    for (const f of files) t.true(f.bytes.length <= SIZE, `${f.name} holds ${f.bytes.length} bytes`);
    t.deepEqual(sequence(files), range(0, 3000));
    t.deepEqual(log.getAsyncMetrics(), { enqueued: 3000, written: 3000, dropped: 0, errors: 0, pending: 0 });
  });

  test(`${name}: compress leaves gzip files behind a flush, and their lines are JSON`, async (t) => {
    const file = join(tempDir(), "app.log");
    const log = rotating(file, asyncEnabled, { size: "4KB", keep: 1000, compress: true });
    logMany(log, 0, 2000);
    await log.flush();
    const files = rotationFiles(file);
    const rotated = files.slice(0, -1);
    t.true(rotated.length > 30);
    for (const f of rotated) t.regex(f.name, /\.gz$/, "every rotated file is compressed once flush resolves");
    for (const f of files) t.true(f.bytes.length <= SIZE, `${f.name} holds ${f.bytes.length} bytes`);
    t.deepEqual(sequence(files), range(0, 2000));
    t.is(log.getAsyncMetrics().errors, 0);
  });

  test(`${name}: flushSync finishes a compression still under way`, (t) => {
    const file = join(tempDir(), "app.log");
    const log = rotating(file, asyncEnabled, { size: SIZE, keep: 1000, compress: true });
    logMany(log, 0, 500);
    t.true(log.flushSync());
    const files = rotationFiles(file);
    for (const f of files.slice(0, -1)) t.regex(f.name, /\.gz$/);
    t.deepEqual(sequence(files), range(0, 500));
  });

  test(`${name}: only keep rotated files stay, holding the newest lines`, async (t) => {
    for (const compress of [false, true]) {
      const file = join(tempDir(), "app.log");
      const log = rotating(file, asyncEnabled, { size: SIZE, keep: 3, compress });
      logMany(log, 0, 2000);
      await log.flush();
      const files = rotationFiles(file);
      t.deepEqual(files.map((f) => f.name), ["app.log.3", "app.log.2", "app.log.1", "app.log"].map((n, k) => (compress && k < 3 ? `${n}.gz` : n)));
      const kept = sequence(files);
      t.true(kept[0]! > 0, "the oldest lines were deleted with the file beyond keep");
      t.deepEqual(kept, range(kept[0]!, 2000));
      t.is(log.getAsyncMetrics().written, 2000);
    }
  });

  test(`${name}: a line longer than the size gets a file of its own`, async (t) => {
    const file = join(tempDir(), "app.log");
    const log = rotating(file, asyncEnabled, { size: 1000, keep: 100 });
    logMany(log, 0, 10);
    log.info("big", { i: 10, text: "y".repeat(3000) });
    logMany(log, 11, 20);
    await log.flush();
    const files = rotationFiles(file);
    t.deepEqual(sequence(files), range(0, 20));
    const big = files.filter((f) => f.bytes.length > 1000);
    t.is(big.length, 1);
    t.deepEqual(sequence(big), [10], "the long line is alone in its file");
  });

  test(`${name}: the new file and the compressed ones get the configured fileMode`, async (t) => {
    const file = join(tempDir(), "app.log");
    const log = rotating(file, asyncEnabled, { size: SIZE, keep: 10, compress: true }, { fileMode: 0o600 });
    logMany(log, 0, 200);
    await log.flush();
    for (const name of ["app.log", "app.log.1.gz", "app.log.2.gz"]) {
      t.is(statSync(join(dirname(file), name)).mode & 0o777, 0o600, name);
    }
  });

  test(`${name}: a failed rotation is reported as a write error and lines go on into the current file`, async (t) => {
    const dir = tempDir();
    const file = join(dir, "app.log");
    // A directory in the slot to be freed cannot be deleted as a file.
    const blocker = join(dir, "app.log.1");
    mkdirSync(blocker);
    writeFileSync(join(blocker, "inside"), "x");
    const errors: LogxpyError[] = [];
    const log = rotating(file, asyncEnabled, { size: SIZE, keep: 1 }, { onError: (e) => errors.push(e as LogxpyError) });
    logMany(log, 0, 300);
    await log.flush();
    t.deepEqual(sequence([{ name: "app.log", bytes: readFileSync(file) }]), range(0, 300));
    t.true(errors.length >= 1);
    t.is(errors[0]!.code, "LOGXPY_ERR_WRITE");
    t.is(errors[0]!.errno, "EISDIR");
    t.is(errors[0]!.destination, file);
    const m = log.getAsyncMetrics();
    t.is(m.errors, errors.length);
    t.is(m.written, 300);

    // Once the slot can be freed, reopen lets the next write rotate without waiting out the pause after a failure.
    rmSync(blocker, { recursive: true });
    log.reopen();
    logMany(log, 300, 310);
    await log.flush();
    t.deepEqual(rotationFiles(file).map((f) => sequence([f])), [range(0, 300), range(300, 310)]);
  });

  test(`${name}: a rotation is not reported as the log file going missing`, async (t) => {
    const file = join(tempDir(), "app.log");
    const errors: LogxpyError[] = [];
    const log = rotating(file, asyncEnabled, { size: SIZE, keep: 5 }, { onError: (e) => errors.push(e as LogxpyError) });
    let i = 0;
    // Each round leaves a new file at the path, then lets the path watch look at it.
    for (let round = 0; round < 2; round++) {
      logMany(log, i, i + 200);
      i += 200;
      await log.flush();
      t.true(existsSync(`${file}.1`), "the lines rotated");
      await nextWatchCheck(file);
    }
    t.deepEqual(errors.map((e) => e.code), []);
    t.is(log.getAsyncMetrics().written, i);
  });

  test(`${name}: a process that exits right after logging leaves every line once, rotated files compressed`, async (t) => {
    const file = join(tempDir(), "exit.log");
    const result = await runFixture("rotate-exit-child.cjs", [file, String(asyncEnabled), "20000"]).done;
    t.is(result.code, 0, result.stderr);
    const files = rotationFiles(file);
    t.true(files.length > 10);
    for (const f of files.slice(0, -1)) t.regex(f.name, /\.gz$/);
    const records = files.flatMap((f) => sequence([f]).map((i) => ({ i })));
    t.deepEqual(checkAllPresent(records, 20000), { missing: 0, duplicated: 0 });
    t.deepEqual(records.map((r) => r.i), range(0, 20000));
  });
}

test("rotate options are checked at init, with LOGXPY_ERR_OPTION", (t) => {
  const bad: unknown[] = [
    5,
    {},
    { size: 0 },
    { size: -1 },
    { size: 1.5 },
    { size: "10XB" },
    { size: "big" },
    { size: "0KB" },
    { size: true },
    { size: "1MB", keep: 0 },
    { size: "1MB", keep: 2.5 },
    { size: "1MB", keep: 10_001 },
    { size: "1MB", compress: "yes" },
    { size: "1MB", every: "day" },
  ];
  for (const rotate of bad) {
    const file = join(tempDir(), "never.log");
    const err = t.throws<LogxpyError>(() => new Logger().init(file, { rotate: rotate as never }), undefined, JSON.stringify(rotate));
    t.is(err?.code, "LOGXPY_ERR_OPTION", JSON.stringify(rotate));
  }
});

test("rotate sizes are bytes or KB, MB, GB strings (KiB, MiB, GiB alike), with defaults keep 5 and no compression", (t) => {
  const size = (s: number | string): number => initSettings({ rotate: { size: s } }).rotate!.sizeBytes;
  t.is(size(2048), 2048);
  t.is(size("500KB"), 500 * 1024);
  t.is(size("500 KiB"), 500 * 1024);
  t.is(size("100MB"), 100 * 1024 ** 2);
  t.is(size("100mib"), 100 * 1024 ** 2);
  t.is(size("1GB"), 1024 ** 3);
  t.is(size("1.5GiB"), 1.5 * 1024 ** 3);
  t.is(size("4096"), 4096);
  t.deepEqual(initSettings({ rotate: { size: "1MB" } }).rotate, { sizeBytes: 1024 ** 2, keep: 5, compress: false });
  t.is(initSettings({}).rotate, undefined);
});
