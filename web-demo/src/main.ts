// The playground: wires the editor, the examples, the request, the simulation, discovery and
// the saved state together around one World (the cluster at the timeline's time).

import "./style.css";
import * as kroute from "kroute";
import type { Router } from "./api";
import { renderDiagram } from "./diagram";
import {
  bindDiscovery,
  clusterIpByDns,
  DEFAULT_DISCOVERY,
  fillPods,
  getDiscovery,
  renderDiscovery,
  setDiscovery,
} from "./discovery";
import { createEditor, type Editor, type Mark } from "./editor";
import { EXAMPLES, exampleById, type Example, type Timeline } from "./examples";
import { applyStatic, lang, onLangChange, setLang, t, tx, type Lang } from "./i18n";
import {
  bindRequestForm,
  fillPickers,
  formFor,
  getForm,
  renderMore,
  renderOutcome,
  send,
  setForm,
  takenOf,
  type Outcome,
} from "./request";
import {
  bindSimForm,
  DEFAULT_SIM,
  getSim,
  renderSim,
  setSim,
  simulate,
  withAffinity,
  type SimForm,
  type SimResult,
} from "./simulate";
import { bindTimeline, EMPTY_TIMELINE, endOf, fillTimelinePods, renderTimeline, setTime } from "./timeline";
import { fromStorage, fromUrl, link, save, type State } from "./state";
import { buildWorld, freeWorld, routerAt, type World } from "./world";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

interface App {
  editor: Editor;
  example: Example;
  world: World | null;
  /** The request panel's router: kept between sends (affinity remembers), new for each world. */
  router: Router | null;
  outcome: Outcome | null;
  sim: SimResult | null;
  sent: boolean;
  time: number;
  /** The example's timeline, as the user edited it. */
  timeline: Timeline;
}

let app: App;

function exampleTimeline(ex: Example): Timeline {
  return structuredClone(ex.timeline ?? EMPTY_TIMELINE);
}

function state(): State {
  const text = app.editor.text();
  const timelineEdited = JSON.stringify(app.timeline) !== JSON.stringify(exampleTimeline(app.example));
  return {
    v: 1,
    example: app.example.id,
    ...(text !== app.example.yaml ? { yaml: text } : {}),
    lang: lang(),
    request: getForm(),
    sim: getSim(),
    discovery: getDiscovery(),
    time: app.time,
    sent: app.sent,
    ...(timelineEdited ? { timeline: app.timeline } : {}),
  };
}

function persist(): void {
  save(state());
}

// ---------------------------------------------------------------------------------------------
// Rendering

function renderAbout(): void {
  const ex = app.example;
  $("ex-title").textContent = tx(ex.title);
  $("ex-explain").textContent = tx(ex.explain);
  $("ex-seed").textContent = ex.seed;
  $("edited").hidden = app.editor.text() === ex.yaml;
  const sel = $<HTMLSelectElement>("example");
  sel.replaceChildren(...EXAMPLES.map((e, i) => new Option(`${i + 1}. ${tx(e.title)}`, e.id)));
  sel.value = ex.id;
  renderMore(ex, (f) => {
    setForm(f);
    sendRequest();
  });
}

function renderDiagnostics(world: World): void {
  const marks: Mark[] = world.error
    ? [{ severity: "error", line: world.error.line, column: world.error.column, message: world.error.message, source: "kroute" }]
    : world.diagnostics.map((d) => ({
        severity: d.severity,
        line: d.line,
        column: d.column,
        message: `${d.message} [${d.code}]`,
        source: "kroute",
      }));
  app.editor.show(marks.filter((m) => m.line != null || world.error));
  const list = $<HTMLUListElement>("diagnostics");
  list.replaceChildren();
  if (!marks.length) {
    const li = document.createElement("li");
    li.className = "muted";
    li.textContent = t("noDiagnostics");
    list.append(li);
    return;
  }
  for (const m of marks) {
    const li = document.createElement("li");
    li.className = `diag ${m.severity}`;
    li.dataset.line = String(m.line ?? "");
    const where = m.line != null ? `${t("line")} ${m.line}${t("lineSuffix")}` : "";
    const head = world.error ? t("loadError") : m.severity;
    if (m.line != null) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "link";
      b.textContent = where;
      b.addEventListener("click", () => app.editor.reveal(m.line!, m.column));
      li.append(b, " ");
    }
    const sev = document.createElement("span");
    sev.className = `sev ${m.severity}`;
    sev.textContent = head;
    li.append(sev, " ", m.message);
    list.append(li);
  }
}

function renderResult(): void {
  const world = app.world;
  if (!world) return;
  renderOutcome(app.outcome);
  renderDiagram($("diagram"), world, app.outcome ? takenOf(world, app.outcome) : null);
}

function renderAll(): void {
  const world = app.world;
  if (!world) return;
  renderAbout();
  renderDiagnostics(world);
  renderResult();
  renderSim(app.sim);
  renderTimeline(world);
  renderDiscovery(world, getDiscovery());
}

// ---------------------------------------------------------------------------------------------
// Actions

/** Rebuilds the world from the editor's text at the current time, then re-renders. */
function rebuild(): void {
  freeWorld(app.world);
  app.router?.free?.();
  app.router = null;
  const world = buildWorld({
    text: app.editor.text(),
    timeline: app.timeline,
    time: app.time,
    profile: getForm().profile,
  });
  app.world = world;
  const keepDisc = getDiscovery();
  fillPickers(world, (ns, name) => clusterIpByDns(world, ns, name));
  fillPods(world, keepDisc.pod);
  fillTimelinePods(world);
  if (app.sent) {
    runRequest();
  } else {
    app.outcome = null;
  }
  renderAll();
  persist();
}

