// W7: kernels of the npm package under Node, for the native harness (benches/src/w7.rs) to
// compare with the same workload run natively (spec/performance.md W7). Prints
// {"ns_per_op": …}, the median of 9 rounds.
//
//   node w7.mjs connect random|maglev   10,000 connections, one `router.connect` each
//   node w7.mjs routeHttp               the URLs on stdin (a JSON array), one `cluster.routeHttp` each
//   node w7.mjs routeHttpMany           the same URLs, all in one `cluster.routeHttpMany` call
//   node w7.mjs lookupHttp              the same URLs, one `cluster.lookupHttp` each
//   node w7.mjs lookupHttpMany          the same URLs, all in one `cluster.lookupHttpMany` call
import { readFileSync } from "node:fs";
import { Cluster } from "../../wasm/pkg/node.js";

const cluster = Cluster.fromYaml(readFileSync(new URL("./w7-cluster.yaml", import.meta.url), "utf8"));

/**
 * Median ns per operation of `round()`, which performs `ops` operations and returns a checksum;
 * after half a second of warm-up rounds (V8 runs wasm in its baseline tier until hot code is
 * optimised, as it does JS).
 */
function median(ops, round) {
  for (const start = performance.now(); performance.now() - start < 500; ) round();
  const times = [];
  for (let r = 0; r < 9; r++) {
    const t = process.hrtime.bigint();
    round();
    times.push(Number(process.hrtime.bigint() - t) / ops);
  }
  return times.sort((a, b) => a - b)[4];
}

/** Checks that the work was done: `n` results, `ok` of them as expected. */
function check(what, ok, n) {
  if (ok !== n) throw new Error(`${what}: ${ok} of ${n} as expected`);
}

function connect(balancer) {
  const router = cluster.router({ seed: 1, balancer });
  const conns = [];
  for (let i = 0; i < 10000; i++) {
    conns.push({ clientIp: `10.1.${(i >> 8) & 255}.${i & 255}`, dstIp: "10.96.0.50", dstPort: 80 });
  }
  return median(conns.length, () => {
    let forwarded = 0;
    for (const c of conns) if (router.connect(c, 0).verdict === "FORWARD") forwarded++;
    check("connect", forwarded, conns.length);
  });
}

const urls = () => JSON.parse(readFileSync(0, "utf8"));
const routed = (decisions) => decisions.filter((d) => d.status === 200 || d.status === 404).length;
const found = (answers) => answers.filter((a) => a.result === "matched" || a.result === "no-route").length;

const modes = {
  connect: () => connect(process.argv[3] ?? "random"),
  routeHttp: () => {
    const list = urls();
    return median(list.length, () => check("routeHttp", routed(list.map((u) => cluster.routeHttp(u))), list.length));
  },
  routeHttpMany: () => {
    const list = urls();
    return median(list.length, () => check("routeHttpMany", routed(cluster.routeHttpMany(list)), list.length));
  },
  lookupHttp: () => {
    const list = urls();
    return median(list.length, () => check("lookupHttp", found(list.map((u) => cluster.lookupHttp(u))), list.length));
  },
  lookupHttpMany: () => {
    const list = urls();
    return median(list.length, () => check("lookupHttpMany", found(cluster.lookupHttpMany(list)), list.length));
  },
};
const mode = modes[process.argv[2]];
if (mode === undefined) throw new Error(`usage: node w7.mjs ${Object.keys(modes).join("|")} [balancer]`);
console.log(JSON.stringify({ ns_per_op: mode() }));
