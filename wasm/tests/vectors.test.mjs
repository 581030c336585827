// The shared conformance vectors (tests/vectors/*.json, format and matching rules in
// tests/vectors/README.md) against the npm package's Node build. One test per case.
//
// KROUTE_VECTORS_DIR=/some/dir overrides the directory (used to test this runner itself).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { Cluster, KrouteError, Selector } from "../pkg/node.js";

const dir = process.env.KROUTE_VECTORS_DIR
  ? path.resolve(process.env.KROUTE_VECTORS_DIR)
  : fileURLToPath(new URL("../../tests/vectors/", import.meta.url));

/** A thrown KrouteError as the canonical `{error: {...}}`; anything else is re-thrown. */
function errorJson(e) {
  if (e instanceof KrouteError) return { error: e.toJSON() };
  throw e;
}

function selectorResult(make, labels) {
  let selector;
  try {
    selector = make();
  } catch (e) {
    return errorJson(e);
  }
  try {
    return { string: selector.toString(), matches: labels === undefined ? null : selector.matches(labels) };
  } finally {
    selector.free();
  }
}

/** Runs one case's query; the result is canonical JSON (or `{error}`). */
function run(c) {
  const q = c.query;
  switch (q.op) {
    case "selector":
      return selectorResult(() => Selector.parse(q.text), q.labels);
    case "labelSelector":
      return selectorResult(() => Selector.fromLabelSelector(q.selector ?? null), q.labels);
    default:
      break;
  }
  let cluster;
  try {
    cluster = Cluster.fromYaml(c.manifests ?? "", c.options);
  } catch (e) {
    return errorJson(e);
  }
  try {
    switch (q.op) {
      case "load":
        return { ok: true };
      case "diagnostics": {
        const all = cluster.diagnostics();
        return q.code === undefined ? all : all.filter((d) => d.code === q.code);
      }
      case "endpoints":
        try {
          return cluster.endpoints(q.namespace, q.service);
        } catch (e) {
          return errorJson(e);
        }
      default:
        throw new Error(`unknown op ${JSON.stringify(q.op)}`);
    }
  } finally {
    cluster.free();
  }
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const show = (v) => JSON.stringify(v);

/**
 * Subset match: expected object keys must exist with matching values, lists must have the same
 * length and match element by element, scalars must be equal. Returns why not, or null.
 */
function mismatch(expect, actual, where = "$") {
  if (isObject(expect) && isObject(actual)) {
    for (const [k, v] of Object.entries(expect)) {
      if (!Object.hasOwn(actual, k)) return `${where}.${k}: missing in ${show(actual)}`;
      const why = mismatch(v, actual[k], `${where}.${k}`);
      if (why) return why;
    }
    return null;
  }
  if (Array.isArray(expect) && Array.isArray(actual)) {
    if (expect.length !== actual.length) {
      return `${where}: expected ${expect.length} items, got ${actual.length}: ${show(actual)}`;
    }
    for (let i = 0; i < expect.length; i++) {
      const why = mismatch(expect[i], actual[i], `${where}[${i}]`);
      if (why) return why;
    }
    return null;
  }
  if (isObject(expect) || Array.isArray(expect) || expect !== actual) {
    return `${where}: expected ${show(expect)}, got ${show(actual)}`;
  }
  return null;
}

const files = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort();

test("vector files exist", () => {
  assert.ok(files.length > 0, `no *.json vectors in ${dir}`);
});

/** The ops this package exposes; cases of other ops are reported as skipped. */
const SUPPORTED = new Set(["load", "diagnostics", "endpoints", "selector", "labelSelector"]);

for (const file of files) {
  const cases = JSON.parse(readFileSync(path.join(dir, file), "utf8"));
  describe(file, () => {
    for (const c of cases) {
      const skip = SUPPORTED.has(c.query?.op) ? false : `op ${c.query?.op} is not in the npm package yet`;
      test(c.name, { skip }, () => {
        const why = mismatch(c.expect, run(c));
        assert.equal(why, null, `${c.source ?? ""}: ${why}`);
      });
    }
  });
}
