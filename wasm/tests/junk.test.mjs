// Issue 10: hostile input through the npm package. The fuzz corpus, mutated corpus and generated
// junk (alias bombs, nesting at the depth ceiling, huge strings, NUL, lone surrogates) only ever
// throw a KrouteError (never a WebAssembly trap or a stack overflow), each call in bounded time;
// and the `limits` option reaches the core.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { Cluster, KrouteError, Selector } from "../pkg/node.js";

const CORPUS = new URL("../../core/fuzz/corpus/", import.meta.url);
const MILLISECONDS = 5000; // per call, far above what any of these takes

// Three Services (public, private, admin) behind one Ingress on app.example: the bypass table's.
const BYPASS = new URL("../../tests/vectors/http-bypass.json", import.meta.url);
const INGRESS = JSON.parse(readFileSync(BYPASS, "utf8"))[0].manifests;

/** Runs `fn`: it returns, or throws a KrouteError, in bounded time. The result or the error. */
function survives(fn) {
  const start = performance.now();
  let result;
  try {
    result = fn();
  } catch (e) {
    assert.ok(!(e instanceof WebAssembly.RuntimeError), `a WebAssembly trap: ${e}`);
    assert.ok(e instanceof KrouteError, `expected a KrouteError, got ${e?.name}: ${e?.message}`);
    result = e;
  }
  const took = performance.now() - start;
  assert.ok(took < MILLISECONDS, `took ${took} ms`);
  return result;
}

/** Runs `fn`, which must throw a KrouteError; returns it. */
function refused(fn) {
  const e = survives(fn);
  assert.ok(e instanceof KrouteError, "hostile input was accepted");
  return e;
}

function corpus(target) {
  const dir = new URL(`${target}/`, CORPUS);
  const files = readdirSync(dir).sort();
  assert.ok(files.length > 0, `no corpus for ${target}`);
  return files.map((f) => readFileSync(new URL(f, dir)));
}

/** Bytes as text (invalid UTF-8 replaced, as `TextDecoder` does). */
const text = (bytes) => new TextDecoder().decode(bytes);

