// Discovery and routing from JS: kubelet's service variables, cluster DNS with the search
// path, name validation, kube-proxy's usable endpoints, the stateful router (balancers, ClientIP
// affinity, traffic policies, readiness over time) and watch events.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Cluster, KrouteError, Router, validation } from "../pkg/node.js";
import { SEED } from "./fixtures.mjs";

/** Asserts that `fn` throws a KrouteError of `kind` and returns it. */
function throwsKind(fn, kind) {
  let thrown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown instanceof KrouteError, `expected a KrouteError, got ${thrown}`);
  assert.equal(thrown.kind, kind, thrown.message);
  return thrown;
}

const seed = () => Cluster.fromYaml(SEED);
const pods = (decisions) => decisions.map((d) => d.endpoint?.pod ?? null);
const KUBIA = { dstIp: "10.96.0.50", dstPort: 80 };

describe("env vars", () => {
  test("kubelet's variables, in its order, as plain objects", () => {
    const env = seed().envVars("default");
    assert.deepEqual(env[0], {
      name: "BACKEND_DATABASE_SERVICE_HOST",
      value: "10.100.1.20",
      source: "service",
      service: "default/backend-database",
    });
    const byName = Object.fromEntries(env.map((v) => [v.name, v.value]));
    assert.equal(byName.KUBIA_SERVICE_HOST, "10.96.0.50");
    assert.equal(byName.KUBIA_PORT, "tcp://10.96.0.50:80");
    assert.equal(byName.KUBERNETES_SERVICE_HOST, "10.96.0.1");
    assert.ok(!env.some((v) => v.name.startsWith("EXTERNAL_SERVICE")));
  });

  test("enableServiceLinks: false keeps default/kubernetes only", () => {
    const cluster = seed();
    const env = cluster.envVars("default", { enableServiceLinks: false });
    assert.ok(env.length > 0 && env.every((v) => v.name.startsWith("KUBERNETES_")));
    assert.deepEqual(cluster.envVars("default", { enableServiceLinks: null }), cluster.envVars("default"));
    throwsKind(() => cluster.envVars("default", { enableServiceLink: false }), "Request");
  });

  test("podEnv: explicit env first and expanded, then services", () => {
    const cluster = seed();
    const env = cluster.podEnv("default", "client");
    assert.deepEqual(
      env.slice(0, 2).map((v) => [v.name, v.value, v.source, v.service]),
      [
        ["KUBIA_SERVICE_PORT", "8080", "env", null],
        ["BACKEND_URL", "http://10.96.0.50:80", "env", null],
      ],
    );
    assert.deepEqual(cluster.podEnv("default", "client", "sidecar"), cluster.envVars("default"));
    assert.match(throwsKind(() => cluster.podEnv("default", "ghost"), "Request").message, /no Pod default\/ghost/);
    throwsKind(() => cluster.podEnv("default", "client", "nope"), "Request");
  });
});

