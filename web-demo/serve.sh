#!/usr/bin/env bash
# Serves the placeholder playground (placeholder/index.html + the npm package from wasm/pkg) at
# http://127.0.0.1:8080 (KROUTE_DEMO_PORT to change the port). Builds the package first when
# wasm/pkg is missing. The real playground (Vite + TypeScript + CodeMirror) replaces this later.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
port="${KROUTE_DEMO_PORT:-8080}"
serve="$here/.serve"

if [ ! -f "$root/wasm/pkg/index.js" ]; then
  "$root/wasm/build.sh"
fi

rm -rf "$serve"
mkdir -p "$serve"
cp "$here/placeholder/index.html" "$serve/index.html"
cp -R "$root/wasm/pkg" "$serve/kroute"

echo "Serving the kroute playground at http://127.0.0.1:$port"
exec python3 -m http.server "$port" --bind 127.0.0.1 --directory "$serve"
