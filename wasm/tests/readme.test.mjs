// The README's JS examples run against the built package, and print what their comments say:
// a `// text` after `console.log(...)`, or on its own line right after a block's `}`, is the
// expected output line (`...` at its end: a prefix). Examples that call `init(` are for
// browsers and are only checked for syntax.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const entry = fileURLToPath(new URL("../pkg/node.js", import.meta.url));
const liteEntry = fileURLToPath(new URL("../pkg/lite/node.js", import.meta.url));
const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);

function expectedOutput(code) {
  const out = [];
  let afterBlock = false;
  for (const line of code.split("\n")) {
    const trailing = line.match(/console\.log\(.*\);\s*\/\/ (.*)$/);
    const standalone = line.match(/^\s*\/\/ (.*)$/);
    if (trailing) out.push(trailing[1]);
    else if (standalone && afterBlock) out.push(standalone[1]);
    afterBlock = /^\s*\}\s*$/.test(line) || (afterBlock && standalone !== null);
  }
  return out;
}

test("the README has JS examples", () => {
  assert.ok(blocks.length >= 5, `${blocks.length} blocks`);
});

blocks.forEach((code, i) => {
  const browser = code.includes("init(");
  test(`README example ${i + 1}${browser ? " (browser: syntax only)" : ""}`, () => {
    const dir = mkdtempSync(path.join(tmpdir(), "kroute-readme-"));
    try {
      const file = path.join(dir, "example.mjs");
      writeFileSync(
        file,
        code
          .replaceAll('from "kroute"', `from ${JSON.stringify(entry)}`)
          .replaceAll('from "kroute/lite"', `from ${JSON.stringify(liteEntry)}`),
      );
      const args = browser ? ["--check", file] : [file];
      const r = spawnSync(process.execPath, args, { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      if (browser) return;
      const actual = r.stdout.split("\n").filter((l) => l !== "");
      const expected = expectedOutput(code);
      assert.equal(actual.length, expected.length, `printed:\n${r.stdout}\nexpected:\n${expected.join("\n")}`);
      expected.forEach((want, k) => {
        if (want.endsWith("...")) assert.ok(actual[k].startsWith(want.slice(0, -3)), `${actual[k]} / ${want}`);
        else assert.equal(actual[k], want);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
