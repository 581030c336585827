// The TypeScript declarations (pkg/kroute.d.ts) against what the package really returns: no
// `any`, interface fields equal to the keys of real results (the core's camelCase serde
// names), Options equal to the fields the core accepts, and `tsc --strict` on an example.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Cluster, KrouteError, Selector, validation } from "../pkg/node.js";
import { SEED } from "./fixtures.mjs";

const wasmDir = fileURLToPath(new URL("..", import.meta.url));
const dts = readFileSync(new URL("../pkg/kroute.d.ts", import.meta.url), "utf8");

/** The property names declared by `export interface NAME { ... }` (or a class), in order. */
function declared(name) {
  const m = dts.match(new RegExp(`export (?:interface|class) ${name}\\b[^{]*\\{([\\s\\S]*?)\\n\\}`));
  assert.ok(m, `no declaration of ${name} in kroute.d.ts`);
  const body = m[1].replace(/\/\*\*[\s\S]*?\*\//g, "");
  return [...body.matchAll(/^\s*(?:readonly\s+)?([A-Za-z_$][\w$]*)\??\s*:/gm)].map((x) => x[1]);
}

const sorted = (xs) => [...xs].sort();

test("kroute.d.ts has no `any`", () => {
  const code = dts.replace(/\/\*\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  assert.deepEqual(code.match(/\bany\b/g), null);
});

test("the classes, interfaces and init are declared", () => {
  for (const name of [
    "Options", "Endpoint", "Conditions", "Diagnostic", "ObjectRef", "LabelSelector", "Labels", "EnvVar",
    "EnvVarsOptions", "DnsRecord", "DnsAnswer", "UsableEndpoints", "UsableEndpointsOptions", "RouterConfig", "Conn",
    "ConnDecision", "ServiceRef", "EndpointRef", "ReadinessChange", "ProbeStep", "WatchEvent", "EventOutcome",
  ]) {
    assert.match(dts, new RegExp(`export interface ${name}\\b`));
  }
  for (const name of ["Cluster", "Selector", "KrouteError", "Router"]) {
    assert.match(dts, new RegExp(`export class ${name}\\b`));
  }
  assert.match(dts, /export let validation: \{/);
  assert.match(dts, /export \{ __wbg_init as init \}/);
  assert.match(dts, /static fromYaml\(text: string, options\?: Options \| null\): Cluster;/);
  assert.match(dts, /endpoints\(namespace: string, service: string\): Endpoint\[\];/);
  assert.match(dts, /diagnostics\(\): Diagnostic\[\];/);
  assert.match(dts, /envVars\(namespace: string, options\?: EnvVarsOptions \| null\): EnvVar\[\];/);
  assert.match(dts, /resolve\(name: string, type\?: DnsType \| Lowercase<DnsType> \| null, namespace\?: string \| null\): DnsAnswer;/);
  assert.match(dts, /router\(config\?: RouterConfig \| null\): Router;/);
  assert.match(dts, /connect\(conn: Conn, now\?: number \| null\): ConnDecision;/);
  assert.match(dts, /applyEvent\(event: WatchEvent\): EventOutcome;/);
});

/** The fields serde names in "unknown field `x`, expected one of `a`, `b`" (or "expected `a`"). */
function accepted(fn) {
  let err;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof KrouteError, String(err));
  const names = [...err.message.split(/expected (?:one of )?/)[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]);
  assert.ok(names.length > 0, err.message);
  return sorted(names);
}

test("discovery results have exactly the declared fields", () => {
  const cluster = Cluster.fromYaml(SEED);
  const [v] = cluster.envVars("default");
  assert.deepEqual(sorted(Object.keys(v)), sorted(declared("EnvVar")));
  const srv = cluster.resolve("_postgres._tcp.backend-database.default.svc.cluster.local", "SRV");
  assert.deepEqual(sorted(Object.keys(srv)), sorted(declared("DnsAnswer")));
  assert.deepEqual(sorted(Object.keys(srv.additional[0])), sorted(declared("DnsRecord")));
  const u = cluster.usableEndpoints("default", "kubia");
  assert.deepEqual(sorted(Object.keys(u)), sorted(declared("UsableEndpoints")));
  assert.deepEqual(sorted(Object.keys(validation)), sorted([
    "dns1123Label", "dns1123Subdomain", "dns1035Label", "wildcardDns1123Subdomain", "qualifiedName", "labelValue",
    "portName", "portNumber",
  ]));
  cluster.free();
});

test("routing results have exactly the declared fields", () => {
  const cluster = Cluster.fromYaml(SEED);
  const router = cluster.router();
  const d = router.connect({ clientIp: "10.1.1.1", dstIp: "10.96.0.50", dstPort: 80 });
  assert.deepEqual(sorted(Object.keys(d)), sorted(declared("ConnDecision")));
  assert.deepEqual(sorted(Object.keys(d.service)), sorted(declared("ServiceRef")));
  assert.deepEqual(sorted(Object.keys(d.endpoint)), sorted(declared("EndpointRef")));
  router.scriptProbe("default", "kubia-a", [{ until: 50, ok: false }]);
  const [change] = router.advance(45);
  assert.deepEqual(sorted(Object.keys(change)), sorted(declared("ReadinessChange")));
  const outcome = cluster.applyEvent({ type: "DELETED", object: { kind: "Pod", metadata: { name: "kubia-b" } } });
  assert.deepEqual(sorted(Object.keys(outcome)), sorted(declared("EventOutcome")));
  router.free();
  cluster.free();
});

test("input interfaces declare exactly the fields the core accepts", () => {
  const cluster = Cluster.fromYaml(SEED);
  const router = cluster.router();
  assert.deepEqual(accepted(() => cluster.router({ "no such field": 1 })), sorted(declared("RouterConfig")));
  assert.deepEqual(
    accepted(() => router.connect({ clientIp: "10.0.0.1", dstIp: "10.0.0.2", dstPort: 1, "no such field": 1 })),
    sorted(declared("Conn")),
  );
  assert.deepEqual(accepted(() => cluster.envVars("default", { "no such field": 1 })), sorted(declared("EnvVarsOptions")));
  assert.deepEqual(
    accepted(() => cluster.usableEndpoints("default", "kubia", { "no such field": 1 })),
    sorted(declared("UsableEndpointsOptions")),
  );
  for (const field of declared("ProbeStep")) {
    const step = { until: 1, ok: true };
    delete step[field];
    assert.throws(() => router.scriptProbe("default", "kubia-a", [step]), new RegExp(`missing field \`${field}\``));
  }
  router.free();
  cluster.free();
});

test("Endpoint and Conditions fields are the keys of a real endpoint", () => {
  const cluster = Cluster.fromYaml(
    "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: {app: a}, ports: [{port: 80}]}\n---\n" +
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app: a}}\n",
  );
  const [e] = cluster.endpoints("default", "s");
  cluster.free();
  assert.deepEqual(sorted(Object.keys(e)), sorted(declared("Endpoint")));
  assert.deepEqual(sorted(Object.keys(e.conditions)), sorted(declared("Conditions")));
});

