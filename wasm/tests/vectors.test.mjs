// The shared conformance vectors (tests/vectors/*.json, format and matching rules in
// tests/vectors/README.md) against the npm package's Node build. One test per case.
//
// KROUTE_VECTORS_DIR=/some/dir overrides the directory (used to test this runner itself).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { Cluster, KrouteError, Selector, validation } from "../pkg/node.js";

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

/** The result of `fn()`, or `{error}` when it throws a KrouteError. */
function attempt(fn) {
  try {
    return fn();
  } catch (e) {
    return errorJson(e);
  }
}

/** `validation` functions by the vectors' (Rust) names. */
const VALIDATORS = {
  dns1123_label: validation.dns1123Label,
  dns1123_subdomain: validation.dns1123Subdomain,
  dns1035_label: validation.dns1035Label,
  wildcard_dns1123_subdomain: validation.wildcardDns1123Subdomain,
  qualified_name: validation.qualifiedName,
  label_value: validation.labelValue,
  port_name: validation.portName,
  port_number: validation.portNumber,
};

/** One step of a `connect` case: a connection, a clock advance, or a probe script/report. */
function runStep(router, step) {
  return attempt(() => {
    if ("connect" in step) return router.connect(step.connect, step.now ?? 0);
    if ("routeHttp" in step) return router.routeHttp(step.routeHttp, step.now ?? 0);
    if ("advance" in step) return router.advance(step.advance);
    if ("scriptProbe" in step) {
      const s = step.scriptProbe;
      router.scriptProbe(s.namespace, s.pod, s.steps);
      return null;
    }
    if ("reportProbe" in step) {
      const p = step.reportProbe;
      return router.reportProbe(p.namespace, p.pod, p.ok, p.now ?? 0);
    }
    throw new Error(`unknown step ${JSON.stringify(step)}`);
  });
}

/** Runs one case's query; the result is canonical JSON (or `{error}`). */
function run(c) {
  const q = c.query;
  switch (q.op) {
    case "selector":
      return selectorResult(() => Selector.parse(q.text), q.labels);
    case "labelSelector":
      return selectorResult(() => Selector.fromLabelSelector(q.selector ?? null), q.labels);
    case "validation": {
      const f = VALIDATORS[q.fn];
      if (f === undefined) throw new Error(`unknown validator ${JSON.stringify(q.fn)}`);
      return f(q.value);
    }
    default:
      break;
  }
  let cluster;
  try {
    // A routeHttp case's `httpOptions` are Options fields too.
    cluster = Cluster.fromYaml(c.manifests ?? "", { ...(c.options ?? {}), ...(q.httpOptions ?? {}) });
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
        return attempt(() => cluster.endpoints(q.namespace, q.service));
      case "envVars":
        return cluster.envVars(q.namespace, { enableServiceLinks: q.enableServiceLinks ?? true });
      case "podEnv":
        return attempt(() => cluster.podEnv(q.namespace, q.pod, q.container));
      case "resolve":
        return attempt(() => cluster.resolve(q.name, q.type ?? "A", q.namespace));
      case "routeHttp":
        return attempt(() => cluster.routeHttp(q.request, false, q.canaryDraw ?? null));
      case "usableEndpoints":
        return attempt(() => cluster.usableEndpoints(q.namespace, q.service, { node: q.node, port: q.port }));
      case "applyEvents": {
        const outcomes = q.events.map((event) => attempt(() => cluster.applyEvent(event)));
        return { outcomes, endpoints: attempt(() => cluster.endpoints(q.namespace, q.service)) };
      }
      case "connect": {
        const router = cluster.router(q.router);
        try {
          return q.steps.map((step) => runStep(router, step));
        } finally {
          router.free();
        }
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

// The runner itself, on cases of its own (tests/vectors/ belongs to the lead).
describe("the runner", () => {
  const own = [
    {
      name: "an error's JSON message is the Rust Error.message, without the location",
      query: { op: "selector", text: "a in (b" },
      expect: {
        error: {
          kind: "Selector",
          message: "unable to parse requirement: found '', expected: ',' or ')'",
          column: 8,
          line: null,
          document: null,
          field: null,
        },
      },
    },
    {
      name: "request errors",
      manifests: "",
      query: { op: "podEnv", namespace: "default", pod: "ghost" },
      expect: { error: { kind: "Request", message: "no Pod default/ghost", field: null } },
    },
    {
      name: "connect steps",
      manifests:
        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {clusterIP: 10.96.0.9, selector: {app: a}, ports: [{port: 80}]}\n---\n" +
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app: a}}\nstatus: {podIP: 10.244.0.9, conditions: [{type: Ready, status: 'True'}]}\n",
      query: {
        op: "connect",
        router: { seed: 2, explain: true },
        steps: [
          { connect: { clientIp: "10.0.0.1", dstIp: "10.96.0.9", dstPort: 80 }, now: 1 },
          { connect: { dstIp: "10.96.0.9", dstPort: 80 } },
          { reportProbe: { namespace: "default", pod: "p", ok: false, now: 2 } },
          { scriptProbe: { namespace: "default", pod: "ghost", steps: [] } },
          { advance: 3 },
        ],
      },
      expect: [
        { verdict: "FORWARD", endpoint: { pod: "p" }, reason: "forwarded to 10.244.0.9:80 (pod p), client address kept" },
        { error: { kind: "Request", message: "a connection needs clientIp or fromPod" } },
        true,
        { error: { kind: "Request", message: "no Pod default/ghost" } },
        [],
      ],
    },
  ];
  for (const c of own) {
    test(c.name, () => assert.equal(mismatch(c.expect, run(c)), null));
  }
  test("subset matching rules", () => {
    assert.equal(mismatch({ a: 1 }, { a: 1, b: 2 }), null);
    assert.notEqual(mismatch({ a: 1, c: 3 }, { a: 1 }), null);
    assert.notEqual(mismatch([{ a: 1 }], [{ a: 1 }, { a: 2 }]), null);
    assert.equal(mismatch([{}], [{ a: 1 }]), null);
    assert.notEqual(mismatch(true, 1), null);
    assert.notEqual(mismatch({ x: null }, { x: 0 }), null);
  });
});

/**
 * Every op of tests/vectors/README.md that this runner knows; a case of another op (one added
 * to the README after this package was built) is reported as skipped, with the reason.
 */
const SUPPORTED = new Set([
  "routeHttp",
  "load",
  "diagnostics",
  "endpoints",
  "selector",
  "labelSelector",
  "validation",
  "envVars",
  "podEnv",
  "resolve",
  "usableEndpoints",
  "applyEvents",
  "connect",
]);

for (const file of files) {
  const cases = JSON.parse(readFileSync(path.join(dir, file), "utf8"));
  describe(file, () => {
    for (const c of cases) {
      const op = c.query?.op;
      const skip = SUPPORTED.has(op) ? false : `op ${JSON.stringify(op)} is not known to this runner yet`;
      test(c.name, { skip }, () => {
        const why = mismatch(c.expect, run(c));
        assert.equal(why, null, `${c.source ?? ""}: ${why}`);
      });
    }
  });
}
