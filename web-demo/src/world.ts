// The cluster at a moment of the timeline: the manifests loaded by kroute, the watch events
// due by then applied, and routers whose readiness probes have run up to then. Everything the
// panels ask goes through a World, so the diagram, the request and the simulation all see the
// same moment.

import { Cluster } from "kroute";
import {
  applyEvent,
  errorText,
  features,
  makeRouter,
  type Diagnostic,
  type Features,
  type ReadinessChange,
  type Router,
  type RouterConfig,
  type WatchEvent,
} from "./api";
import type { TimedEvent, Timeline } from "./examples";
import { parseObjects, topology, type Topology } from "./topology";

/** A manifest that cannot be read: where, and why. */
export interface LoadError {
  message: string;
  line: number | null;
  column: number | null;
}

export interface EventState {
  event: TimedEvent;
  applied: boolean;
  error: string | null;
}

export interface World {
  cluster: Cluster | null;
  error: LoadError | null;
  diagnostics: Diagnostic[];
  topo: Topology;
  features: Features | null;
  time: number;
  timeline: Timeline | null;
  /** The Ingress controller profile the cluster was built for (`""`: the Kubernetes spec). */
  profile: string;
  /** Readiness changes from the probe scripts, up to `time`. */
  changes: ReadinessChange[];
  events: EventState[];
  /** `namespace/pod` → Ready as the probes say at `time` (only pods whose readiness changed). */
  readiness: Map<string, boolean>;
}

export interface WorldInput {
  text: string;
  timeline: Timeline | null;
  time: number;
  /** The Ingress controller profile (`"ingress-nginx"`, or `""` for the Kubernetes spec). */
  profile?: string;
  /** Rewrites the objects before loading (the simulation's affinity override). */
  transform?: (objects: Record<string, unknown>[]) => Record<string, unknown>[];
}

function loadError(e: unknown): LoadError {
  const k = e as { line?: unknown; column?: unknown };
  return {
    message: errorText(e),
    line: typeof k.line === "number" ? k.line : null,
    column: typeof k.column === "number" ? k.column : null,
  };
}

/** The wire form of a timeline event (a Pod named by `pod` is taken from the manifests). */
function wireEvent(e: TimedEvent, topo: Topology): WatchEvent | null {
  let object = e.object;
  if (!object && e.pod) {
    const found = topo.objects.find((o) => o.kind === "Pod" && (o.metadata as { name?: string })?.name === e.pod);
    if (!found) return null;
    object = structuredClone(found);
    if (e.terminate) {
      const meta = (object.metadata ?? {}) as Record<string, unknown>;
      meta.deletionTimestamp = "2024-05-01T12:00:00Z";
      object.metadata = meta;
    }
  }
  return object ? { type: e.type, object } : null;
}

export function buildWorld(input: WorldInput): World {
  const objects = parseObjects(input.text);
  const topo = topology(objects);
  const world: World = {
    cluster: null,
    error: null,
    diagnostics: [],
    topo,
    features: null,
    time: input.time,
    profile: input.profile ?? "",
    timeline: input.timeline,
    changes: [],
    events: [],
    readiness: new Map(),
  };
  try {
    // HTTP routing is compiled per cluster, so the controller profile is a load option.
    const options = input.profile === "ingress-nginx" ? { profile: "ingress-nginx" as const } : undefined;
    world.cluster = input.transform
      ? Cluster.fromObjects(input.transform(objects), options)
      : Cluster.fromYaml(input.text, options);
  } catch (e) {
    world.error = loadError(e);
    return world;
  }
  world.diagnostics = world.cluster.diagnostics();
  world.features = features(world.cluster);
  const tl = input.timeline;
  if (tl) {
    for (const event of [...tl.events].sort((a, b) => a.at - b.at)) {
      const state: EventState = { event, applied: false, error: null };
      world.events.push(state);
      if (event.at > input.time) continue;
      if (!world.features.applyEvent) {
        state.error = "applyEvent";
        continue;
      }
      const wire = wireEvent(event, topo);
      if (!wire) {
        state.error = "no such pod";
        continue;
      }
      try {
        applyEvent(world.cluster, wire);
        state.applied = true;
      } catch (e) {
        state.error = errorText(e);
      }
    }
    const probe = routerAt(world, { seed: 0 });
    if (probe) {
      world.changes = probe.changes;
      probe.router.free?.();
      for (const c of world.changes) world.readiness.set(c.pod, c.ready);
    }
  }
  return world;
}

/**
 * A router over the world's cluster, with the timeline's probe scripts and its probes run up
 * to the world's time; `null` when the package has no router.
 */
export function routerAt(world: World, config: RouterConfig): { router: Router; changes: ReadinessChange[] } | null {
  if (!world.cluster || !world.features?.router) return null;
  const router = makeRouter(world.cluster, config);
  if (!router) return null;
  let changes: ReadinessChange[] = [];
  if (world.timeline && world.features.probes) {
    for (const p of world.timeline.probes) {
      const [ns, name] = p.pod.includes("/") ? p.pod.split("/", 2) : ["default", p.pod];
      try {
        router.scriptProbe?.(ns, name, p.script);
      } catch {
        // The pod is gone (deleted by an event): nothing to probe.
      }
    }
    changes = router.advance?.(world.time) ?? [];
  }
  return { router, changes };
}

export function freeWorld(w: World | null): void {
  w?.cluster?.free();
}
