// The shared conformance vectors' runner logic (tests/vectors/README.md: ops, subset matching),
// written against the package's API only, so that the same module runs in Node
// (vectors.test.mjs, the Node build) and in a page in headless Chromium (browser.test.mjs, the
// browser build). No Node or DOM API here.

/**
 * Every op of tests/vectors/README.md that this runner knows; a case of another op (one added
 * to the README after this package was built) is reported as skipped, with the reason.
 */
export const SUPPORTED = new Set([
  "routeHttp",
  "lookupHttp",
  "load",
  "diagnostics",
  "endpoints",
  "selector",
  "labelSelector",
  "validation",
  "envVars",
  "podEnv",
  "resolve",
  "usableEndpoints",
  "applyEvents",
  "connect",
]);

/** Why a case is skipped (an op this runner does not know), or `false`. */
export function skipReason(c) {
  const op = c.query?.op;
  return SUPPORTED.has(op) ? false : `op ${JSON.stringify(op)} is not known to this runner yet`;
}

/** `validation` functions by the vectors' (Rust) names. */
function validators(validation) {
  return {
    dns1123_label: validation.dns1123Label,
    dns1123_subdomain: validation.dns1123Subdomain,
    dns1035_label: validation.dns1035Label,
    wildcard_dns1123_subdomain: validation.wildcardDns1123Subdomain,
    qualified_name: validation.qualifiedName,
    label_value: validation.labelValue,
    port_name: validation.portName,
    port_number: validation.portNumber,
  };
}

/**
 * Runs one case's query against `api` (the package's exports: `Cluster`, `Selector`,
 * `validation`, `KrouteError`); the result is canonical JSON, or `{error}` when the call throws
 * a KrouteError. Anything else thrown is re-thrown (a bug, not a result).
 */
export function runCase(api, c) {
  const { Cluster, Selector, KrouteError } = api;

  /** A thrown KrouteError as the canonical `{error: {...}}`; anything else is re-thrown. */
  const errorJson = (e) => {
    if (e instanceof KrouteError) return { error: e.toJSON() };
    throw e;
  };

  /** The result of `fn()`, or `{error}` when it throws a KrouteError. */
  const attempt = (fn) => {
    try {
      return fn();
    } catch (e) {
      return errorJson(e);
    }
  };

  const selectorResult = (make, labels) => {
    let selector;
    try {
      selector = make();
    } catch (e) {
      return errorJson(e);
    }
    try {
      return { string: selector.toString(), matches: labels === undefined ? null : selector.matches(labels) };
    } finally {
      selector.free();
    }
  };

  /** One step of a `connect` case: a connection, a clock advance, or a probe script/report. */
  const runStep = (router, step) =>
    attempt(() => {
      if ("connect" in step) return router.connect(step.connect, step.now ?? 0);
      if ("routeHttp" in step) return router.routeHttp(step.routeHttp, step.now ?? 0);
      if ("advance" in step) return router.advance(step.advance);
      if ("scriptProbe" in step) {
        const s = step.scriptProbe;
        router.scriptProbe(s.namespace, s.pod, s.steps);
        return null;
      }
      if ("reportProbe" in step) {
        const p = step.reportProbe;
        return router.reportProbe(p.namespace, p.pod, p.ok, p.now ?? 0);
      }
      throw new Error(`unknown step ${JSON.stringify(step)}`);
    });

  const q = c.query;
  switch (q.op) {
    case "selector":
      return selectorResult(() => Selector.parse(q.text), q.labels);
    case "labelSelector":
      return selectorResult(() => Selector.fromLabelSelector(q.selector ?? null), q.labels);
    case "validation": {
      const f = validators(api.validation)[q.fn];
      if (f === undefined) throw new Error(`unknown validator ${JSON.stringify(q.fn)}`);
      return f(q.value);
    }
    default:
      break;
  }
  let cluster;
  try {
    // A routeHttp case's `httpOptions` are Options fields too.
    cluster = Cluster.fromYaml(c.manifests ?? "", { ...(c.options ?? {}), ...(q.httpOptions ?? {}) });
  } catch (e) {
    return errorJson(e);
  }
  try {
    switch (q.op) {
      case "load":
        return { ok: true };
      case "diagnostics": {
        const all = cluster.diagnostics();
        return q.code === undefined ? all : all.filter((d) => d.code === q.code);
      }
      case "endpoints":
        return attempt(() => cluster.endpoints(q.namespace, q.service));
      case "envVars":
        return cluster.envVars(q.namespace, { enableServiceLinks: q.enableServiceLinks ?? true });
      case "podEnv":
        return attempt(() => cluster.podEnv(q.namespace, q.pod, q.container));
      case "resolve":
        return attempt(() => cluster.resolve(q.name, q.type ?? "A", q.namespace));
      case "routeHttp":
        return attempt(() => cluster.routeHttp(q.request, false, q.canaryDraw ?? null));
      case "lookupHttp": {
        // The URL alone and in a batch (after a URL that numbers another answer first): the
        // same answer, or an error of the same kind naming the element.
        const one = attempt(() => cluster.lookupHttp(q.url));
        const many = attempt(() => cluster.lookupHttpMany(["/", q.url]));
        const agrees =
          "error" in one
            ? many.error?.kind === one.error.kind && many.error.field === "urls[1]"
            : mismatch(one, many[1]) === null && mismatch(many[1], one) === null;
        if (!agrees) throw new Error(`lookupHttpMany disagrees with lookupHttp: ${show(one)}, ${show(many)}`);
        return one;
      }
      case "usableEndpoints":
        return attempt(() => cluster.usableEndpoints(q.namespace, q.service, { node: q.node, port: q.port }));
      case "applyEvents": {
        const outcomes = q.events.map((event) => attempt(() => cluster.applyEvent(event)));
        return { outcomes, endpoints: attempt(() => cluster.endpoints(q.namespace, q.service)) };
      }
      case "connect": {
        const router = cluster.router(q.router);
        try {
          return q.steps.map((step) => runStep(router, step));
        } finally {
          router.free();
        }
      }
      default:
        throw new Error(`unknown op ${JSON.stringify(q.op)}`);
    }
  } finally {
    cluster.free();
  }
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const show = (v) => JSON.stringify(v);

/**
 * Subset match: expected object keys must exist with matching values, lists must have the same
 * length and match element by element, scalars must be equal. Returns why not, or null.
 */
export function mismatch(expect, actual, where = "$") {
  if (isObject(expect) && isObject(actual)) {
    for (const [k, v] of Object.entries(expect)) {
      if (!Object.hasOwn(actual, k)) return `${where}.${k}: missing in ${show(actual)}`;
      const why = mismatch(v, actual[k], `${where}.${k}`);
      if (why) return why;
    }
    return null;
  }
  if (Array.isArray(expect) && Array.isArray(actual)) {
    if (expect.length !== actual.length) {
      return `${where}: expected ${expect.length} items, got ${actual.length}: ${show(actual)}`;
    }
    for (let i = 0; i < expect.length; i++) {
      const why = mismatch(expect[i], actual[i], `${where}[${i}]`);
      if (why) return why;
    }
    return null;
  }
  if (isObject(expect) || Array.isArray(expect) || expect !== actual) {
    return `${where}: expected ${show(expect)}, got ${show(actual)}`;
  }
  return null;
}

/** Why case `c` fails against `api` (prefixed with its source), or null when it passes. */
export function check(api, c) {
  const why = mismatch(c.expect, runCase(api, c));
  return why === null ? null : `${c.source ?? ""}: ${why}`;
}
