#!/usr/bin/env bash
# Set up ArchLab on a fresh machine: a virtual environment with the pinned packages and,
# for the tests, Debian's chromium for the browser tests. Safe to run again.
#   bash scripts/setup.sh app    # what the app needs
#   bash scripts/setup.sh test   # the app, the test tools and chromium
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-app}"
python="${PYTHON:-python3}"

if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
if [ "$what" = "test" ]; then req=requirements-dev.txt; else req=requirements.txt; fi
.venv/bin/pip install --quiet --disable-pip-version-check -r "$req"

if [ "$what" = "test" ] && ! command -v chromium >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
echo "ArchLab set up ($what)."
