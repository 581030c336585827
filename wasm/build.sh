#!/usr/bin/env bash
# Builds the npm package `kroute` into wasm/pkg: one `--target web` build that serves browsers,
# bundlers (entry index.js, `await init()` first) and Node (entry node.js, loaded synchronously),
# and the same without YAML loading in wasm/pkg/lite (export `kroute/lite`).
#
#   ./wasm/build.sh            from any directory
#
# The README states both `.wasm` sizes, raw and gzipped, rounded to 10 KiB; this script
# rewrites that statement (in wasm/README.md and the package's copy) when the rounding changes.
#
# Needs: cargo with the wasm32-unknown-unknown target, wasm-bindgen-cli at the crate's pinned
# version (`make tools` installs both), Node and npm (for wasm-opt from the `binaryen` package).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
pkg="$here/pkg"

# 1. Node tooling (binaryen's wasm-opt, TypeScript, playwright-core): offline-friendly `npm ci`
# from the lock, again whenever the lock is newer than the install.
if [ ! -f "$here/node_modules/.package-lock.json" ] ||
  [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  echo "==> npm dependencies (wasm/node_modules)"
  (cd "$here" && npm ci --no-audit --no-fund)
fi
wasm_opt="$here/node_modules/.bin/wasm-opt"
opt_flags=(-Os)

metadata="$(cd "$root" && cargo metadata --no-deps --format-version 1)"
target_dir="$(node -e 'console.log(JSON.parse(process.argv[1]).target_directory)' "$metadata")"
version="$(node -e 'console.log(JSON.parse(process.argv[1]).packages.find((p) => p.name === "kroute-wasm").version)' "$metadata")"

# build_variant NAME OUT [CARGO FLAGS...]: the crate for wasm32 (profile `wasm`: release,
# opt-level "z", panic = abort), its JS glue and declarations (wasm-bindgen), wasm-opt, and the
# entries (node.js, index.js) in OUT.
build_variant() {
  local name="$1" out="$2"
  shift 2
  echo "==> cargo build -p kroute-wasm $* (wasm32-unknown-unknown, profile wasm)"
  (cd "$root" && cargo build -p kroute-wasm --target wasm32-unknown-unknown --profile wasm "$@")
  local wasm_in="$target_dir/wasm32-unknown-unknown/wasm/kroute_wasm.wasm"

  # wasm-bindgen and wasm-opt depend only on that file and the tools: reuse the last output when
  # they are unchanged (wasm-opt alone takes about 40 s).
  local cache="$target_dir/kroute-wasm-pkg/$name"
  local key
  key="$( (sha256sum <"$wasm_in"; wasm-bindgen --version; "$wasm_opt" --version; echo "${opt_flags[*]}") | sha256sum)"
  rm -rf "$out"
  if [ -f "$cache/key" ] && [ "$(cat "$cache/key")" = "$key" ]; then
    echo "==> $name: wasm-bindgen and wasm-opt: unchanged input, reusing $cache"
    mkdir -p "$(dirname "$out")"
    cp -R "$cache/out" "$out"
  else
    echo "==> $name: wasm-bindgen --target web"
    wasm-bindgen --target web --out-dir "$out" --out-name kroute "$wasm_in"
    # The generated `InitOutput` interface types the raw externref exports as `any`; nobody
    # calls them, but the package promises declarations without `any`: make them `unknown`.
    node - "$out/kroute.d.ts" <<'JS'
const fs = require("node:fs");
const file = process.argv[2];
const text = fs.readFileSync(file, "utf8");
const out = text.replace(/export interface InitOutput \{[\s\S]*?\n\}/, (block) =>
  block.replace(/\bany\b/g, "unknown"));
fs.writeFileSync(file, out);
JS
    echo "==> $name: wasm-opt ${opt_flags[*]}"
    "$wasm_opt" "${opt_flags[@]}" "$out/kroute_bg.wasm" -o "$out/kroute_bg.opt.wasm"
    mv "$out/kroute_bg.opt.wasm" "$out/kroute_bg.wasm"
    rm -rf "$cache"
    mkdir -p "$cache"
    cp -R "$out" "$cache/out"
    printf '%s\n' "$key" >"$cache/key"
  fi

  # The KrouteError class is defined by the crate (inline_js); wasm-bindgen writes it to a
  # snippet whose directory name carries a hash. The entries re-export it from there.
  local error_module
  error_module="$(cd "$out" && grep -rl --include='*.js' 'class KrouteError extends Error' snippets)"
  if [ "$(printf '%s\n' "$error_module" | wc -l)" -ne 1 ] || [ -z "$error_module" ]; then
    echo "error: expected one snippet defining KrouteError, found: ${error_module:-none}" >&2
    exit 1
  fi
  for f in node.js index.js; do
    sed -e "s|@KROUTE_ERROR_MODULE@|./$error_module|g" "$here/js/$f" >"$out/$f"
  done
}

build_variant full "$pkg"
build_variant lite "$pkg/lite" --no-default-features

# Sizes: printed, stated in the README, checked against the budget.
node "$here/sizes.mjs" "$pkg" "$here/README.md"

# Package files: package.json, README.
sed -e "s|@VERSION@|$version|g" "$here/js/package.json" >"$pkg/package.json"
cp "$here/README.md" "$pkg/README.md"

echo "==> npm package kroute@$version in $pkg"
