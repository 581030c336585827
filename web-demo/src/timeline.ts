// The timeline: a slider for the time (seconds), the scripted readiness-probe outcomes and
// watch events (the example's, plus what the user adds: a pod failing its probe for a while,
// starting to terminate, or being deleted), and what happened up to the slider's time.

import type { Timeline } from "./examples";
import { t } from "./i18n";
import type { World } from "./world";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const EMPTY_TIMELINE: Timeline = { end: 120, probes: [], events: [] };

/** The slider's length: the timeline's end, or later when something happens after it. */
export function endOf(tl: Timeline): number {
  const last = Math.max(
    0,
    ...tl.probes.flatMap((p) => p.script.map((s) => s.until)),
    ...tl.events.map((e) => e.at),
  );
  return Math.max(tl.end, Math.ceil((last + 30) / 10) * 10);
}

export interface TimelineHandlers {
  onTime(time: number): void;
  /** The user changed the script (added or removed something). */
  onEdit(next: Timeline): void;
  current(): Timeline;
}

export function bindTimeline(h: TimelineHandlers): void {
  const input = $<HTMLInputElement>("time");
  input.addEventListener("input", () => {
    $<HTMLOutputElement>("time-out").value = `${input.value} s`;
    h.onTime(Number(input.value));
  });
  const action = $<HTMLSelectElement>("tl-action");
  const sync = () => {
    $<HTMLElement>("tl-to-field").hidden = action.value !== "fail";
  };
  action.addEventListener("change", sync);
  sync();
  $<HTMLFormElement>("tl-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const pod = $<HTMLSelectElement>("tl-pod").value;
    if (!pod) return;
    const from = Math.max(0, Number($<HTMLInputElement>("tl-from").value) || 0);
    const to = Math.max(from + 1, Number($<HTMLInputElement>("tl-to").value) || from + 30);
    const tl = structuredClone(h.current());
    const name = pod.startsWith("default/") ? pod.slice("default/".length) : pod;
    if (action.value === "fail") {
      tl.probes = tl.probes.filter((p) => p.pod !== name);
      tl.probes.push({ pod: name, script: [{ until: from, ok: true }, { until: to, ok: false }] });
    } else {
      tl.events.push({ at: from, type: action.value === "delete" ? "DELETED" : "MODIFIED", pod: name, terminate: action.value === "terminate" });
    }
    h.onEdit(tl);
  });
  $<HTMLDivElement>("timeline-info").addEventListener("click", (e) => {
    const b = (e.target as HTMLElement).closest<HTMLButtonElement>("button[data-remove]");
    if (!b) return;
    const [kind, i] = (b.dataset.remove ?? "").split(":");
    const tl = structuredClone(h.current());
    if (kind === "probe") tl.probes.splice(Number(i), 1);
    else tl.events.splice(Number(i), 1);
    h.onEdit(tl);
  });
}

export function setTime(time: number, end: number): void {
  const input = $<HTMLInputElement>("time");
  input.max = String(end);
  input.value = String(Math.min(time, end));
  $<HTMLOutputElement>("time-out").value = `${input.value} s`;
}

/** Fills the pod picker of the "add" form. */
export function fillTimelinePods(world: World): void {
  const sel = $<HTMLSelectElement>("tl-pod");
  const keep = sel.value;
  const keys = world.topo.pods.map((p) => `${p.namespace}/${p.name}`);
  sel.replaceChildren(...keys.map((k) => new Option(k, k)));
  if (keys.includes(keep)) sel.value = keep;
}

function removeButton(id: string): string {
  return ` <button type="button" class="link" data-remove="${id}" aria-label="${esc(t("remove"))}" title="${esc(t("remove"))}">✕</button>`;
}

export function renderTimeline(world: World): void {
  const el = $<HTMLDivElement>("timeline-info");
  const tl = world.timeline;
  if (!tl || (!tl.probes.length && !tl.events.length)) {
    el.innerHTML = `<p class="muted">${esc(t("timelineNone"))}</p>`;
    return;
  }
  const parts: string[] = [];
  if (world.features && !world.features.probes && tl.probes.length) {
    parts.push(`<p class="note" data-testid="missing">${esc(t("missingFeature", { what: "router.advance / scriptProbe" }))}</p>`);
  }
  if (tl.probes.length) {
    parts.push(`<h3>${esc(t("probeScript"))}</h3><ul class="plain">`);
    tl.probes.forEach((p, i) => {
      let from = 0;
      const steps = p.script
        .filter((s) => s.until > 0)
        .map((s) => {
          const txt = `${from}–${s.until} s ${s.ok ? t("probeOk") : t("probeFail")}`;
          from = s.until;
          return txt;
        });
      steps.push(`${from} s – ${t("probeOk")}`);
      parts.push(`<li><strong>${esc(p.pod)}</strong>: ${esc(steps.join(", "))}${removeButton(`probe:${i}`)}</li>`);
    });
    parts.push(`</ul>`);
  }
  parts.push(`<h3>${esc(t("changesUntil"))}</h3>`);
  parts.push(
    world.changes.length
      ? `<ul class="plain" data-testid="changes">${world.changes
          .map((c) => `<li>t = ${c.time} s: <strong>${esc(c.pod)}</strong> ${esc(c.ready ? t("becameReady") : t("becameUnready"))}</li>`)
          .join("")}</ul>`
      : `<p class="muted">—</p>`,
  );
  if (world.events.length) {
    parts.push(`<h3>${esc(t("eventsScheduled"))}</h3><ul class="plain" data-testid="events">`);
    // world.events is sorted by time; removal needs the index in the timeline's own list.
    for (const ev of world.events) {
      const e = ev.event;
      const index = tl.events.indexOf(e);
      const name = e.pod ?? ((e.object?.metadata as { name?: string } | undefined)?.name || "?");
      const what = e.terminate ? `${e.type} (deletionTimestamp)` : e.type;
      const state = ev.applied
        ? t("applied")
        : ev.error === "applyEvent"
          ? t("missingFeature", { what: "applyEvent" })
          : (ev.error ?? t("pending"));
      parts.push(
        `<li class="${ev.applied ? "" : "muted"}">t = ${e.at} s: ${esc(what)} Pod <strong>${esc(name)}</strong> — ${esc(state)}${index >= 0 ? removeButton(`event:${index}`) : ""}</li>`,
      );
    }
    parts.push(`</ul>`);
  }
  el.innerHTML = parts.join("");
}
