// Shared fixtures of the Node tests: the seed's cluster with Nodes, Services of every type
// (kubia behind ClusterIP with ClientIP affinity, a NodePort, a LoadBalancer with
// externalTrafficPolicy Local; backend-database; an ExternalName) and a probed pod. The same
// manifests as python/tests/conftest.py.
export const SEED = `apiVersion: v1
kind: Node
metadata: {name: node-1, labels: {topology.kubernetes.io/zone: zone-a}}
status: {addresses: [{type: InternalIP, address: 192.168.0.11}]}
---
apiVersion: v1
kind: Node
metadata: {name: node-2, labels: {topology.kubernetes.io/zone: zone-b}}
status: {addresses: [{type: InternalIP, address: 192.168.0.12}]}
---
apiVersion: v1
kind: Service
metadata: {name: kubia}
spec:
  clusterIP: 10.96.0.50
  sessionAffinity: ClientIP
  selector: {app: kubia}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: kubia-nodeport}
spec:
  type: NodePort
  clusterIP: 10.96.0.51
  selector: {app: kubia}
  ports: [{port: 80, targetPort: 8080, nodePort: 30123}]
---
apiVersion: v1
kind: Service
metadata: {name: kubia-lb}
spec:
  type: LoadBalancer
  clusterIP: 10.96.0.52
  externalTrafficPolicy: Local
  selector: {app: kubia}
  ports: [{port: 80, targetPort: 8080, nodePort: 30124}]
status: {loadBalancer: {ingress: [{ip: 203.0.113.100}]}}
---
apiVersion: v1
kind: Service
metadata: {name: backend-database}
spec:
  clusterIP: 10.100.1.20
  selector: {app: db}
  ports: [{name: postgres, port: 5432}]
---
apiVersion: v1
kind: Service
metadata: {name: external-service}
spec: {type: ExternalName, externalName: www.example.com}
---
apiVersion: v1
kind: Pod
metadata: {name: kubia-a, labels: {app: kubia}}
spec:
  nodeName: node-1
  containers:
  - name: kubia
    readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 10, failureThreshold: 3}
status: {phase: Running, podIP: 10.244.1.2, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: kubia-b, labels: {app: kubia}}
spec: {nodeName: node-1, containers: [{name: kubia}]}
status: {phase: Running, podIP: 10.244.1.3, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: kubia-c, labels: {app: kubia}}
spec: {nodeName: node-1, containers: [{name: kubia}]}
status: {phase: Running, podIP: 10.244.1.4, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, labels: {app: client}}
spec:
  nodeName: node-2
  containers:
  - name: main
    env:
    - {name: KUBIA_SERVICE_PORT, value: "8080"}
    - {name: BACKEND_URL, value: "http://$(KUBIA_SERVICE_HOST):80"}
  - name: sidecar
status: {phase: Running, podIP: 10.244.2.9, conditions: [{type: Ready, status: "True"}]}
`;
