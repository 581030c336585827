#!/usr/bin/env bash
# Builds the playground (npm ci, tsc, vite build → dist/) and serves it at
# http://127.0.0.1:8080 (KROUTE_DEMO_PORT to change the port). `make demo` builds the npm
# package into ../wasm/pkg first; when it is missing, this builds it too.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
port="${KROUTE_DEMO_PORT:-8080}"

if [ ! -f "$root/wasm/pkg/package.json" ]; then
  "$root/wasm/build.sh"
fi

cd "$here"
# npm ci from the committed lock, again whenever the lock is newer than the install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent build

echo "http://127.0.0.1:$port"
exec python3 -m http.server "$port" --bind 127.0.0.1 --directory "$here/dist"
