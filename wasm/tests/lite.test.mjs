// `kroute/lite`: the same API without YAML loading. `fromYaml` throws a KrouteError that says
// what to use instead; JSON text and objects load and answer as in the full build; both entries
// (Node and browsers) work (entries.test.mjs: `import "kroute/lite"` through `exports`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as full from "../pkg/node.js";
import * as lite from "../pkg/lite/node.js";

const pkgDir = fileURLToPath(new URL("../pkg/", import.meta.url));

const OBJECTS = [
  { apiVersion: "v1", kind: "Service", metadata: { name: "kubia" },
    spec: { clusterIP: "10.96.0.50", selector: { app: "kubia" }, ports: [{ port: 80, targetPort: 8080 }] } },
  { apiVersion: "v1", kind: "Pod", metadata: { name: "kubia-a", labels: { app: "kubia" } },
    status: { podIP: "10.244.1.2", conditions: [{ type: "Ready", status: "True" }] } },
  { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "kubia" },
    spec: { rules: [{ host: "kubia.example.com", http: { paths: [
      { path: "/foo", pathType: "Prefix", backend: { service: { name: "kubia", port: { number: 80 } } } }] } }] } },
];

test("fromYaml throws a Request KrouteError naming the alternatives", () => {
  assert.throws(
    () => lite.Cluster.fromYaml("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n"),
    (e) =>
      e instanceof lite.KrouteError &&
      e instanceof Error &&
      e.kind === "Request" &&
      /cannot read YAML/.test(e.message) &&
      /fromJson/.test(e.message),
  );
});

test("fromObjects and fromJson answer as the full build does", () => {
  for (const make of [(k) => k.Cluster.fromObjects(OBJECTS), (k) => k.Cluster.fromJson(JSON.stringify(OBJECTS))]) {
    const [a, b] = [make(full), make(lite)];
    assert.deepEqual(b.endpoints("default", "kubia"), a.endpoints("default", "kubia"));
    assert.deepEqual(b.routeHttp("https://kubia.example.com/foo/x"), a.routeHttp("https://kubia.example.com/foo/x"));
    assert.deepEqual(b.diagnostics(), a.diagnostics());
    const r = b.router({ seed: 3 });
    assert.equal(r.connect({ clientIp: "10.0.0.1", dstIp: "10.96.0.50", dstPort: 80 }).endpoint.pod, "kubia-a");
    for (const x of [a, b, r]) x.free();
  }
  assert.throws(() => lite.Cluster.fromJson("{"), (e) => e instanceof lite.KrouteError && e.kind === "Manifest");
});

test("index.js: init() with the module bytes, then the API", async () => {
  const browser = await import("../pkg/lite/index.js");
  await browser.init({ module_or_path: readFileSync(path.join(pkgDir, "lite", "kroute_bg.wasm")) });
  const cluster = browser.Cluster.fromObjects(OBJECTS);
  assert.equal(cluster.endpoints("default", "kubia").length, 1);
  assert.throws(() => browser.Cluster.fromYaml("a: 1"), browser.KrouteError);
  cluster.free();
});