test("Diagnostic and ObjectRef fields are the keys of a real diagnostic", () => {
  const cluster = Cluster.fromYaml(
    "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: {app: nobody}, ports: [{port: 80}]}\n",
  );
  const d = cluster.diagnostics().find((x) => x.object !== null);
  cluster.free();
  assert.ok(d);
  assert.deepEqual(sorted(Object.keys(d)), sorted(declared("Diagnostic")));
  assert.deepEqual(sorted(Object.keys(d.object)), sorted(declared("ObjectRef")));
});

test("KrouteError and KrouteErrorData fields are those of a real error", () => {
  let err;
  try {
    Selector.parse("a in (");
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof KrouteError);
  assert.deepEqual(sorted(Object.keys(err.toJSON())), sorted(declared("KrouteErrorData")));
  assert.deepEqual(sorted(["name", ...Object.keys(err)]), sorted(declared("KrouteError")));
});

test("Options fields are exactly the options the core accepts", () => {
  let err;
  try {
    Cluster.fromYaml("", { "no such option": true });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof KrouteError, String(err));
  // serde's message lists every field: "unknown field `x`, expected one of `a`, `b`".
  const accepted = [...err.message.split("expected one of")[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]);
  assert.ok(accepted.length > 0, err.message);
  assert.deepEqual(sorted(declared("Options")), sorted(accepted));
});

test("tsc --strict accepts tests/types-check.ts against pkg/kroute.d.ts", () => {
  const tsc = fileURLToPath(new URL("../node_modules/typescript/bin/tsc", import.meta.url));
  const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: wasmDir, encoding: "utf8" });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});
