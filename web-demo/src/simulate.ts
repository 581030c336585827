// Simulation: N requests from M clients through one router, counted per endpoint, under the
// chosen balancer and session affinity.

import { BALANCERS, errorText, type BalancerName, type ConnDecision, type HttpDecision } from "./api";
import type { RequestForm } from "./examples";
import { t } from "./i18n";
import { connection, httpOptions, httpRequest } from "./request";
import { routerAt, type World } from "./world";

export interface SimForm {
  requests: number;
  clients: number;
  balancer: BalancerName;
  /** `""`: as the manifests say; otherwise every Service gets this `sessionAffinity`. */
  affinity: "" | "None" | "ClientIP";
  seed: number;
}

export const DEFAULT_SIM: SimForm = { requests: 100, clients: 10, balancer: "random", affinity: "", seed: 1 };

export interface SimResult {
  n: number;
  m: number;
  /** Outcome → count: a pod name, an `ip:port`, or a verdict / status. */
  buckets: Map<string, { count: number; ok: boolean }>;
  /** Mean number of distinct endpoints each client reached. */
  perClient: number;
  missing?: string;
  error?: string;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function bindSimForm(onRun: () => void, onEdit: () => void): void {
  const sel = $<HTMLSelectElement>("sim-balancer");
  sel.replaceChildren(...BALANCERS.map((b) => new Option(b, b)));
  const form = $<HTMLFormElement>("sim-form");
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    onRun();
  });
  form.addEventListener("change", onEdit);
}

export function getSim(): SimForm {
  const clamp = (v: number, lo: number, hi: number, d: number) => (Number.isFinite(v) && v >= lo ? Math.min(Math.floor(v), hi) : d);
  return {
    requests: clamp(Number($<HTMLInputElement>("sim-n").value), 1, 100000, DEFAULT_SIM.requests),
    clients: clamp(Number($<HTMLInputElement>("sim-m").value), 1, 10000, DEFAULT_SIM.clients),
    balancer: ($<HTMLSelectElement>("sim-balancer").value || "random") as BalancerName,
    affinity: $<HTMLSelectElement>("sim-affinity").value as SimForm["affinity"],
    seed: clamp(Number($<HTMLInputElement>("sim-seed").value), 0, Number.MAX_SAFE_INTEGER, 1),
  };
}

export function setSim(s: SimForm): void {
  $<HTMLInputElement>("sim-n").value = String(s.requests);
  $<HTMLInputElement>("sim-m").value = String(s.clients);
  $<HTMLSelectElement>("sim-balancer").value = s.balancer;
  $<HTMLSelectElement>("sim-affinity").value = s.affinity;
  $<HTMLInputElement>("sim-seed").value = String(s.seed);
}

/** The objects with every Service's `sessionAffinity` set (the affinity override). */
export function withAffinity(affinity: "None" | "ClientIP") {
  return (objects: Record<string, unknown>[]) =>
    objects.map((o) => {
      if (o.kind !== "Service") return o;
      const c = structuredClone(o);
      const spec = (c.spec ?? {}) as Record<string, unknown>;
      spec.sessionAffinity = affinity;
      if (affinity === "None") delete spec.sessionAffinityConfig;
      c.spec = spec;
      return c;
    });
}

