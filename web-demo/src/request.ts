// The request panel: an HTTP request (URL, method, headers, cookies, client IP, SNI) or a
// connection (from a pod or an outside client, to IP:port); sending it through kroute; and the
// result: the decision, its facts, its trace, and the path to highlight in the diagram.

import {
  endpointsOf,
  errorText,
  routeHttp,
  traceText,
  type Conn,
  type ConnDecision,
  type HttpDecision,
  type HttpOptions,
  type HttpRequest,
  type Router,
  type TraceEntry,
} from "./api";
import type { Taken } from "./diagram";
import { DEFAULT_REQUEST, type Example, type RequestForm } from "./examples";
import { t, tx } from "./i18n";
import { addresses } from "./topology";
import type { World } from "./world";

export type Outcome =
  | { kind: "conn"; form: RequestForm; decision: ConnDecision }
  | { kind: "http"; form: RequestForm; decision: HttpDecision; picked: boolean }
  | { kind: "missing"; form: RequestForm; what: string }
  | { kind: "error"; form: RequestForm; message: string };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function radios(name: string): HTMLInputElement[] {
  return [...document.querySelectorAll<HTMLInputElement>(`input[name="${name}"]`)];
}

export function getForm(): RequestForm {
  const mode = radios("mode").find((r) => r.checked)?.value === "http" ? "http" : "conn";
  const from = radios("from").find((r) => r.checked)?.value === "outside" ? "outside" : "pod";
  return {
    mode,
    url: $<HTMLInputElement>("url").value.trim(),
    method: $<HTMLSelectElement>("method").value,
    headers: $<HTMLTextAreaElement>("headers").value,
    cookies: $<HTMLInputElement>("cookies").value.trim(),
    sni: $<HTMLInputElement>("sni").value.trim(),
    profile: $<HTMLSelectElement>("profile").value === "ingress-nginx" ? "ingress-nginx" : "",
    clientIp: $<HTMLInputElement>("client-ip").value.trim(),
    from,
    fromPod: $<HTMLSelectElement>("from-pod").value,
    dstIp: $<HTMLInputElement>("dst-ip").value.trim(),
    dstPort: Number($<HTMLInputElement>("dst-port").value) || 0,
    protocol: $<HTMLSelectElement>("protocol").value as RequestForm["protocol"],
    node: $<HTMLSelectElement>("node").value,
  };
}

/** Puts a value in a select, adding the option when the list lacks it. */
function selectValue(sel: HTMLSelectElement, value: string): void {
  if (value && ![...sel.options].some((o) => o.value === value)) sel.add(new Option(value, value));
  sel.value = value;
}

export function setForm(f: RequestForm): void {
  for (const r of radios("mode")) r.checked = r.value === f.mode;
  for (const r of radios("from")) r.checked = r.value === f.from;
  $<HTMLInputElement>("url").value = f.url;
  selectValue($<HTMLSelectElement>("method"), f.method || "GET");
  $<HTMLTextAreaElement>("headers").value = f.headers;
  $<HTMLInputElement>("cookies").value = f.cookies;
  $<HTMLInputElement>("sni").value = f.sni;
  $<HTMLSelectElement>("profile").value = f.profile ?? "";
  $<HTMLInputElement>("client-ip").value = f.clientIp;
  selectValue($<HTMLSelectElement>("from-pod"), f.fromPod);
  $<HTMLInputElement>("dst-ip").value = f.dstIp;
  $<HTMLInputElement>("dst-port").value = String(f.dstPort || "");
  selectValue($<HTMLSelectElement>("protocol"), f.protocol || "TCP");
  selectValue($<HTMLSelectElement>("node"), f.node);
  syncMode();
}

/** Shows the fields of the chosen mode (and the client IP only when it counts). */
function syncMode(): void {
  const f = getForm();
  const form = $<HTMLFormElement>("request-form");
  form.dataset.mode = f.mode;
  form.dataset.from = f.from;
  for (const el of form.querySelectorAll<HTMLElement>(".mode-http")) el.hidden = f.mode !== "http";
  for (const el of form.querySelectorAll<HTMLElement>(".mode-conn")) el.hidden = f.mode !== "conn";
  $<HTMLSelectElement>("from-pod").disabled = f.from !== "pod";
  // A pod client's address is its pod IP; an outside client and an HTTP client have one.
  $<HTMLInputElement>("client-ip").disabled = f.mode === "conn" && f.from === "pod";
}

