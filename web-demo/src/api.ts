// The parts of the npm package `kroute` the playground uses, typed here so that the playground
// also builds against a package that does not have them yet. Every call beyond `fromYaml`,
// `fromObjects`, `diagnostics` and `endpoints` is feature-detected (`typeof c.router ===
// "function"`): a missing one disables its panel with a note instead of breaking the page.
//
// The shapes are kroute's canonical JSON (camelCase, `null` for unknown), see design.md.

import type { Cluster, Endpoint } from "kroute";

export type { Cluster, Diagnostic, Endpoint, KrouteError } from "kroute";

/** One variable a container sees. */
export interface EnvVar {
  name: string;
  value: string;
  /** `service` (kubelet's Service links) or `env` (the container's own `env`). */
  source: string;
  /** For Service variables: `namespace/name`. */
  service: string | null;
}

export interface DnsRecord {
  name: string;
  type: string;
  ttl: number;
  data: string;
}

export interface DnsAnswer {
  rcode: "NOERROR" | "NXDOMAIN" | "UPSTREAM" | string;
  answers: DnsRecord[];
  additional: DnsRecord[];
  /** Every name the resolver tried, in order (the search-path expansion). */
  tried: string[];
}

export type BalancerName =
  | "random"
  | "round-robin"
  | "weighted"
  | "least-request"
  | "source-hash"
  | "maglev"
  | "ring-hash";

export const BALANCERS: BalancerName[] = [
  "random",
  "round-robin",
  "weighted",
  "least-request",
  "source-hash",
  "maglev",
  "ring-hash",
];

export interface RouterConfig {
  seed?: number;
  balancer?: BalancerName;
  node?: string;
  explain?: boolean;
}

/** A connection attempt (L4). */
export interface Conn {
  clientIp?: string;
  clientPort?: number;
  dstIp: string;
  dstPort: number;
  protocol?: "TCP" | "UDP" | "SCTP";
  /** `namespace/name` of the client pod. */
  fromPod?: string;
  node?: string;
}

export interface EndpointRef {
  ip: string;
  port: number;
  pod: string | null;
  node: string | null;
}

export interface ServiceRef {
  namespace: string;
  name: string;
  port: number;
  portName: string;
}

export interface ConnDecision {
  verdict: "FORWARD" | "DROP" | "REJECT" | "PASS";
  via: string | null;
  service: ServiceRef | null;
  node: string | null;
  endpoint: EndpointRef | null;
  sourceNat: boolean;
  clientIpSeen: string | null;
  affinity: "hit" | "new" | "none";
  balancer: string;
  reason: string;
  trace: TraceEntry[] | null;
}

/** Connection traces are sentences; HTTP traces are `{step, message}`. */
export type TraceEntry = string | { step: string; message: string };

export interface ReadinessChange {
  time: number;
  pod: string;
  ready: boolean;
}

export interface ProbeStep {
  until: number;
  ok: boolean;
}

/** One HTTP request as a client sends it. */
export interface HttpRequest {
  url: string;
  method?: string;
  headers?: [string, string][];
  sni?: string;
  clientIp?: string;
}

/** How Ingress routing behaves: whose behaviour (`upstream` by default) and which class. */
export interface HttpOptions {
  profile?: "upstream" | "ingress-nginx";
  ingressClass?: string;
}

export interface HttpBackend {
  namespace: string;
  service: string | null;
  port: number | string | null;
  servicePort?: number | null;
  resource?: { apiGroup: string; kind: string; name: string } | null;
  usableEndpoints?: number;
}

export interface HttpDecision {
  status: number;
  reason?: string;
  source: { kind: string; namespace: string; name: string; rule: number | null; path: number | null } | null;
  match: { host: string; hostMatch: string; path: string | null; pathType: string | null } | null;
  backend: HttpBackend | null;
  tls: {
    sni: string;
    host: string | null;
    namespace: string | null;
    secretName: string | null;
    defaultCertificate: boolean;
  } | null;
  redirect: { location: string; status: number } | null;
  upstreamRequest: { host: string; path: string } | null;
  trace: TraceEntry[] | null;
  /** Router only: the endpoint the proxy picked. */
  endpoint?: EndpointRef | null;
  /** Router only: the affinity cookie set on the response. */
  setCookie?: string | null;
}

