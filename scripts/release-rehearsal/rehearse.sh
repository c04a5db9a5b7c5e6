#!/usr/bin/env bash
# Rehearses a release on this machine, step for step as the publish job of
# .github/workflows/CI.yml runs it, against a registry it starts on 127.0.0.1:
# build the TypeScript and the linux-x64-gnu binary, let the napi CLI lay out
# the platform packages (the other targets' binaries are stand-ins), publish
# with a throwaway token handed over as NODE_AUTH_TOKEN the way setup-node
# does, then install as a user would, without cargo, and check what arrived.
# Works on a copy of the package, so the checkout is left as it was.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
here="$repo/scripts/release-rehearsal"
cache="${LOGXPY_CI_CACHE:-$HOME/.cache/logxpy-ci}"
work=$(mktemp -d)
registry_pid=""

stop_registry() {
  if [ -n "$registry_pid" ]; then
    kill "$registry_pid" 2>/dev/null || true
    wait "$registry_pid" 2>/dev/null || true
    registry_pid=""
  fi
}
cleanup() {
  stop_registry
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { echo "=== rehearsal: $*"; }
fail() {
  echo "rehearsal: FAILED: $*" >&2
  exit 1
}

# Settings of the caller's npm must not leak in: each step names its own.
unset NPM_CONFIG_USERCONFIG npm_config_userconfig NPM_CONFIG_REGISTRY npm_config_registry NODE_AUTH_TOKEN LOGXPY_SKIP_NATIVE LOGXPY_NATIVE
: >"$work/anonymous.npmrc"

step "the registry (Verdaccio, pinned by $here/registry/package-lock.json)"
lock_hash=$(cat "$here/registry/package.json" "$here/registry/package-lock.json" | sha256sum | cut -c1-16)
registry_install="$cache/registry-$lock_hash"
if [ ! -x "$registry_install/node_modules/.bin/verdaccio" ]; then
  rm -rf "$registry_install" && mkdir -p "$registry_install"
  cp "$here/registry/package.json" "$here/registry/package-lock.json" "$registry_install/"
  (cd "$registry_install" && npm ci --no-audit --no-fund --userconfig "$work/anonymous.npmrc") >"$work/registry-install.txt" 2>&1 ||
    { cat "$work/registry-install.txt"; fail "could not install Verdaccio"; }
fi
mkdir -p "$work/registry"
cp "$here/registry/config.yaml" "$work/registry/config.yaml"
port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
registry="http://127.0.0.1:$port/"
"$registry_install/node_modules/.bin/verdaccio" --config "$work/registry/config.yaml" --listen "127.0.0.1:$port" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 1 120); do
  if curl -fsS "${registry}-/ping" >/dev/null 2>&1; then break; fi
  kill -0 "$registry_pid" 2>/dev/null || { cat "$work/registry.log"; fail "the registry exited"; }
  sleep 0.25
done
curl -fsS "${registry}-/ping" >/dev/null || { cat "$work/registry.log"; fail "the registry did not answer on $registry"; }
token=$(curl -fsS -X PUT -H 'content-type: application/json' \
  -d '{"name":"rehearsal","password":"throwaway-'"$RANDOM$RANDOM"'"}' \
  "${registry}-/user/org.couchdb.user:rehearsal" | node -e 'process.stdin.on("data", (d) => console.log(JSON.parse(d).token))')
[ -n "$token" ] || fail "no token from the registry"
# What setup-node writes for registry-url: the token is read from NODE_AUTH_TOKEN when npm runs.
printf 'registry=%s\n//127.0.0.1:%s/:_authToken=${NODE_AUTH_TOKEN}\n' "$registry" "$port" >"$work/publish.npmrc"
echo "registry on $registry (pid $registry_pid), user 'rehearsal'"

