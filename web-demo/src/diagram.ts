// The picture: client → Ingress rules → Services → endpoints (pods, grouped by node), as SVG.
// The path a request took is highlighted; unready and terminating endpoints are drawn
// differently (dashed grey, red with a strike). Boxes carry data attributes (`data-kind`,
// `data-name`, `data-pod`, `data-ip`) so tests and styles can find them.

import { endpointsOf, type Endpoint } from "./api";
import { t } from "./i18n";
import type { World } from "./world";

/** The path a request took, in the diagram's terms. */
export interface Taken {
  /** The client box: its title and a second line. */
  client: { title: string; detail: string };
  /** How the client reached the Service (`NodePort worker-2 …`); an edge label. */
  entry?: string;
  ingress?: { namespace: string; name: string; rule: number | null; path: number | null } | null;
  service?: { namespace: string; name: string } | null;
  /** The endpoint chosen. */
  endpoint?: { ip: string; port?: number } | null;
  /** Endpoints that could have been chosen, when the choice is not known. */
  candidates?: string[];
  /** The request stops at the last highlighted box (DROP, REJECT, 404, 503…). */
  blocked?: boolean;
  /** An ExternalName target reached. */
  externalName?: string;
}

interface Box {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
  cls: string;
  lines: string[];
  attrs: Record<string, string>;
  title: string;
}

interface Edge {
  from: string;
  to: string;
  cls: string;
}

const COL = { client: 150, ingress: 205, service: 205, endpoint: 215 };
const GAP = 46;
const PAD = 14;
const VS = 12;
const HEAD = 30;

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Cuts `s` to fit `width` pixels at the diagram's font size. */
function fit(s: string, width: number, bold = false): string {
  const max = Math.floor(width / (bold ? 7.4 : 6.6));
  return s.length > max ? s.slice(0, Math.max(max - 1, 1)) + "…" : s;
}

interface EndpointView {
  ip: string;
  pod: string | null;
  node: string | null;
  ports: Set<number>;
  ready: boolean;
  terminating: boolean;
  services: Set<string>;
}

function endpointState(world: World, ns: string, e: Endpoint): { ready: boolean; terminating: boolean } {
  const key = e.pod ? `${ns}/${e.pod}` : "";
  const probed = key ? world.readiness.get(key) : undefined;
  const terminating = e.conditions.terminating;
  if (probed === undefined) return { ready: e.conditions.ready, terminating };
  return { ready: probed && !terminating, terminating };
}

