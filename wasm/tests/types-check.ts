// Type-checked (never run) by `npm run typecheck` (tsc --strict, see ../tsconfig.json) against
// pkg/kroute.d.ts: the declarations users get with `import ... from "kroute"`.
import init, {
  Cluster,
  KrouteError,
  Router,
  Selector,
  init as namedInit,
  validation,
  type AffinityOutcome,
  type Balancer,
  type Conditions,
  type Conn,
  type ConnDecision,
  type Diagnostic,
  type DnsAnswer,
  type DnsRecord,
  type DnsType,
  type Endpoint,
  type EndpointRef,
  type EnvSource,
  type EnvVar,
  type EnvVarsOptions,
  type ErrorKind,
  type EventOutcome,
  type HostMatch,
  type KrouteErrorData,
  type LabelSelector,
  type Labels,
  type ObjectRef,
  type Options,
  type ProbeStep,
  type Protocol,
  type Rcode,
  type ReadinessChange,
  type RouterConfig,
  type ServiceRef,
  type Severity,
  type TopologyMode,
  type UrlLookup,
  type UrlMatched,
  type UsableEndpoints,
  type UsableEndpointsOptions,
  type Verdict,
  type Via,
  type WatchEvent,
  type WatchEventType,
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

// Discovery and routing: every call and result, each value given a narrow type.
export function routing(yaml: string): string[] {
  const lines: string[] = [];
  const cluster: Cluster = Cluster.fromYaml(yaml, { dnsPods: "insecure", kubernetesService: false });

  const envOptions: EnvVarsOptions = { enableServiceLinks: false };
  const env: EnvVar[] = [...cluster.envVars("default"), ...cluster.envVars("default", envOptions)];
  for (const v of [...env, ...cluster.podEnv("default", "client"), ...cluster.podEnv("default", "client", "main")]) {
    const source: EnvSource = v.source;
    const service: string | null = v.service;
    lines.push(`${v.name}=${v.value} ${source} ${service}`);
  }

  const answer: DnsAnswer = cluster.resolve("kubia.default.svc.cluster.local");
  const srv: DnsAnswer = cluster.resolve("kubia", "srv", "default");
  const rcode: Rcode = answer.rcode;
  const records: DnsRecord[] = [...answer.answers, ...srv.additional];
  for (const r of records) {
    const type: DnsType = r.type;
    const ttl: number = r.ttl;
    lines.push(`${r.name} ${ttl} ${type} ${r.data}`);
  }
  const tried: string[] = cluster.resolve("kubia", null, "default").tried;
  lines.push(`${rcode} ${tried.join(",")}`);

  const validators: string[][] = [
    validation.dns1123Label("a"),
    validation.dns1123Subdomain("a.b"),
    validation.dns1035Label("a"),
    validation.wildcardDns1123Subdomain("*.a"),
    validation.qualifiedName("a/b"),
    validation.labelValue(""),
    validation.portName("http"),
    validation.portNumber(80),
  ];
  lines.push(String(validators.flat().length));

  const usableOptions: UsableEndpointsOptions = { node: "node-1", port: "http" };
  const usable: UsableEndpoints = cluster.usableEndpoints("default", "kubia", usableOptions);
  const byNumber: UsableEndpoints = cluster.usableEndpoints("default", "kubia", { port: 80 });
  const clusterEndpoints: string[] | null = usable.clusterEndpoints;
  const localEndpoints: string[] | null = byNumber.localEndpoints;
  const topology: TopologyMode = usable.topologyMode;
  lines.push(`${clusterEndpoints} ${localEndpoints} ${usable.allReachableEndpoints} ${usable.hasAnyEndpoints} ${topology}`);

  const balancer: Balancer = "maglev";
  const config: RouterConfig = { node: "node-1", seed: 1, balancer, affinityCapacity: 10, maglevTableSize: 251, explain: true };
  const router: Router = cluster.router(config);
  const defaults: Router = cluster.router();
  const conn: Conn = { clientIp: "10.0.0.1", clientPort: 40000, dstIp: "10.96.0.50", dstPort: 80, protocol: "TCP" };
  const fromPod: Conn = { fromPod: "default/client", dstIp: "10.96.0.50", dstPort: 80, node: null };
  const decisions: ConnDecision[] = [router.connect(conn), router.connect(fromPod, 1.5), ...router.connectMany([conn, fromPod], 2)];
  for (const d of decisions) {
    const verdict: Verdict = d.verdict;
    const via: Via | null = d.via;
    const service: ServiceRef | null = d.service;
    const endpoint: EndpointRef | null = d.endpoint;
    const affinity: AffinityOutcome = d.affinity;
    const used: Balancer = d.balancer;
    const trace: string[] = d.trace ?? [];
    const seen: string | null = d.clientIpSeen;
    lines.push(
      `${verdict} ${via} ${service?.namespace}/${service?.name}:${service?.port}/${service?.portName} ` +
        `${endpoint?.ip}:${endpoint?.port} ${endpoint?.pod} ${endpoint?.node} ${d.node} ${d.sourceNat} ${seen} ` +
        `${affinity} ${used} ${d.reason} ${trace.length}`,
    );
  }
  const steps: ProbeStep[] = [{ until: 30, ok: false }];
  router.scriptProbe("default", "kubia-a", steps);
  const changes: ReadinessChange[] = router.advance(45);
  for (const c of changes) lines.push(`${c.time} ${c.pod} ${c.ready}`);
  const ready: boolean = router.reportProbe("default", "kubia-a", true, 50);
  router.setInFlight("10.244.1.2", 8080, 3);
  const entries: number = router.affinityEntries();
  lines.push(`${ready} ${entries}`);
  const lookup: UrlLookup = cluster.lookupHttp("https://kubia.example.com/foo/x");
  const lookups: UrlLookup[] = [...cluster.lookupHttpMany(["/", "/a"]), router.lookupHttp("/"), ...router.lookupHttpMany([])];
  for (const l of [lookup, ...lookups]) {
    if (l.result === "matched") {
      const m: UrlMatched = l;
      const host: HostMatch = m.hostMatch;
      const port: number | null = m.servicePort;
      lines.push(`${m.namespace}/${m.ingress} ${m.rule} ${m.path} ${host} ${m.service}:${port}`);
    } else if (l.result === "refused") {
      const reason: string = l.reason;
      lines.push(reason);
    } else {
      lines.push(l.result);
    }
  }
  router.free();
  defaults.free();

  const type: WatchEventType = "MODIFIED";
  const event: WatchEvent = { type, object: { kind: "Pod", metadata: { name: "kubia-a" } } };
  const outcome: EventOutcome = cluster.applyEvent(event);
  const recomputed: string[] = outcome.recomputed;
  const outcomeType: WatchEventType = outcome.type;
  lines.push(`${outcomeType} ${outcome.kind} ${outcome.object} ${recomputed.join(",")} ${outcome.httpRebuilt}`);
  cluster.free();
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
// @ts-expect-error a connection needs dstPort
Cluster.fromYaml("").router().connect({ clientIp: "10.0.0.1", dstIp: "10.0.0.2" });
// @ts-expect-error balancers are named
Cluster.fromYaml("").router({ balancer: "fastest" });
// @ts-expect-error unknown router settings are errors
Cluster.fromYaml("").router({ seeds: 1 });
// @ts-expect-error DNS types are named
Cluster.fromYaml("").resolve("kubia", "MX");
// @ts-expect-error probe steps need ok
Cluster.fromYaml("").router().scriptProbe("default", "p", [{ until: 1 }]);
// @ts-expect-error watch events have a type
Cluster.fromYaml("").applyEvent({ object: {} });
// @ts-expect-error portNumber takes a number
validation.portNumber("80");
// @ts-expect-error URLs are strings
Cluster.fromYaml("").lookupHttp(5);
// @ts-expect-error lookupHttpMany takes an array of URLs
Cluster.fromYaml("").lookupHttpMany("/");
// @ts-expect-error lookupHttp's answers have no status
Cluster.fromYaml("").lookupHttp("/").status;
// @ts-expect-error routers come from Cluster.router
new Router();