/** The example's request over the defaults. */
export function formFor(ex: Example, request = ex.request): RequestForm {
  const clientPod = ex.yaml.includes("name: client\n") ? "default/client" : "";
  return { ...DEFAULT_REQUEST, fromPod: clientPod, ...request };
}

/** Fills the pod, node and address pickers from what the manifests declare. */
export function fillPickers(world: World, clusterIpOf: (ns: string, name: string) => string | null): void {
  const keep = getForm();
  const pods = $<HTMLSelectElement>("from-pod");
  pods.replaceChildren(...world.topo.pods.map((p) => new Option(`${p.name} (${p.ip || "?"})`, `${p.namespace}/${p.name}`)));
  const nodes = $<HTMLSelectElement>("node");
  nodes.replaceChildren(new Option(t("nodeAuto"), ""), ...world.topo.nodes.map((n) => new Option(`${n.name} (${n.ip})`, n.name)));
  const target = $<HTMLSelectElement>("target");
  const list = addresses(world.topo, (s) => clusterIpOf(s.namespace, s.name));
  target.replaceChildren(new Option(t("targetPick"), ""), ...list.map((a) => new Option(a.label, `${a.ip}:${a.port}`)));
  selectValue(pods, keep.fromPod);
  selectValue(nodes, keep.node);
}

export function bindRequestForm(onSend: () => void, onEdit: () => void): void {
  const form = $<HTMLFormElement>("request-form");
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    onSend();
  });
  form.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      onSend();
    }
  });
  form.addEventListener("change", (e) => {
    const el = e.target as HTMLElement;
    if (el.id === "target") {
      const v = (el as HTMLSelectElement).value;
      if (v) {
        const i = v.lastIndexOf(":");
        $<HTMLInputElement>("dst-ip").value = v.slice(0, i);
        $<HTMLInputElement>("dst-port").value = v.slice(i + 1);
      }
    }
    syncMode();
    onEdit();
  });
  form.addEventListener("input", () => onEdit());
}

/** The example's other requests as buttons. */
export function renderMore(ex: Example, onPick: (f: RequestForm) => void): void {
  const box = $<HTMLDivElement>("more");
  box.replaceChildren();
  if (!ex.more?.length) return;
  const label = document.createElement("span");
  label.textContent = t("tryAlso");
  box.append(label);
  ex.more.forEach((m, i) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "chip";
    b.dataset.testid = `more-${i}`;
    b.textContent = tx(m.label);
    b.addEventListener("click", () => onPick(formFor(ex, m.request)));
    box.append(b);
  });
}

// ---------------------------------------------------------------------------------------------
// Sending

/** `Name: value` lines (and the cookies) as header pairs. */
export function headerPairs(f: RequestForm): [string, string][] {
  const out: [string, string][] = [];
  for (const line of f.headers.split("\n")) {
    const i = line.indexOf(":");
    if (i > 0) out.push([line.slice(0, i).trim(), line.slice(i + 1).trim()]);
  }
  if (f.cookies) out.push(["Cookie", f.cookies]);
  return out;
}

export function httpRequest(f: RequestForm, clientIp?: string): HttpRequest {
  const req: HttpRequest = { url: f.url, method: f.method || "GET", headers: headerPairs(f) };
  if (f.sni) req.sni = f.sni;
  const ip = clientIp ?? f.clientIp;
  if (ip) req.clientIp = ip;
  return req;
}

/** Routing options beyond the defaults (only the controller profile for now). */
export function httpOptions(f: RequestForm): HttpOptions | undefined {
  return f.profile ? { profile: f.profile } : undefined;
}

export function connection(f: RequestForm, clientIp?: string): Conn {
  const conn: Conn = { dstIp: f.dstIp, dstPort: f.dstPort, protocol: f.protocol };
  if (f.from === "pod" && f.fromPod) conn.fromPod = f.fromPod;
  const ip = clientIp ?? (f.from === "outside" ? f.clientIp : "");
  if (ip) conn.clientIp = ip;
  if (f.node) conn.node = f.node;
  return conn;
}

