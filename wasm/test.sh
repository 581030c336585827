#!/usr/bin/env bash
# The npm package's tests: node's test runner over tests/ (API, types, README examples, the
# shared vectors against the Node build, and the same vectors in headless Chromium against the
# browser build). Installs Debian's Chromium when missing (never a downloaded browser).
# Expects the package in pkg/ (`./build.sh`, or `make wasm`).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

if [ ! -f pkg/package.json ]; then
  echo "error: wasm/pkg is missing: run ./wasm/build.sh (or make wasm) first" >&2
  exit 1
fi
./chromium.sh
node --test tests/
