// The examples menu: one example per scenario of the seed study notes (seed/*.txt), each with
// complete manifests, a short explanation in English and Chinese, the request it routes, and
// what that request must reach (the end-to-end tests check it).

import type { ProbeStep } from "./api";
import type { Text } from "./i18n";

/** The request form, flat: `mode` says which fields count. */
export interface RequestForm {
  mode: "http" | "conn";
  // HTTP
  url: string;
  method: string;
  /** `Name: value` per line. */
  headers: string;
  /** `name=value; other=value`. */
  cookies: string;
  sni: string;
  /** Whose Ingress behaviour: `""` the Kubernetes API as specified, or `ingress-nginx`. */
  profile: "" | "ingress-nginx";
  // both
  clientIp: string;
  // connection
  from: "pod" | "outside";
  fromPod: string;
  dstIp: string;
  dstPort: number;
  protocol: "TCP" | "UDP" | "SCTP";
  /** The node the packet arrives at (empty: let kroute decide). */
  node: string;
}

export const DEFAULT_REQUEST: RequestForm = {
  mode: "conn",
  url: "http://kubia.example.com/",
  method: "GET",
  headers: "",
  cookies: "",
  sni: "",
  profile: "",
  clientIp: "203.0.113.7",
  from: "pod",
  fromPod: "",
  dstIp: "",
  dstPort: 80,
  protocol: "TCP",
  node: "",
};

/** What the example's request must reach. */
export interface Expect {
  /** Verdict (connections) or status (HTTP). */
  verdict?: string;
  status?: number;
  /** The Service that must be chosen (`name` in the example's namespace). */
  service?: string;
  /** The endpoint must be one of these pods... */
  pods?: string[];
  /** ...or one of these addresses (endpoints without a pod). */
  ips?: string[];
  /** The endpoint port. */
  port?: number;
  /** An ExternalName target. */
  externalName?: string;
  /** The TLS Secret served. */
  tlsSecret?: string;
}

/** A watch event at a time of the timeline. */
export interface TimedEvent {
  at: number;
  type: "ADDED" | "MODIFIED" | "DELETED";
  /** The object, or for DELETED/MODIFIED the name of a Pod of the manifests. */
  object?: Record<string, unknown>;
  pod?: string;
  /** For MODIFIED of `pod`: set `metadata.deletionTimestamp` (the pod is terminating). */
  terminate?: boolean;
}

export interface Timeline {
  /** Length of the slider (seconds). */
  end: number;
  /** Scripted readiness-probe outcomes per pod (`ok` until each step's `until`). */
  probes: { pod: string; script: ProbeStep[] }[];
  events: TimedEvent[];
}

export interface Example {
  id: string;
  title: Text;
  /** Where it comes from in the seed notes. */
  seed: string;
  explain: Text;
  yaml: string;
  request: Partial<RequestForm>;
  expect: Expect;
  /** More requests worth trying, one click each. */
  more?: { label: Text; request: Partial<RequestForm>; expect?: Expect }[];
  sim?: { requests?: number; clients?: number; balancer?: string };
  discovery?: { pod?: string; dns?: string; dnsType?: string };
  timeline?: Timeline;
}

// ---------------------------------------------------------------------------------------------
// Manifest pieces

interface PodSpec {
  name: string;
  app: string;
  ip: string;
  node?: string;
  ready?: boolean;
  ports?: string;
  image?: string;
  extraSpec?: string;
  extraMeta?: string;
}

