// Type-checked (never run) by `npm run typecheck` (tsc --strict, see ../tsconfig.json) against
// pkg/kroute.d.ts: the declarations users get with `import ... from "kroute"`.
import init, {
  Cluster,
  KrouteError,
  Selector,
  init as namedInit,
  type Conditions,
  type Diagnostic,
  type Endpoint,
  type ErrorKind,
  type KrouteErrorData,
  type LabelSelector,
  type Labels,
  type ObjectRef,
  type Options,
  type Protocol,
  type Severity,
} from "kroute";

// Every exported function and type is used below; tsc fails on `any` leaking through only if
// we forbid it ourselves, so each value is assigned to an explicit, narrow type.
export async function example(yaml: string): Promise<string[]> {
  await init();
  await namedInit();

  const options: Options = { namespace: "shop", assumeRunningPods: false, dnsPods: "verified" };
  const cluster: Cluster = Cluster.fromYaml(yaml, options);
  const fromJson: Cluster = Cluster.fromJson("{}");
  const fromObjects: Cluster = Cluster.fromObjects([{ apiVersion: "v1", kind: "Pod" }], null);
  fromJson.free();
  fromObjects.free();

  const endpoints: Endpoint[] = cluster.endpoints("shop", "web");
  const lines: string[] = [];
  for (const e of endpoints) {
    const ip: string = e.ip;
    const port: number = e.port;
    const protocol: Protocol = e.protocol;
    const conditions: Conditions = e.conditions;
    const ready: boolean = conditions.ready && !conditions.terminating && conditions.serving;
    const pod: string | null = e.pod;
    const zone: string = e.zone ?? "no zone";
    const hints: string[] = [...e.zoneHints, ...e.nodeHints];
    const extra: (string | null)[] = [e.node, e.hostname, e.portName, String(e.servicePort)];
    lines.push(`${ip}:${port}/${protocol} ready=${ready} pod=${pod} ${zone} ${hints.length} ${extra.length}`);
  }

  const diagnostics: Diagnostic[] = cluster.diagnostics();
  for (const d of diagnostics) {
    const severity: Severity = d.severity;
    const object: ObjectRef | null = d.object;
    const where: string = [d.document, d.line, d.column, d.field].map((x) => String(x)).join(":");
    lines.push(`${severity} ${d.code}: ${d.message} ${object?.kind}/${object?.namespace}/${object?.name} ${where}`);
  }
  cluster.free();

  const labels: Labels = { app: "web", tier: "api" };
  const selector: Selector = Selector.parse("app=web,tier in (api)");
  const matched: boolean = selector.matches(labels);
  const text: string = selector.toString();
  selector.free();
  const sel: LabelSelector = {
    matchLabels: { app: "web" },
    matchExpressions: [{ key: "tier", operator: "In", values: ["api"] }],
  };
  const structured: Selector = Selector.fromLabelSelector(sel);
  const nothing: Selector = Selector.fromLabelSelector(null);
  const fromLabels: Selector = Selector.fromLabels(labels);
  lines.push(`${matched} ${text} ${structured.matches(labels)} ${nothing.matches({})} ${fromLabels}`);
  structured.free();
  nothing.free();
  fromLabels.free();

  try {
    Cluster.fromYaml("metadata:\n\tname: x\n");
  } catch (e: unknown) {
    if (e instanceof KrouteError) {
      const kind: ErrorKind = e.kind;
      const line: number | null = e.line;
      const column: number | null = e.column;
      const document: number | null = e.document;
      const field: string | null = e.field;
      const reason: string = e.reason;
      const data: KrouteErrorData = e.toJSON();
      const asError: Error = e;
      lines.push(`${kind} ${line} ${column} ${document} ${field} ${reason} ${data.message} ${asError.message}`);
      const exhaustive: "m" | "s" | "r" = kind === "Manifest" ? "m" : kind === "Selector" ? "s" : "r";
      lines.push(exhaustive);
    }
  }
  return lines;
}

// Wrong uses must not compile.
// @ts-expect-error a number is not a manifest text
Cluster.fromYaml(5);
// @ts-expect-error options are typed
Cluster.fromYaml("", { namespace: 5 });
// @ts-expect-error unknown option names are errors
Cluster.fromYaml("", { namspace: "x" });
// @ts-expect-error dnsPods has three values
Cluster.fromYaml("", { dnsPods: "sometimes" });
// @ts-expect-error label values are strings
Selector.fromLabels({ app: 1 });
// @ts-expect-error KrouteError instances come from the API only
new KrouteError();
