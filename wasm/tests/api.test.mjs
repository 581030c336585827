// The npm package's API on the Node build: the seed scenario, errors as KrouteError with their
// location, selectors, plain objects, and junk through every entry point (a KrouteError, never
// a WebAssembly trap).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Cluster, KrouteError, Selector, init, validation } from "../pkg/node.js";
import { SEED } from "./fixtures.mjs";

const KUBIA = `apiVersion: v1
kind: Service
metadata:
  name: kubia
spec:
  ports:
  - port: 80
    targetPort: 8080
  selector:
    app: kubia
---
apiVersion: v1
kind: Pod
metadata: {name: kubia-a, labels: {app: kubia}}
spec: {containers: [{name: app}]}
status: {phase: Running, podIP: 10.244.1.2, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: kubia-b, labels: {app: kubia}}
spec: {containers: [{name: app}]}
status: {phase: Running, podIP: 10.244.1.3, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: kubia-c, labels: {app: kubia}}
spec: {containers: [{name: app}]}
status: {phase: Running, podIP: 10.244.2.4, conditions: [{type: Ready, status: "False"}]}
`;

// The seed's Service, indented with tabs (创建服务): YAML forbids tabs for indentation.
const TABBED =
  "apiVersion: v1\nkind: Service\nmetadata:\n\tname: kubia\nspec:\n\tports:\n\t- port: 80\n\t  targetPort: 8080\n\tselector:\n\t\tapp: kubia\n";

/** Asserts that `fn` throws a KrouteError (of `kind` when given) and returns it. */
function throwsKrouteError(fn, kind) {
  let thrown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown !== undefined, "expected a KrouteError, nothing was thrown");
  assert.ok(!(thrown instanceof WebAssembly.RuntimeError), `a WebAssembly trap: ${thrown}`);
  assert.ok(thrown instanceof KrouteError, `expected a KrouteError, got ${thrown?.name}: ${thrown?.message}`);
  if (kind !== undefined) assert.equal(thrown.kind, kind, thrown.message);
  return thrown;
}

/** Runs `fn`: returning is fine, throwing is fine only as a KrouteError. */
function neverTraps(fn) {
  try {
    return fn();
  } catch (e) {
    assert.ok(e instanceof KrouteError, `expected success or a KrouteError, got ${e?.name}: ${e?.message}`);
    return e;
  }
}

function kubiaEndpoints() {
  const cluster = Cluster.fromYaml(KUBIA);
  try {
    return cluster.endpoints("default", "kubia");
  } finally {
    cluster.free();
  }
}

describe("seed: kubia", () => {
  test("init() is a no-op in Node", async () => {
    await init();
  });

  test("two ready endpoints and one not ready", () => {
    const eps = kubiaEndpoints();
    assert.deepEqual(
      eps.map((e) => [e.ip, e.port, e.servicePort, e.pod, e.conditions.ready]),
      [
        ["10.244.1.2", 8080, 80, "kubia-a", true],
        ["10.244.1.3", 8080, 80, "kubia-b", true],
        ["10.244.2.4", 8080, 80, "kubia-c", false],
      ],
    );
    assert.equal(eps.filter((e) => e.conditions.ready).length, 2);
    const notReady = eps.find((e) => e.conditions.ready === false);
    assert.deepEqual(notReady.conditions, { ready: false, serving: false, terminating: false });
  });

  test("results are plain objects in the canonical JSON shape (null, not undefined)", () => {
    const [e] = kubiaEndpoints();
    assert.equal(Object.getPrototypeOf(e), Object.prototype);
    assert.deepEqual(e, {
      ip: "10.244.1.2",
      port: 8080,
      portName: "",
      servicePort: 80,
      protocol: "TCP",
      conditions: { ready: true, serving: true, terminating: false },
      pod: "kubia-a",
      node: null,
      hostname: null,
      zone: null,
      zoneHints: [],
      nodeHints: [],
    });
    assert.deepEqual(JSON.parse(JSON.stringify(e)), e);
  });

  test("fromJson reads the same objects", () => {
    const docs = KUBIA.split("---\n").map((d) => Cluster.fromYaml(d));
    docs.forEach((c) => c.free());
    const list = {
      apiVersion: "v1",
      kind: "List",
      items: [
        {
          apiVersion: "v1",
          kind: "Service",
          metadata: { name: "kubia" },
          spec: { ports: [{ port: 80, targetPort: 8080 }], selector: { app: "kubia" } },
        },
        {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: "kubia-a", labels: { app: "kubia" } },
          status: { podIP: "10.244.1.2", conditions: [{ type: "Ready", status: "True" }] },
        },
      ],
    };
    const cluster = Cluster.fromJson(JSON.stringify(list));
    assert.deepEqual(
      cluster.endpoints("default", "kubia").map((e) => e.ip),
      ["10.244.1.2"],
    );
    cluster.free();
  });

  test("diagnostics are plain data, ordered by document", () => {
    const cluster = Cluster.fromYaml(
      "apiVersion: v1\nkind: Service\nmetadata: {name: lonely}\nspec:\n  selector: {app: nobody}\n  ports: [{port: 80}]\n",
    );
    const diags = cluster.diagnostics();
    cluster.free();
    const d = diags.find((x) => x.code === "service-selects-nothing");
    assert.ok(d, JSON.stringify(diags));
    assert.equal(d.severity, "warning");
    assert.deepEqual(d.object, { kind: "Service", namespace: "default", name: "lonely" });
    assert.equal(d.document, 0);
    assert.equal(typeof d.line, "number");
  });

  test("options: namespace and unknown names", () => {
    const yaml = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n";
    const cluster = Cluster.fromYaml(yaml, { namespace: "prod", serviceCidr: undefined, podCidr: null });
    assert.deepEqual(cluster.endpoints("prod", "s"), []);
    throwsKrouteError(() => cluster.endpoints("default", "s"), "Request");
    cluster.free();
    const e = throwsKrouteError(() => Cluster.fromYaml(yaml, { namspace: "prod" }), "Request");
    assert.match(e.message, /unknown field `namspace`/);
    throwsKrouteError(() => Cluster.fromYaml(yaml, { serviceCidr: "10.0.0.0/99" }), "Request");
  });
});

