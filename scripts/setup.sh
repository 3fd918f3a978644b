#!/usr/bin/env bash
# Set up ArchLab on a fresh machine: a virtual environment with the pinned packages and,
# for the tests, Debian's chromium (browser tests) and HAProxy (the class topology's tests).
# Safe to run again.
#   bash scripts/setup.sh app    # what the app needs
#   bash scripts/setup.sh class  # the app and HAProxy, to serve a class (python -m serve.classroom)
#   bash scripts/setup.sh test   # the app, the test tools, chromium and HAProxy
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-app}"
python="${PYTHON:-python3}"
case "$what" in app|class|test) ;; *) echo "usage: $0 app|class|test" >&2; exit 2 ;; esac

if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
if [ "$what" = "test" ]; then req=requirements-dev.txt; else req=requirements.txt; fi
.venv/bin/pip install --quiet --disable-pip-version-check -r "$req"

# Debian packages, each only if missing (HAProxy lives in /usr/sbin, off a user's PATH)
need=()
if [ "$what" = "test" ] && ! command -v chromium >/dev/null 2>&1; then need+=(chromium); fi
if [ "$what" != "app" ] && ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then
  need+=(haproxy)
fi
if [ "${#need[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
echo "ArchLab set up ($what)."
