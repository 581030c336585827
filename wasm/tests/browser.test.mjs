// The shared conformance vectors against the browser build, in headless Chromium (the
// lightningcss pattern): a page imports the package's browser entry (pkg/index.js, `await
// init()` fetching kroute_bg.wasm over HTTP) and the same runner module as the Node test
// (vector-runner.mjs), runs every case and hands back why each one failed. One test per case.
//
// Chromium is Debian's (/usr/bin/chromium, or CHROMIUM=/path), driven by playwright-core: no
// browser is downloaded. wasm/test.sh installs it when missing.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFile } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { vectorFiles } from "./vector-files.mjs";

const wasmDir = fileURLToPath(new URL("..", import.meta.url));
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

/** URL path prefix → directory served under it. */
const ROOTS = { "/pkg/": path.join(wasmDir, "pkg"), "/tests/": path.join(wasmDir, "tests") };
const TYPES = { ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };

/** Serves the package and the runner on 127.0.0.1 at a free port; `/` is an empty page. */
async function serve() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/") {
      res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><link rel=icon href=\"data:,\"><title>kroute vectors</title>");
      return;
    }
    const prefix = Object.keys(ROOTS).find((p) => url.pathname.startsWith(p));
    const root = prefix && ROOTS[prefix];
    const file = root && path.normalize(path.join(root, decodeURIComponent(url.pathname.slice(prefix.length))));
    if (!file || !file.startsWith(root)) {
      res.writeHead(404).end();
      return;
    }
    readFile(file, (err, data) => {
      if (err) res.writeHead(404).end();
      else res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" }).end(data);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) };
}

/** Runs every case in a page; returns, per file, per case: `{skip}` or `{why}` (null: passed). */
async function runInChromium(files) {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run wasm/test.sh (it installs Debian's chromium)`);
  const server = await serve();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run"],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
    page.on("console", (m) => m.type() === "error" && errors.push(`console: ${m.text()}`));
    await page.goto(server.url);
    const results = await page.evaluate(async (files) => {
      const api = await import("/pkg/index.js");
      await api.init();
      const { check, skipReason } = await import("/tests/vector-runner.mjs");
      return {
        userAgent: navigator.userAgent,
        files: files.map(({ cases }) =>
          cases.map((c) => {
            const skip = skipReason(c);
            if (skip) return { skip };
            try {
              return { why: check(api, c) };
            } catch (e) {
              return { why: `threw ${e?.stack ?? e}` };
            }
          }),
        ),
      };
    }, files);
    return { ...results, errors };
  } finally {
    await browser.close();
    await server.close();
  }
}

const files = vectorFiles();
const results = await runInChromium(files);

test("the page ran in Chromium without errors", () => {
  assert.match(results.userAgent, /Chrom/);
  assert.deepEqual(results.errors, []);
  assert.ok(files.length > 0);
});

files.forEach(({ file, cases }, f) => {
  describe(`${file} in Chromium`, () => {
    cases.forEach((c, i) => {
      const r = results.files[f][i];
      test(c.name, { skip: r.skip ?? false }, () => assert.equal(r.why, null));
    });
  });
});