step "a copy of the package to release"
stage="$work/stage"
mkdir -p "$stage"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [ -e "$f" ] && printf '%s\0' "$f"
done) | tar -C "$repo" --null -T - -cf - | tar -C "$stage" -xf -
ln -s "$repo/node_modules" "$stage/node_modules"
cd "$stage"

step "build job: the TypeScript (as npm ci does) and the x86_64-unknown-linux-gnu binary"
LOGXPY_SKIP_NATIVE=1 node scripts/build.mjs
rm -f native/*.node
CARGO_TARGET_DIR="$cache/rehearsal-target" npx napi build --platform --release --target x86_64-unknown-linux-gnu \
  --manifest-path crates/logxpy-napi/Cargo.toml --output-dir native --js binding.js --dts binding.d.ts
for f in native/binding.js native/binding.d.ts; do
  cmp -s "$f" "$repo/$f" || fail "$f as napi build writes it differs from the committed one: commit the generated file"
done
mkdir -p artifacts/bindings-x86_64-unknown-linux-gnu
mv native/logxpy.linux-x64-gnu.node artifacts/bindings-x86_64-unknown-linux-gnu/

step "publish job: napi create-npm-dirs (must match the committed npm/)"
rm -rf npm
npx napi create-npm-dirs
diff -r npm "$repo/npm" || fail "npm/ as napi create-npm-dirs writes it differs from the committed one"
simulated=()
for dir in npm/*/; do
  abi=$(basename "$dir")
  [ "$abi" = linux-x64-gnu ] && continue
  # The other build jobs' binaries cannot be made here: stand-ins, never loaded on this platform.
  mkdir -p "artifacts/bindings-$abi"
  echo "stand-in for the $abi binary of a release rehearsal" >"artifacts/bindings-$abi/logxpy.$abi.node"
  simulated+=("logxpy-$abi")
done
for dir in npm/*/; do cp LICENSE "$dir"; done

step "publish job: napi artifacts"
find dist -type f -exec sha256sum {} + >"$work/dist.sha256"
npx napi artifacts --output-dir artifacts --npm-dir npm
sha256sum -c --quiet "$work/dist.sha256" || fail "napi artifacts changed the built dist/"

step "publish job: a publish without NODE_AUTH_TOKEN is refused"
if npm publish --registry "$registry" --userconfig "$work/publish.npmrc" >"$work/no-token.txt" 2>&1; then
  cat "$work/no-token.txt"
  fail "the registry took a publish without a token, so the auth check proves nothing"
fi
grep -qE 'ENEEDAUTH|E401|E403' "$work/no-token.txt" || { cat "$work/no-token.txt"; fail "the publish without a token failed, but not for want of auth"; }
grep -m1 -E 'ENEEDAUTH|E401|E403' "$work/no-token.txt"

step "publish job: napi prepublish (publishes the platform packages)"
NODE_AUTH_TOKEN="$token" npm_config_userconfig="$work/publish.npmrc" npm_config_registry="$registry" \
  npx napi prepublish -t npm --no-gh-release
node -e '
  const fs = require("fs");
  const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
  const want = Object.fromEntries(fs.readdirSync("npm").sort().map((d) => [`logxpy-${d}`, pkg.version]));
  const got = Object.fromEntries(Object.entries(pkg.optionalDependencies ?? {}).sort());
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    console.error("optionalDependencies", got, "do not match npm/", want);
    process.exit(1);
  }
  console.log("optionalDependencies: one per npm/ folder, at", pkg.version);
' || fail "napi prepublish left optionalDependencies out of step with npm/"

step "publish job: npm publish (its prepare step must not build the addon)"
rm -f native/*.node
NODE_AUTH_TOKEN="$token" npm publish --registry "$registry" --userconfig "$work/publish.npmrc"
if ls native/*.node >/dev/null 2>&1; then fail "npm publish rebuilt the native addon"; fi

step "the tarballs as the registry serves them"
mkdir -p "$work/tarballs"
version=$(node -p 'require("./package.json").version')
names=(logxpy)
for dir in npm/*/; do names+=("logxpy-$(basename "$dir")"); done
(cd "$work/tarballs" && npm pack "${names[@]/%/@$version}" --registry "$registry" --userconfig "$work/anonymous.npmrc" \
  --cache "$work/npm-cache" --silent >/dev/null)
