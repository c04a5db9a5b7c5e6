import test from "ava";
import { spawnSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./cli-helpers";
import { tempDir } from "./helpers";

const root = join(__dirname, "..");
const line = '{"ts":1,"tid":"B.1","lvl":[1],"mt":"info","msg":"from the bin"}\n';

function npx(cwd: string, args: string[]): string {
  const r = spawnSync("npx", ["--no-install", "logxpy", ...args], { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`npx logxpy ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

test("npx logxpy runs the built reader from a checkout", (t) => {
  const file = join(tempDir(), "app.log");
  writeFileSync(file, line);
  t.is(npx(root, ["--version"]), `logxpy ${require("../package.json").version}\n`);
  t.regex(npx(root, [file]), /^B\.1 · 1970-01-01T00:00:01\.000Z\n└─ info from the bin\n/);
});

test("npx logxpy runs from a project that installed the packed package", (t) => {
  const dir = tempDir();
  run("npm", ["pack", "--ignore-scripts", "--pack-destination", dir], root);
  const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz"))!;
  writeFileSync(join(dir, "package.json"), '{"name":"user-project","version":"1.0.0","private":true}\n');
  // --offline: the reader's dependencies are in npm's cache since this checkout's npm ci.
  run("npm", ["install", "--offline", "--no-audit", "--no-fund", `./${tgz}`], dir);
  writeFileSync(join(dir, "app.log"), line);
  t.regex(npx(dir, ["app.log"]), /^B\.1 · 1970-01-01T00:00:01\.000Z\n└─ info from the bin\n/);
  t.regex(npx(dir, ["stats", "--json", "app.log"]), /"tasks": 1/);
});
