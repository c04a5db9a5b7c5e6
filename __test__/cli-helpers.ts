import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

/** The built reader, as npm's bin runs it. */
export const CLI = join(__dirname, "..", "dist", "cli", "main.js");

/** The fixtures of the reader's tests. */
export const CLI_FIXTURES = join(__dirname, "fixtures", "cli");

/** What one run of the reader printed. */
export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `logxpy args…` to its end, with `input` on standard input, colour left to the defaults unless env says. */
export function logxpy(args: string[], options: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    input: options.input ?? "",
    env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...options.env },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the logxpy app fixture, which writes FILE (and FILE.child from its child process) in `format`. */
export function writeAppLog(file: string, format: "logxpy" | "eliot"): void {
  const r = spawnSync(process.execPath, [join(CLI_FIXTURES, "app.cjs"), file, format], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`app.cjs failed: ${r.stderr}`);
}

/**
 * The venv with Python eliot and eliot-tree that .ci/run makes from
 * .ci/eliot-tree-requirements.txt (LOGXPY_ELIOT_TREE names its eliot-tree).
 * A missing one fails the test with how to make it: these suites must not
 * pass by skipping.
 */
export function eliotVenv(): string {
  const tree = process.env.LOGXPY_ELIOT_TREE ?? join(homedir(), ".cache", "logxpy-ci", "eliot-tree", "bin", "eliot-tree");
  const venv = dirname(dirname(tree));
  if (!existsSync(tree) || !existsSync(join(venv, "bin", "python"))) {
    throw new Error(`no Python venv with eliot and eliot-tree at ${venv}: make it as .ci/run does (pip install -r .ci/eliot-tree-requirements.txt) or set LOGXPY_ELIOT_TREE`);
  }
  return venv;
}

/** Fails with the install command when a program the suite drives is missing. */
export function requireTool(name: string): void {
  if (spawnSync("sh", ["-c", `command -v ${name}`]).status !== 0) {
    throw new Error(`${name} is not installed: run .ci/deps-cli.sh (apt-get install -y ${name})`);
  }
}

/** Runs a program to its end; throws with its output when it fails. */
export function run(cmd: string, args: string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", cwd, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}
