// The `.wasm` sizes of the package, raw and gzipped (zlib level 9), and the README's statement
// of them (rounded to 10 KiB) between the markers below.
//
//   node sizes.mjs PKG_DIR README...
//
// (build.sh) prints the sizes, rewrites each README's statement when it changed, and warns when
// the full build is over BUDGET gzipped; tests/sizes.test.mjs checks the statement and the
// budget.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

/** The most the `.wasm` with YAML loading may weigh gzipped: 350 KB (issue 6). */
export const BUDGET = 350_000;

const BEGIN = "<!-- sizes: written by build.sh -->";
const END = "<!-- /sizes -->";

/** `{raw, gzip}` bytes of a file. */
function sizeOf(file) {
  const bytes = readFileSync(file);
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

/** The sizes of both entries' `.wasm` in a built package directory. */
export function measure(pkg) {
  return { full: sizeOf(path.join(pkg, "kroute_bg.wasm")), lite: sizeOf(path.join(pkg, "lite", "kroute_bg.wasm")) };
}

/** `bytes` as KiB rounded to 10, like `≈ 1,320 KiB`. */
const kib = (bytes) => `≈ ${(Math.round(bytes / 10240) * 10).toLocaleString("en-US")} KiB`;

/** The statement of these sizes, markers included. */
export function statement({ full, lite }) {
  return [
    BEGIN,
    "| entry | `.wasm` raw | gzipped |",
    "|---|---|---|",
    `| \`kroute\` (with YAML loading) | ${kib(full.raw)} | ${kib(full.gzip)} |`,
    `| \`kroute/lite\` (without YAML loading) | ${kib(lite.raw)} | ${kib(lite.gzip)} |`,
    END,
  ].join("\n");
}

/** `text` with its statement replaced by `wanted`; throws when the markers are missing. */
function withStatement(text, wanted) {
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`the README lacks the markers ${BEGIN} … ${END}`);
  return text.slice(0, begin) + wanted + text.slice(end + END.length);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [pkg, ...readmes] = process.argv.slice(2);
  const sizes = measure(pkg);
  console.log(`kroute_bg.wasm:      ${sizes.full.raw} bytes raw, ${sizes.full.gzip} bytes gzipped`);
  console.log(
    `lite/kroute_bg.wasm: ${sizes.lite.raw} bytes raw, ${sizes.lite.gzip} bytes gzipped ` +
      `(YAML loading costs ${sizes.full.gzip - sizes.lite.gzip} bytes gzipped)`,
  );
  for (const file of readmes) {
    const text = readFileSync(file, "utf8");
    const updated = withStatement(text, statement(sizes));
    if (updated !== text) {
      writeFileSync(file, updated);
      console.log(`${file}: size statement updated`);
    }
  }
  if (sizes.full.gzip > BUDGET) {
    console.error(`warning: kroute_bg.wasm is over the budget of ${BUDGET} bytes gzipped`);
  }
}