/** `base` plus `i` (IPv4; other addresses are used as they are). */
export function ipPlus(base: string, i: number): string {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(base);
  if (!m) return base;
  const n = ((+m[1] << 24) >>> 0) + (+m[2] << 16) + (+m[3] << 8) + +m[4] + i;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** The first client's address: the form's client IP, or the client pod's IP. */
function baseClient(world: World, f: RequestForm): string {
  if (f.mode === "conn" && f.from === "pod") {
    const [ns, name] = f.fromPod.split("/");
    const p = world.topo.pods.find((x) => x.namespace === ns && x.name === name);
    if (p?.ip) return p.ip;
  }
  return f.clientIp || "203.0.113.7";
}

export function simulate(world: World, f: RequestForm, s: SimForm): SimResult {
  const res: SimResult = { n: s.requests, m: s.clients, buckets: new Map(), perClient: 0 };
  const made = routerAt(world, { seed: s.seed, balancer: s.balancer });
  if (!made) {
    res.missing = "router";
    return res;
  }
  const { router } = made;
  const base = baseClient(world, f);
  const seen = new Map<number, Set<string>>();
  const count = (client: number, key: string, ok: boolean) => {
    const b = res.buckets.get(key) ?? { count: 0, ok };
    b.count++;
    res.buckets.set(key, b);
    if (ok) {
      if (!seen.has(client)) seen.set(client, new Set());
      seen.get(client)!.add(key);
    }
  };
  const connKey = (d: ConnDecision) =>
    d.endpoint ? (d.endpoint.pod ?? `${d.endpoint.ip}:${d.endpoint.port}`) : d.verdict;
  const httpKey = (d: HttpDecision) =>
    d.endpoint ? (d.endpoint.pod ?? `${d.endpoint.ip}:${d.endpoint.port}`) : `${d.status}${d.reason ? " " + d.reason : ""}`;
  try {
    if (f.mode === "conn") {
      const conns = Array.from({ length: s.requests }, (_, i) => connection(f, ipPlus(base, i % s.clients)));
      const decisions =
        typeof router.connectMany === "function"
          ? router.connectMany(conns, world.time)
          : conns.map((c) => router.connect(c, world.time));
      decisions.forEach((d, i) => count(i % s.clients, connKey(d), !!d.endpoint));
    } else {
      if (typeof router.routeHttp !== "function") {
        res.missing = "router.routeHttp";
        return res;
      }
      for (let i = 0; i < s.requests; i++) {
        const req = httpRequest(f, ipPlus(base, i % s.clients));
        const options = httpOptions(f);
        const d = options ? router.routeHttp(req, world.time, options) : router.routeHttp(req, world.time);
        count(i % s.clients, httpKey(d), !!d.endpoint);
      }
    }
  } catch (e) {
    res.error = errorText(e);
  } finally {
    router.free?.();
  }
  const sizes = [...seen.values()].map((x) => x.size);
  res.perClient = sizes.length ? sizes.reduce((a, b) => a + b, 0) / sizes.length : 0;
  return res;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderSim(r: SimResult | null): void {
  const el = $<HTMLDivElement>("sim-result");
  if (!r) {
    el.replaceChildren();
    return;
  }
  if (r.missing) {
    el.innerHTML = `<p class="note" data-testid="missing">${esc(t("missingFeature", { what: r.missing }))}</p>`;
    return;
  }
  if (r.error) {
    el.innerHTML = `<p class="note bad">${esc(r.error)}</p>`;
    return;
  }
  const rows = [...r.buckets.entries()].sort((a, b) => Number(b[1].ok) - Number(a[1].ok) || a[0].localeCompare(b[0]));
  const max = Math.max(...rows.map(([, v]) => v.count), 1);
  const endpoints = rows.filter(([, v]) => v.ok).length;
  el.innerHTML =
    `<p data-testid="sim-summary">${esc(
      t("simSummary", { n: r.n, m: r.m, pods: endpoints, per: r.perClient.toFixed(r.perClient % 1 ? 2 : 0) }),
    )}</p>` +
    `<h3>${esc(t("simDistribution"))}</h3>` +
    `<table class="bars"><tbody>` +
    rows
      .map(([k, v]) => {
        const pct = ((100 * v.count) / r.n).toFixed(1);
        return (
          `<tr class="${v.ok ? "" : "bad"}" data-testid="bar" data-key="${esc(k)}" data-count="${v.count}">` +
          `<th scope="row">${esc(k)}</th>` +
          `<td class="bar"><span style="width:${((100 * v.count) / max).toFixed(1)}%"></span></td>` +
          `<td class="num">${v.count}</td><td class="num">${pct}%</td></tr>`
        );
      })
      .join("") +
    `</tbody></table>`;
}