export function renderDiagram(el: HTMLElement, world: World, taken: Taken | null): void {
  const { topo } = world;
  const services = topo.services.filter((s) => !(s.namespace === "default" && s.name === "kubernetes"));
  const ingressPaths = topo.ingresses.flatMap((ing) => ing.paths.map((p) => ({ ing, p })));
  const hasIngress = ingressPaths.length > 0;

  // Endpoints per Service, merged by address across Services.
  const eps = new Map<string, EndpointView>();
  const svcEps = new Map<string, string[]>();
  for (const s of services) {
    const key = `${s.namespace}/${s.name}`;
    const list: string[] = [];
    if (world.cluster) {
      for (const e of endpointsOf(world.cluster, s.namespace, s.name)) {
        const st = endpointState(world, s.namespace, e);
        let v = eps.get(e.ip);
        if (!v) {
          v = { ip: e.ip, pod: e.pod, node: e.node, ports: new Set(), ...st, services: new Set() };
          eps.set(e.ip, v);
        }
        v.ports.add(e.port);
        v.services.add(key);
        if (!list.includes(e.ip)) list.push(e.ip);
      }
    }
    svcEps.set(key, list);
  }

  // Columns.
  const x0 = PAD;
  const xIngress = x0 + COL.client + GAP;
  const xService = hasIngress ? xIngress + COL.ingress + GAP : xIngress;
  const xEndpoint = xService + COL.service + GAP;
  const width = xEndpoint + COL.endpoint + PAD;

  const boxes: Box[] = [];
  const edges: Edge[] = [];
  const groups: { label: string; x: number; y: number; w: number; h: number }[] = [];

  const clientBox: Box = {
    id: "client",
    x: x0,
    y: 0,
    w: COL.client,
    h: 52,
    cls: "client" + (taken ? " taken" : ""),
    lines: taken ? [taken.client.title, taken.client.detail] : [t("client"), "—"],
    attrs: { "data-kind": "client" },
    title: taken ? `${taken.client.title} ${taken.client.detail}` : t("client"),
  };
  boxes.push(clientBox);

  let y = HEAD;
  if (hasIngress) {
    for (const { ing, p } of ingressPaths) {
      const id = `ing:${ing.namespace}/${ing.name}:${p.rule}:${p.path}`;
      const isTaken =
        !!taken?.ingress &&
        taken.ingress.namespace === ing.namespace &&
        taken.ingress.name === ing.name &&
        taken.ingress.rule === p.rule &&
        taken.ingress.path === p.path;
      const tls = ing.tlsHosts.includes(p.host) ? " 🔒" : "";
      boxes.push({
        id,
        x: xIngress,
        y,
        w: COL.ingress,
        h: 44,
        cls: "ingress" + (isTaken ? " taken" : ""),
        lines: [`${p.host || "*"}${tls}`, `${p.pathText}${p.pathType ? ` (${p.pathType})` : ""} → ${p.service}:${p.port}`],
        attrs: {
          "data-kind": "ingress",
          "data-name": `${ing.namespace}/${ing.name}`,
          "data-rule": String(p.rule),
          "data-path": String(p.path),
        },
        title: `Ingress ${ing.name}: ${p.host || "*"} ${p.pathText} → ${p.service}:${p.port}`,
      });
      const target = `svc:${ing.namespace}/${p.service}`;
      edges.push({ from: id, to: target, cls: isTaken && !taken?.blocked ? "taken" : isTaken ? "taken blocked" : "" });
      if (isTaken) edges.push({ from: "client", to: id, cls: "taken" });
      y += 44 + VS;
    }
  }
  const ingressBottom = y;

  // Services; each ExternalName gets its target box in the endpoint column.
  y = HEAD;
  const externals: { svc: string; name: string }[] = [];
  for (const s of services) {
    const key = `${s.namespace}/${s.name}`;
    const id = `svc:${key}`;
    const isTaken = !!taken?.service && taken.service.namespace === s.namespace && taken.service.name === s.name;
    const ports = s.ports.map((p) => (p.nodePort != null ? `${p.port}:${p.nodePort}` : String(p.port))).join(", ");
    const badges = [
      s.affinity === "ClientIP" ? "ClientIP" : "",
      s.externalTrafficPolicy === "Local" && s.type !== "ClusterIP" ? "Local" : "",
    ].filter(Boolean);
    const addr = s.type === "ExternalName" ? s.externalName : s.clusterIP || "";
    boxes.push({
      id,
      x: xService,
      y,
      w: COL.service,
      h: 58,
      cls: "service" + (isTaken ? " taken" : "") + (isTaken && taken?.blocked ? " blocked" : ""),
      lines: [s.name, `${s.type} ${addr}`.trim(), `${t("dstPort")} ${ports || "—"}${badges.length ? " · " + badges.join(" · ") : ""}`],
      attrs: { "data-kind": "service", "data-name": key },
      title: `Service ${key} (${s.type})`,
    });
    if (isTaken && !taken?.ingress) edges.push({ from: "client", to: id, cls: "taken" });
    if (s.type === "ExternalName" && s.externalName) externals.push({ svc: key, name: s.externalName });
    y += 58 + VS;
  }
  const serviceBottom = y;

  // Endpoints, grouped by node (then the ones outside any node), then the ExternalName targets.
  y = HEAD;
  const byNode = new Map<string, EndpointView[]>();
  for (const v of eps.values()) {
    const g = v.node ?? "";
    if (!byNode.has(g)) byNode.set(g, []);
    byNode.get(g)!.push(v);
  }
  // Nodes without endpoints are drawn too (empty): where a Local policy has nothing to send to.
  // (only where nodes matter: a NodePort or LoadBalancer Service exists).
  const nodesMatter = services.some((s) => s.type === "NodePort" || s.type === "LoadBalancer");
  if (nodesMatter) for (const n of topo.nodes) if (!byNode.has(n.name)) byNode.set(n.name, []);
  const nodeNames = [...byNode.keys()].sort((a, b) => (a === "" ? 1 : b === "" ? -1 : a.localeCompare(b)));
  for (const n of nodeNames) {
    const list = byNode.get(n)!.sort((a, b) => (a.pod ?? a.ip).localeCompare(b.pod ?? b.ip));
    const top = y;
    y += 20;
    for (const v of list) {
      const id = `ep:${v.ip}`;
      const isTaken = taken?.endpoint?.ip === v.ip;
      const isCandidate = !isTaken && !!taken?.candidates?.includes(v.ip);
      const state = v.terminating ? "terminating" : v.ready ? "ready" : "unready";
      const stateText = v.terminating ? t("legendTerminating") : v.ready ? t("legendReady") : t("legendUnready");
      boxes.push({
        id,
        x: xEndpoint + 8,
        y,
        w: COL.endpoint - 16,
        h: 60,
        cls: `endpoint ${state}` + (isTaken ? " taken" : "") + (isCandidate ? " candidate" : ""),
        lines: [v.pod ?? v.ip, `${v.pod ? v.ip + " " : ""}:${[...v.ports].join(" :")}`, stateText],
        attrs: { "data-kind": "endpoint", "data-ip": v.ip, "data-pod": v.pod ?? "", "data-state": state },
        title: `${v.pod ? `Pod ${v.pod} ` : ""}${v.ip} (${stateText})`,
      });
      for (const s of v.services) {
        const svcTaken = taken?.service && `${taken.service.namespace}/${taken.service.name}` === s;
        edges.push({
          from: `svc:${s}`,
          to: id,
          cls: `${state}` + (isTaken && svcTaken ? " taken" : "") + (isCandidate && svcTaken ? " candidate" : ""),
        });
      }
      y += 60 + VS;
    }
    if (!list.length) y += 14 + VS;
    groups.push({ label: n ? `${n}${list.length ? "" : ` (${t("noEndpoints")})`}` : t("internet"), x: xEndpoint, y: top, w: COL.endpoint, h: y - top - VS + 8 });
    y += 14;
  }
  for (const x of externals) {
    const id = `ext:${x.name}`;
    const isTaken = taken?.externalName === x.name;
    if (!boxes.some((b) => b.id === id)) {
      boxes.push({
        id,
        x: xEndpoint + 8,
        y,
        w: COL.endpoint - 16,
        h: 46,
        cls: "external" + (isTaken ? " taken" : ""),
        lines: [x.name, `DNS CNAME · ${t("external")}`],
        attrs: { "data-kind": "external", "data-name": x.name },
        title: `CNAME ${x.name}`,
      });
      y += 46 + VS;
    }
    edges.push({ from: `svc:${x.svc}`, to: id, cls: "external" + (isTaken ? " taken" : "") });
  }
  const endpointBottom = y;

  const height = Math.max(ingressBottom, serviceBottom, endpointBottom, HEAD + 140) + PAD;
  clientBox.y = Math.max(HEAD, Math.round(height / 2 - clientBox.h / 2));

  const byId = new Map(boxes.map((b) => [b.id, b]));
  const parts: string[] = [];
  parts.push(
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker>` +
      `<marker id="arrow-taken" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead taken"/></marker></defs>`,
  );
  const heads: [number, string][] = [
    [x0, t("client")],
    ...(hasIngress ? ([[xIngress, t("ingress")]] as [number, string][]) : []),
    [xService, t("services")],
    [xEndpoint, t("endpointsPods")],
  ];
  for (const [x, label] of heads) parts.push(`<text class="col-head" x="${x}" y="16">${esc(label)}</text>`);
  for (const g of groups) {
    parts.push(
      `<g class="node-group"><rect x="${g.x}" y="${g.y}" width="${g.w}" height="${g.h}" rx="8"/>` +
        `<text x="${g.x + 8}" y="${g.y + 14}">${esc(fit(g.label, g.w - 16))}</text></g>`,
    );
  }
  // Edges under boxes; taken edges last so they draw on top.
  const sorted = [...edges].sort((a, b) => Number(a.cls.includes("taken")) - Number(b.cls.includes("taken")));
  for (const e of sorted) {
    const a = byId.get(e.from);
    const b = byId.get(e.to);
    if (!a || !b) continue;
    const x1 = a.x + a.w;
    const y1 = a.y + a.h / 2;
    const x2 = b.x - 2;
    const y2 = b.y + b.h / 2;
    const mx = (x1 + x2) / 2;
    const taken = e.cls.includes("taken");
    parts.push(
      `<path class="edge ${e.cls}" d="M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}" marker-end="url(#${taken ? "arrow-taken" : "arrow"})"/>`,
    );
  }
  for (const b of boxes) {
    const attrs = Object.entries(b.attrs)
      .map(([k, v]) => ` ${k}="${esc(v)}"`)
      .join("");
    const lines = b.lines
      .map((l, i) => {
        const bold = i === 0;
        return `<text x="${b.x + 10}" y="${b.y + 18 + i * 16}" class="${bold ? "title" : "detail"}">${esc(fit(l, b.w - 20, bold))}</text>`;
      })
      .join("");
    parts.push(
      `<g class="box ${b.cls}"${attrs}><title>${esc(b.title)}</title>` +
        `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="6"/>${lines}` +
        (b.cls.includes("terminating") ? `<line class="strike" x1="${b.x + 10}" y1="${b.y + 13}" x2="${b.x + b.w - 10}" y2="${b.y + 13}"/>` : "") +
        `</g>`,
    );
  }
  // How the client got in (`LoadBalancer 198.51.100.10:80 @worker-1`), under the client box.
  if (taken?.entry) {
    const words = taken.entry.split(" ");
    const lines = [words[0], words.slice(1).join(" ")].filter(Boolean);
    lines.forEach((l, i) => {
      parts.push(
        `<text class="entry-label" x="${clientBox.x + 4}" y="${clientBox.y + clientBox.h + 18 + i * 15}">${i === 0 ? "→ " : ""}${esc(fit(l, COL.client + GAP - 8))}</text>`,
      );
    });
  }
  const summary = taken
    ? [taken.client.title, taken.ingress?.name, taken.service?.name, taken.endpoint?.ip ?? taken.externalName]
        .filter(Boolean)
        .join(" → ")
    : t("diagramLabel");
  el.innerHTML =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(summary)}">` +
    parts.join("") +
    `</svg>`;
}
