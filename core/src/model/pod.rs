//! `v1/Pod`: labels, container ports, hostname/subdomain, readiness and IPs.

use super::{read_protocol, ObjectMeta, Protocol};
use crate::decode::{Obj, Read};
use alloc::{string::String, vec::Vec};

/// A Pod.
#[derive(Clone, Debug, Default)]
pub struct Pod {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// `spec.containers`.
    pub containers: Vec<Container>,
    /// `spec.initContainers` (sidecars with `restartPolicy: Always` count for named ports, §4.2).
    pub init_containers: Vec<Container>,
    /// `spec.nodeName`.
    pub node_name: String,
    /// `spec.hostname`.
    pub hostname: String,
    /// `spec.subdomain`.
    pub subdomain: String,
    /// `spec.enableServiceLinks` (default true, §1.2).
    pub enable_service_links: Option<bool>,
    /// `spec.hostNetwork`.
    pub host_network: bool,
    /// `status` was present at all (hand-written pods often have none).
    pub has_status: bool,
    /// `status.phase`.
    pub phase: String,
    /// `status.podIP`.
    pub pod_ip: String,
    /// `status.podIPs[*].ip`.
    pub pod_ips: Vec<String>,
    /// `status.hostIP`.
    pub host_ip: String,
    /// `status.conditions`.
    pub conditions: Vec<PodCondition>,
}

/// A container and its declared ports.
#[derive(Clone, Debug, Default)]
pub struct Container {
    /// `name`.
    pub name: String,
    /// `ports`.
    pub ports: Vec<ContainerPort>,
    /// `restartPolicy` (init containers: `Always` makes a sidecar).
    pub restart_policy: String,
    /// `env`, in order.
    pub env: Vec<EnvVar>,
    /// `readinessProbe` timing (the handler itself is not simulated).
    pub readiness_probe: Option<Probe>,
}

/// A probe's timing, with kubelet's defaults (seed 就绪探针).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Probe {
    /// `initialDelaySeconds` (0).
    pub initial_delay_seconds: i64,
    /// `periodSeconds` (10).
    pub period_seconds: i64,
    /// `successThreshold` (1).
    pub success_threshold: i64,
    /// `failureThreshold` (3).
    pub failure_threshold: i64,
}

impl Default for Probe {
    fn default() -> Self {
        Self { initial_delay_seconds: 0, period_seconds: 10, success_threshold: 1, failure_threshold: 3 }
    }
}

/// `containers[*].env[*]`.
#[derive(Clone, Debug, Default)]
pub struct EnvVar {
    /// `name`.
    pub name: String,
    /// `value` (empty when `valueFrom` is used).
    pub value: String,
    /// Set from `valueFrom` (a Secret, ConfigMap or field), whose value kroute cannot know.
    pub value_from: bool,
}

/// `containers[*].ports[*]`.
#[derive(Clone, Debug, Default)]
pub struct ContainerPort {
    /// `name`.
    pub name: String,
    /// `containerPort`.
    pub container_port: i64,
    /// `protocol` (default TCP).
    pub protocol: Protocol,
}

/// `status.conditions[*]`.
#[derive(Clone, Debug, Default)]
pub struct PodCondition {
    /// `type`, like `Ready`.
    pub type_: String,
    /// `status`: `True`, `False` or `Unknown`.
    pub status: String,
}

impl Pod {
    /// Reads a Pod.
    pub(crate) fn decode(o: Obj<'_>) -> Read<Self> {
        let mut pod = Self {
            metadata: o.obj("metadata", ObjectMeta::decode)?,
            has_status: o.get("status").is_some(),
            ..Self::default()
        };
        o.obj("spec", |s| {
            pod.containers = s.list("containers", Container::decode)?;
            pod.init_containers = s.list("initContainers", Container::decode)?;
            pod.node_name = s.string("nodeName")?;
            pod.hostname = s.string("hostname")?;
            pod.subdomain = s.string("subdomain")?;
            pod.enable_service_links = s.bool("enableServiceLinks")?;
            pod.host_network = s.bool("hostNetwork")?.unwrap_or(false);
            Ok(())
        })?;
        o.obj("status", |s| {
            pod.phase = s.string("phase")?;
            pod.pod_ip = s.string("podIP")?;
            pod.pod_ips = s.list("podIPs", |p| p.string("ip"))?;
            pod.host_ip = s.string("hostIP")?;
            pod.conditions =
                s.list("conditions", |c| Ok(PodCondition { type_: c.string("type")?, status: c.string("status")? }))?;
            Ok(())
        })?;
        Ok(pod)
    }

    /// `IsPodReady`: the `Ready` condition is `True` (spec §4.3).
    pub fn is_ready(&self) -> bool {
        self.conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True")
    }

    /// Terminal phases (`Succeeded`, `Failed`) never back a Service (§4.3).
    pub fn is_terminal(&self) -> bool {
        self.phase == "Succeeded" || self.phase == "Failed"
    }

    /// The readiness probe of the first container that has one.
    pub fn readiness_probe(&self) -> Option<Probe> {
        self.containers.iter().find_map(|c| c.readiness_probe)
    }

    /// The primary pod IP: `podIP`, else the first of `podIPs`.
    pub fn primary_ip(&self) -> Option<&str> {
        if !self.pod_ip.is_empty() {
            return Some(&self.pod_ip);
        }
        self.pod_ips.first().map(String::as_str).filter(|s| !s.is_empty())
    }
}

impl Container {
    fn decode(o: Obj<'_>) -> Read<Self> {
        Ok(Self {
            name: o.string("name")?,
            ports: o.list("ports", |p| {
                Ok(ContainerPort {
                    name: p.string("name")?,
                    container_port: p.int("containerPort")?.unwrap_or(0),
                    protocol: read_protocol(&p, "protocol")?.unwrap_or_default(),
                })
            })?,
            restart_policy: o.string("restartPolicy")?,
            readiness_probe: o.opt_obj("readinessProbe", |p| {
                let d = Probe::default();
                let positive = |v: Option<i64>, default: i64| v.filter(|v| *v > 0).unwrap_or(default);
                Ok(Probe {
                    initial_delay_seconds: p.int("initialDelaySeconds")?.unwrap_or(0).max(0),
                    period_seconds: positive(p.int("periodSeconds")?, d.period_seconds),
                    success_threshold: positive(p.int("successThreshold")?, d.success_threshold),
                    failure_threshold: positive(p.int("failureThreshold")?, d.failure_threshold),
                })
            })?,
            env: o.list("env", |e| {
                Ok(EnvVar {
                    name: e.string("name")?,
                    value: e.string("value")?,
                    value_from: e.get("valueFrom").is_some(),
                })
            })?,
        })
    }
}