export function send(world: World, router: Router | null, f: RequestForm): Outcome {
  if (!world.cluster) return { kind: "error", form: f, message: t("noCluster") };
  try {
    if (f.mode === "conn") {
      if (!router) return { kind: "missing", form: f, what: "router / connect" };
      return { kind: "conn", form: f, decision: router.connect(connection(f), world.time) };
    }
    const req = httpRequest(f);
    const options = httpOptions(f);
    if (router && typeof router.routeHttp === "function") {
      const d = options ? router.routeHttp(req, world.time, options) : router.routeHttp(req, world.time);
      return { kind: "http", form: f, decision: d, picked: true };
    }
    const d = routeHttp(world.cluster, req, options);
    if (!d) return { kind: "missing", form: f, what: "routeHttp (HTTP routing)" };
    return { kind: "http", form: f, decision: d, picked: false };
  } catch (e) {
    return { kind: "error", form: f, message: errorText(e) };
  }
}

// ---------------------------------------------------------------------------------------------
// Showing

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function fact(label: string, value: string | null | undefined, testid = ""): string {
  if (value == null || value === "") return "";
  return `<div${testid ? ` data-testid="${testid}"` : ""}><dt>${esc(label)}</dt><dd>${esc(value)}</dd></div>`;
}

function podOf(world: World, key: string) {
  const [ns, name] = key.split("/");
  return world.topo.pods.find((p) => p.namespace === ns && p.name === name);
}

function clientOf(world: World, f: RequestForm): Taken["client"] {
  if (f.mode === "conn" && f.from === "pod") {
    const p = podOf(world, f.fromPod);
    return { title: p?.name ?? f.fromPod, detail: p?.ip ?? "" };
  }
  const detail = f.mode === "http" ? `${f.method} ${f.url.replace(/^https?:\/\//, "")}` : t("internet");
  return { title: f.clientIp || t("client"), detail };
}

/** The diagram's view of an outcome. */
export function takenOf(world: World, o: Outcome): Taken | null {
  const client = clientOf(world, o.form);
  if (o.kind === "conn") {
    const d = o.decision;
    const endpoint = d.endpoint ?? (d.verdict === "PASS" ? { ip: o.form.dstIp } : null);
    return {
      client,
      entry: d.via ? `${d.via} ${o.form.dstIp}:${o.form.dstPort}${d.node ? ` @${d.node}` : ""}` : undefined,
      service: d.service ? { namespace: d.service.namespace, name: d.service.name } : null,
      endpoint,
      blocked: d.verdict === "DROP" || d.verdict === "REJECT",
    };
  }
  if (o.kind === "http") {
    const d = o.decision;
    const b = d.backend;
    const service = b?.service ? { namespace: b.namespace, name: b.service } : null;
    const svcInfo = service && world.topo.services.find((s) => s.namespace === service.namespace && s.name === service.name);
    const externalName = svcInfo?.type === "ExternalName" ? svcInfo.externalName : undefined;
    let candidates: string[] | undefined;
    if (!o.picked && service && world.cluster) {
      candidates = endpointsOf(world.cluster, service.namespace, service.name)
        .filter((e) => e.conditions.ready)
        .map((e) => e.ip);
    }
    return {
      client,
      ingress: d.source && d.source.kind === "Ingress" ? d.source : null,
      service,
      endpoint: d.endpoint ? { ip: d.endpoint.ip, port: d.endpoint.port } : null,
      candidates,
      externalName,
      blocked: d.status >= 400 || (o.picked && !d.endpoint && !externalName && d.status < 300),
    };
  }
  return null;
}

function badge(text: string, cls: string): string {
  return `<span class="verdict ${cls}" data-testid="verdict">${esc(text)}</span>`;
}

function endpointText(e: { ip: string; port: number; pod: string | null; node: string | null } | null | undefined): string {
  if (!e) return "";
  return `${e.pod ? e.pod + " · " : ""}${e.ip}:${e.port}${e.node ? ` (${e.node})` : ""}`;
}

