// The TypeScript declarations (pkg/kroute.d.ts) against what the package really returns: no
// `any`, interface fields equal to the keys of real results (the core's camelCase serde
// names), Options equal to the fields the core accepts, and `tsc --strict` on an example.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Cluster, KrouteError, Selector } from "../pkg/node.js";

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
  for (const name of ["Options", "Endpoint", "Conditions", "Diagnostic", "ObjectRef", "LabelSelector", "Labels"]) {
    assert.match(dts, new RegExp(`export interface ${name}\\b`));
  }
  for (const name of ["Cluster", "Selector", "KrouteError"]) assert.match(dts, new RegExp(`export class ${name}\\b`));
  assert.match(dts, /export \{ __wbg_init as init \}/);
  assert.match(dts, /static fromYaml\(text: string, options\?: Options \| null\): Cluster;/);
  assert.match(dts, /endpoints\(namespace: string, service: string\): Endpoint\[\];/);
  assert.match(dts, /diagnostics\(\): Diagnostic\[\];/);
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
