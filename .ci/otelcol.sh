#!/usr/bin/env bash
# Builds the OpenTelemetry Collector the OTLP tests run (.ci/otelcol/main.go:
# the OTLP receiver and the file exporter) and prints the binary's path.
# Every collector module is pinned to one release (contrib v0.161.0 is the
# newest fileexporter that builds here; core v0.161.0 / v1.67.0 is its
# release; go.mod and go.sum are the tidied, pinned set). Cached under ~/.cache/logxpy/otelcol-<stamp>: a second run with
# the same sources is a no-op. Needs only the go command.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/otelcol"
stamp=$(cat "$src/main.go" "$src/go.mod" "$src/go.sum" "$0" | sha256sum | cut -c1-16)
cache="${LOGXPY_CACHE:-${HOME}/.cache/logxpy}/otelcol-$stamp"
bin="$cache/logxpy-otelcol"
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
mkdir -p "$cache"
work=$(mktemp -d)
# The modules and the build cache (about a gigabyte) go with the work
# directory: only the binary is kept. Module files are read-only.
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
export GOMODCACHE="$work/mod" GOCACHE="$work/cache"
cp "$src/main.go" "$src/go.mod" "$src/go.sum" "$work/"
(
  cd "$work"
  # go.sum pins every module's hash: the build fails rather than take another.
  CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -ldflags="-s -w" -o "$bin.tmp" . >&2
)
mv "$bin.tmp" "$bin"
echo "$bin"
