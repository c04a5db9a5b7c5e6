import test from "ava";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fixture, tempDir } from "./helpers";

const root = resolve(__dirname, "..");
const tsc = join(root, "node_modules/typescript/bin/tsc");
const MARKER = /^\s*\/\/ @ts-expect-error/;

/** A project that depends on logxpy as an installed package: `import "logxpy"` resolves through package.json's types. */
function consumerProject(source: string): string {
  const dir = tempDir();
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(root, join(dir, "node_modules", "logxpy"), "dir");
  writeFileSync(join(dir, "usage.ts"), source);
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        target: "ES2022",
        module: "node16",
        moduleResolution: "node16",
        types: ["node"],
        typeRoots: [join(root, "node_modules/@types")],
        outDir: "out",
      },
      files: ["usage.ts"],
    }),
  );
  return dir;
}

/** tsc's exit code and the 1-based lines it reported errors on. */
function compile(dir: string): { status: number | null; errorLines: number[]; output: string } {
  const r = spawnSync(process.execPath, [tsc, "-p", dir, "--pretty", "false"], { encoding: "utf8" });
  const output = r.stdout + r.stderr;
  const errorLines = [...output.matchAll(/usage\.ts\((\d+),\d+\): error/g)].map((m) => Number(m[1]));
  return { status: r.status, errorLines, output };
}

const source = readFileSync(fixture("types/usage.ts"), "utf8");

test("a program using logxpy's published types compiles, and what the types accept and reject the runtime accepts and rejects", (t) => {
  const dir = consumerProject(source);
  const { status, output } = compile(dir);
  t.is(status, 0, output);
  const result = JSON.parse(execFileSync(process.execPath, [join(dir, "out/usage.js"), join(dir, "app.log")], { encoding: "utf8" })) as {
    checked: number;
    failures: string[];
  };
  t.deepEqual(result.failures, []);
  t.true(result.checked >= 15);
});

test("each misuse the types are expected to reject is a compile error", (t) => {
  // Without the @ts-expect-error markers, every line they marked must fail to compile, and no other.
  const lines = source.split("\n");
  const marked = lines.flatMap((line, i) => (MARKER.test(line) ? [i + 2] : []));
  const unmarked = lines.map((line) => (MARKER.test(line) ? "" : line)).join("\n");
  const { status, errorLines, output } = compile(consumerProject(unmarked));
  t.not(status, 0);
  t.deepEqual([...new Set(errorLines)].sort((a, b) => a - b), marked, output);
});
