//! Deterministic stand-ins for the API server's allocators (spec §4.8): cluster IPs from the
//! service CIDR, node ports from the node-port range, and pod IPs, so that hand-written YAML
//! without addresses works. Explicit values are honoured and checked first; missing ones are
//! placed by a hash of `namespace/name` in the dynamic band (probing on collision), so adding
//! one object does not move the addresses of the others.

use crate::diagnostic::Severity;
use crate::load::{Findings, Loaded};
use crate::model::{Object, ServiceType};
use alloc::{collections::BTreeSet, format, string::String, vec::Vec};
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// FNV-1a, 64 bit: a stable hash on every platform.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// An IP range like `10.96.0.0/12`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cidr {
    base: u128,
    bits: u32,
    v6: bool,
}

impl Cidr {
    /// Parses `a.b.c.d/n` or an IPv6 CIDR.
    pub(crate) fn parse(s: &str) -> Option<Self> {
        let (ip, len) = s.split_once('/')?;
        let len: u32 = len.parse().ok()?;
        let (value, width, v6) = match ip.parse::<IpAddr>().ok()? {
            IpAddr::V4(a) => (u128::from(u32::from(a)), 32, false),
            IpAddr::V6(a) => (u128::from(a), 128, true),
        };
        if len > width {
            return None;
        }
        let bits = width - len;
        let base = if bits >= 128 { 0 } else { (value >> bits) << bits };
        Some(Self { base, bits, v6 })
    }

    /// Number of addresses (saturating).
    fn size(&self) -> u128 {
        if self.bits >= 127 {
            u128::MAX / 2
        } else {
            1u128 << self.bits
        }
    }

    /// Whether `ip` lies inside.
    pub(crate) fn contains(&self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(a) if !self.v6 => self.offset_of(u128::from(u32::from(a))).is_some(),
            IpAddr::V6(a) if self.v6 => self.offset_of(u128::from(a)).is_some(),
            _ => false,
        }
    }

    fn offset_of(&self, v: u128) -> Option<u128> {
        v.checked_sub(self.base).filter(|o| *o < self.size())
    }

    /// The address at `offset`.
    fn nth(&self, offset: u128) -> IpAddr {
        let v = self.base.wrapping_add(offset);
        if self.v6 {
            IpAddr::V6(Ipv6Addr::from(v))
        } else {
            IpAddr::V4(Ipv4Addr::from(u32::try_from(v).unwrap_or(u32::MAX)))
        }
    }

    /// The first usable address: the `kubernetes` Service's in a real cluster.
    pub(crate) fn first_usable(&self) -> IpAddr {
        self.nth(1)
    }
}

/// Hands out values in `[lo, hi)`, preferring `[dyn_lo, hi)` (the dynamic band).
struct Band {
    lo: u128,
    dyn_lo: u128,
    hi: u128,
}

impl Band {
    /// The first free value for `key`, probing from a hashed start in the dynamic band,
    /// then in the static band.
    fn pick(&self, key: &str, taken: &BTreeSet<u128>) -> Option<u128> {
        let h = u128::from(fnv1a(key.as_bytes()));
        for (lo, hi) in [(self.dyn_lo, self.hi), (self.lo, self.dyn_lo)] {
            let size = hi.saturating_sub(lo);
            if size == 0 {
                continue;
            }
            let start = h % size;
            // Probe at most a bounded number of slots; a band this full is reported as exhausted.
            for i in 0..size.min(1 << 20) {
                let v = lo + (start + i) % size;
                if !taken.contains(&v) {
                    return Some(v);
                }
            }
        }
        None
    }
}

/// The allocator settings, parsed from [`crate::Options`].
pub(crate) struct Ranges {
    /// Service CIDR.
    pub(crate) services: Cidr,
    /// Pod CIDR.
    pub(crate) pods: Cidr,
    /// Node-port range, inclusive.
    pub(crate) node_ports: (u16, u16),
}

