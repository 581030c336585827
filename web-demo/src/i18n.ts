// English and Chinese: the interface strings, the language switch, and `t()`. Static markup
// names its string with `data-i18n="key"` (text) or `data-i18n-label="key"` (aria-label),
// `data-i18n-placeholder`, `data-i18n-title`; dynamic parts call `t()` when they render.

export type Lang = "en" | "zh";
export interface Text {
  en: string;
  zh: string;
}

const STRINGS = {
  skip: { en: "Skip to the request", zh: "跳到请求" },
  subtitle: {
    en: "Where does this request go, and why? Kubernetes Service networking, offline in your browser.",
    zh: "这个请求去了哪里, 为什么? 在浏览器里离线重现 Kubernetes 服务网络.",
  },
  example: { en: "Example", zh: "示例" },
  language: { en: "Language", zh: "语言" },
  share: { en: "Copy link", zh: "复制链接" },
  copied: { en: "Link copied", zh: "链接已复制" },
  reset: { en: "Reset example", zh: "重置示例" },
  edited: { en: "edited", zh: "已修改" },
  seed: { en: "From the notes:", zh: "笔记章节:" },
  manifests: { en: "Manifests (YAML)", zh: "清单 (YAML)" },
  editorLabel: { en: "Kubernetes manifests, YAML", zh: "Kubernetes 清单, YAML" },
  diagnostics: { en: "Diagnostics", zh: "诊断" },
  noDiagnostics: { en: "No findings: the manifests look right.", zh: "没有发现问题." },
  loadError: { en: "The manifests cannot be read", zh: "无法读取清单" },
  line: { en: "line", zh: "第" },
  lineSuffix: { en: "", zh: " 行" },
  request: { en: "Request", zh: "请求" },
  mode: { en: "Kind of request", zh: "请求类型" },
  modeHttp: { en: "HTTP (through an Ingress)", zh: "HTTP (经由 Ingress)" },
  modeConn: { en: "Connection (IP:port)", zh: "连接 (IP:端口)" },
  url: { en: "URL", zh: "URL" },
  method: { en: "Method", zh: "方法" },
  headers: { en: "Headers (one “Name: value” per line)", zh: "请求头 (每行一个 “Name: value”)" },
  cookies: { en: "Cookies (name=value; …)", zh: "Cookie (name=value; …)" },
  sni: { en: "TLS server name (SNI)", zh: "TLS 服务器名 (SNI)" },
  profile: { en: "Ingress controller", zh: "Ingress 控制器" },
  profileUpstream: { en: "Kubernetes spec", zh: "Kubernetes 规范" },
  sniPlaceholder: { en: "default: the URL's host", zh: "默认: URL 的主机" },
  clientIp: { en: "Client IP", zh: "客户端 IP" },
  from: { en: "From", zh: "来自" },
  fromPod: { en: "a pod", zh: "一个 pod" },
  fromOutside: { en: "an outside client", zh: "集群外的客户端" },
  pod: { en: "Pod", zh: "Pod" },
  target: { en: "Known addresses", zh: "已知地址" },
  targetPick: { en: "— pick a Service address —", zh: "— 选择一个服务地址 —" },
  dstIp: { en: "Destination IP", zh: "目标 IP" },
  dstPort: { en: "Port", zh: "端口" },
  protocol: { en: "Protocol", zh: "协议" },
  node: { en: "Arrives at node", zh: "到达节点" },
  nodeAuto: { en: "(automatic)", zh: "(自动)" },
  send: { en: "Send", zh: "发送" },
  sendHint: { en: "Ctrl+Enter sends from anywhere in the form.", zh: "在表单中按 Ctrl+Enter 发送." },
  tryAlso: { en: "Try also:", zh: "也试试:" },
  result: { en: "Result", zh: "结果" },
  noResult: { en: "Send the request to see where it goes.", zh: "发送请求, 看看它去了哪里." },
  trace: { en: "Trace", zh: "追踪" },
  diagram: { en: "Path", zh: "路径" },
  diagramLabel: { en: "Diagram: Ingress, Services, endpoints and pods", zh: "示意图: Ingress, 服务, endpoint 与 pod" },
  legendReady: { en: "ready", zh: "就绪" },
  legendUnready: { en: "not ready", zh: "未就绪" },
  legendTerminating: { en: "terminating", zh: "终止中" },
  legendTaken: { en: "path taken", zh: "实际路径" },
  client: { en: "Client", zh: "客户端" },
  ingress: { en: "Ingress", zh: "Ingress" },
  services: { en: "Services", zh: "服务" },
  endpointsPods: { en: "Endpoints / pods", zh: "Endpoint / pod" },
  external: { en: "external", zh: "外部" },
  noEndpoints: { en: "no endpoints", zh: "没有 endpoint" },
  internet: { en: "outside the cluster", zh: "集群外部" },
  decision: { en: "Decision", zh: "决定" },
  via: { en: "Via", zh: "经由" },
  service: { en: "Service", zh: "服务" },
  endpoint: { en: "Endpoint", zh: "Endpoint" },
  handledBy: { en: "Node (kube-proxy)", zh: "节点 (kube-proxy)" },
  sourceNat: { en: "Source NAT", zh: "源地址转换" },
  clientIpSeen: { en: "Pod sees client", zh: "pod 看到的客户端" },
  affinity: { en: "Affinity", zh: "亲和性" },
  balancer: { en: "Balancer", zh: "负载均衡" },
  status: { en: "Status", zh: "状态" },
  source: { en: "Decided by", zh: "决定者" },
  match: { en: "Match", zh: "匹配" },
  backend: { en: "Backend", zh: "后端" },
  tls: { en: "Certificate", zh: "证书" },
  defaultCert: { en: "controller's default certificate", zh: "控制器的默认证书" },
  redirect: { en: "Redirect", zh: "重定向" },
  upstream: { en: "Sent upstream", zh: "转发给后端" },
  setCookie: { en: "Set-Cookie", zh: "Set-Cookie" },
  yes: { en: "yes", zh: "是" },
  no: { en: "no", zh: "否" },
  missingFeature: {
    en: "This build of the kroute package has no {what} yet; rebuild it (make wasm) when it lands.",
    zh: "当前 kroute 包还没有 {what}; 功能合入后请重新构建 (make wasm).",
  },
  noCluster: { en: "Fix the manifests first.", zh: "请先修正清单." },
  endpointNotPicked: {
    en: "The router of this kroute build cannot pick the endpoint of an HTTP request yet; the Service's ready endpoints are shown as candidates.",
    zh: "当前 kroute 包的路由器还不能为 HTTP 请求选择 endpoint; 图中标出了服务的所有就绪 endpoint.",
  },
  simulation: { en: "Simulation", zh: "模拟" },
  simRequests: { en: "Requests (N)", zh: "请求数 (N)" },
  simClients: { en: "Clients (M)", zh: "客户端数 (M)" },
  simBalancer: { en: "Balancer", zh: "负载均衡算法" },
  simAffinity: { en: "Session affinity", zh: "会话亲和性" },
  affinityAsWritten: { en: "as written", zh: "按清单" },
  simSeed: { en: "Seed", zh: "随机种子" },
  simRun: { en: "Run", zh: "运行" },
  simNote: {
    en: "Request i comes from client i mod M (addresses counting up from the client IP), all at the timeline's time.",
    zh: "第 i 个请求来自第 i mod M 个客户端 (从客户端 IP 依次递增的地址), 都在时间轴的当前时刻发出.",
  },
  simSummary: {
    en: "Requests: {n} · clients: {m} · endpoints reached: {pods} · endpoints per client, on average: {per}",
    zh: "请求: {n} · 客户端: {m} · 到达的 endpoint: {pods} · 平均每个客户端到达的 endpoint: {per}",
  },
  simDistribution: { en: "Distribution per endpoint", zh: "按 endpoint 的分布" },
  timeline: { en: "Timeline: readiness probes and watch events", zh: "时间轴: 就绪探针与 watch 事件" },
  time: { en: "Time (seconds)", zh: "时间 (秒)" },
  timelineNone: {
    en: "This example scripts no probe or event; pods keep their status.",
    zh: "这个示例没有脚本化的探针或事件; pod 保持原状态.",
  },
  changesUntil: { en: "Readiness changes up to now", zh: "到目前为止的就绪变化" },
  becameReady: { en: "turns ready", zh: "变为就绪" },
  becameUnready: { en: "turns unready", zh: "变为未就绪" },
  eventsScheduled: { en: "Watch events", zh: "watch 事件" },
  applied: { en: "applied", zh: "已应用" },
  pending: { en: "pending", zh: "待发生" },
  tlAdd: { en: "Add to the timeline", zh: "添加到时间轴" },
  tlWhat: { en: "What happens", zh: "发生什么" },
  tlFail: { en: "fails its readiness probe", zh: "就绪探针失败" },
  tlTerminate: { en: "starts terminating", zh: "开始终止" },
  tlDelete: { en: "is deleted", zh: "被删除" },
  tlFrom: { en: "From (s)", zh: "从 (秒)" },
  tlTo: { en: "Until (s)", zh: "直到 (秒)" },
  add: { en: "Add", zh: "添加" },
  remove: { en: "Remove", zh: "删除" },
  probeScript: { en: "Probe scripts", zh: "探针脚本" },
  probeOk: { en: "succeeds", zh: "成功" },
  probeFail: { en: "fails", zh: "失败" },
  until: { en: "until", zh: "直到" },
  discovery: { en: "Discovery", zh: "服务发现" },
  envOf: { en: "Environment of pod", zh: "pod 的环境变量" },
  envNone: { en: "No variables.", zh: "没有变量." },
  envName: { en: "Name", zh: "名称" },
  envValue: { en: "Value", zh: "值" },
  envContainer: { en: "The container's own env", zh: "容器自己的 env" },
  dnsLookup: { en: "DNS lookup", zh: "DNS 解析" },
  dnsName: { en: "Name", zh: "名称" },
  dnsType: { en: "Type", zh: "类型" },
  dnsFrom: { en: "as resolved from pod", zh: "在此 pod 中解析" },
  lookup: { en: "Look up", zh: "解析" },
  tried: { en: "Search-path expansion (names tried, in order)", zh: "搜索路径展开 (依次尝试的名字)" },
  answers: { en: "Answers", zh: "应答" },
  additional: { en: "Additional", zh: "附加记录" },
  noAnswers: { en: "No records.", zh: "没有记录." },
  answered: { en: "answered", zh: "命中" },
  explanation: { en: "About this example", zh: "关于这个示例" },
  footer: {
    en: "Runs entirely in your browser on the kroute npm package (WebAssembly). Nothing is sent anywhere.",
    zh: "完全在浏览器中运行 (kroute npm 包, WebAssembly). 不会发送任何数据.",
  },
} satisfies Record<string, Text>;

