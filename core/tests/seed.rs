//! The seed's Service scenarios, end to end through YAML.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use kroute::{Cluster, Options};

const KUBIA: &str = "
apiVersion: v1
kind: Service
metadata: {name: kubia}
spec:
  ports: [{port: 80, targetPort: 8080}]
  selector: {app: kubia}
---
apiVersion: v1
kind: Pod
metadata: {name: kubia-a, labels: {app: kubia}}
spec: {containers: [{name: kubia, ports: [{containerPort: 8080}]}]}
status: {phase: Running, podIP: 10.244.1.2, conditions: [{type: Ready, status: 'True'}]}
---
apiVersion: v1
kind: Pod
metadata: {name: kubia-b, labels: {app: kubia}}
spec: {containers: [{name: kubia}]}
status: {phase: Running, podIP: 10.244.1.3, conditions: [{type: Ready, status: 'True'}]}
---
apiVersion: v1
kind: Pod
metadata: {name: kubia-c, labels: {app: kubia}}
spec: {containers: [{name: kubia}]}
status: {phase: Running, podIP: 10.244.2.4, conditions: [{type: Ready, status: 'False'}]}
";

#[test]
fn kubia_three_pods_one_unready() {
    let c = Cluster::from_yaml(KUBIA, &Options::default()).unwrap();
    let eps = c.endpoints("default", "kubia").unwrap();
    let summary: Vec<_> =
        eps.iter().map(|e| (e.ip.to_string(), e.port, e.conditions.ready, e.pod.clone().unwrap())).collect();
    assert_eq!(
        summary,
        [
            ("10.244.1.2".into(), 8080, true, "kubia-a".into()),
            ("10.244.1.3".into(), 8080, true, "kubia-b".into()),
            ("10.244.2.4".into(), 8080, false, "kubia-c".into()),
        ]
    );
    let svc = c.service("default", "kubia").unwrap();
    assert!(svc.cluster_ip.starts_with("10."), "allocated: {}", svc.cluster_ip);
    assert!(c.diagnostics().is_empty(), "{:?}", c.diagnostics());
}

#[test]
fn seed_tab_indented_yaml_names_line_four() {
    let text = "apiVersion: v1\nkind: Service\nmetadata:\n\tname: kubia\nspec:\n\tports:\n\t- port: 80\n\t  targetPort: 808\n\tselector:\n\t\tapp: kubia\n";
    let err = Cluster::from_yaml(text, &Options::default()).unwrap_err();
    assert_eq!((err.document, err.line), (Some(0), Some(4)), "{err}");
}