describe("DNS", () => {
  test("an FQDN resolves to the cluster IP", () => {
    assert.deepEqual(seed().resolve("backend-database.default.svc.cluster.local"), {
      rcode: "NOERROR",
      answers: [{ name: "backend-database.default.svc.cluster.local.", type: "A", ttl: 5, data: "10.100.1.20" }],
      additional: [],
      tried: ["backend-database.default.svc.cluster.local."],
    });
  });

  test("a short name from a pod goes through the search list", () => {
    const a = seed().resolve("kubia.default", "A", "default");
    assert.deepEqual(a.tried, ["kubia.default.default.svc.cluster.local.", "kubia.default.svc.cluster.local."]);
    assert.equal(a.answers[0].data, "10.96.0.50");
    const b = seed().resolve("kubia", null, "prod");
    assert.equal(b.rcode, "UPSTREAM");
    assert.equal(b.tried.length, 4);
  });

  test("ExternalName, SRV, PTR; types in any case; unknown types throw", () => {
    const cluster = seed();
    assert.deepEqual(
      cluster.resolve("external-service.default.svc.cluster.local").answers.map((r) => [r.type, r.data]),
      [["CNAME", "www.example.com."]],
    );
    const srv = cluster.resolve("_postgres._tcp.backend-database.default.svc.cluster.local", "srv");
    assert.equal(srv.answers[0].data, "0 100 5432 backend-database.default.svc.cluster.local.");
    assert.equal(srv.additional[0].data, "10.100.1.20");
    assert.equal(cluster.resolve("20.1.100.10.in-addr.arpa", "PTR").answers[0].data, "backend-database.default.svc.cluster.local.");
    assert.match(throwsKind(() => cluster.resolve("kubia", "MX"), "Request").message, /unknown DNS type "MX"/);
    throwsKind(() => cluster.resolve("a..b"), "Request");
  });

  test("dnsPods and kubernetesService options", () => {
    const yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nstatus: {podIP: 10.244.0.7}\n";
    const name = "10-244-0-7.default.pod.cluster.local";
    assert.equal(Cluster.fromYaml(yaml).resolve(name).rcode, "NXDOMAIN");
    assert.equal(Cluster.fromYaml(yaml, { dnsPods: "verified" }).resolve(name).answers[0].data, "10.244.0.7");
    assert.deepEqual(Cluster.fromYaml("", { kubernetesService: false }).envVars("default"), []);
  });
});

describe("validation", () => {
  test("each validator returns upstream's messages", () => {
    assert.deepEqual(validation.dns1123Label("web-1"), []);
    assert.match(validation.dns1123Label("-web")[0], /^a lowercase RFC 1123 label must consist of/);
    assert.deepEqual(validation.dns1123Label("a.b"), ["must not contain dots"]);
    assert.deepEqual(validation.dns1123Subdomain("kubia.example.com"), []);
    assert.notDeepEqual(validation.dns1035Label("1abc"), []);
    assert.deepEqual(validation.wildcardDns1123Subdomain("*.example.com"), []);
    assert.deepEqual(validation.qualifiedName("example.com/MyName"), []);
    assert.deepEqual(validation.labelValue(""), []);
    assert.ok(validation.portName("8080").includes("must contain at least one letter (a-z)"));
    assert.deepEqual(validation.portNumber(80), []);
    assert.deepEqual(validation.portNumber(0), ["must be between 1 and 65535, inclusive"]);
    assert.deepEqual(validation.portNumber(1e300), validation.portNumber(0));
    assert.notDeepEqual(validation.dns1123Label("a\uD800"), []);
    throwsKind(() => validation.portNumber(80.5), "Request");
    throwsKind(() => validation.portNumber("80"), "Request");
    throwsKind(() => validation.dns1123Label(5), "Request");
  });
});

describe("usable endpoints", () => {
  test("kube-proxy's categories by node, port by number or name", () => {
    const cluster = seed();
    assert.deepEqual(cluster.usableEndpoints("default", "kubia"), {
      clusterEndpoints: ["10.244.1.2:8080", "10.244.1.3:8080", "10.244.1.4:8080"],
      localEndpoints: null,
      allReachableEndpoints: ["10.244.1.2:8080", "10.244.1.3:8080", "10.244.1.4:8080"],
      hasAnyEndpoints: true,
      topologyMode: "",
    });
    assert.deepEqual(cluster.usableEndpoints("default", "kubia-lb", { node: "node-2" }).localEndpoints, []);
    const byName = cluster.usableEndpoints("default", "kubia", { port: "http" });
    assert.deepEqual(cluster.usableEndpoints("default", "kubia", { port: 80 }), byName);
    throwsKind(() => cluster.usableEndpoints("default", "kubia", { port: 81 }), "Request");
    throwsKind(() => cluster.usableEndpoints("default", "kubia", { port: 80.5 }), "Request");
    throwsKind(() => cluster.usableEndpoints("default", "nope"), "Request");
  });
});