describe("KrouteError", () => {
  test("the seed's tab-indented YAML names document 0, line 4", () => {
    const e = throwsKrouteError(() => Cluster.fromYaml(TABBED), "Manifest");
    assert.ok(e instanceof Error);
    assert.equal(e.name, "KrouteError");
    assert.equal(e.document, 0);
    assert.equal(e.line, 4);
    assert.equal(typeof e.column, "number");
    assert.equal(e.field, null);
    // message = the core's Display (location first), reason = without the location.
    assert.ok(e.message.startsWith("document 0, line 4"), e.message);
    assert.ok(e.message.endsWith(e.reason), `${e.message} / ${e.reason}`);
    assert.match(String(e), /^KrouteError: document 0, line 4/);
    assert.match(e.stack, /^KrouteError: /);
  });

  test("toJSON is the canonical shape", () => {
    const e = throwsKrouteError(() => Cluster.fromYaml("apiVersion: v1\nkind: Service\nmetadata: kubia\n"));
    assert.deepEqual(Object.keys(e.toJSON()), ["kind", "message", "document", "line", "column", "field"]);
    assert.deepEqual(JSON.parse(JSON.stringify(e)), {
      kind: "Manifest",
      message: e.reason,
      document: 0,
      line: 3,
      column: 11,
      field: "metadata",
    });
  });

  test("an error in a later document names it", () => {
    const e = throwsKrouteError(
      () =>
        Cluster.fromYaml(
          "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: b}\nspec:\n  ports:\n  - port: eighty\n",
        ),
      "Manifest",
    );
    assert.equal(e.document, 1);
    assert.equal(e.line, 10);
    assert.equal(e.field, "spec.ports[0].port");
  });

  test("unknown Service is a Request error", () => {
    const cluster = Cluster.fromYaml(KUBIA);
    const e = throwsKrouteError(() => cluster.endpoints("default", "nope"), "Request");
    assert.equal(e.document, null);
    assert.equal(e.line, null);
    assert.match(e.message, /default\/nope/);
    cluster.free();
  });
});