/** A Pod with labels, a node, a container, and a status (podIP, Ready). */
function pod(p: PodSpec): string {
  const ports = p.ports ?? "    ports:\n    - containerPort: 8080\n";
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${p.name}
  labels:
    app: ${p.app}
${p.extraMeta ?? ""}spec:
${p.node ? `  nodeName: ${p.node}\n` : ""}  containers:
  - name: ${p.app}
    image: ${p.image ?? "luksa/kubia"}
${ports}${p.extraSpec ?? ""}status:
  phase: Running
  podIP: ${p.ip}
  conditions:
  - type: Ready
    status: "${p.ready === false ? "False" : "True"}"
`;
}

/** A curl pod to send requests from (not selected by any Service). */
const CLIENT = (ip = "10.244.1.9", node = "worker-1") =>
  pod({ name: "client", app: "client", ip, node, image: "curlimages/curl", ports: "" });

function node(name: string, ip: string): string {
  return `apiVersion: v1
kind: Node
metadata:
  name: ${name}
status:
  addresses:
  - type: InternalIP
    address: ${ip}
`;
}

const NODES = [node("worker-1", "192.168.49.2"), node("worker-2", "192.168.49.3")];

function docs(...parts: string[]): string {
  return parts.map((p) => p.trimEnd() + "\n").join("---\n");
}

const KUBIA_SVC = `apiVersion: v1
kind: Service
metadata:
  name: kubia
spec:
  clusterIP: 10.111.248.153
  ports:
  - port: 80
    targetPort: 8080
  selector:
    app: kubia
`;

const KUBIA_PODS = [
  pod({ name: "kubia-xkcj", app: "kubia", ip: "10.244.1.5", node: "worker-1" }),
  pod({ name: "kubia-7nog1", app: "kubia", ip: "10.244.2.6", node: "worker-2" }),
  pod({ name: "kubia-gzwli", app: "kubia", ip: "10.244.1.7", node: "worker-1" }),
];
const KUBIA_NAMES = ["kubia-xkcj", "kubia-7nog1", "kubia-gzwli"];

function svc(name: string, ip: string, app: string, port = 80, target: number | string = 8080): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  clusterIP: ${ip}
  ports:
  - port: ${port}
    targetPort: ${target}
  selector:
    app: ${app}
`;
}

const INGRESS_CLASS = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx
  annotations:
    ingressclass.kubernetes.io/is-default-class: "true"
spec:
  controller: k8s.io/ingress-nginx
`;

/** The readiness probe of the seed's chapter (the book's `ls /var/ready`), every 5 s. */
const READINESS = `    readinessProbe:
      exec:
        command: ["ls", "/var/ready"]
      periodSeconds: 5
      failureThreshold: 3
