// The package's entries: index.js (browsers and bundlers: `await init()` first) works on its own
// and exports the same KrouteError class it throws, and `import "kroute"` (and "kroute/lite")
// resolves through package.json's `exports` (Node gets node.js, ready at import).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const pkgDir = fileURLToPath(new URL("../pkg/", import.meta.url));

test("index.js: init() with the module bytes, then the API", async () => {
  const kroute = await import("../pkg/index.js");
  assert.equal(typeof kroute.init, "function");
  assert.equal(kroute.default, kroute.init);
  await kroute.init({ module_or_path: readFileSync(path.join(pkgDir, "kroute_bg.wasm")) });
  const s = kroute.Selector.parse("app=web");
  assert.equal(s.matches({ app: "web" }), true);
  s.free();
  assert.throws(
    () => kroute.Cluster.fromYaml("a: [1,"),
    (e) => e instanceof kroute.KrouteError && e instanceof Error && e.kind === "Manifest",
  );
});

test("package.json: name, version, exports", () => {
  const pkg = JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8"));
  assert.equal(pkg.name, "kroute");
  assert.match(pkg.version, /^\d+\.\d+\.\d+/);
  assert.equal(pkg.type, "module");
  assert.deepEqual(pkg.exports["."], { types: "./kroute.d.ts", node: "./node.js", default: "./index.js" });
  assert.deepEqual(pkg.exports["./lite"], { types: "./lite/kroute.d.ts", node: "./lite/node.js", default: "./lite/index.js" });
  for (const f of ["kroute.d.ts", "node.js", "index.js", "kroute.js", "kroute_bg.wasm", "README.md"]) {
    assert.ok(readFileSync(path.join(pkgDir, f)).length > 0, f);
  }
});

// `kroute` reads YAML; `kroute/lite` refuses it with a Request error.
for (const [specifier, entry, kind] of [
  ["kroute", "node.js", "Manifest"],
  ["kroute/lite", "lite/node.js", "Request"],
]) {
  test(`import "${specifier}" from an installed copy resolves to its Node entry`, () => {
    const dir = mkdtempSync(path.join(tmpdir(), "kroute-entry-"));
    try {
      mkdirSync(path.join(dir, "node_modules"));
      symlinkSync(pkgDir, path.join(dir, "node_modules", "kroute"), "dir");
      writeFileSync(
        path.join(dir, "main.mjs"),
        `import { Cluster, KrouteError } from "${specifier}";
const url = import.meta.resolve("${specifier}");
let kind = null;
try { Cluster.fromYaml("metadata:\\n\\tname: x\\n"); } catch (e) { kind = e instanceof KrouteError ? e.kind : String(e); }
console.log(JSON.stringify({ entry: url.split("/pkg/").pop(), kind }));
`,
      );
      const r = spawnSync(process.execPath, ["main.mjs"], { cwd: dir, encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), { entry, kind });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