describe("Selector", () => {
  test("parse, matches, toString", () => {
    const s = Selector.parse("tier in (web, api), app=kubia,!canary");
    assert.equal(s.toString(), "app=kubia,!canary,tier in (api,web)");
    assert.equal(`${s}`, s.toString());
    assert.equal(s.matches({ app: "kubia", tier: "web" }), true);
    assert.equal(s.matches({ app: "kubia", tier: "web", canary: "yes" }), false);
    assert.equal(s.matches({ app: "kubia" }), false);
    assert.equal(s.matches(new Map([["app", "kubia"], ["tier", "api"]])), true);
    s.free();
  });

  test("a selector error carries its column", () => {
    const e = throwsKrouteError(() => Selector.parse("app in (a"), "Selector");
    assert.equal(e.column, 10);
    assert.equal(e.line, null);
    assert.match(e.message, /^position 10: /);
    const bad = throwsKrouteError(() => Selector.parse("a b"), "Selector");
    assert.equal(bad.column, 3);
  });

  test("fromLabels and fromLabelSelector", () => {
    const s = Selector.fromLabels({ app: "kubia", tier: "web" });
    assert.equal(s.toString(), "app=kubia,tier=web");
    assert.equal(s.matches({ app: "kubia", tier: "web", x: "y" }), true);
    assert.equal(Selector.fromLabels({}).matches({ any: "thing" }), true);
    throwsKrouteError(() => Selector.fromLabels({ app: "-bad-" }), "Selector");

    const nothing = Selector.fromLabelSelector(null);
    assert.equal(nothing.matches({}), false);
    assert.equal(nothing.toString(), "");
    assert.equal(Selector.fromLabelSelector({}).matches({ a: "b" }), true);
    const ls = Selector.fromLabelSelector({
      matchLabels: { app: "kubia" },
      matchExpressions: [{ key: "env", operator: "NotIn", values: ["dev"] }],
    });
    assert.equal(ls.toString(), "app=kubia,env notin (dev)");
    assert.equal(ls.matches({ app: "kubia", env: "prod" }), true);
    assert.equal(ls.matches({ app: "kubia", env: "dev" }), false);
    const e = throwsKrouteError(
      () => Selector.fromLabelSelector({ matchExpressions: [{ key: "a", operator: "Equals", values: ["b"] }] }),
      "Selector",
    );
    assert.match(e.message, /"Equals" is not a valid label selector operator/);
  });
});

describe("fromObjects", () => {
  test("plain JS objects, key order and numbers as JS gives them", () => {
    const objects = [
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "kubia", labels: { team: "a" } },
        spec: { selector: { app: "kubia" }, ports: [{ port: 80, targetPort: 8080, protocol: "TCP" }] },
      },
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "kubia-a", labels: { app: "kubia" } },
        spec: { containers: [{ name: "app", ports: [{ containerPort: 8080 }] }] },
        status: { podIP: "10.244.1.2", conditions: [{ type: "Ready", status: "True" }] },
      },
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "kubia-c", labels: { app: "kubia" } },
        status: { podIP: "10.244.2.4", conditions: [{ type: "Ready", status: "False" }] },
      },
    ];
    const cluster = Cluster.fromObjects(objects);
    const eps = cluster.endpoints("default", "kubia");
    assert.deepEqual(
      eps.map((e) => [e.ip, e.port, e.conditions.ready]),
      [
        ["10.244.1.2", 8080, true],
        ["10.244.2.4", 8080, false],
      ],
    );
    cluster.free();
  });

  test("an error names the object's index as its document", () => {
    const e = throwsKrouteError(
      () =>
        Cluster.fromObjects([
          { apiVersion: "v1", kind: "Pod", metadata: { name: "a" } },
          { apiVersion: "v1", kind: "Pod", metadata: { name: "b", labels: { version: 1 } } },
        ]),
      "Manifest",
    );
    assert.equal(e.document, 1);
    assert.equal(e.field, "metadata.labels.version");
    assert.equal(e.line, null);
  });
});

