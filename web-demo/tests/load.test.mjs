// The page loads without console errors, in both languages and at laptop, wide and narrow
// sizes; the screenshots are for review.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { launch, open, shot, startServer } from "./helpers.mjs";

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

for (const [name, width, height] of [
  ["laptop", 1366, 900],
  ["wide", 1920, 1080],
  ["narrow", 820, 1100],
]) {
  test(`loads without console errors (${name} ${width}x${height})`, async () => {
    const page = await open(browser, server.url, { width, height });
    assert.equal(await page.title(), "kroute playground");
    // The first example is loaded, routed and drawn.
    assert.ok((await page.locator("#ex-explain").textContent()).length > 40);
    assert.ok(await page.locator("#diagram svg").count());
    assert.ok(await page.locator(".cm-content").count());
    // Nothing scrolls sideways but the diagram.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `page scrolls sideways by ${overflow}px`);
    await shot(page, `load-${name}`);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}

test("the language switch shows the explanations in Chinese", async () => {
  const page = await open(browser, server.url + "#ex=ingress");
  await page.click("#lang-zh");
  assert.equal(await page.evaluate(() => document.documentElement.lang), "zh-CN");
  assert.match(await page.locator("#ex-explain").textContent(), /[\u4e00-\u9fff]/);
  assert.match(await page.locator("#h-request").textContent(), /请求/);
  assert.equal(await page.locator("#lang-zh").getAttribute("aria-pressed"), "true");
  await shot(page, "load-chinese");
  await page.click("#lang-en");
  assert.doesNotMatch(await page.locator("#ex-explain").textContent(), /[\u4e00-\u9fff]/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("every control has an accessible name and the keyboard reaches the send button", async () => {
  const page = await open(browser, server.url);
  const unnamed = await page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll("input, select, textarea, button")) {
      if (el.closest("[hidden]") || el.type === "hidden") continue;
      const labelled =
        el.labels?.length || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || el.textContent.trim();
      if (!labelled) out.push(el.outerHTML.slice(0, 80));
    }
    return out;
  });
  assert.deepEqual(unnamed, []);
  // Tab from the top of the page: the send button is reached without the mouse.
  await page.keyboard.press("Tab");
  let reached = false;
  for (let i = 0; i < 60 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await page.evaluate(() => document.activeElement?.id === "send");
  }
  assert.ok(reached, "Tab never reached the Send button");
  await page.context().close();
});