`;

// ---------------------------------------------------------------------------------------------
// The examples, in the order of the seed notes

export const EXAMPLES: Example[] = [
  {
    id: "service",
    seed: "介绍服务 · 创建服务",
    title: { en: "A Service and its pods", zh: "服务及其 pod" },
    explain: {
      en: "Pods come and go and get new IPs, so clients use a Service instead: a stable cluster IP (here 10.111.248.153) in front of every pod whose labels match the selector app=kubia. kube-proxy sends each connection to port 80 on to one of the ready pods, on its targetPort 8080. The request below is the seed's `kubectl exec kubia-xkcj -- curl -s http://10.111.248.153:80`.",
      zh: "pod 是短暂的, 重启后 IP 也会变, 所以客户端通过服务(Service)访问它们: 一个固定的集群 IP(这里是 10.111.248.153), 背后是所有标签匹配选择器 app=kubia 的 pod. kube-proxy 把发往 80 端口的每个连接转发给其中一个就绪的 pod 的 targetPort 8080. 下面的请求就是笔记里的 `kubectl exec kubia-xkcj -- curl -s http://10.111.248.153:80`.",
    },
    yaml: docs(KUBIA_SVC, ...KUBIA_PODS, ...NODES),
    request: { mode: "conn", from: "pod", fromPod: "default/kubia-xkcj", dstIp: "10.111.248.153", dstPort: 80 },
    expect: { verdict: "FORWARD", service: "kubia", pods: KUBIA_NAMES, port: 8080 },
    sim: { requests: 90, clients: 9 },
    discovery: { pod: "kubia-xkcj", dns: "kubia" },
  },
  {
    id: "affinity",
    seed: "sessionAffinity: ClientIP",
    title: { en: "Session affinity: ClientIP", zh: "会话亲和性: ClientIP" },
    explain: {
      en: "By default (sessionAffinity: None) every new connection may land on any ready pod. With sessionAffinity: ClientIP, kube-proxy remembers which pod a client address went to and sends all its connections there until the affinity times out (timeoutSeconds, 3 hours by default). Kubernetes supports only these two kinds. In Simulation, send 100 requests from 1 client: they all land on one pod; with 10 clients they spread.",
      zh: "默认(sessionAffinity: None)每个新连接都可能落到任意一个就绪的 pod. 设置 sessionAffinity: ClientIP 后, kube-proxy 会记住某个客户端 IP 去了哪个 pod, 之后它的所有连接都发往同一个 pod, 直到亲和性超时(timeoutSeconds, 默认 3 小时). kubernetes 只支持这两种会话亲和性. 在“模拟”里从 1 个客户端发 100 个请求: 全部落在同一个 pod 上; 换成 10 个客户端就会分散开.",
    },
    yaml: docs(
      `apiVersion: v1
kind: Service
metadata:
  name: kubia
spec:
  clusterIP: 10.111.248.153
  sessionAffinity: ClientIP
  sessionAffinityConfig:
    clientIP:
      timeoutSeconds: 10800
  ports:
  - port: 80
    targetPort: 8080
  selector:
    app: kubia
`,
      ...KUBIA_PODS,
      CLIENT(),
      ...NODES,
    ),
    request: { mode: "conn", from: "pod", fromPod: "default/client", dstIp: "10.111.248.153", dstPort: 80 },
    expect: { verdict: "FORWARD", service: "kubia", pods: KUBIA_NAMES },
    sim: { requests: 100, clients: 1 },
    discovery: { pod: "client", dns: "kubia" },
  },
  {
    id: "multi-port",
    seed: "同一个服务也是可以暴露多个端口的",
    title: { en: "Several ports", zh: "多个端口" },
    explain: {
      en: "One Service can expose several ports; each must then have a name (http, https). Port 80 goes to the pods' 8080 and 443 to 8443. The label selector applies to the whole Service: to send different ports to different pods you need several Services. The request connects to port 443 and lands on a pod's 8443.",
      zh: "一个服务可以暴露多个端口, 此时每个端口都必须有名字(http, https). 80 转发到 pod 的 8080, 443 转发到 8443. 标签选择器作用于整个服务, 不能为每个端口选择不同的 pod, 那样需要创建多个服务. 这里的请求连接 443 端口, 落到某个 pod 的 8443.",
    },
    yaml: docs(
      `apiVersion: v1
kind: Service
metadata:
  name: kubia
spec:
  clusterIP: 10.111.248.153
  ports:
  - name: http
    port: 80
    targetPort: 8080
  - name: https
    port: 443
    targetPort: 8443
  selector:
    app: kubia
`,
      pod({
        name: "kubia-xkcj",
        app: "kubia",
        ip: "10.244.1.5",
        node: "worker-1",
        ports: "    ports:\n    - containerPort: 8080\n    - containerPort: 8443\n",
      }),
      pod({
        name: "kubia-7nog1",
        app: "kubia",
        ip: "10.244.2.6",
        node: "worker-2",
        ports: "    ports:\n    - containerPort: 8080\n    - containerPort: 8443\n",
      }),
      CLIENT(),
      ...NODES,
    ),
    request: { mode: "conn", from: "pod", fromPod: "default/client", dstIp: "10.111.248.153", dstPort: 443 },
    expect: { verdict: "FORWARD", service: "kubia", pods: ["kubia-xkcj", "kubia-7nog1"], port: 8443 },
    more: [
      {
        label: { en: "port 80 → 8080", zh: "80 端口 → 8080" },
        request: { mode: "conn", from: "pod", fromPod: "default/client", dstIp: "10.111.248.153", dstPort: 80 },
        expect: { verdict: "FORWARD", service: "kubia", port: 8080 },
      },
    ],
    discovery: { pod: "client", dns: "_https._tcp.kubia", dnsType: "SRV" },
  },
  {
    id: "named-ports",
    seed: "命名端口",
    title: { en: "Named ports", zh: "命名端口" },
    explain: {
      en: "The pods name their container ports (http, https) and the Service targets those names instead of numbers. Each pod's own port number is looked up: here kubia-v2 serves http on 9080, the others on 8080, and the Service needs no change when pods renumber their ports.",
      zh: "pod 给容器端口命名(http, https), 服务的 targetPort 引用名字而不是数字. 端口号在每个 pod 上分别解析: 这里 kubia-v2 的 http 是 9080, 其它 pod 是 8080; pod 更换端口号时服务不需要修改.",
    },
    yaml: docs(
      `apiVersion: v1
kind: Service
metadata:
  name: kubia
spec:
  clusterIP: 10.111.248.153
  ports:
  - name: http
    port: 80
    targetPort: http
  - name: https
    port: 443
    targetPort: https
  selector:
    app: kubia
`,
      pod({
        name: "kubia-xkcj",
        app: "kubia",
        ip: "10.244.1.5",
        node: "worker-1",
        ports:
          "    ports:\n    - name: http\n      containerPort: 8080\n    - name: https\n      containerPort: 8443\n",
      }),
      pod({
        name: "kubia-v2",
        app: "kubia",
        ip: "10.244.2.8",
        node: "worker-2",
        image: "luksa/kubia:v2",
        ports:
          "    ports:\n    - name: http\n      containerPort: 9080\n    - name: https\n      containerPort: 9443\n",
      }),
      CLIENT(),
      ...NODES,
    ),
    request: { mode: "conn", from: "pod", fromPod: "default/client", dstIp: "10.111.248.153", dstPort: 80 },
    expect: { verdict: "FORWARD", service: "kubia", pods: ["kubia-xkcj", "kubia-v2"] },
    sim: { requests: 40, clients: 8 },
  },
  {
    id: "discovery",
    seed: "服务发现 · 环境变量 · DNS",
    title: { en: "Env vars and DNS names", zh: "环境变量与 DNS" },
    explain: {
      en: "How does a pod find a Service? kubelet gives every pod variables for the Services that existed when it started: KUBIA_SERVICE_HOST=10.111.248.153, KUBIA_SERVICE_PORT=80 (the name upper-cased, '-' becomes '_'). Cluster DNS answers backend-database.default.svc.cluster.local; from a pod in namespace default the short name backend-database works too, thanks to the resolver's search path. DNS gives only the IP: the port still comes from the variables, or is the standard one.",
      zh: "pod 如何找到服务? kubelet 会为 pod 启动时已经存在的服务注入环境变量: KUBIA_SERVICE_HOST=10.111.248.153, KUBIA_SERVICE_PORT=80(服务名转为大写, '-' 变为 '_'). 集群 DNS 解析全限定域名 backend-database.default.svc.cluster.local; 在 default 命名空间的 pod 里, 由于解析器的搜索路径, 短名称 backend-database 也能解析. DNS 只给出 IP: 端口号依然需要, 标准端口可以省略, 其它的从环境变量获取.",
    },
    yaml: docs(
      KUBIA_SVC,
      `apiVersion: v1
kind: Service
metadata:
  name: backend-database
spec:
  clusterIP: 10.111.249.20
  ports:
  - name: postgres
    port: 5432
    targetPort: 5432
  selector:
    app: backend-database
`,
      pod({ name: "kubia-xkcj", app: "kubia", ip: "10.244.1.5", node: "worker-1" }),
      pod({
        name: "backend-database-0",
        app: "backend-database",
        ip: "10.244.2.12",
        node: "worker-2",
        image: "postgres:16",
        ports: "    ports:\n    - containerPort: 5432\n",
      }),
      CLIENT(),
      ...NODES,
    ),
    request: { mode: "conn", from: "pod", fromPod: "default/client", dstIp: "10.111.249.20", dstPort: 5432 },
    expect: { verdict: "FORWARD", service: "backend-database", pods: ["backend-database-0"], port: 5432 },
    discovery: { pod: "client", dns: "backend-database", dnsType: "A" },
  },
  {
    id: "external-endpoints",
    seed: "连接集群外部的服务 · endpoint",
    title: { en: "External Service, manual Endpoints", zh: "外部服务与手动 Endpoints" },
    explain: {
      en: "A Service without a selector gets no endpoints from Kubernetes; you write the Endpoints object yourself, with the same name as the Service. Here external-service forwards to 11.11.11.11 and 22.22.22.22, outside the cluster: pods use the Service name while the real addresses can change behind it.",
      zh: "没有选择器的服务, kubernetes 不会为它创建 endpoint; 需要手动创建与服务同名的 Endpoints 资源. 这里 external-service 转发到集群外的 11.11.11.11 和 22.22.22.22: pod 使用服务名访问, 背后的真实地址可以随时更换, 服务 IP 保持不变.",
    },
    yaml: docs(
      `apiVersion: v1
kind: Service
metadata:
  name: external-service
spec:
  clusterIP: 10.111.250.10
  ports:
  - port: 80
`,
      `apiVersion: v1
kind: Endpoints
metadata:
  name: external-service
subsets:
- addresses:
  - ip: 11.11.11.11
  - ip: 22.22.22.22
  ports:
  - port: 80
`,
      CLIENT(),
      ...NODES,
    ),
    request: { mode: "conn", from: "pod", fromPod: "default/client", dstIp: "10.111.250.10", dstPort: 80 },
    expect: { verdict: "FORWARD", service: "external-service", ips: ["11.11.11.11", "22.22.22.22"], port: 80 },
    sim: { requests: 100, clients: 10 },
    discovery: { pod: "client", dns: "external-service" },
  },
  {
    id: "external-name",
    seed: "使用 Service 反向代理外部域名 (ExternalName)",
    title: { en: "ExternalName", zh: "ExternalName 服务" },
    explain: {
      en: "An ExternalName Service is only a DNS alias: nginx-externalname answers with a CNAME to www.baidu.com and has no cluster IP, no endpoints and no proxying. (The seed's name nginx-externalName is not a valid Service name: names must be lower case.) An Ingress may point at it; the request below goes through one. Look the name up under Discovery.",
      zh: "ExternalName 类型的服务只是一个 DNS 别名: nginx-externalname 解析为指向 www.baidu.com 的 CNAME, 没有集群 IP, 没有 endpoint, 也不做转发. (笔记里的名字 nginx-externalName 不合法: 服务名必须是小写.) Ingress 也可以指向它, 下面的请求就经过一个 Ingress. 在“服务发现”里解析这个名字看看.",
    },
    yaml: docs(
      `apiVersion: v1
kind: Service
metadata:
  labels:
    app: nginx-externalname
  name: nginx-externalname
spec:
  type: ExternalName
  externalName: www.baidu.com
  ports:
  - port: 80
`,
      INGRESS_CLASS,
      `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: baidu
spec:
  ingressClassName: nginx
  rules:
  - host: search.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: nginx-externalname
            port:
              number: 80
`,
      CLIENT(),
    ),
    request: { mode: "http", url: "http://search.example.com/", clientIp: "203.0.113.7" },
    expect: { service: "nginx-externalname", externalName: "www.baidu.com" },
    discovery: { pod: "client", dns: "nginx-externalname", dnsType: "A" },
  },
  {
    id: "nodeport",
    seed: "将服务暴露给外部客户端 · NodePort",
    title: { en: "NodePort 30123", zh: "NodePort 30123" },
    explain: {
      en: "type: NodePort opens port 30123 on every node; a connection to any node's IP on that port is forwarded to the Service's pods, wherever they run, possibly on another node (one more hop). With the default externalTrafficPolicy: Cluster the source address is rewritten (SNAT), so the pod sees the node, not the client. The Service stays reachable on its cluster IP too. If the node you talk to is down, so is your access.",
      zh: "type: NodePort 在每个节点上打开 30123 端口; 连接任意节点 IP 的这个端口, 都会被转发到服务的 pod, 不管 pod 在哪个节点(可能多一跳). 默认的 externalTrafficPolicy: Cluster 会改写源地址(SNAT), pod 看到的是节点而不是客户端. 服务仍然可以通过集群 IP 访问. NodePort 依赖节点 IP, 节点不工作时经由它的访问也就中断了.",
    },
    yaml: docs(
      `apiVersion: v1
kind: Service
metadata:
  name: kubia-nodeport
spec:
  type: NodePort
  clusterIP: 10.111.254.223
  ports:
  - port: 80
    targetPort: 8080
    nodePort: 30123
  selector:
    app: kubia
`,
      ...KUBIA_PODS,
      ...NODES,
    ),
    request: { mode: "conn", from: "outside", clientIp: "203.0.113.7", dstIp: "192.168.49.3", dstPort: 30123 },
    expect: { verdict: "FORWARD", service: "kubia-nodeport", pods: KUBIA_NAMES, port: 8080 },
    more: [
      {
        label: { en: "node worker-1:30123", zh: "节点 worker-1:30123" },
        request: { mode: "conn", from: "outside", clientIp: "203.0.113.7", dstIp: "192.168.49.2", dstPort: 30123 },
      },
      {
        label: { en: "cluster IP from a pod", zh: "从 pod 访问集群 IP" },
        request: { mode: "conn", from: "pod", fromPod: "default/kubia-xkcj", dstIp: "10.111.254.223", dstPort: 80 },
      },
    ],
    sim: { requests: 90, clients: 30 },
  },
  {
    id: "loadbalancer-local",
    seed: "LoadBalancer · externalTrafficPolicy: Local",
    title: { en: "LoadBalancer, externalTrafficPolicy: Local", zh: "LoadBalancer 与 externalTrafficPolicy: Local" },
    explain: {
      en: "A LoadBalancer Service gets an external IP (198.51.100.10) from the cloud; it is a NodePort Service plus a load balancer in front of the nodes. externalTrafficPolicy: Local keeps traffic on the node it arrives at: no extra hop and the pod sees the real client IP, but a node without a local pod drops it, so the load balancer only uses nodes whose health check passes (worker-1, worker-2, not worker-3). Load spreads per node, not per pod: run the simulation and compare kubia-7nog1, alone on worker-2, with the two pods on worker-1.",
      zh: "LoadBalancer 服务从云平台获得一个外部 IP(198.51.100.10), 它是在 NodePort 服务前面加一个负载均衡器. externalTrafficPolicy: Local 让流量只转发到接收连接的节点上的 pod: 没有额外的网络跳转, pod 能看到真实的客户端 IP; 但没有本地 pod 的节点会丢弃连接, 所以负载均衡器只把连接发给健康检查通过的节点(worker-1, worker-2, 而不是 worker-3). 负载按节点而不是按 pod 分配: 运行模拟, 比较独自在 worker-2 上的 kubia-7nog1 和 worker-1 上的两个 pod.",
    },
    yaml: docs(
      `apiVersion: v1
kind: Service
metadata:
  name: kubia-loadbalancer
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  clusterIP: 10.111.243.47
  ports:
  - port: 80
    targetPort: 8080
    nodePort: 32143
  selector:
    app: kubia
status:
  loadBalancer:
    ingress:
    - ip: 198.51.100.10
`,
      ...KUBIA_PODS,
      ...NODES,
      node("worker-3", "192.168.49.4"),
    ),
    request: { mode: "conn", from: "outside", clientIp: "203.0.113.7", dstIp: "198.51.100.10", dstPort: 80 },
    expect: { verdict: "FORWARD", service: "kubia-loadbalancer", pods: KUBIA_NAMES, port: 8080 },
    more: [
      {
        label: { en: "worker-3's node port (no local pod)", zh: "worker-3 的节点端口(没有本地 pod)" },
        request: { mode: "conn", from: "outside", clientIp: "203.0.113.7", dstIp: "192.168.49.4", dstPort: 32143 },
        expect: { verdict: "DROP", service: "kubia-loadbalancer" },
      },
    ],
    sim: { requests: 300, clients: 60 },
  },
  {
    id: "ingress",
    seed: "Ingress · 暴露多个服务",
    title: { en: "Ingress: hosts and paths", zh: "Ingress: 主机与路径" },
    explain: {
      en: "An Ingress exposes many Services through one IP, at the HTTP layer: the controller (here ingress-nginx, the cluster's default IngressClass; without a controller an Ingress does nothing) picks the Service from the request's host and path. kubia.example.com/kubia goes to Service kubia, kubia.example.com/foo to Service bar. Try https://kubia.example.com/foo and watch it reach a bar pod.",
      zh: "Ingress 只用一个 IP 就能在 HTTP 层暴露多个服务: 控制器(这里是集群默认 IngressClass 的 ingress-nginx; 没有 Ingress 控制器, Ingress 资源不起作用)根据请求的主机名和路径选择服务. kubia.example.com/kubia 发往服务 kubia, kubia.example.com/foo 发往服务 bar. 试试 https://kubia.example.com/foo, 看请求到达 bar 的 pod.",
    },
    yaml: docs(
      INGRESS_CLASS,
      `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: kubia
spec:
  ingressClassName: nginx
  rules:
  - host: kubia.example.com
    http:
      paths:
      - path: /kubia
        pathType: Prefix
        backend:
          service:
            name: kubia
            port:
              number: 80
      - path: /foo
        pathType: Prefix
        backend:
          service:
            name: bar
            port:
              number: 80
`,
      KUBIA_SVC,
      svc("bar", "10.111.251.30", "bar"),
      pod({ name: "kubia-xkcj", app: "kubia", ip: "10.244.1.5", node: "worker-1" }),
      pod({ name: "kubia-7nog1", app: "kubia", ip: "10.244.2.6", node: "worker-2" }),
      pod({ name: "bar-5d8f7", app: "bar", ip: "10.244.1.20", node: "worker-1", image: "nginx" }),
      pod({ name: "bar-k2x9q", app: "bar", ip: "10.244.2.21", node: "worker-2", image: "nginx" }),
      ...NODES,
    ),
    request: { mode: "http", url: "http://kubia.example.com/kubia", clientIp: "203.0.113.7" },
    expect: { status: 200, service: "kubia", pods: ["kubia-xkcj", "kubia-7nog1"] },
    more: [
      {
        label: { en: "https://kubia.example.com/foo", zh: "https://kubia.example.com/foo" },
        request: { mode: "http", url: "https://kubia.example.com/foo" },
        expect: { status: 200, service: "bar", pods: ["bar-5d8f7", "bar-k2x9q"] },
      },
      {
        label: { en: "/other (no rule)", zh: "/other(没有匹配的规则)" },
        request: { mode: "http", url: "http://kubia.example.com/other" },
        expect: { status: 404 },
      },
    ],
  },
  {
    id: "ingress-many",
    seed: "创建 Ingress 资源 · 根据 host 区分不同的服务",
    title: { en: "Several Services behind one Ingress", zh: "一个 Ingress 后面的多个服务" },
    explain: {
      en: "One Ingress, one public IP, three Services told apart by host name: kubia.example.com goes to hello-service on port 8080 (the seed's first Ingress, path / with pathType Prefix), foo.example.com to foo, bar.example.com to bar. Each LoadBalancer Service would need its own load balancer and public IP; the Ingress needs one. A host that no rule names gets 404 from the controller's default backend.",
      zh: "一个 Ingress, 一个公网 IP, 三个服务按主机名区分: kubia.example.com 发往 hello-service 的 8080 端口(笔记中的第一个 Ingress, 路径 /, pathType Prefix), foo.example.com 发往 foo, bar.example.com 发往 bar. 每个 LoadBalancer 服务都需要自己的负载均衡器和公网 IP, 而 Ingress 只需要一个. 没有规则匹配的主机由控制器的默认后端返回 404.",
    },
    yaml: docs(
      INGRESS_CLASS,
      `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: hello-ingress
spec:
  ingressClassName: nginx
  rules:
  - host: kubia.example.com
    http:
      paths:
      - pathType: Prefix
        path: "/"
        backend:
          service:
            name: hello-service
            port:
              number: 8080
  - host: foo.example.com
    http:
      paths:
      - pathType: Prefix
        path: "/"
        backend:
          service:
            name: foo
            port:
              number: 80
  - host: bar.example.com
    http:
      paths:
      - pathType: Prefix
        path: "/"
        backend:
          service:
            name: bar
            port:
              number: 80
`,
      svc("hello-service", "10.111.252.10", "hello", 8080, 8080),
      svc("foo", "10.111.252.20", "foo"),
      svc("bar", "10.111.252.30", "bar"),
      pod({ name: "hello-6b9c4", app: "hello", ip: "10.244.1.30", node: "worker-1" }),
      pod({ name: "foo-7d4f8", app: "foo", ip: "10.244.2.31", node: "worker-2", image: "nginx" }),
      pod({ name: "bar-5d8f7", app: "bar", ip: "10.244.1.32", node: "worker-1", image: "nginx" }),
      pod({ name: "bar-k2x9q", app: "bar", ip: "10.244.2.33", node: "worker-2", image: "nginx" }),
      ...NODES,
    ),
    request: { mode: "http", url: "http://bar.example.com/", clientIp: "203.0.113.7" },
    expect: { status: 200, service: "bar", pods: ["bar-5d8f7", "bar-k2x9q"] },
    more: [
      {
        label: { en: "kubia.example.com", zh: "kubia.example.com" },
        request: { mode: "http", url: "http://kubia.example.com/" },
        expect: { status: 200, service: "hello-service", pods: ["hello-6b9c4"] },
      },
      {
        label: { en: "foo.example.com/anything", zh: "foo.example.com/anything" },
        request: { mode: "http", url: "http://foo.example.com/anything" },
        expect: { status: 200, service: "foo", pods: ["foo-7d4f8"] },
      },
      {
        label: { en: "unknown host → 404", zh: "未知主机 → 404" },
        request: { mode: "http", url: "http://other.example.com/" },
        expect: { status: 404 },
      },
    ],
  },
  {
    id: "tls",
    seed: "通过 Ingress 处理 TLS",
    title: { en: "TLS at the Ingress", zh: "通过 Ingress 处理 TLS" },
    explain: {
      en: "TLS ends at the Ingress controller: the client talks HTTPS to it, the controller talks plain HTTP to the pods, so the application needs no TLS support. The certificate and key live in the Secret tls-secret (kubectl create secret tls tls-secret --cert=tls.cert --key=tls.key), and spec.tls says which hosts it serves. The controller picks the certificate by the TLS server name (SNI): a name no entry covers gets the controller's default certificate.",
      zh: "TLS 在 Ingress 控制器终止: 客户端与控制器之间是 HTTPS, 控制器与后端 pod 之间是普通 HTTP, 运行在 pod 上的应用不需要支持 TLS. 证书和私钥保存在 Secret tls-secret 中(kubectl create secret tls tls-secret --cert=tls.cert --key=tls.key), spec.tls 指定它服务哪些主机. 控制器按 TLS 服务器名(SNI)选择证书: 没有条目覆盖的名字会得到控制器的默认证书.",
    },
    yaml: docs(
      `apiVersion: v1
kind: Secret
metadata:
  name: tls-secret
type: kubernetes.io/tls
data:
  # base64 of the PEM files made by openssl in the seed notes (shortened here)
  tls.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
  tls.key: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCg==
`,
      INGRESS_CLASS,
      `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: kubia
spec:
  ingressClassName: nginx
  tls:
  - hosts:
    - kubia.example.com
    secretName: tls-secret
  rules:
  - host: kubia.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: kubia
            port:
              number: 80
`,
      KUBIA_SVC,
      ...KUBIA_PODS,
      ...NODES,
    ),
    request: { mode: "http", url: "https://kubia.example.com/", clientIp: "203.0.113.7" },
    expect: { status: 200, service: "kubia", pods: KUBIA_NAMES, tlsSecret: "tls-secret" },
    more: [
      {
        label: { en: "plain http://", zh: "普通 http://" },
        request: { mode: "http", url: "http://kubia.example.com/", sni: "" },
        expect: { status: 200, service: "kubia" },
      },
      {
        label: { en: "http:// with ingress-nginx (308 to https)", zh: "ingress-nginx 下的 http:// (308 跳转到 https)" },
        request: { mode: "http", url: "http://kubia.example.com/", profile: "ingress-nginx" },
        expect: { status: 308 },
      },
      {
        label: { en: "SNI www.example.org", zh: "SNI www.example.org" },
        request: { mode: "http", url: "https://kubia.example.com/", sni: "www.example.org" },
      },
    ],
  },
  {
    id: "readiness",
    seed: "Pod 就绪后发出信号 · 就绪探针",
    title: { en: "Readiness probes", zh: "就绪探针" },
    explain: {
      en: "A pod may need time to load data or warm up; its readiness probe tells Kubernetes when it can take requests, and until then it is not an endpoint of the Service. kubia-7nog1 is still warming up (Ready False), kubia-gzwli is terminating (being deleted), so at t = 0 only kubia-xkcj gets traffic. Move the timeline: kubia-7nog1's probe succeeds from t = 20 s; kubia-xkcj fails its probe from 40 s (3 failures in a row, every 5 s, make it unready) to 70 s; the deleted pod goes away at 90 s and a new pod kubia-w8t2z appears.",
      zh: "pod 可能需要时间加载数据或预热; 就绪探针告诉 kubernetes 它何时可以接收请求, 在那之前它不是服务的 endpoint. kubia-7nog1 还在预热(Ready 为 False), kubia-gzwli 正在终止(被删除中), 所以 t = 0 时只有 kubia-xkcj 接收流量. 拖动时间轴: kubia-7nog1 的探针从 20 秒起成功; kubia-xkcj 从 40 秒到 70 秒探测失败(每 5 秒一次, 连续 3 次失败即变为未就绪); 被删除的 pod 在 90 秒消失, 新的 pod kubia-w8t2z 出现.",
    },
    yaml: docs(
      KUBIA_SVC,
      pod({
        name: "kubia-xkcj",
        app: "kubia",
        ip: "10.244.1.5",
        node: "worker-1",
        extraSpec: READINESS,
      }),
      pod({
        name: "kubia-7nog1",
        app: "kubia",
        ip: "10.244.2.6",
        node: "worker-2",
        ready: false,
        extraSpec: READINESS,
      }),
      pod({
        name: "kubia-gzwli",
        app: "kubia",
        ip: "10.244.1.7",
        node: "worker-1",
        extraMeta: '  deletionTimestamp: "2024-05-01T12:00:00Z"\n',
        extraSpec: READINESS,
      }),
      CLIENT(),
      ...NODES,
    ),
    request: { mode: "conn", from: "pod", fromPod: "default/client", dstIp: "10.111.248.153", dstPort: 80 },
    expect: { verdict: "FORWARD", service: "kubia", pods: ["kubia-xkcj"], port: 8080 },
    sim: { requests: 60, clients: 12 },
    timeline: {
      end: 120,
      probes: [
        { pod: "kubia-7nog1", script: [{ until: 20, ok: false }] },
        {
          pod: "kubia-xkcj",
          script: [
            { until: 40, ok: true },
            { until: 70, ok: false },
          ],
        },
      ],
      events: [
        { at: 90, type: "DELETED", pod: "kubia-gzwli" },
        {
          at: 90,
          type: "ADDED",
          object: {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "kubia-w8t2z", namespace: "default", labels: { app: "kubia" } },
            spec: { nodeName: "worker-1", containers: [{ name: "kubia", image: "luksa/kubia", ports: [{ containerPort: 8080 }] }] },
            status: { phase: "Running", podIP: "10.244.1.8", conditions: [{ type: "Ready", status: "True" }] },
          },
        },
      ],
    },
  },
];


export function exampleById(id: string): Example | undefined {
  return EXAMPLES.find((e) => e.id === id);
}