function requestRouter(): Router | null {
  if (!app.world) return null;
  if (!app.router) {
    app.router = routerAt(app.world, { seed: getSim().seed, balancer: getSim().balancer, explain: true })?.router ?? null;
  }
  return app.router;
}

function runRequest(): void {
  if (!app.world) return;
  app.outcome = send(app.world, requestRouter(), getForm());
}

function sendRequest(): void {
  app.sent = true;
  if (app.world && app.world.profile !== getForm().profile) {
    rebuild(); // the profile is a load option: rebuild, which re-sends
    return;
  }
  runRequest();
  renderResult();
  persist();
}

function runSimulation(): void {
  if (!app.world) return;
  const sim = getSim();
  let world = app.world;
  let own: World | null = null;
  if (sim.affinity) {
    own = buildWorld({
      text: app.editor.text(),
      timeline: app.timeline,
      time: app.time,
      profile: getForm().profile,
      transform: withAffinity(sim.affinity),
    });
    world = own;
  }
  app.sim = world.cluster ? simulate(world, getForm(), sim) : null;
  freeWorld(own);
  renderSim(app.sim);
  persist();
}

function loadExample(ex: Example, saved?: Partial<State>): void {
  app.example = ex;
  app.sim = null;
  app.time = saved?.time ?? 0;
  app.timeline = saved?.timeline ?? exampleTimeline(ex);
  app.sent = saved?.sent ?? true;
  app.editor.setText(saved?.yaml ?? ex.yaml);
  // Saved state over the example's defaults (a link from an older version may lack fields).
  setForm({ ...formFor(ex), ...saved?.request });
  const sim: SimForm = {
    ...DEFAULT_SIM,
    ...(ex.sim?.requests ? { requests: ex.sim.requests } : {}),
    ...(ex.sim?.clients ? { clients: ex.sim.clients } : {}),
    ...saved?.sim,
  };
  setSim(sim);
  setDiscovery({
    pod: ex.discovery?.pod ? `default/${ex.discovery.pod}` : "",
    dns: ex.discovery?.dns ?? ex.expect.service ?? DEFAULT_DISCOVERY.dns,
    dnsType: ex.discovery?.dnsType ?? "A",
    ...saved?.discovery,
  });
  setTime(app.time, endOf(app.timeline));
  rebuild();
}

function setLanguage(l: Lang): void {
  setLang(l);
  $("lang-en").setAttribute("aria-pressed", String(l === "en"));
  $("lang-zh").setAttribute("aria-pressed", String(l === "zh"));
}

// ---------------------------------------------------------------------------------------------
// Start

async function start(): Promise<void> {
  await kroute.default();
  // The package, for the browser console (and for tests that stand in for missing calls).
  (window as unknown as { kroute: typeof kroute }).kroute = kroute;
  const editor = createEditor($("editor"), t("editorLabel"), () => {
    $("edited").hidden = app.editor.text() === app.example.yaml;
    rebuild();
  });
  app = {
    editor,
    example: EXAMPLES[0],
    world: null,
    router: null,
    outcome: null,
    sim: null,
    sent: true,
    time: 0,
    timeline: exampleTimeline(EXAMPLES[0]),
  };

  bindRequestForm(sendRequest, persist);
  bindSimForm(runSimulation, () => {
    // A new balancer or seed: the request panel's router starts over.
    app.router?.free?.();
    app.router = null;
    persist();
  });
  bindTimeline({
    onTime(time) {
      app.time = time;
      rebuild();
    },
    onEdit(next) {
      app.timeline = next;
      setTime(app.time, endOf(next));
      rebuild();
    },
    current: () => app.timeline,
  });
  bindDiscovery(() => {
    if (app.world) renderDiscovery(app.world, getDiscovery());
    persist();
  });
  $<HTMLSelectElement>("example").addEventListener("change", (e) => {
    const ex = exampleById((e.target as HTMLSelectElement).value);
    if (ex) loadExample(ex);
  });
  $("reset").addEventListener("click", () => loadExample(app.example));
  $("lang-en").addEventListener("click", () => {
    setLanguage("en");
    persist();
  });
  $("lang-zh").addEventListener("click", () => {
    setLanguage("zh");
    persist();
  });
  $("share").addEventListener("click", async () => {
    const url = await link(state());
    const status = $("share-status");
    try {
      await navigator.clipboard.writeText(url);
      status.textContent = t("copied");
    } catch {
      status.textContent = url;
    }
    window.setTimeout(() => (status.textContent = ""), 4000);
  });
  onLangChange(() => {
    app.editor.setLabel(t("editorLabel"));
    if (app.world) {
      fillPickers(app.world, (ns, name) => clusterIpByDns(app.world!, ns, name));
      renderAll();
    }
  });

  const opened = await fromUrl();
  const saved = opened.state ?? (opened.example ? null : fromStorage());
  const l: Lang = saved?.lang ?? (navigator.language.startsWith("zh") ? "zh" : "en");
  setLanguage(l);
  applyStatic(document.body);
  const ex = exampleById(opened.example ?? saved?.example ?? "") ?? EXAMPLES[0];
  loadExample(ex, saved ?? undefined);
  document.body.dataset.ready = "true";
}

start().catch((e) => {
  console.error(e);
  document.body.dataset.ready = "error";
  const p = document.createElement("p");
  p.className = "note bad";
  p.textContent = `kroute failed to start: ${e instanceof Error ? e.message : String(e)}`;
  document.body.prepend(p);
});
