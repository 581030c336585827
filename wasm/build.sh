#!/usr/bin/env bash
# Builds the npm package `kroute` into wasm/pkg: one `--target web` build that serves browsers,
# bundlers (entry index.js, `await init()` first) and Node (entry node.js, loaded synchronously).
#
#   ./wasm/build.sh            from any directory
#
# Needs: cargo with the wasm32-unknown-unknown target, wasm-bindgen-cli at the crate's pinned
# version (`make tools` installs both), Node and npm (for wasm-opt from the `binaryen` package).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
pkg="$here/pkg"
# Budget for the optimised .wasm, gzipped (bytes). Over it, the build warns; with
# KROUTE_WASM_SIZE_STRICT=1 it fails.
budget=$((350 * 1024))

# 1. Node tooling (binaryen's wasm-opt, TypeScript): offline-friendly `npm ci` from the lock,
# again whenever the lock is newer than the install.
if [ ! -f "$here/node_modules/.package-lock.json" ] ||
  [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  echo "==> npm dependencies (wasm/node_modules)"
  if [ -f "$here/package-lock.json" ]; then
    (cd "$here" && npm ci --no-audit --no-fund)
  else
    (cd "$here" && npm install --no-audit --no-fund)
  fi
fi
wasm_opt="$here/node_modules/.bin/wasm-opt"
opt_flags=(-Os)

# 2. The crate for wasm32 (profile `wasm`: release, opt-level "s", panic = abort).
echo "==> cargo build -p kroute-wasm (wasm32-unknown-unknown, profile wasm)"
(cd "$root" && cargo build -p kroute-wasm --target wasm32-unknown-unknown --profile wasm)
target_dir="$(cd "$root" && cargo metadata --no-deps --format-version 1 |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
wasm_in="$target_dir/wasm32-unknown-unknown/wasm/kroute_wasm.wasm"

# 3 and 4 depend only on that file and the tools: reuse the last output when they are unchanged
# (wasm-opt alone takes about 40 s).
cache="$target_dir/kroute-wasm-pkg"
key="$( (sha256sum <"$wasm_in"; wasm-bindgen --version; "$wasm_opt" --version; echo "${opt_flags[*]}") | sha256sum)"
rm -rf "$pkg"
if [ -f "$cache/key" ] && [ "$(cat "$cache/key")" = "$key" ]; then
  echo "==> wasm-bindgen and wasm-opt: unchanged input, reusing $cache"
  cp -R "$cache/out" "$pkg"
else
  # 3. JS glue and TypeScript declarations.
  echo "==> wasm-bindgen --target web"
  wasm-bindgen --target web --out-dir "$pkg" --out-name kroute "$wasm_in"

  # The generated `InitOutput` interface types the raw externref exports as `any`; nobody calls
  # them, but the package promises declarations without `any`: make them `unknown`.
  node - "$pkg/kroute.d.ts" <<'JS'
const fs = require("node:fs");
const file = process.argv[2];
const text = fs.readFileSync(file, "utf8");
const out = text.replace(/export interface InitOutput \{[\s\S]*?\n\}/, (block) =>
  block.replace(/\bany\b/g, "unknown"));
fs.writeFileSync(file, out);
JS

  # 4. Size: wasm-opt from node_modules.
  echo "==> wasm-opt ${opt_flags[*]}"
  "$wasm_opt" "${opt_flags[@]}" "$pkg/kroute_bg.wasm" -o "$pkg/kroute_bg.opt.wasm"
  mv "$pkg/kroute_bg.opt.wasm" "$pkg/kroute_bg.wasm"

  rm -rf "$cache"
  mkdir -p "$cache"
  cp -R "$pkg" "$cache/out"
  printf '%s\n' "$key" >"$cache/key"
fi
raw=$(wc -c <"$pkg/kroute_bg.wasm")
gz=$(gzip -9 -c "$pkg/kroute_bg.wasm" | wc -c)
printf 'kroute_bg.wasm: %d bytes (%d KiB) raw, %d bytes (%d KiB) gzipped\n' \
  "$raw" $((raw / 1024)) "$gz" $((gz / 1024))
if [ "$gz" -gt "$budget" ]; then
  echo "warning: kroute_bg.wasm is over the budget of $((budget / 1024)) KiB gzipped" >&2
  if [ "${KROUTE_WASM_SIZE_STRICT:-0}" = 1 ]; then exit 1; fi
fi

# 5. Package files: package.json, entries (node.js, index.js), README.
# The KrouteError class is defined by the crate (inline_js); wasm-bindgen writes it to a
# snippet whose directory name carries a hash. The entries re-export it from there.
error_module="$(cd "$pkg" && grep -rl --include='*.js' 'class KrouteError extends Error' snippets)"
if [ "$(printf '%s\n' "$error_module" | wc -l)" -ne 1 ] || [ -z "$error_module" ]; then
  echo "error: expected one snippet defining KrouteError, found: ${error_module:-none}" >&2
  exit 1
fi
version="$(cd "$root" && cargo metadata --no-deps --format-version 1 |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).packages.find(p=>p.name==="kroute-wasm").version))')"
for f in node.js index.js package.json; do
  sed -e "s|@KROUTE_ERROR_MODULE@|./$error_module|g" -e "s|@VERSION@|$version|g" \
    "$here/js/$f" >"$pkg/$f"
done
cp "$here/README.md" "$pkg/README.md"

echo "==> npm package kroute@$version in $pkg"