/// Fills in missing cluster IPs, node ports, health-check node ports and pod IPs, and reports
/// explicit values that are out of range or already taken.
pub(crate) fn allocate(objects: &mut [Loaded], ranges: &Ranges, findings: &mut Findings<'_>) {
    allocate_among(objects, ranges, &Reserved::default(), findings);
}

/// Values already held by objects outside the ones being allocated (a watch event's object
/// joins a cluster whose Services and pods keep theirs, as the API server's allocator does).
#[derive(Default)]
pub(crate) struct Reserved {
    cluster_ips: BTreeSet<u128>,
    node_ports: BTreeSet<u128>,
    pod_ips: BTreeSet<u128>,
}

impl Reserved {
    /// What `services` and `pods` hold in `ranges`.
    pub(crate) fn of<'a>(
        services: impl Iterator<Item = &'a crate::model::Service>,
        pods: impl Iterator<Item = &'a crate::model::Pod>,
        ranges: &Ranges,
    ) -> Self {
        let in_cidr = |cidr: Cidr, text: &str| {
            text.parse::<IpAddr>().ok().filter(|ip| cidr.contains(*ip)).map(|ip| offset(cidr, ip))
        };
        let mut r = Self::default();
        for svc in services {
            let ips = svc.cluster_ips.iter().chain([&svc.cluster_ip]);
            r.cluster_ips.extend(ips.filter_map(|ip| in_cidr(ranges.services, ip)));
            let ports = svc.ports.iter().filter_map(|p| p.node_port).chain(svc.health_check_node_port);
            r.node_ports.extend(ports.filter_map(|n| u128::try_from(n).ok()).filter(|n| *n > 0));
        }
        r.pod_ips.extend(pods.filter_map(|p| p.primary_ip()).filter_map(|ip| in_cidr(ranges.pods, ip)));
        r
    }
}

/// [`allocate`] for objects joining a cluster whose objects hold `reserved`.
pub(crate) fn allocate_among(
    objects: &mut [Loaded],
    ranges: &Ranges,
    reserved: &Reserved,
    findings: &mut Findings<'_>,
) {
    let mut order: Vec<usize> = (0..objects.len()).collect();
    crate::sort::sort_by(&mut order, |a, b| {
        let (x, y) = (&objects.get(*a).map(|l| l.object.meta()), &objects.get(*b).map(|l| l.object.meta()));
        x.map(|m| (&m.namespace, &m.name)).cmp(&y.map(|m| (&m.namespace, &m.name)))
    });
    allocate_cluster_ips(objects, &order, ranges.services, reserved.cluster_ips.clone(), findings);
    allocate_node_ports(objects, &order, ranges.node_ports, reserved.node_ports.clone(), findings);
    allocate_pod_ips(objects, &order, ranges.pods, reserved.pod_ips.clone(), findings);
}

