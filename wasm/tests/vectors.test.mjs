// The shared conformance vectors (tests/vectors/*.json, format and matching rules in
// tests/vectors/README.md) against the npm package's Node build. One test per case; the runner
// logic is vector-runner.mjs, which browser.test.mjs runs in Chromium too.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as kroute from "../pkg/node.js";
import { VECTORS_DIR, vectorFiles } from "./vector-files.mjs";
import { check, mismatch, runCase, skipReason } from "./vector-runner.mjs";

const files = vectorFiles();

test("vector files exist", () => {
  assert.ok(files.length > 0, `no *.json vectors in ${VECTORS_DIR}`);
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
    test(c.name, () => assert.equal(mismatch(c.expect, runCase(kroute, c)), null));
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

for (const { file, cases } of files) {
  describe(file, () => {
    for (const c of cases) {
      test(c.name, { skip: skipReason(c) }, () => assert.equal(check(kroute, c), null));
    }
  });
}