/** A deterministic generator (SplitMix-like LCG) so failures reproduce. */
function rng(seed) {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

function mutate(bytes, next) {
  const b = Array.from(bytes.length ? bytes : [120]);
  const inserts = ["{", "[", "&a ", "*a", "\u0000", "\uFFFD", "---\n", "%2e"];
  for (let k = 1 + next(8); k > 0; k--) {
    const i = next(b.length);
    const op = next(3);
    if (op === 0) b[i] = next(256);
    else if (op === 1) b.splice(i, 0, ...new TextEncoder().encode(inserts[next(inserts.length)]));
    else if (b.length > 1) b.splice(i, 1);
  }
  return Uint8Array.from(b);
}

function use(cluster) {
  if (!(cluster instanceof Cluster)) return;
  survives(() => cluster.diagnostics());
  survives(() => cluster.endpoints("default", "public"));
  survives(() => cluster.routeHttp("http://app.example/"));
  cluster.free();
}

describe("the fuzz corpus through the npm package", () => {
  test("load: corpus and mutations", () => {
    const samples = corpus("load");
    const next = rng(10);
    const mutated = Array.from({ length: 300 }, () => mutate(samples[next(samples.length)], next));
    for (const bytes of [...samples, ...mutated]) {
      use(survives(() => Cluster.fromYaml(text(bytes))));
      use(survives(() => Cluster.fromJson(text(bytes))));
    }
  });

  test("selector corpus", () => {
    for (const bytes of corpus("selector")) {
      const s = survives(() => Selector.parse(text(bytes)));
      if (s instanceof Selector) s.free();
    }
  });

  test("watch corpus", () => {
    for (const bytes of corpus("watch")) {
      const cluster = Cluster.fromYaml(INGRESS);
      for (const line of text(bytes).split("\n")) {
        let event;
        try {
          event = JSON.parse(line);
        } catch {
          use(survives(() => Cluster.fromJson(line)));
          continue;
        }
        if (event !== null && typeof event === "object") survives(() => cluster.applyEvent(event));
      }
      survives(() => cluster.endpoints("default", "public"));
      cluster.free();
    }
  });

  test("route corpus", () => {
    const cluster = Cluster.fromYaml(INGRESS);
    const router = cluster.router();
    for (const bytes of corpus("route")) {
      const t = text(bytes);
      survives(() => cluster.routeHttp("http://app.example/" + t));
      survives(() => cluster.routeHttp({ url: "http://app.example/", headers: { x: t } }));
      survives(() => router.routeHttp("http://" + t));
      survives(() => cluster.lookupHttp("http://app.example/" + t));
      survives(() => cluster.lookupHttp(t));
      survives(() => cluster.lookupHttpMany(["http://" + t, t, "/" + t]));
      survives(() => router.lookupHttp("http://" + t));
    }
    router.free();
    cluster.free();
  });
});

describe("hostile input within the limits", () => {
  test("billion laughs is refused quickly", () => {
    const lines = ["a0: &a0 [" + Array(10).fill("lol").join(", ") + "]"];
    for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [` + Array(10).fill(`*a${i - 1}`).join(", ") + "]");
    const start = performance.now();
    const e = refused(() => Cluster.fromYaml(lines.join("\n")));
    assert.match(e.message, /limits\.maxAliasExpansion \(100000\)/);
    assert.ok(performance.now() - start < 2000);
  });

  test("nesting at the depth ceiling loads without exhausting the wasm stack, one more is refused", () => {
    const limits = { maxDepth: 128 };
    for (const [open, close] of [["[", "]"], ["{a: ", "}"]]) {
      use(survives(() => Cluster.fromYaml(open.repeat(127) + "1" + close.repeat(127), { limits })));
      use(survives(() => Cluster.fromJson("[".repeat(128) + "]".repeat(128), { limits })));
      const e = refused(() => Cluster.fromYaml(open.repeat(129) + "1" + close.repeat(129), { limits }));
      assert.match(e.message, /limits\.maxDepth \(128\)/);
    }
    const block = Array.from({ length: 128 }, (_, i) => " ".repeat(i) + "a:").join("\n") + " 1\n";
    use(survives(() => Cluster.fromYaml(block, { limits })));
    const e = refused(() => Cluster.fromJson("[".repeat(10_000)));
    assert.deepEqual([e.line, e.column, e.document], [1, 101, 0]);
  });

  test("huge input is refused at once, long strings with their field", () => {
    const start = performance.now();
    const e = refused(() => Cluster.fromYaml("a: " + "x".repeat(40 << 20)));
    assert.match(e.message, /limits\.maxInputBytes \(33554432\)/);
    assert.ok(performance.now() - start < 1000);
    const note = "y".repeat(3 << 20);
    const f = refused(() => Cluster.fromYaml(`apiVersion: v1\nkind: Pod\nmetadata: {name: a, annotations: {note: ${note}}}\n`));
    assert.deepEqual([f.field, f.line], ["metadata.annotations.note", 3]);
    const o = refused(() => Cluster.fromObjects([{ kind: "Pod" }, { kind: "Pod", metadata: { name: note } }]));
    assert.deepEqual([o.document, o.field], [1, "metadata.name"]);
  });

  test("NUL and lone surrogates", () => {
    refused(() => Cluster.fromYaml("apiVersion: v1\u0000\nkind: Pod\n"));
    refused(() => Selector.parse("app=a\u0000b"));
    const cluster = Cluster.fromYaml(INGRESS);
    assert.equal(cluster.routeHttp("http://app.example/a%00b").status, 400);
    assert.equal(cluster.routeHttp("http://app.example/a\u0000b").status, 400);
    cluster.free();
    use(survives(() => Cluster.fromYaml("kind: Pod\nmetadata: {name: \uD800}\n")));
  });

  test("lookupHttp: wrong arguments, hostile arrays, NUL and lone surrogates", () => {
    const cluster = Cluster.fromYaml(INGRESS);
    for (const bad of [undefined, null, 5, {}, ["/"], Symbol("x")]) {
      assert.equal(refused(() => cluster.lookupHttp(bad)).kind, "Request");
    }
    for (const bad of [undefined, null, "/", 5, { length: 1, 0: "/" }, new Set(["/"])]) {
      assert.equal(refused(() => cluster.lookupHttpMany(bad)).kind, "Request");
    }
    const e = refused(() => cluster.lookupHttpMany(["/", "/", 7]));
    assert.deepEqual([e.kind, e.field], ["Request", "urls[2]"]);
    const notUrl = refused(() => cluster.lookupHttpMany(["/", "ftp://x/"]));
    assert.deepEqual([notUrl.kind, notUrl.field], ["Request", "urls[1]"]);
    const trap = new Proxy(["/"], {
      get(target, key) {
        if (key === "0") throw new Error("boom");
        return target[key];
      },
    });
    assert.match(refused(() => cluster.lookupHttpMany(trap)).message, /reading it threw Error: boom/);
    assert.equal(cluster.lookupHttp("http://app.example/a\u0000b").result, "refused");
    assert.equal(cluster.lookupHttp("http://app.example/a%00b").result, "refused");
    // Lone surrogates become U+FFFD in one call and in a batch alike (the batch packs lengths in UTF-16 units).
    const odd = ["/\uD800", "/\uDC00x", "/\uD83D\uDE00", "http://app.example/\uD800/public"];
    assert.deepEqual(cluster.lookupHttpMany(odd), odd.map((u) => cluster.lookupHttp(u)));
    assert.deepEqual(cluster.lookupHttpMany([]), []);
    cluster.free();
  });

  test("random strings", () => {
    const next = rng(7);
    const routing = Cluster.fromYaml(INGRESS);
    for (let k = 0; k < 300; k++) {
      const t = String.fromCharCode(...Array.from({ length: 1 + next(400) }, () => next(0x10000)));
      use(survives(() => Cluster.fromYaml(t)));
      use(survives(() => Cluster.fromJson(t)));
      const s = survives(() => Selector.parse(t));
      if (s instanceof Selector) s.free();
      const lookups = survives(() => routing.lookupHttpMany([t, "http://" + t]));
      if (Array.isArray(lookups)) assert.deepEqual(lookups, [t, "http://" + t].map((u) => routing.lookupHttp(u)));
    }
    routing.free();
  });

  test("the limits option reaches the core", () => {
    const pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, labels: {a: v1, b: v2, c: v3}}\n";
    const e = refused(() => Cluster.fromYaml(pod, { limits: { maxLabels: 2 } }));
    assert.equal(e.kind, "Manifest");
    assert.equal(e.reason, "3 entries, over limits.maxLabels (2)");
    assert.deepEqual([e.document, e.line, e.field], [0, 3, "metadata.labels"]);
    Cluster.fromYaml(pod, { limits: { maxLabels: 3 } }).free();
    assert.equal(refused(() => Cluster.fromYaml(pod, { limits: { maxDeep: 3 } })).kind, "Request");
    assert.match(refused(() => Cluster.fromYaml(pod, { limits: { maxDepth: 500 } })).message, /at most 128/);
    const deep = refused(() => Cluster.fromObjects([{ kind: "Pod", spec: { a: { b: { c: 1 } } } }], { limits: { maxDepth: 3 } }));
    assert.deepEqual([deep.reason, deep.field], ["nested too deep, over limits.maxDepth (3)", "spec.a.b"]);
  });
});
