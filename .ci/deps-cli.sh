#!/usr/bin/env bash
# Programs the reader's suites drive for real: tmux (follow and colour, on a
# terminal) and Debian's chromium (the html export is loaded and
# screenshotted). Python eliot and eliot-tree come from the pinned venv that
# .ci/run makes for __test__/eliot-tree.spec.ts. Idempotent: skipped when
# both are there.
set -euo pipefail
if ! command -v tmux >/dev/null || ! command -v chromium >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq tmux chromium
fi