node "$here/check-tarballs.mjs" "$work/tarballs" "${simulated[@]}" || fail "the tarballs' contents"

no_cargo_path=$(echo "$PATH" | tr ':' '\n' | while read -r d; do [ -x "$d/cargo" ] || echo "$d"; done | paste -sd:)

# user_install DIR ARGS...: npm i logxpy in a new folder, as a user without cargo.
user_install() {
  local dir=$1
  shift
  mkdir -p "$dir"
  echo '{ "name": "rehearsal-user", "version": "1.0.0", "private": true }' >"$dir/package.json"
  cp "$here/user-check.mjs" "$here/user-check.cjs" "$here/user-types.mts" "$dir/"
  (cd "$dir" && PATH="$no_cargo_path" npm i logxpy "$@" --registry "$registry" --userconfig "$work/anonymous.npmrc" \
    --cache "$work/npm-cache" --no-audit --no-fund 2>&1) | tee "$dir/install.txt"
}

# user_run DIR PROGRAM BACKEND: runs a user program, checks the writer it reports; its stderr is left in DIR/PROGRAM.err.
user_run() {
  local out
  out=$(cd "$1" && PATH="$no_cargo_path" node "$2" 2>"$1/$2.err") || { cat "$1/$2.err"; fail "$2 exited non-zero in $1"; }
  echo "$2: $out"
  [ "$out" = "{\"backend\":\"$3\",\"lines\":1}" ] || { cat "$1/$2.err"; fail "$2 expected the $3 writer and one line"; }
}

step "a user installs logxpy without cargo on PATH"
! PATH="$no_cargo_path" command -v cargo >/dev/null || fail "cargo is still on PATH"
user="$work/user"
user_install "$user"
[ -d "$user/node_modules/logxpy-linux-x64-gnu" ] || fail "npm did not install logxpy-linux-x64-gnu"
echo "platform packages installed: $(cd "$user/node_modules" && echo logxpy-*)"
user_run "$user" user-check.mjs native
user_run "$user" user-check.cjs native
for f in user-check.mjs user-check.cjs; do
  [ ! -s "$user/$f.err" ] || { cat "$user/$f.err"; fail "$f wrote to stderr with the native writer"; }
done
node "$repo/node_modules/typescript/bin/tsc" --noEmit --strict --module nodenext --moduleResolution nodenext \
  --typeRoots "$repo/node_modules/@types" --types node "$user/user-types.mts" || fail "the types entry does not compile for a user"
echo "user-types.mts: compiles against the installed types entry"

step "a user installs with --omit=optional: the pure-TypeScript writer, and one line saying why"
bare="$work/user-omit-optional"
user_install "$bare" --omit=optional
if ls -d "$bare"/node_modules/logxpy-* >/dev/null 2>&1; then fail "--omit=optional still installed a platform package"; fi
user_run "$bare" user-check.mjs js
user_run "$bare" user-check.cjs js
for f in user-check.mjs user-check.cjs; do
  echo "$f stderr: $(grep 'logxpy:' "$bare/$f.err")"
  [ "$(grep -c 'logxpy:' "$bare/$f.err")" = 1 ] || { cat "$bare/$f.err"; fail "$f: expected one logxpy line on stderr"; }
  # The line names every place the loader looked, the platform package among them.
  grep -Eq "LOGXPY_ERR_NATIVE: no native addon loads on linux-x64 \(.*Cannot find module 'logxpy-linux-x64-gnu'.*\); using the pure-TypeScript writer" "$bare/$f.err" ||
    { cat "$bare/$f.err"; fail "$f: the fallback line does not say why"; }
done

stop_registry
echo "rehearsal: passed"
