#!/usr/bin/env bash
# Makes sure headless Chromium is there for the browser tests (wasm/test.sh, web-demo/test.sh):
# $CHROMIUM when set, else Debian's /usr/bin/chromium, installed with apt-get when missing
# (never a downloaded browser build).
set -euo pipefail

if [ -z "${CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "error: /usr/bin/chromium is missing (apt-get install chromium, or set CHROMIUM=/path)" >&2
    exit 1
  fi
fi
