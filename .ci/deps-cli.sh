#!/usr/bin/env bash
# Tools the CLI suites drive for real: tmux (follow, on a terminal), Debian's
# chromium (the html export is loaded and screenshotted) and a venv with
# Python eliot and eliot-tree (Eliot's own files; the benchmark's reference).
# Idempotent: each part is skipped when already there. Prints the venv path
# the suites read from LOGXPY_CLI_VENV.
set -euo pipefail
cache="${LOGXPY_CI_CACHE:-$HOME/.cache/logxpy-ci}"
venv="$cache/venv-cli"
if ! command -v tmux >/dev/null || ! command -v chromium >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq tmux chromium >&2
fi
if [ ! -x "$venv/bin/eliot-tree" ] || ! "$venv/bin/python" -c 'import eliot' 2>/dev/null; then
  mkdir -p "$cache"
  python3 -m venv "$venv" >&2
  PIP_CACHE_DIR="$cache/pip" "$venv/bin/pip" install -q eliot==1.18.0 eliot-tree==24.0.0 >&2
fi
echo "$venv"
