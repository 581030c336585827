// The HTTP side of the page against the documented decision shape (design.md, the core's
// HttpDecision), while the npm package has no routeHttp yet: a stand-in returning a fixed
// decision is put on the package's classes, and the page must show it, highlight the Ingress
// rule, the Service and the endpoint, and simulate over it. Skipped once the real call exists
// (the example tests then check the real thing).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { launch, open, outcome, shot, startServer } from "./helpers.mjs";

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

const DECISION = {
  status: 200,
  reason: "routed",
  source: { kind: "Ingress", namespace: "default", name: "kubia", rule: 0, path: 1 },
  match: { host: "kubia.example.com", hostMatch: "Exact", path: "/foo", pathType: "Prefix", location: null },
  backend: { namespace: "default", service: "bar", port: 80, servicePort: 80, resource: null, usableEndpoints: 2 },
  tls: { sni: "kubia.example.com", host: null, namespace: null, secretName: null, defaultCertificate: true },
  redirect: null,
  affinity: null,
  canary: null,
  upstreamRequest: { host: "kubia.example.com", path: "/foo" },
  trace: [
    { step: "request", message: "GET https://kubia.example.com/foo" },
    { step: "host", message: "kubia.example.com matches rule 0 exactly" },
    { step: "path", message: "/foo matches Prefix /foo" },
    { step: "backend", message: "Service default/bar port 80: 2 ready endpoints" },
  ],
};

test("HTTP results in the documented shape: decision, trace, highlighted path, simulation", async (t) => {
  const page = await open(browser, `${server.url}#ex=ingress`);
  const real = await page.evaluate(() => typeof window.kroute.Cluster.prototype.routeHttp === "function");
  if (real) {
    await page.context().close();
    t.skip("the package has routeHttp: the example tests check the real decisions");
    return;
  }
  // 1. Only Cluster.routeHttp: the page shows the backend and the ready endpoints as candidates.
  await page.evaluate((d) => {
    window.kroute.Cluster.prototype.routeHttp = () => structuredClone(d);
  }, DECISION);
  await page.selectOption("#example", "ingress");
  await page.fill("#url", "https://kubia.example.com/foo");
  await page.click("[data-testid=send]");
  let o = await outcome(page);
  assert.equal(o.missing, null);
  assert.equal(o.verdict, "200 routed");
  assert.deepEqual(o.services, ["default/bar"]);
  assert.deepEqual(o.candidates.map((c) => c.pod).sort(), ["bar-5d8f7", "bar-k2x9q"]);
  assert.equal(o.trace, 4);
  assert.match(o.tls, /default certificate/);
  const rule = page.locator('#diagram g.ingress.taken');
  assert.equal(await rule.getAttribute("data-rule"), "0");
  assert.equal(await rule.getAttribute("data-path"), "1");
  assert.match(await page.locator("#trace").textContent(), /backend Service default\/bar/);
  await shot(page, "http-shape-candidates");
  // 2. The router picks the endpoint: it is highlighted, and the simulation runs over HTTP.
  await page.evaluate((d) => {
    const eps = [
      { ip: "10.244.1.20", port: 8080, pod: "bar-5d8f7", node: "worker-1" },
      { ip: "10.244.2.21", port: 8080, pod: "bar-k2x9q", node: "worker-2" },
    ];
    let i = 0;
    window.kroute.Router.prototype.routeHttp = function () {
      return { ...structuredClone(d), endpoint: eps[i++ % 2], setCookie: null };
    };
  }, DECISION);
  await page.selectOption("#example", "ingress");
  await page.fill("#url", "https://kubia.example.com/foo");
  await page.click("[data-testid=send]");
  o = await outcome(page);
  // (The stand-in alternates between the two pods; loading the example sent once already.)
  assert.equal(o.endpoints.length, 1);
  const { pod, ip } = o.endpoints[0];
  assert.ok(["bar-5d8f7", "bar-k2x9q"].includes(pod));
  assert.equal(o.endpointFact, `${pod} · ${ip}:8080 (${pod === "bar-5d8f7" ? "worker-1" : "worker-2"})`);
  await page.fill("#sim-n", "10");
  await page.click("[data-testid=sim-run]");
  const rows = await page.$$eval("#sim-result [data-testid=bar]", (r) => r.map((x) => [x.dataset.key, x.dataset.count]));
  assert.deepEqual(rows, [["bar-5d8f7", "5"], ["bar-k2x9q", "5"]]);
  await shot(page, "http-shape-endpoint");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
