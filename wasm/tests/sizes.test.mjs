// The package README states the `.wasm` sizes of both entries, raw and gzipped, as they are.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BUDGET, measure, statement } from "../sizes.mjs";

const pkg = fileURLToPath(new URL("../pkg/", import.meta.url));

test("the README states both .wasm sizes, raw and gzipped", () => {
  const sizes = measure(pkg);
  const readme = readFileSync(new URL("README.md", `file://${pkg}`), "utf8");
  assert.ok(readme.includes(statement(sizes)), statement(sizes));
  assert.ok(sizes.lite.gzip < sizes.full.gzip, "the lite build is smaller");
});

test("the .wasm with YAML loading stays under 350 KB gzipped", () => {
  const { full } = measure(pkg);
  assert.ok(full.gzip <= BUDGET, `${full.gzip} bytes gzipped, over ${BUDGET}`);
});