fn allocate_cluster_ips(
    objects: &mut [Loaded],
    order: &[usize],
    cidr: Cidr,
    mut taken: BTreeSet<u128>,
    findings: &mut Findings<'_>,
) {
    // §4.8: static band offset min(max(16, size/16), 256); dynamic allocation prefers the upper band.
    let size = cidr.size();
    let static_end = (size / 16).clamp(16, 256).min(size);
    let band = Band { lo: 1, dyn_lo: static_end, hi: size.saturating_sub(if cidr.v6 { 0 } else { 1 }) };
    let mut missing = Vec::new();
    for l in objects.iter_mut() {
        if let Object::Service(svc) = &mut l.object {
            if svc.cluster_ip.is_empty() {
                if let Some(first) = svc.cluster_ips.first() {
                    svc.cluster_ip = first.clone();
                }
            }
        }
    }
    for &i in order {
        let Some(l) = objects.get(i) else { continue };
        let at = l.at();
        let Object::Service(svc) = &l.object else {
            continue;
        };
        if svc.service_type() == ServiceType::ExternalName || svc.is_headless() {
            continue;
        }
        if svc.cluster_ip.is_empty() {
            missing.push(i);
            continue;
        }
        let field = Some("spec.clusterIP");
        match svc.cluster_ip.parse::<IpAddr>() {
            Err(_) => findings.add(
                Some(at),
                field,
                Severity::Error,
                "invalid-cluster-ip",
                format!("clusterIP {:?} is not an IP address; the API server answers 422", svc.cluster_ip),
            ),
            Ok(ip) if !cidr.contains(ip) => findings.add(
                Some(at),
                field,
                Severity::Error,
                "cluster-ip-out-of-range",
                format!("clusterIP {ip} is not in the service CIDR; the API server rejects it"),
            ),
            Ok(ip) => {
                let v = offset(cidr, ip);
                if !taken.insert(v) {
                    findings.add(
                        Some(at),
                        field,
                        Severity::Error,
                        "cluster-ip-taken",
                        format!("clusterIP {ip} is already allocated to another Service"),
                    );
                }
            }
        }
    }
    for i in missing {
        let Some(l) = objects.get_mut(i) else {
            continue;
        };
        let at = l.at();
        let key = crate::load::qualified(&at.meta.namespace, &at.meta.name);
        match band.pick(&key, &taken) {
            Some(v) => {
                taken.insert(v);
                if let Object::Service(svc) = &mut l.object {
                    svc.cluster_ip = format!("{}", cidr.nth(v));
                    svc.cluster_ips = alloc::vec![svc.cluster_ip.clone()];
                }
            }
            None => findings.add(
                Some(at),
                Some("spec.clusterIP"),
                Severity::Error,
                "cluster-ips-exhausted",
                String::from("no free cluster IP left in the service CIDR"),
            ),
        }
    }
}

fn offset(cidr: Cidr, ip: IpAddr) -> u128 {
    let v = match ip {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    };
    cidr.offset_of(v).unwrap_or(0)
}

fn allocate_node_ports(
    objects: &mut [Loaded],
    order: &[usize],
    range: (u16, u16),
    mut taken: BTreeSet<u128>,
    findings: &mut Findings<'_>,
) {
    // §4.8 / NPALLOC calculateRangeOffset: static band min(max(16, size/32), 128), 0 if size <= 16.
    let (lo, hi) = (u128::from(range.0), u128::from(range.1) + 1);
    let size = hi.saturating_sub(lo);
    let static_len = if size <= 16 { 0 } else { (size / 32).clamp(16, 128) };
    let band = Band { lo, dyn_lo: lo + static_len, hi };
    let mut missing: Vec<(usize, Option<usize>)> = Vec::new();
    for &i in order {
        let Some(l) = objects.get(i) else { continue };
        let at = l.at();
        let Object::Service(svc) = &l.object else {
            continue;
        };
        let wants = wants_node_ports(svc);
        for (p, port) in svc.ports.iter().enumerate() {
            let field = format!("spec.ports[{p}].nodePort");
            match port.node_port {
                Some(n) if n != 0 => {
                    let n128 = u128::try_from(n).unwrap_or(0);
                    if !wants {
                        continue;
                    } else if n128 < lo || n128 >= hi {
                        findings.add(
                            Some(at),
                            Some(&field),
                            Severity::Error,
                            "node-port-out-of-range",
                            format!("nodePort {n} is outside the node-port range {}-{}", range.0, range.1),
                        );
                    } else if !taken.insert(n128) && !same_service_other_protocol(svc, p, n) {
                        findings.add(
                            Some(at),
                            Some(&field),
                            Severity::Error,
                            "node-port-taken",
                            format!("nodePort {n} is already allocated"),
                        );
                    }
                }
                _ if wants => missing.push((i, Some(p))),
                _ => {}
            }
        }
        if needs_health_check(svc) && svc.health_check_node_port.is_none_or(|n| n == 0) {
            missing.push((i, None));
        }
    }
    for (i, port) in missing {
        let Some(l) = objects.get_mut(i) else {
            continue;
        };
        let at = l.at();
        let key = format!("{}/{}/{:?}", at.meta.namespace, at.meta.name, port);
        let Some(v) = band.pick(&key, &taken) else {
            findings.add(
                Some(at),
                None,
                Severity::Error,
                "node-ports-exhausted",
                String::from("no free node port left in the range"),
            );
            continue;
        };
        taken.insert(v);
        let v = i64::try_from(v).unwrap_or(0);
        if let Object::Service(svc) = &mut l.object {
            match port.and_then(|p| svc.ports.get_mut(p)) {
                Some(sp) => sp.node_port = Some(v),
                None => svc.health_check_node_port = Some(v),
            }
        }
    }
}

