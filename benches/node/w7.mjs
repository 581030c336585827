// W7: the connection kernel in the npm package under Node; prints {"ns_per_op": …} for the
// native harness to compare with the same workload run natively (spec/performance.md W7).
import { readFileSync } from "node:fs";
import { Cluster } from "../../wasm/pkg/node.js";

const yaml = readFileSync(new URL("./w7-cluster.yaml", import.meta.url), "utf8");
const cluster = Cluster.fromYaml(yaml);
const router = cluster.router({ seed: 1, balancer: process.argv[2] ?? "random" });
const conns = [];
for (let i = 0; i < 10000; i++) {
  conns.push({ clientIp: `10.1.${(i >> 8) & 255}.${i & 255}`, dstIp: "10.96.0.50", dstPort: 80 });
}
const rounds = [];
for (let r = 0; r < 9; r++) {
  const t = process.hrtime.bigint();
  let forwarded = 0;
  for (const c of conns) if (router.connect(c, 0).verdict === "FORWARD") forwarded++;
  rounds.push(Number(process.hrtime.bigint() - t) / conns.length);
  if (forwarded !== conns.length) throw new Error("not forwarded");
}
rounds.sort((a, b) => a - b);
console.log(JSON.stringify({ ns_per_op: rounds[4] }));
