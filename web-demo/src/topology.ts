// What the manifests declare, read in JS for drawing and for the pickers: Ingress rules,
// Services, Pods and Nodes with their names, addresses and ports. Nothing here decides where
// traffic goes (kroute does); this only lists what exists. Read leniently: a broken document
// is skipped (kroute reports it in the editor).

import { parseAllDocuments } from "yaml";

export interface IngressPath {
  /** Index of the rule in `spec.rules` and of the path in its `http.paths` (as kroute reports them). */
  rule: number | null;
  path: number | null;
  host: string;
  pathText: string;
  pathType: string;
  service: string;
  port: string;
}

export interface IngressInfo {
  namespace: string;
  name: string;
  paths: IngressPath[];
  tlsHosts: string[];
}

export interface ServiceInfo {
  namespace: string;
  name: string;
  type: string;
  clusterIP: string;
  externalName: string;
  ports: { name: string; port: number; nodePort: number | null; protocol: string }[];
  lbIps: string[];
  affinity: string;
  externalTrafficPolicy: string;
  selector: Record<string, string> | null;
}

export interface PodInfo {
  namespace: string;
  name: string;
  ip: string;
  node: string;
  labels: Record<string, string>;
}

export interface NodeInfo {
  name: string;
  ip: string;
}

export interface Topology {
  objects: Record<string, unknown>[];
  ingresses: IngressInfo[];
  services: ServiceInfo[];
  pods: PodInfo[];
  nodes: NodeInfo[];
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {};
}
function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
function str(v: unknown): string {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : "";
}
function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(obj(v))) out[k] = str(x);
  return out;
}

/** The documents of `text` as plain objects (broken or empty documents left out). */
export function parseObjects(text: string): Obj[] {
  const out: Obj[] = [];
  let docs;
  try {
    docs = parseAllDocuments(text);
  } catch {
    return out;
  }
  for (const d of Array.isArray(docs) ? docs : [docs]) {
    if (!("errors" in d) || d.errors.length) continue;
    let v: unknown;
    try {
      v = d.toJS();
    } catch {
      continue;
    }
    const items = obj(v).kind === "List" ? arr(obj(v).items) : [v];
    for (const it of items) if (it && typeof it === "object" && !Array.isArray(it)) out.push(it as Obj);
  }
  return out;
}

export function topology(objects: Obj[], defaultNamespace = "default"): Topology {
  const t: Topology = { objects, ingresses: [], services: [], pods: [], nodes: [] };
  for (const o of objects) {
    const meta = obj(o.metadata);
    const spec = obj(o.spec);
    const status = obj(o.status);
    const namespace = str(meta.namespace) || defaultNamespace;
    const name = str(meta.name);
    switch (o.kind) {
      case "Ingress": {
        const paths: IngressPath[] = [];
        const backendOf = (b: unknown) => {
          const s = obj(obj(b).service);
          const port = obj(s.port);
          return { service: str(s.name), port: str(port.number) || str(port.name) };
        };
        arr(spec.rules).forEach((r, ri) => {
          const rule = obj(r);
          arr(obj(rule.http).paths).forEach((p, pi) => {
            const path = obj(p);
            paths.push({
              rule: ri,
              path: pi,
              host: str(rule.host),
              pathText: str(path.path) || "/",
              pathType: str(path.pathType),
              ...backendOf(path.backend),
            });
          });
        });
        if (spec.defaultBackend) {
          paths.push({ rule: null, path: null, host: "*", pathText: "(default backend)", pathType: "", ...backendOf(spec.defaultBackend) });
        }
        const tlsHosts = arr(spec.tls).flatMap((e) => arr(obj(e).hosts).map(str));
        t.ingresses.push({ namespace, name, paths, tlsHosts });
        break;
      }
      case "Service":
        t.services.push({
          namespace,
          name,
          type: str(spec.type) || "ClusterIP",
          clusterIP: str(spec.clusterIP),
          externalName: str(spec.externalName),
          ports: arr(spec.ports).map((p) => {
            const port = obj(p);
            return {
              name: str(port.name),
              port: Number(port.port) || 0,
              nodePort: port.nodePort == null ? null : Number(port.nodePort),
              protocol: str(port.protocol) || "TCP",
            };
          }),
          lbIps: arr(obj(status.loadBalancer).ingress).map((i) => str(obj(i).ip)).filter(Boolean),
          affinity: str(spec.sessionAffinity) || "None",
          externalTrafficPolicy: str(spec.externalTrafficPolicy) || "Cluster",
          selector: spec.selector ? strMap(spec.selector) : null,
        });
        break;
      case "Pod":
        t.pods.push({
          namespace,
          name,
          ip: str(status.podIP),
          node: str(spec.nodeName),
          labels: strMap(meta.labels),
        });
        break;
      case "Node": {
        const addrs = arr(status.addresses).map(obj);
        const ip = addrs.find((a) => a.type === "InternalIP") ?? addrs[0] ?? {};
        t.nodes.push({ name, ip: str(ip.address) });
        break;
      }
    }
  }
  return t;
}

/** An address worth connecting to, for the request form's picker. */
export interface Address {
  label: string;
  ip: string;
  port: number;
  node?: string;
}

/** Every Service address the manifests spell out: cluster IPs, node ports, load-balancer IPs. */
export function addresses(t: Topology, clusterIpOf: (s: ServiceInfo) => string | null): Address[] {
  const out: Address[] = [];
  for (const s of t.services) {
    const ip = s.clusterIP && s.clusterIP !== "None" ? s.clusterIP : clusterIpOf(s);
    for (const p of s.ports) {
      if (ip && s.type !== "ExternalName") out.push({ label: `${s.name} · ClusterIP ${ip}:${p.port}`, ip, port: p.port });
      if (p.nodePort != null && (s.type === "NodePort" || s.type === "LoadBalancer")) {
        for (const n of t.nodes) {
          if (n.ip) out.push({ label: `${s.name} · NodePort ${n.name} ${n.ip}:${p.nodePort}`, ip: n.ip, port: p.nodePort });
        }
      }
      for (const lb of s.lbIps) out.push({ label: `${s.name} · LoadBalancer ${lb}:${p.port}`, ip: lb, port: p.port });
    }
  }
  return out;
}
