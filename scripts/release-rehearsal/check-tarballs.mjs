// Checks the tarballs a release published (main package and per-platform
// packages, as the registry serves them) and prints their sizes.
//
// usage: node check-tarballs.mjs DIR SIMULATED...
//   DIR holds the .tgz files; SIMULATED names the platform packages whose
//   binary was a stand-in, so their sizes are labelled as such.
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const [dir, ...simulated] = process.argv.slice(2);
const problems = [];

/** Path (without the leading package/) to size in bytes, from tar's own listing. */
function entries(tgz) {
  const out = new Map();
  for (const line of execFileSync("tar", ["-tzvf", tgz], { encoding: "utf8" }).split("\n")) {
    const m = /^\S+\s+\S+\s+(\d+)\s+\S+\s+\S+\s+package\/(.+)$/.exec(line);
    if (m !== null) out.set(m[2], Number(m[1]));
  }
  return out;
}

function text(tgz, path) {
  return execFileSync("tar", ["-xzOf", tgz, `package/${path}`], { encoding: "utf8" });
}

function checkMain(tgz, files) {
  for (const path of ["LICENSE", "README.md", "package.json", "index.d.ts", "dist/index.js", "dist/index.mjs", "dist/index.d.ts", "native/binding.js"]) {
    if (!files.has(path)) problems.push(`${tgz}: ${path} is missing`);
  }
  for (const path of files.keys()) {
    if (/^(__test__|src|crates|scripts|benchmark|examples|npm)\//.test(path)) problems.push(`${tgz}: ships ${path}`);
    if (/\.ts$/.test(path) && !/\.d\.ts$/.test(path)) problems.push(`${tgz}: ships the source ${path}`);
    if (/\.node$/.test(path)) problems.push(`${tgz}: ships the binary ${path}; binaries belong in the platform packages`);
    if (/\.map$/.test(path)) {
      for (const source of JSON.parse(text(tgz, path)).sources ?? []) {
        const target = join(path, "..", source);
        if (!files.has(target)) problems.push(`${tgz}: ${path} names ${source}, which is not in the package`);
      }
    }
    if (/\.(c|m)?js$/.test(path)) {
      const m = /\/\/# sourceMappingURL=(\S+)/.exec(text(tgz, path));
      if (m !== null && !files.has(join(path, "..", m[1]))) problems.push(`${tgz}: ${path} points at ${m[1]}, which is not in the package`);
    }
  }
  const pkg = JSON.parse(text(tgz, "package.json"));
  for (const key of ["types", "main", "module"]) {
    if (!files.has(pkg[key].replace(/^\.\//, ""))) problems.push(`${tgz}: package.json ${key} ${pkg[key]} is not in the package`);
  }
}

function checkPlatform(tgz, files) {
  const pkg = JSON.parse(text(tgz, "package.json"));
  for (const path of ["LICENSE", "README.md", pkg.main]) {
    if (!files.has(path)) problems.push(`${tgz}: ${path} is missing`);
  }
  const extra = [...files.keys()].filter((p) => !["LICENSE", "README.md", "package.json", pkg.main].includes(p));
  if (extra.length > 0) problems.push(`${tgz}: unexpected files ${extra.join(", ")}`);
}

const rows = [];
for (const name of readdirSync(dir).filter((f) => f.endsWith(".tgz")).sort()) {
  const tgz = join(dir, name);
  const files = entries(tgz);
  const pkg = JSON.parse(text(tgz, "package.json"));
  if (pkg.name === "logxpy") checkMain(tgz, files);
  else checkPlatform(tgz, files);
  const unpacked = [...files.values()].reduce((a, b) => a + b, 0);
  const note = simulated.includes(pkg.name) ? " (stand-in binary)" : "";
  rows.push(`${`${pkg.name}@${pkg.version}`.padEnd(32)} ${String(statSync(tgz).size).padStart(9)} B packed ${String(unpacked).padStart(9)} B unpacked ${String(files.size).padStart(3)} files${note}`);
}
console.log(rows.join("\n"));
if (rows.length === 0) problems.push(`no tarballs in ${dir}`);
for (const p of problems) console.error(`tarball check: ${p}`);
process.exit(problems.length === 0 ? 0 : 1);