export type Key = keyof typeof STRINGS;

let current: Lang = "en";
const listeners: (() => void)[] = [];

export function lang(): Lang {
  return current;
}

export function setLang(l: Lang): void {
  current = l;
  document.documentElement.lang = l === "zh" ? "zh-CN" : "en";
  applyStatic(document.body);
  for (const f of listeners) f();
}

/** Calls `f` after every language change (dynamic parts re-render). */
export function onLangChange(f: () => void): void {
  listeners.push(f);
}

/** The string `key` in the current language, `{name}` replaced from `vars`. */
export function t(key: Key, vars: Record<string, string | number> = {}): string {
  return STRINGS[key][current].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}

/** A bilingual text in the current language. */
export function tx(text: Text): string {
  return text[current];
}

export function isKey(k: string): k is Key {
  return k in STRINGS;
}

/** Fills every `data-i18n*` attribute under `root`. */
export function applyStatic(root: ParentNode): void {
  for (const el of root.querySelectorAll<HTMLElement>("[data-i18n]")) {
    const k = el.dataset.i18n ?? "";
    if (isKey(k)) el.textContent = t(k);
  }
  for (const [attr, target] of [
    ["i18nLabel", "aria-label"],
    ["i18nPlaceholder", "placeholder"],
    ["i18nTitle", "title"],
  ] as const) {
    for (const el of root.querySelectorAll<HTMLElement>(`[data-${attr.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())}]`)) {
      const k = el.dataset[attr] ?? "";
      if (isKey(k)) el.setAttribute(target, t(k));
    }
  }
}