describe("junk never traps", () => {
  const cyclic = {};
  cyclic.self = cyclic;
  let deep = {};
  for (let i = 0; i < 100_000; i++) deep = { a: deep };
  let deepArray = [];
  for (let i = 0; i < 100_000; i++) deepArray = [deepArray];
  const lone = "\uD800 \uDC00 x\uDBFF";
  const huge = "a".repeat(4 << 20);
  const notStrings = [5, 0, NaN, undefined, null, true, {}, [], ["x"], Symbol("s"), 10n, () => "x", new Map(), new Date(0)];

  test("Cluster.fromYaml / fromJson: text that is not a string", () => {
    for (const v of notStrings) {
      throwsKrouteError(() => Cluster.fromYaml(v), "Request");
      throwsKrouteError(() => Cluster.fromJson(v), "Request");
    }
  });

  test("Cluster.fromYaml: options that are not Options", () => {
    const junk = [5, "x", true, [], [{}], Symbol("s"), 10n, () => 1, cyclic, deep, { namespace: 5 }, { bogus: 1 },
      { assumeRunningPods: "yes" }, { namespace: { a: deep } }, { dnsPods: "sometimes" }];
    for (const options of junk) throwsKrouteError(() => Cluster.fromYaml(KUBIA, options), "Request");
  });

  test("Cluster.fromYaml / fromJson: unreadable text", () => {
    const texts = [
      "{", "[1,", "a: [1,", "\t- x", "- a\n- b\n", "5", "null", "kind: 5", "apiVersion: v1\nkind: Pod\nmetadata: 5\n",
      "[".repeat(100_000), "{a: ".repeat(50_000), "- ".repeat(50_000) + "x", "&a [*a]", lone, "\u0000\u0001\uFFFE",
      `kind: Pod\nmetadata: {name: "${lone}"}\n`, `x: ${huge}\n`, huge, "a: *undefined_alias",
    ];
    for (const t of texts) {
      neverTraps(() => Cluster.fromYaml(t)?.free());
      neverTraps(() => Cluster.fromJson(t)?.free());
    }
    throwsKrouteError(() => Cluster.fromJson("[".repeat(100_000)), "Manifest");
    throwsKrouteError(() => Cluster.fromYaml("[".repeat(100_000)), "Manifest");
    throwsKrouteError(() => Cluster.fromYaml("kind: 5"), "Manifest");
  });

  test("Cluster.fromObjects: junk objects", () => {
    const notArrays = [5, "x", undefined, null, {}, { kind: "Pod" }, Symbol("s"), 10n, () => 1, new Map(), cyclic];
    for (const v of notArrays) throwsKrouteError(() => Cluster.fromObjects(v), "Request");
    const junkDocs = [
      [5], [null], [undefined], ["x"], [[]], [[[]]], [{ kind: 5 }], [{ apiVersion: "v1", kind: "Pod", metadata: 5 }],
      [cyclic], [deep], [deepArray], [{ kind: "Pod", metadata: { name: "a", labels: { x: { y: deep } } } }],
      [Symbol("s")], [() => 1], [{ kind: "Pod", x: Symbol("s") }], [{ kind: "Pod", x: 10n ** 40n }],
      [{ kind: Number.MAX_VALUE }], [{ apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { ports: [{ port: 1e300 }] } }],
      [{ apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { ports: [{ port: -0.5 }] } }],
      [{ apiVersion: "v1", kind: "Pod", metadata: { name: lone } }], [{ [lone]: lone }],
      [new Date(0)], [new Map([[{ a: deep }, 1]])], [new Set([1])], [new Uint8Array(8)], [{ kind: huge }],
    ];
    for (const docs of junkDocs) neverTraps(() => Cluster.fromObjects(docs)?.free());
    for (const docs of [[cyclic], [deep], [deepArray], [{ kind: 5 }], [{ kind: "Pod", x: Symbol("s") }], [() => 1]]) {
      assert.equal(throwsKrouteError(() => Cluster.fromObjects(docs), "Manifest").document, 0);
    }
    // A document that is not an object is a finding, like a document without `kind`.
    const cluster = Cluster.fromObjects([5]);
    assert.deepEqual(cluster.diagnostics().map((d) => [d.code, d.document]), [["missing-kind", 0]]);
    cluster.free();
    const e = throwsKrouteError(() => Cluster.fromObjects([{ kind: "Pod", metadata: { name: "ok" } }, cyclic]), "Manifest");
    assert.equal(e.document, 1);
  });

  test("Cluster.endpoints: names that are not strings", () => {
    const cluster = Cluster.fromYaml(KUBIA);
    for (const v of notStrings) {
      throwsKrouteError(() => cluster.endpoints(v, "kubia"), "Request");
      throwsKrouteError(() => cluster.endpoints("default", v), "Request");
    }
    throwsKrouteError(() => cluster.endpoints(), "Request");
    for (const name of [lone, huge, "", "\u0000"]) throwsKrouteError(() => cluster.endpoints(name, name), "Request");
    cluster.free();
  });

  test("Selector: junk text, labels and label selectors", () => {
    for (const v of notStrings) throwsKrouteError(() => Selector.parse(v), "Request");
    for (const t of [lone, "a=" + lone, "(((", "a in (" + "b,".repeat(100_000), "!".repeat(100_000)]) {
      throwsKrouteError(() => Selector.parse(t), "Selector");
    }
    neverTraps(() => Selector.parse("a=b,".repeat(50_000) + "c")?.free());
    neverTraps(() => Selector.parse(huge)?.free());
    neverTraps(() => Selector.parse("x=\u0000")?.free());

    const notLabels = [5, "x", undefined, null, [], ["a"], Symbol("s"), 10n, () => 1, cyclic, deep, { a: 5 },
      { a: null }, { a: { b: "c" } }, { a: ["b"] }, new Map([["a", 1]])];
    for (const v of notLabels) throwsKrouteError(() => Selector.fromLabels(v), "Request");
    const s = Selector.parse("a=b");
    for (const v of notLabels) throwsKrouteError(() => s.matches(v), "Request");
    assert.equal(s.matches({ a: lone }), false);
    s.free();

    for (const v of [5, "x", true, [], Symbol("s"), 10n, () => 1, cyclic, deep, { matchLabels: 5 }, { matchLabels: { a: 1 } },
      { matchExpressions: 5 }, { matchExpressions: [5] }, { matchExpressions: [{ key: 5, operator: "In" }] }]) {
      throwsKrouteError(() => Selector.fromLabelSelector(v), "Request");
    }
    for (const v of [{ matchExpressions: [{ key: "a", operator: "In" }] }, { matchLabels: { [lone]: "x" } },
      { matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] }]) {
      throwsKrouteError(() => Selector.fromLabelSelector(v), "Selector");
    }
  });

  // Every value kind JS has, plus the shapes that trip converters: cycles, depth, huge and
  // non-Unicode strings, getters that throw, proxies, typed arrays.
  const throwing = Object.defineProperty({}, "dstIp", { enumerable: true, get: () => { throw new Error("getter"); } });
  const proxy = new Proxy({}, { ownKeys: () => { throw new Error("proxy"); } });
  const junk = [
    undefined, null, true, false, 0, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 53, 1e300, -0, 10n, Symbol("s"),
    "", " ", "x", "\u0000", lone, huge, "A", "[::1]", "10.0.0.1", "default/kubia-a", {}, [], [[]], [{}], [5], [null],
    ["x"], { a: 1 }, { type: 5 }, { type: "ADDED" }, { type: "ADDED", object: 5 }, { until: "x", ok: 1 },
    { dstIp: "10.0.0.1" }, { clientIp: 5, dstIp: [], dstPort: {} }, { seed: 1e30 }, { maglevTableSize: 4 },
    { maglevTableSize: 1e12 }, { affinityCapacity: -1 }, { node: 5 }, { port: {} }, { port: -1 },
    { enableServiceLinks: "yes" }, cyclic, deep, deepArray, throwing, proxy, () => 1, new Map([["a", 1]]),
    new Date(0), new Set([1]), new Uint8Array(4), Object.create(null), [cyclic],
  ];
  const cluster = Cluster.fromYaml(SEED);
  const router = () => cluster.router({ balancer: "least-request" });
  const conn = (extra) => ({ clientIp: "10.1.1.1", dstIp: "10.96.0.50", dstPort: 80, ...extra });
  const fresh = () => Cluster.fromYaml(SEED);
  const entryPoints = {
    "envVars(namespace)": (x) => cluster.envVars(x),
    "envVars(options)": (x) => cluster.envVars("default", x),
    "envVars(options.enableServiceLinks)": (x) => cluster.envVars("default", { enableServiceLinks: x }),
    "podEnv(namespace)": (x) => cluster.podEnv(x, "client"),
    "podEnv(pod)": (x) => cluster.podEnv("default", x),
    "podEnv(container)": (x) => cluster.podEnv("default", "client", x),
    "resolve(name)": (x) => cluster.resolve(x),
    "resolve(type)": (x) => cluster.resolve("kubia.default.svc.cluster.local", x),
    "resolve(namespace)": (x) => cluster.resolve("kubia", "SRV", x),
    "usableEndpoints(namespace)": (x) => cluster.usableEndpoints(x, "kubia"),
    "usableEndpoints(service)": (x) => cluster.usableEndpoints("default", x),
    "usableEndpoints(options)": (x) => cluster.usableEndpoints("default", "kubia", x),
    "usableEndpoints(options.node)": (x) => cluster.usableEndpoints("default", "kubia", { node: x }),
    "usableEndpoints(options.port)": (x) => cluster.usableEndpoints("default", "kubia", { port: x }),
    "router(config)": (x) => cluster.router(x),
    "router(config.seed)": (x) => cluster.router({ seed: x }),
    "router(config.balancer)": (x) => cluster.router({ balancer: x }),
    "router(config.node)": (x) => cluster.router({ node: x }),
    "router(config.affinityCapacity)": (x) => cluster.router({ affinityCapacity: x }),
    "router(config.maglevTableSize)": (x) => cluster.router({ maglevTableSize: x, balancer: "maglev" }),
    "router(config.explain)": (x) => cluster.router({ explain: x }),
    "applyEvent(event)": (x) => fresh().applyEvent(x),
    "applyEvent(event.type)": (x) => fresh().applyEvent({ type: x, object: { kind: "Pod", metadata: { name: "kubia-a" } } }),
    "applyEvent(event.object)": (x) => fresh().applyEvent({ type: "MODIFIED", object: x }),
    "applyEvent(DELETED event.object)": (x) => fresh().applyEvent({ type: "DELETED", object: x }),
    "connect(conn)": (x) => router().connect(x),
    "connect(now)": (x) => router().connect(conn(), x),
    "connect(conn.clientIp)": (x) => router().connect(conn({ clientIp: x })),
    "connect(conn.clientPort)": (x) => router().connect(conn({ clientPort: x })),
    "connect(conn.dstIp)": (x) => router().connect(conn({ dstIp: x })),
    "connect(conn.dstPort)": (x) => router().connect(conn({ dstPort: x })),
    "connect(conn.protocol)": (x) => router().connect(conn({ protocol: x })),
    "connect(conn.fromPod)": (x) => router().connect(conn({ clientIp: null, fromPod: x })),
    "connect(conn.node)": (x) => router().connect(conn({ dstIp: "192.168.0.11", dstPort: 30123, node: x })),
    "connectMany(conns)": (x) => router().connectMany(x),
    "connectMany([conn])": (x) => router().connectMany([x]),
    "connectMany(now)": (x) => router().connectMany([conn()], x),
    "advance(now)": (x) => router().advance(x),
    "reportProbe(namespace)": (x) => router().reportProbe(x, "kubia-a", true, 1),
    "reportProbe(pod)": (x) => router().reportProbe("default", x, false, 1),
    "reportProbe(ok)": (x) => router().reportProbe("default", "kubia-a", x, 1),
    "reportProbe(now)": (x) => router().reportProbe("default", "kubia-a", true, x),
    "scriptProbe(pod)": (x) => router().scriptProbe("default", x, []),
    "scriptProbe(steps)": (x) => router().scriptProbe("default", "kubia-a", x),
    "scriptProbe([step])": (x) => router().scriptProbe("default", "kubia-a", [x]),
    "scriptProbe([step.until])": (x) => router().scriptProbe("default", "kubia-a", [{ until: x, ok: false }]),
    "setInFlight(ip)": (x) => router().setInFlight(x, 8080, 1),
    "setInFlight(port)": (x) => router().setInFlight("10.244.1.2", x, 1),
    "setInFlight(count)": (x) => router().setInFlight("10.244.1.2", 8080, x),
    ...Object.fromEntries(Object.keys(validation).map((name) => [`validation.${name}`, (x) => validation[name](x)])),
  };

  for (const [name, call] of Object.entries(entryPoints)) {
    test(`${name}: junk gives a result or a KrouteError`, () => {
      for (const x of junk) {
        const result = neverTraps(() => call(x));
        if (result !== null && typeof result === "object" && typeof result.free === "function") {
          // A router made from junk settings still routes.
          if (typeof result.connect === "function") assert.equal(result.connect(conn()).verdict, "FORWARD");
          result.free();
        }
      }
    });
  }

  test("type errors name the argument and are Request errors", () => {
    assert.match(throwsKrouteError(() => cluster.envVars(5), "Request").message, /^namespace must be a string, got a number/);
    assert.match(throwsKrouteError(() => router().connect(conn(), "1"), "Request").message, /^now must be a number/);
    assert.match(throwsKrouteError(() => router().advance(Infinity), "Request").message, /finite/);
    assert.match(throwsKrouteError(() => router().connect(5), "Request").message, /^conn must be an object, got a number/);
    assert.match(throwsKrouteError(() => cluster.router({ maglevTableSize: 4 }), "Request").message, /prime/);
    assert.match(throwsKrouteError(() => fresh().applyEvent(cyclic), "Manifest").message, /^event: /);
    assert.match(throwsKrouteError(() => validation.portNumber(NaN), "Request").message, /integer/);
  });

  test("the module still works after all that", () => {
    assert.equal(kubiaEndpoints().length, 3);
    for (let i = 0; i < 200; i++) {
      throwsKrouteError(() => Cluster.fromObjects([deep]));
      throwsKrouteError(() => Cluster.fromYaml(TABBED));
    }
    assert.equal(kubiaEndpoints().filter((e) => e.conditions.ready).length, 2);
  });
});