describe("router", () => {
  test("ClientIP affinity holds for three hours of simulated time", () => {
    const router = seed().router({ seed: 1 });
    assert.ok(router instanceof Router);
    const first = router.connect({ clientIp: "10.244.9.9", ...KUBIA });
    assert.equal(first.verdict, "FORWARD");
    assert.equal(first.affinity, "new");
    assert.deepEqual(first.service, { namespace: "default", name: "kubia", port: 80, portName: "http" });
    for (const t of [10_799, 21_598]) {
      const again = router.connect({ clientIp: "10.244.9.9", ...KUBIA }, t);
      assert.equal(again.affinity, "hit");
      assert.deepEqual(again.endpoint, first.endpoint);
    }
    assert.equal(router.connect({ clientIp: "10.244.9.9", ...KUBIA }, 32_398).affinity, "new");
    assert.equal(router.affinityEntries(), 1);
    router.free();
  });

  test("NodePort on either node; LoadBalancer with Local policy keeps the client IP", () => {
    const router = seed().router();
    for (const [ip, node] of [["192.168.0.11", "node-1"], ["192.168.0.12", "node-2"]]) {
      const d = router.connect({ clientIp: "203.0.113.5", dstIp: ip, dstPort: 30123 });
      assert.deepEqual([d.verdict, d.via, d.node, d.sourceNat, d.clientIpSeen], ["FORWARD", "NodePort", node, true, ip]);
    }
    const local = router.connect({ clientIp: "198.51.100.7", dstIp: "203.0.113.100", dstPort: 80, node: "node-1" });
    assert.deepEqual([local.verdict, local.sourceNat, local.clientIpSeen], ["FORWARD", false, "198.51.100.7"]);
    const dropped = router.connect({ clientIp: "198.51.100.7", dstIp: "203.0.113.100", dstPort: 80, node: "node-2" });
    assert.equal(dropped.verdict, "DROP");
    assert.equal(dropped.endpoint, null);
  });

  test("10,000 clients spread evenly under random (connectMany)", () => {
    const router = seed().router({ seed: 7 });
    const conns = Array.from({ length: 10_000 }, (_, i) => ({
      clientIp: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`,
      dstIp: "10.96.0.51",
      dstPort: 80,
    }));
    const counts = {};
    for (const p of pods(router.connectMany(conns))) counts[p] = (counts[p] ?? 0) + 1;
    assert.deepEqual(Object.keys(counts).sort(), ["kubia-a", "kubia-b", "kubia-c"]);
    for (const n of Object.values(counts)) assert.ok(Math.abs(n - 10_000 / 3) < 240, JSON.stringify(counts));
  });

  test("a failing readiness probe removes the pod after failureThreshold periods", () => {
    const router = seed().router({ balancer: "round-robin" });
    router.scriptProbe("default", "kubia-a", [{ until: 40, ok: false }]);
    assert.deepEqual(router.advance(15), []);
    assert.deepEqual(router.advance(25), [{ time: 20, pod: "default/kubia-a", ready: false }]);
    const during = pods(Array.from({ length: 6 }, () => router.connect({ fromPod: "default/client", dstIp: "10.96.0.51", dstPort: 80 }, 25)));
    assert.ok(!during.includes("kubia-a"));
    assert.deepEqual(router.advance(45), [{ time: 40, pod: "default/kubia-a", ready: true }]);
    assert.equal(router.reportProbe("default", "kubia-b", false, 50), true);
    throwsKind(() => router.reportProbe("default", "ghost", true, 50), "Request");
    throwsKind(() => router.scriptProbe("default", "kubia-a", [{ until: 1 }]), "Request");
  });

  test("explain, balancers, least-request and determinism", () => {
    const cluster = seed();
    const d = cluster.router({ explain: true }).connect({ clientIp: "10.244.9.9", ...KUBIA });
    assert.equal(d.trace[0], "10.96.0.50:80 is Service default/kubia port 80 via ClusterIP");
    assert.equal(d.trace.at(-1), d.reason);
    assert.equal(cluster.router().connect({ clientIp: "10.244.9.9", ...KUBIA }).trace, null);
    for (const balancer of ["random", "round-robin", "weighted", "least-request", "source-hash", "maglev", "ring-hash"]) {
      const r = cluster.router({ balancer, maglevTableSize: 251 });
      assert.equal(r.connect({ clientIp: "10.9.9.9", dstIp: "10.96.0.51", dstPort: 80 }).balancer, balancer);
    }
    const rr = cluster.router({ balancer: "round-robin" });
    assert.deepEqual(pods(rr.connectMany(Array(4).fill({ clientIp: "10.1.1.1", dstIp: "10.96.0.51", dstPort: 80 }))), [
      "kubia-a", "kubia-b", "kubia-c", "kubia-a",
    ]);
    const lr = cluster.router({ balancer: "least-request" });
    lr.setInFlight("10.244.1.2", 8080, 1_000_000);
    lr.setInFlight("10.244.1.3", 8080, 1_000_000);
    const conns = Array.from({ length: 50 }, (_, i) => ({ clientIp: `10.0.0.${i}`, dstIp: "10.96.0.51", dstPort: 80 }));
    assert.deepEqual(pods(cluster.router({ seed: 3 }).connectMany(conns)), pods(cluster.router({ seed: 3 }).connectMany(conns)));
    assert.notDeepEqual(pods(cluster.router({ seed: 3 }).connectMany(conns)), pods(cluster.router({ seed: 4 }).connectMany(conns)));
  });

  test("connectMany equals connect one by one", () => {
    const cluster = seed();
    const conns = [
      { clientIp: "10.1.0.1", ...KUBIA },
      { fromPod: "default/client", dstIp: "203.0.113.100", dstPort: 80 },
      { clientIp: "10.1.0.3", dstIp: "192.168.0.12", dstPort: 30123, protocol: "TCP", node: null },
    ];
    const one = cluster.router({ seed: 5 });
    assert.deepEqual(cluster.router({ seed: 5 }).connectMany(conns, 3), conns.map((c) => one.connect(c, 3)));
    assert.deepEqual(cluster.router().connectMany([]), []);
  });

  test("errors: config, connections, batches", () => {
    const cluster = seed();
    throwsKind(() => cluster.router({ balancer: "fastest" }), "Request");
    assert.match(throwsKind(() => cluster.router({ maglevTableSize: 65_536 }), "Request").message, /prime/);
    throwsKind(() => cluster.router({ seed: -1 }), "Request");
    throwsKind(() => cluster.router({ bogus: 1 }), "Request");
    const router = cluster.router();
    assert.match(throwsKind(() => router.connect(KUBIA), "Request").message, /clientIp or fromPod/);
    throwsKind(() => router.connect({ fromPod: "default/ghost", ...KUBIA }), "Request");
    throwsKind(() => router.connect({ clientIp: "nope", ...KUBIA }), "Request");
    throwsKind(() => router.connect({ clientIp: "10.0.0.1", ...KUBIA, protocol: "tcp" }), "Request");
    throwsKind(() => router.connect({ clientIp: "10.0.0.1", dstIp: "10.96.0.50", dstPort: 70_000 }), "Request");
    throwsKind(() => router.connect({ clientIp: "10.0.0.1", ...KUBIA }, NaN), "Request");
    throwsKind(() => router.connect({ clientIp: "10.0.0.1", ...KUBIA }, Infinity), "Request");
    const e = throwsKind(() => router.connectMany([{ clientIp: "10.0.0.1", ...KUBIA }, { fromPod: "default/ghost", ...KUBIA }]), "Request");
    assert.equal(e.field, "conns[1]");
    assert.equal(e.reason, "no Pod default/ghost");
    assert.equal(e.message, "conns[1]: no Pod default/ghost");
    assert.match(throwsKind(() => router.connectMany([5]), "Request").message, /^conns\[0\] must be an object/);
    throwsKind(() => router.setInFlight("10.244.1.2", 8080, -1), "Request");
    throwsKind(() => router.setInFlight("10.244.1.2", 70_000, 1), "Request");
    throwsKind(() => router.setInFlight("x", 8080, 1), "Request");
  });
});

describe("watch events", () => {
  const unready = (name, ip) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels: { app: "kubia" } },
    spec: { nodeName: "node-1", containers: [{ name: "kubia" }] },
    status: { podIP: ip, conditions: [{ type: "Ready", status: "False" }] },
  });

  test("applyEvent changes the cluster, not routers made before", () => {
    const cluster = seed();
    const before = cluster.router({ balancer: "round-robin" });
    assert.deepEqual(cluster.applyEvent({ type: "MODIFIED", object: unready("kubia-a", "10.244.1.2") }), {
      type: "MODIFIED",
      kind: "Pod",
      object: "default/kubia-a",
      recomputed: ["default/kubia", "default/kubia-lb", "default/kubia-nodeport"],
      httpRebuilt: false,
    });
    assert.deepEqual(
      cluster.endpoints("default", "kubia").filter((e) => e.conditions.ready).map((e) => e.pod),
      ["kubia-b", "kubia-c"],
    );
    const conn = { clientIp: "10.1.1.1", dstIp: "10.96.0.51", dstPort: 80 };
    const after = cluster.router({ balancer: "round-robin" });
    assert.ok(!pods(after.connectMany([conn, conn, conn, conn])).includes("kubia-a"));
    assert.ok(pods(before.connectMany([conn, conn, conn])).includes("kubia-a"));
  });

  test("a router follows the events applied to it, keeping its affinity", () => {
    const cluster = seed();
    const router = cluster.router({ balancer: "round-robin" });
    const conn = { clientIp: "10.1.1.1", dstIp: "10.96.0.51", dstPort: 80 };
    assert.ok(pods(router.connectMany([conn, conn, conn])).includes("kubia-a"));
    const outcome = router.applyEvent({ type: "MODIFIED", object: unready("kubia-a", "10.244.1.2") });
    assert.deepEqual(outcome.recomputed, ["default/kubia", "default/kubia-lb", "default/kubia-nodeport"]);
    assert.ok(!pods(router.connectMany([conn, conn, conn, conn])).includes("kubia-a"));
    // The cluster it was made from keeps its own snapshot.
    assert.ok(cluster.endpoints("default", "kubia").every((e) => e.conditions.ready));
    assert.throws(() => router.applyEvent({ type: "DELETED", object: { kind: "Pod", metadata: { name: "ghost" } } }), KrouteError);
  });

  test("a Service event recomputes it and refreshes the diagnostics", () => {
    const cluster = seed();
    assert.ok(cluster.diagnostics().some((d) => d.code === "service-selects-nothing"));
    const outcome = cluster.applyEvent({
      type: "ADDED",
      object: {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "backend-database" },
        spec: { clusterIP: "10.100.1.20", selector: { app: "kubia" }, ports: [{ port: 5432 }] },
      },
    });
    assert.deepEqual([outcome.recomputed, outcome.httpRebuilt], [["default/backend-database"], false]);
    assert.ok(!cluster.diagnostics().some((d) => d.code === "service-selects-nothing"));
    assert.equal(cluster.endpoints("default", "backend-database").length, 3);
  });

  test("errors", () => {
    const cluster = seed();
    throwsKind(() => cluster.applyEvent({ type: "DELETED", object: { kind: "Pod", metadata: { name: "ghost" } } }), "Request");
    throwsKind(() => cluster.applyEvent({ type: "ERROR", object: { kind: "Status" } }), "Manifest");
    throwsKind(() => cluster.applyEvent({ type: "ADDED" }), "Manifest");
    throwsKind(() => cluster.applyEvent([]), "Request");
    assert.equal(cluster.applyEvent({ type: "BOOKMARK", object: {} }).type, "BOOKMARK");
  });
});
