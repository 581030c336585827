// Discovery: the environment a chosen pod gets (kubelet's Service variables and its own env),
// and a DNS lookup from that pod's namespace showing the resolver's search-path expansion.

import { errorText, podEnv, resolve, type DnsAnswer, type DnsRecord } from "./api";
import { t } from "./i18n";
import type { World } from "./world";

export interface DiscoveryForm {
  pod: string;
  dns: string;
  dnsType: string;
}

export const DEFAULT_DISCOVERY: DiscoveryForm = { pod: "", dns: "kubia", dnsType: "A" };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function getDiscovery(): DiscoveryForm {
  return {
    pod: $<HTMLSelectElement>("env-pod").value,
    dns: $<HTMLInputElement>("dns-name").value.trim(),
    dnsType: $<HTMLSelectElement>("dns-type").value,
  };
}

export function setDiscovery(d: DiscoveryForm): void {
  const sel = $<HTMLSelectElement>("env-pod");
  if (d.pod && ![...sel.options].some((o) => o.value === d.pod)) sel.add(new Option(d.pod, d.pod));
  sel.value = d.pod;
  $<HTMLInputElement>("dns-name").value = d.dns;
  $<HTMLSelectElement>("dns-type").value = d.dnsType || "A";
}

export function bindDiscovery(onChange: () => void): void {
  $<HTMLSelectElement>("env-pod").addEventListener("change", onChange);
  $<HTMLSelectElement>("dns-type").addEventListener("change", onChange);
  $<HTMLFormElement>("dns-form").addEventListener("submit", (e) => {
    e.preventDefault();
    onChange();
  });
}

/** Fills the pod picker (`namespace/name`), keeping the choice when it still exists. */
export function fillPods(world: World, preferred: string): void {
  const sel = $<HTMLSelectElement>("env-pod");
  const keys = world.topo.pods.map((p) => `${p.namespace}/${p.name}`);
  sel.replaceChildren(...keys.map((k) => new Option(k, k)));
  const want = [preferred, `default/${preferred}`].find((k) => keys.includes(k));
  sel.value = want ?? keys[0] ?? "";
}

function records(list: DnsRecord[]): string {
  if (!list.length) return `<p class="muted">${esc(t("noAnswers"))}</p>`;
  return (
    `<table class="records"><tbody>` +
    list
      .map((r) => `<tr><td>${esc(r.name)}</td><td>${r.ttl}</td><td>${esc(r.type)}</td><td>${esc(r.data)}</td></tr>`)
      .join("") +
    `</tbody></table>`
  );
}

export function renderDiscovery(world: World, d: DiscoveryForm): void {
  const env = $<HTMLDivElement>("env");
  const dns = $<HTMLDivElement>("dns");
  const [ns, pod] = d.pod.includes("/") ? d.pod.split("/", 2) : ["default", d.pod];
  $<HTMLElement>("dns-from").textContent = d.pod ? `${d.pod}` : "default";
  if (!world.cluster) {
    env.innerHTML = dns.innerHTML = `<p class="muted">${esc(t("noCluster"))}</p>`;
    return;
  }
  // Environment.
  if (!world.features?.podEnv) {
    env.innerHTML = `<p class="note" data-testid="missing">${esc(t("missingFeature", { what: "podEnv" }))}</p>`;
  } else if (!pod) {
    env.innerHTML = `<p class="muted">${esc(t("envNone"))}</p>`;
  } else {
    try {
      const vars = podEnv(world.cluster, ns, pod) ?? [];
      // Grouped by origin: the container's own env, then one group per Service.
      const groups = new Map<string, typeof vars>();
      for (const v of vars) {
        const g = v.service ? `${t("service")} ${v.service}` : t("envContainer");
        if (!groups.has(g)) groups.set(g, []);
        groups.get(g)!.push(v);
      }
      env.innerHTML = vars.length
        ? `<table class="env-table"><thead><tr><th scope="col">${esc(t("envName"))}</th><th scope="col">${esc(t("envValue"))}</th></tr></thead>` +
          [...groups.entries()]
            .map(
              ([g, list]) =>
                `<tbody><tr class="group"><th scope="rowgroup" colspan="2">${esc(g)}</th></tr>` +
                list
                  .map((v) => `<tr data-name="${esc(v.name)}"><td><code>${esc(v.name)}</code></td><td><code>${esc(v.value)}</code></td></tr>`)
                  .join("") +
                `</tbody>`,
            )
            .join("") +
          `</table>`
        : `<p class="muted">${esc(t("envNone"))}</p>`;
    } catch (e) {
      env.innerHTML = `<p class="note bad">${esc(errorText(e))}</p>`;
    }
  }
  // DNS.
  if (!world.features?.resolve) {
    dns.innerHTML = `<p class="note" data-testid="missing">${esc(t("missingFeature", { what: "resolve (DNS)" }))}</p>`;
    return;
  }
  if (!d.dns) {
    dns.replaceChildren();
    return;
  }
  let a: DnsAnswer | null;
  try {
    a = resolve(world.cluster, d.dns, d.dnsType || "A", ns);
  } catch (e) {
    dns.innerHTML = `<p class="note bad">${esc(errorText(e))}</p>`;
    return;
  }
  if (!a) return;
  const hit = a.rcode === "NOERROR" ? a.tried.length - 1 : -1;
  dns.innerHTML =
    `<p><span class="verdict ${a.rcode === "NOERROR" ? "good" : a.rcode === "NXDOMAIN" ? "bad" : "neutral"}" data-testid="rcode">${esc(a.rcode)}</span></p>` +
    `<h4>${esc(t("tried"))}</h4><ol class="tried" data-testid="tried">` +
    a.tried.map((n, i) => `<li class="${i === hit ? "hit" : ""}"><code>${esc(n)}</code>${i === hit ? ` <span class="badge">${esc(t("answered"))}</span>` : ""}</li>`).join("") +
    `</ol><h4>${esc(t("answers"))}</h4>` +
    records(a.answers) +
    (a.additional.length ? `<h4>${esc(t("additional"))}</h4>${records(a.additional)}` : "");
}

/** A Service's cluster IP as DNS answers it (for Services whose manifests leave it out). */
export function clusterIpByDns(world: World, ns: string, name: string): string | null {
  if (!world.cluster || !world.features?.resolve) return null;
  try {
    const a = resolve(world.cluster, `${name}.${ns}.svc.cluster.local`, "A", ns);
    return a?.answers.find((r) => r.type === "A")?.data ?? null;
  } catch {
    return null;
  }
}