export function renderOutcome(o: Outcome | null): void {
  const result = $<HTMLDivElement>("result");
  const trace = $<HTMLOListElement>("trace");
  let entries: TraceEntry[] = [];
  if (!o) {
    result.innerHTML = `<p class="muted">${esc(t("noResult"))}</p>`;
  } else if (o.kind === "missing") {
    result.innerHTML = `<p class="note" data-testid="missing">${esc(t("missingFeature", { what: o.what }))}</p>`;
  } else if (o.kind === "error") {
    result.innerHTML = `${badge("ERROR", "bad")}<p class="reason">${esc(o.message)}</p>`;
  } else if (o.kind === "conn") {
    const d = o.decision;
    const cls = d.verdict === "FORWARD" ? "good" : d.verdict === "PASS" ? "neutral" : "bad";
    const to = d.endpoint ? ` → ${endpointText(d.endpoint)}` : "";
    result.innerHTML =
      `<p class="headline">${badge(d.verdict, cls)}<span data-testid="headline">${esc(to)}</span></p>` +
      `<p class="reason" data-testid="reason">${esc(d.reason)}</p>` +
      `<dl class="facts">` +
      fact(t("via"), d.via) +
      fact(t("service"), d.service ? `${d.service.namespace}/${d.service.name}:${d.service.port}${d.service.portName ? ` (${d.service.portName})` : ""}` : null, "fact-service") +
      fact(t("endpoint"), endpointText(d.endpoint), "fact-endpoint") +
      fact(t("handledBy"), d.node) +
      fact(t("sourceNat"), d.via ? (d.sourceNat ? t("yes") : t("no")) : null) +
      fact(t("clientIpSeen"), d.endpoint ? d.clientIpSeen : null) +
      fact(t("affinity"), d.affinity !== "none" ? d.affinity : null, "fact-affinity") +
      fact(t("balancer"), d.endpoint ? d.balancer : null) +
      `</dl>`;
    entries = d.trace ?? [];
  } else {
    const d = o.decision;
    const cls = d.status < 300 ? "good" : d.status < 400 ? "neutral" : "bad";
    const to = d.endpoint
      ? ` → ${endpointText(d.endpoint)}`
      : d.backend?.service
        ? ` → ${d.backend.namespace}/${d.backend.service}`
        : "";
    const backend = d.backend
      ? d.backend.service
        ? `${d.backend.namespace}/${d.backend.service}:${d.backend.port ?? ""}`
        : d.backend.resource
          ? `${d.backend.resource.kind} ${d.backend.resource.name}`
          : ""
      : null;
    const tls = d.tls ? (d.tls.secretName ? `${d.tls.namespace}/${d.tls.secretName} (${d.tls.sni})` : `${t("defaultCert")} (${d.tls.sni})`) : null;
    result.innerHTML =
      `<p class="headline">${badge(String(d.status) + (d.reason ? ` ${d.reason}` : ""), cls)}<span data-testid="headline">${esc(to)}</span></p>` +
      `<dl class="facts">` +
      fact(t("source"), d.source ? `${d.source.kind} ${d.source.namespace}/${d.source.name}${d.source.rule != null ? ` rule ${d.source.rule}` : ""}${d.source.path != null ? ` path ${d.source.path}` : ""}` : null) +
      fact(t("match"), d.match ? `${d.match.host || "*"} (${d.match.hostMatch}) · ${d.match.path ?? ""} ${d.match.pathType ? `(${d.match.pathType})` : ""}` : null) +
      fact(t("backend"), backend, "fact-service") +
      fact(t("endpoint"), endpointText(d.endpoint), "fact-endpoint") +
      fact(t("tls"), tls, "fact-tls") +
      fact(t("redirect"), d.redirect ? `${d.redirect.status} ${d.redirect.location}` : null) +
      fact(t("upstream"), d.upstreamRequest ? `${d.upstreamRequest.host}${d.upstreamRequest.path}` : null) +
      fact(t("setCookie"), d.setCookie ?? null) +
      `</dl>` +
      (o.picked || !d.backend?.service ? "" : `<p class="note">${esc(t("endpointNotPicked"))}</p>`);
    entries = d.trace ?? [];
  }
  trace.replaceChildren(
    ...entries.map((e) => {
      const { step, message } = traceText(e);
      const li = document.createElement("li");
      if (step) {
        const s = document.createElement("span");
        s.className = "step";
        s.textContent = step;
        li.append(s, " ");
      }
      li.append(message);
      return li;
    }),
  );
}
