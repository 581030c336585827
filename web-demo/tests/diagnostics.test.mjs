// A YAML error shows in the lint gutter on the right line, and so do kroute's findings; the
// list under the editor names the line and jumps there.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { examples, launch, open, setEditorText, shot, startServer } from "./helpers.mjs";

const EXAMPLES = await examples();
const SERVICE = EXAMPLES.find((e) => e.id === "service").yaml;
let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** The line numbers whose lint-gutter marker has `severity`. */
async function gutterLines(page, severity) {
  return page.evaluate((sev) => {
    const numbers = [...document.querySelectorAll(".cm-lineNumbers .cm-gutterElement")]
      .filter((e) => /^\d+$/.test(e.textContent))
      .map((e) => ({ n: Number(e.textContent), top: e.getBoundingClientRect().top }));
    return [...document.querySelectorAll(`.cm-gutter-lint .cm-lint-marker-${sev}`)].map((m) => {
      const top = m.closest(".cm-gutterElement").getBoundingClientRect().top;
      return numbers.reduce((best, x) => (Math.abs(x.top - top) < Math.abs(best.top - top) ? x : best)).n;
    });
  }, severity);
}

async function waitForDiagnostics(page, pred) {
  await page.waitForFunction(pred, null, { timeout: 5000 });
}

test("a manifest that cannot be read: error at its line in the gutter and the list", async () => {
  const page = await open(browser, `${server.url}#ex=service`);
  // Line 8 is `  - port: 80` in the first example.
  assert.equal(SERVICE.split("\n")[7], "  - port: 80");
  await setEditorText(page, SERVICE.replace("  - port: 80\n", "  - port: eighty\n"));
  await waitForDiagnostics(page, () => document.querySelector("#diagnostics li.diag.error"));
  assert.deepEqual(await gutterLines(page, "error"), [8]);
  const item = page.locator("#diagnostics li.diag.error");
  assert.equal(await item.getAttribute("data-line"), "8");
  assert.match(await item.textContent(), /spec\.ports\[0\]\.port/);
  // The underline sits on line 8's value.
  const marked = await page.$$eval(".cm-lintRange-error", (els) => els.map((e) => e.textContent));
  assert.deepEqual(marked, ["eighty"]);
  // The panels say the manifests need fixing instead of routing stale data.
  assert.match(await page.locator("#result").textContent(), /Fix the manifests|ERROR/);
  assert.equal(await page.locator("#edited").isVisible(), true);
  await shot(page, "diagnostics-load-error");
  // Fixing it clears the error.
  await setEditorText(page, SERVICE);
  await waitForDiagnostics(page, () => !document.querySelector("#diagnostics li.diag"));
  assert.deepEqual(await gutterLines(page, "error"), []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a kroute finding (a selector that selects nothing) is a warning on its line", async () => {
  const page = await open(browser, `${server.url}#ex=service`);
  assert.equal(SERVICE.split("\n")[10], "    app: kubia");
  await setEditorText(page, SERVICE.replace("  selector:\n    app: kubia\n", "  selector:\n    app: kubiaa\n"));
  await waitForDiagnostics(page, () => document.querySelector("#diagnostics li.diag.warning"));
  assert.deepEqual(await gutterLines(page, "warning"), [11]);
  const item = page.locator("#diagnostics li.diag.warning");
  assert.match(await item.textContent(), /service-selects-nothing/);
  // The line button moves the cursor there (keyboard users included).
  await item.locator("button").focus();
  await page.keyboard.press("Enter");
  const active = await page.$eval(".cm-activeLine", (e) => e.textContent);
  assert.equal(active, "    app: kubiaa");
  await shot(page, "diagnostics-warning");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
