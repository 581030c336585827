// Shared by the end-to-end tests: a static server for dist/ on a free port, headless Chromium
// (Debian's, through playwright-core: no browser download), a page that records console
// errors, and the examples (src/examples.ts, transpiled on the fly).

import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import ts from "typescript";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const DIST = path.join(ROOT, "dist");
export const SHOTS = path.join(ROOT, "screenshots");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".json": "application/json",
};

/** Serves dist/ on 127.0.0.1 at a free port. */
export async function startServer() {
  if (!fs.existsSync(path.join(DIST, "index.html"))) {
    throw new Error("dist/ is missing: run `npm run build` first (npm run test:e2e does)");
  }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    let file = path.normalize(path.join(DIST, decodeURIComponent(url.pathname)));
    if (!file.startsWith(DIST)) {
      res.writeHead(403).end();
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    fs.readFile(file, (err, data) => {
      if (err) {
        res.writeHead(404).end("not found");
        return;
      }
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
      res.end(data);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/**
 * A new page (own context: fresh localStorage) at `url`, waiting until the playground has
 * started. `page.errors` collects console errors and uncaught exceptions.
 */
export async function open(browser, url, { width = 1440, height = 960, locale = "en-US" } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale });
  const page = await context.newPage();
  page.errors = [];
  page.on("console", (m) => {
    if (m.type() === "error") page.errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => page.errors.push(`pageerror: ${e.message}`));
  page.on("requestfailed", (r) => page.errors.push(`request failed: ${r.url()}`));
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: 20000 });
  const ready = await page.evaluate(() => document.body.dataset.ready);
  if (ready !== "true") throw new Error(`the playground did not start: ${page.errors.join("; ")}`);
  return page;
}

export async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  // From the top, so the sticky editor is where a person sees it.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** The examples of src/examples.ts (the page's own list). */
export async function examples() {
  const src = fs.readFileSync(path.join(ROOT, "src", "examples.ts"), "utf8");
  const js = ts.transpileModule(src, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const dir = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? "/tmp"), "kroute-examples-"));
  const file = path.join(dir, "examples.mjs");
  fs.writeFileSync(file, js);
  const mod = await import(pathToFileURL(file).href);
  fs.rmSync(dir, { recursive: true, force: true });
  return mod.EXAMPLES;
}

/** Replaces the editor's text as a user would (select all, type). */
export async function setEditorText(page, text) {
  await page.click(".cm-content");
  await page.keyboard.press("Control+a");
  await page.keyboard.insertText(text);
}

/** Sends the request in the form (the page answers synchronously). */
export async function sendRequest(page) {
  await page.click("[data-testid=send]");
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
}

/** What the result and the diagram show. */
export async function outcome(page) {
  return page.evaluate(() => {
    const q = (s) => document.querySelector(s);
    const all = (s) => [...document.querySelectorAll(s)];
    return {
      missing: q("#result [data-testid=missing]")?.textContent ?? null,
      verdict: q("#result [data-testid=verdict]")?.textContent ?? null,
      reason: q("#result [data-testid=reason]")?.textContent ?? null,
      tls: q("#result [data-testid=fact-tls] dd")?.textContent ?? null,
      services: all("#diagram g.service.taken").map((g) => g.dataset.name),
      endpoints: all("#diagram g.endpoint.taken").map((g) => ({ pod: g.dataset.pod, ip: g.dataset.ip })),
      candidates: all("#diagram g.endpoint.candidate").map((g) => ({ pod: g.dataset.pod, ip: g.dataset.ip })),
      externals: all("#diagram g.external.taken").map((g) => g.dataset.name),
      endpointFact: q("#result [data-testid=fact-endpoint] dd")?.textContent ?? null,
      trace: all("#trace li").length,
    };
  });
}