/// A Service may use one nodePort for the same port number on two protocols.
fn same_service_other_protocol(svc: &crate::model::Service, p: usize, n: i64) -> bool {
    let proto = svc.ports.get(p).map(|x| x.protocol);
    svc.ports.iter().take(p).any(|q| q.node_port == Some(n) && Some(q.protocol) != proto)
}

/// NodePort services, and LoadBalancers unless `allocateLoadBalancerNodePorts: false` (§4.8).
pub(crate) fn wants_node_ports(svc: &crate::model::Service) -> bool {
    match svc.service_type() {
        ServiceType::NodePort => true,
        ServiceType::LoadBalancer => svc.allocate_load_balancer_node_ports.unwrap_or(true),
        _ => false,
    }
}

/// `NeedsHealthCheck`: LoadBalancer with `externalTrafficPolicy: Local` (§4.4).
pub(crate) fn needs_health_check(svc: &crate::model::Service) -> bool {
    svc.service_type() == ServiceType::LoadBalancer && svc.external_traffic_policy == "Local"
}

fn allocate_pod_ips(
    objects: &mut [Loaded],
    order: &[usize],
    cidr: Cidr,
    mut taken: BTreeSet<u128>,
    findings: &mut Findings<'_>,
) {
    let size = cidr.size();
    let band = Band { lo: 1, dyn_lo: 1, hi: size.saturating_sub(1) };
    let mut missing = Vec::new();
    for &i in order {
        let Some(l) = objects.get(i) else { continue };
        let Object::Pod(pod) = &l.object else {
            continue;
        };
        match pod.primary_ip() {
            Some(ip) => {
                if let Ok(ip) = ip.parse::<IpAddr>() {
                    if cidr.contains(ip) {
                        taken.insert(offset(cidr, ip));
                    }
                }
            }
            None if !pod.has_status => missing.push(i),
            None => {}
        }
    }
    for i in missing {
        let Some(l) = objects.get_mut(i) else {
            continue;
        };
        let at = l.at();
        let key = crate::load::qualified(&at.meta.namespace, &at.meta.name);
        match band.pick(&key, &taken) {
            Some(v) => {
                taken.insert(v);
                if let Object::Pod(pod) = &mut l.object {
                    pod.pod_ip = format!("{}", cidr.nth(v));
                }
            }
            None => findings.add(
                Some(at),
                None,
                Severity::Error,
                "pod-ips-exhausted",
                String::from("no free pod IP left in the pod CIDR"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn cidr_parse_and_contains() {
        let c = Cidr::parse("10.96.0.0/12").unwrap();
        assert!(c.contains("10.111.248.153".parse().unwrap()));
        assert!(!c.contains("10.112.0.0".parse().unwrap()));
        assert!(Cidr::parse("10.0.0.0/33").is_none());
        assert!(Cidr::parse("fd00::/108").unwrap().contains("fd00::5".parse().unwrap()));
    }

    #[test]
    fn band_prefers_dynamic_then_static() {
        // Node ports §4.8: 30000-32767 → static band 30000-30085.
        let band = Band { lo: 30000, dyn_lo: 30086, hi: 32768 };
        let v = band.pick("default/kubia/Some(0)", &BTreeSet::new()).unwrap();
        assert!((30086..32768).contains(&v));
        let full: BTreeSet<u128> = (30086..32768).collect();
        let v = band.pick("x", &full).unwrap();
        assert!((30000..30086).contains(&v));
        let all: BTreeSet<u128> = (30000..32768).collect();
        assert_eq!(band.pick("x", &all), None);
    }
}
