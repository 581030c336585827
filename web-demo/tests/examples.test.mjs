// Every example loads, routes its request, and highlights the expected backend in the
// diagram; so do the example's extra requests that say what they must reach. A feature the
// npm package does not have yet (the page says so) skips the check with that reason, after
// checking what the page can show without it.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { examples, launch, open, outcome, sendRequest, shot, startServer } from "./helpers.mjs";

const EXAMPLES = await examples();
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

/** Checks the outcome against `expect`; returns a skip reason when the package lacks a feature. */
async function check(page, expect, label) {
  const o = await outcome(page);
  if (o.missing) {
    // Without routing, the diagram still draws the Service and its endpoints from kroute.
    if (expect.service) {
      const n = await page.locator(`#diagram g.service[data-name="default/${expect.service}"]`).count();
      assert.equal(n, 1, `${label}: Service ${expect.service} is not drawn`);
    }
    for (const pod of expect.pods ?? []) {
      const n = await page.locator(`#diagram g.endpoint[data-pod="${pod}"]`).count();
      assert.equal(n, 1, `${label}: endpoint pod ${pod} is not drawn`);
    }
    for (const ip of expect.ips ?? []) {
      const n = await page.locator(`#diagram g.endpoint[data-ip="${ip}"]`).count();
      assert.equal(n, 1, `${label}: endpoint ${ip} is not drawn`);
    }
    return `not in this kroute build: ${o.missing}`;
  }
  assert.ok(o.verdict, `${label}: no verdict shown`);
  assert.doesNotMatch(o.verdict, /ERROR/, `${label}: ${o.reason}`);
  if (expect.verdict) assert.equal(o.verdict, expect.verdict, `${label}: verdict (${o.reason})`);
  if (expect.status) assert.match(o.verdict, new RegExp(`^${expect.status}\\b`), `${label}: status`);
  if (expect.service) assert.deepEqual(o.services, [`default/${expect.service}`], `${label}: highlighted Service`);
  const wanted = expect.pods ?? expect.ips;
  if (wanted) {
    const key = expect.pods ? "pod" : "ip";
    if (o.endpoints.length === 0 && o.candidates.length > 0) {
      // The package routes HTTP but its router does not pick the endpoint yet: candidates shown.
      for (const c of o.candidates) assert.ok(wanted.includes(c[key]), `${label}: candidate ${c[key]}`);
    } else {
      assert.equal(o.endpoints.length, 1, `${label}: one highlighted endpoint, got ${JSON.stringify(o.endpoints)}`);
      assert.ok(wanted.includes(o.endpoints[0][key]), `${label}: endpoint ${o.endpoints[0][key]} not in ${wanted}`);
    }
  }
  if (expect.port) assert.match(o.endpointFact ?? "", new RegExp(`:${expect.port}\\b`), `${label}: endpoint port`);
  if (expect.externalName) assert.deepEqual(o.externals, [expect.externalName], `${label}: ExternalName target`);
  if (expect.tlsSecret) assert.match(o.tls ?? "", new RegExp(expect.tlsSecret), `${label}: certificate`);
  assert.ok(o.trace > 0, `${label}: no trace`);
  return null;
}

describe("examples", () => {
  test("the menu lists every example", async () => {
    const page = await open(browser, server.url);
    const ids = await page.$$eval("#example option", (os) => os.map((o) => o.value));
    assert.deepEqual(ids, EXAMPLES.map((e) => e.id));
    await page.context().close();
  });

  for (const ex of EXAMPLES) {
    test(`${ex.id}: routes its request to the expected backend`, async (t) => {
      const page = await open(browser, `${server.url}#ex=${ex.id}`);
      assert.equal(await page.locator("#example").inputValue(), ex.id);
      // The manifests are clean: no error or warning from kroute.
      const severe = await page.$$eval("#diagnostics li.diag", (ls) =>
        ls.filter((l) => !l.classList.contains("info")).map((l) => l.textContent),
      );
      assert.deepEqual(severe, [], `${ex.id}: diagnostics`);
      await sendRequest(page);
      await shot(page, `example-${ex.id}`);
      const skips = [];
      const s = await check(page, ex.expect, ex.id);
      if (s) skips.push(s);
      for (const [i, m] of (ex.more ?? []).entries()) {
        if (!m.expect) continue;
        await page.click(`[data-testid=more-${i}]`);
        const s2 = await check(page, m.expect, `${ex.id} / ${m.label.en}`);
        if (s2) skips.push(s2);
      }
      assert.deepEqual(page.errors, []);
      await page.context().close();
      if (skips.length) t.skip([...new Set(skips)].join("; "));
    });
  }
});
