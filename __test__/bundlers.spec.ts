import test from "ava";
import { execFile } from "node:child_process";
import { copyFileSync, cpSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { bindingMismatch, type NativeBinding } from "../src/binding";
import { fixture, readRecords, tempDir } from "./helpers";

const root = join(__dirname, "..");
const run = promisify(execFile);

interface Report {
  backend: string;
  reason: string;
}

/**
 * A directory with the fixture app and logxpy installed beside it as `npm i logxpy` leaves it:
 * the package's files, and the addon in its per-platform package, not in logxpy's own native/.
 */
function appDir(): string {
  const dir = tempDir();
  copyFileSync(fixture("bundlers/app.js"), join(dir, "app.js"));
  const pkg = join(dir, "node_modules/logxpy");
  for (const file of ["package.json", "dist", "native/binding.js", "native/binding.d.ts"]) cpSync(join(root, file), join(pkg, file), { recursive: true });
  const addon = readdirSync(join(root, "native")).find((name) => name.endsWith(".node"));
  if (addon === undefined) throw new Error("no built addon in native/: run npm run build with cargo installed");
  const platform = addon.slice("logxpy.".length, -".node".length);
  const platformPkg = join(dir, "node_modules", `logxpy-${platform}`);
  cpSync(join(root, "npm", platform, "package.json"), join(platformPkg, "package.json"));
  copyFileSync(join(root, "native", addon), join(platformPkg, addon));
  return dir;
}

/**
 * Runs a bundle from a directory of its own, away from the project and logxpy's checkout, so
 * the addon can only come from the bundle; returns what the app printed and both log files.
 */
async function runBundle(outDir: string, env: NodeJS.ProcessEnv = {}) {
  const where = tempDir();
  cpSync(outDir, where, { recursive: true });
  const [file, workerFile] = [join(where, "main.log"), join(where, "worker.log")];
  const { stdout, stderr } = await run(process.execPath, [join(where, "app.js"), file, workerFile], {
    cwd: where,
    env: { ...process.env, LOGXPY_NATIVE: "", ...env },
  });
  const report = JSON.parse(stdout) as { main: Report; worker: Report };
  const said = stderr.split("\n").filter((line) => line.startsWith("logxpy:"));
  return { report, said, stderr, records: [...readRecords(file), ...readRecords(workerFile)] };
}

function esbuildBundle(loader: "copy" | "file"): Promise<string> {
  const dir = appDir();
  const outDir = join(dir, "dist");
  return build({
    entryPoints: [join(dir, "app.js")],
    bundle: true,
    platform: "node",
    outdir: outDir,
    loader: { ".node": loader },
    logLevel: "silent",
  }).then(() => outDir);
}

async function webpackBundle(): Promise<string> {
  const dir = appDir();
  const outDir = join(dir, "dist");
  const config = join(root, "__test__/fixtures/bundlers/webpack.config.js");
  const cli = join(root, "node_modules/webpack-cli/bin/cli.js");
  await run(process.execPath, [cli, "--config", config, "--env", `appDir=${dir}`, "--env", `outDir=${outDir}`], { cwd: dir });
  return outDir;
}

function addonsIn(outDir: string): string[] {
  return readdirSync(outDir).filter((name) => name.endsWith(".node"));
}

const logged = (records: Record<string, unknown>[]) => records.map((r) => [r.mt, r.msg, r.thread]);
const bothThreads = [
  ["info", "from the bundle", "main"],
  ["info", "from the bundle", "worker"],
];

test("an esbuild bundle with --loader:.node=copy loads the native addon it carries, in the main thread and a worker", async (t) => {
  const outDir = await esbuildBundle("copy");
  t.is(addonsIn(outDir).length, 1);
  const { report, said, stderr, records } = await runBundle(outDir);
  t.deepEqual(report, { main: { backend: "native", reason: "" }, worker: { backend: "native", reason: "" } }, stderr);
  t.deepEqual(said, []);
  t.deepEqual(logged(records), bothThreads);
});

test("a webpack bundle with node-loader loads the native addon it carries, in the main thread and a worker", async (t) => {
  const outDir = await webpackBundle();
  t.is(addonsIn(outDir).length, 1);
  const { report, said, stderr, records } = await runBundle(outDir);
  t.deepEqual(report, { main: { backend: "native", reason: "" }, worker: { backend: "native", reason: "" } }, stderr);
  t.deepEqual(said, []);
  t.deepEqual(logged(records), bothThreads);
});

test("a bundle without its .node file falls back, says once on stderr which file it missed, and exposes the reason", async (t) => {
  const outDir = await esbuildBundle("copy");
  const [addon] = addonsIn(outDir);
  rmSync(join(outDir, addon!));
  const { report, said, records } = await runBundle(outDir);
  // Without the addon a worker thread writes each record in its log call: no JavaScript runs there at exit.
  t.deepEqual([report.main.backend, report.worker.backend], ["js", "sync"]);
  t.regex(report.main.reason, /^no native addon loads on \w+-\w+ \(/);
  t.true(report.main.reason.includes(`Cannot find module './${addon}'`), report.main.reason);
  t.is(report.worker.reason, report.main.reason);
  t.deepEqual(said, [`logxpy: LOGXPY_ERR_NATIVE: ${report.main.reason}; using the pure-TypeScript writer`]);
  t.deepEqual(logged(records), bothThreads);
});

test("esbuild's --loader:.node=file is named as the cause, not mistaken for an older addon", async (t) => {
  const { report, said, records } = await runBundle(await esbuildBundle("file"));
  t.is(report.main.backend, "js");
  t.regex(report.main.reason, /the bundle has the addon's file name \(\.\/logxpy\.[\w-]+\.node\) where the addon should be: .*--loader:\.node=copy/);
  t.notRegex(report.main.reason, /older/);
  t.is(said.length, 1);
  t.deepEqual(logged(records), bothThreads);
});

test("LOGXPY_NATIVE=0 in a bundle chooses the pure-TypeScript writer without a word on stderr", async (t) => {
  const { report, said, records } = await runBundle(await esbuildBundle("copy"), { LOGXPY_NATIVE: "0" });
  t.deepEqual(report.main, { backend: "js", reason: "LOGXPY_NATIVE=0 asks for the pure-TypeScript writer" });
  t.is(report.worker.backend, "sync");
  t.deepEqual(said, []);
  t.deepEqual(logged(records), bothThreads);
});

test("only an addon whose writer lacks methods is called older; a bundler's stand-in is called what it is", (t) => {
  t.regex(bindingMismatch("./logxpy.linux-x64-gnu-AB12.node" as unknown as NativeBinding), /^the bundle has the addon's file name \(\.\/logxpy\.linux-x64-gnu-AB12\.node\)/);
  t.regex(bindingMismatch({ default: "./x.node" } as unknown as NativeBinding), /^what loaded as the native addon is not one \(its NativeWriter is undefined\)/);
  t.regex(bindingMismatch({ NativeWriter: class {}, flushAllWriters() {} } as unknown as NativeBinding), /^the native addon is older than this logxpy \(no write,/);
});
