#!/usr/bin/env bash
# The playground's end-to-end tests in headless Chromium: npm ci when needed, Debian's
# Chromium when missing (never a downloaded browser), then `npm run test:e2e` (tsc, vite
# build, node --test tests/). Screenshots land in screenshots/ for review.
# Expects the npm package in ../wasm/pkg (`make wasm`).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

if [ ! -f ../wasm/pkg/package.json ]; then
  echo "error: ../wasm/pkg is missing: run \`make wasm\` first" >&2
  exit 1
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
../wasm/chromium.sh
npm run test:e2e