export interface Router {
  connect(conn: Conn, now: number): ConnDecision;
  connectMany?(conns: Conn[], now: number): ConnDecision[];
  advance?(now: number): ReadinessChange[];
  reportProbe?(namespace: string, pod: string, ok: boolean, now: number): boolean;
  scriptProbe?(namespace: string, pod: string, script: ProbeStep[]): void;
  routeHttp?(req: HttpRequest, now: number, options?: HttpOptions): HttpDecision;
  free?(): void;
}

/** A watch event: the API server's wire format. */
export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: Record<string, unknown>;
}

/** The calls being added to the package; each may be missing. */
interface ClusterNext {
  envVars?(namespace: string, options?: { enableServiceLinks?: boolean }): EnvVar[];
  podEnv?(namespace: string, pod: string, container?: string): EnvVar[];
  resolve?(name: string, type?: string, namespace?: string): DnsAnswer;
  usableEndpoints?(namespace: string, service: string, options?: { node?: string; port?: number }): unknown;
  router?(config?: RouterConfig): Router;
  applyEvent?(event: WatchEvent): unknown;
  routeHttp?(req: HttpRequest, options?: HttpOptions): HttpDecision;
}

function next(c: Cluster): ClusterNext {
  return c as unknown as ClusterNext;
}

/** What this build of the package can do. */
export interface Features {
  router: boolean;
  routeHttp: boolean;
  routerHttp: boolean;
  podEnv: boolean;
  resolve: boolean;
  applyEvent: boolean;
  probes: boolean;
  connectMany: boolean;
}

export function features(c: Cluster): Features {
  const n = next(c);
  let routerHttp = false;
  let probes = false;
  let connectMany = false;
  if (typeof n.router === "function") {
    const r = n.router({ seed: 0 });
    routerHttp = typeof r.routeHttp === "function";
    probes = typeof r.advance === "function" && typeof r.scriptProbe === "function";
    connectMany = typeof r.connectMany === "function";
    r.free?.();
  }
  return {
    router: typeof n.router === "function",
    routeHttp: typeof n.routeHttp === "function",
    routerHttp,
    podEnv: typeof n.podEnv === "function",
    resolve: typeof n.resolve === "function",
    applyEvent: typeof n.applyEvent === "function",
    probes,
    connectMany,
  };
}

export function endpointsOf(c: Cluster, namespace: string, service: string): Endpoint[] {
  try {
    return c.endpoints(namespace, service);
  } catch {
    return [];
  }
}

export function makeRouter(c: Cluster, config: RouterConfig): Router | null {
  const n = next(c);
  return typeof n.router === "function" ? n.router(config) : null;
}

export function routeHttp(c: Cluster, req: HttpRequest, options?: HttpOptions): HttpDecision | null {
  const n = next(c);
  if (typeof n.routeHttp !== "function") return null;
  return options ? n.routeHttp(req, options) : n.routeHttp(req);
}

export function podEnv(c: Cluster, namespace: string, pod: string): EnvVar[] | null {
  const n = next(c);
  return typeof n.podEnv === "function" ? n.podEnv(namespace, pod) : null;
}

export function resolve(c: Cluster, name: string, type: string, namespace: string): DnsAnswer | null {
  const n = next(c);
  return typeof n.resolve === "function" ? n.resolve(name, type, namespace) : null;
}

export function applyEvent(c: Cluster, event: WatchEvent): boolean {
  const n = next(c);
  if (typeof n.applyEvent !== "function") return false;
  n.applyEvent(event);
  return true;
}

/** A trace entry as one line of text (`step: message` for HTTP steps). */
export function traceText(e: TraceEntry): { step: string; message: string } {
  return typeof e === "string" ? { step: "", message: e } : e;
}

/** The message of anything thrown (a KrouteError carries its location in `message`). */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
