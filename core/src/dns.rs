//! Cluster DNS as CoreDNS's `kubernetes` plugin answers it (spec §2.1–§2.3, DNS-SPEC 1.1.0).

use crate::endpoints::Endpoint;
use crate::model::{Pod, Service, ServiceType};
use crate::short_eq::same;
use alloc::{collections::BTreeSet, format, string::String, vec::Vec};
use core::net::IpAddr;

/// CoreDNS's default TTL (§2.1).
pub const TTL: u32 = 5;

/// The DNS query types kroute answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum QType {
    /// IPv4 address.
    A,
    /// IPv6 address.
    AAAA,
    /// Service record.
    SRV,
    /// Reverse lookup.
    PTR,
    /// Alias.
    CNAME,
    /// Text (`dns-version`).
    TXT,
}

impl QType {
    /// Parses `A`, `aaaa`, … (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_uppercase().as_str() {
            "A" => Self::A,
            "AAAA" => Self::AAAA,
            "SRV" => Self::SRV,
            "PTR" => Self::PTR,
            "CNAME" => Self::CNAME,
            "TXT" => Self::TXT,
            _ => return None,
        })
    }
}

/// CoreDNS `pods` mode for `a-b-c-d.<ns>.pod.<zone>` records (§2.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PodsMode {
    /// No pod records (CoreDNS's default).
    #[default]
    Disabled,
    /// Answer the IP encoded in the name, for any existing namespace.
    Insecure,
    /// Answer only if a pod with that IP exists in that namespace.
    Verified,
}

/// A resource record in zone-file presentation.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Record {
    /// Owner name, fully qualified with the trailing dot.
    pub name: String,
    /// Type: `A`, `AAAA`, `SRV`, `PTR`, `CNAME`, `TXT`.
    #[serde(rename = "type")]
    pub type_: QType,
    /// TTL in seconds.
    pub ttl: u32,
    /// Data: `10.0.0.1`, `0 100 80 svc.ns.svc.cluster.local.`, `"1.1.0"`.
    pub data: String,
}

/// The response code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Rcode {
    /// The name exists (answers may be empty: NODATA).
    NOERROR,
    /// The name does not exist.
    NXDOMAIN,
    /// Outside the cluster domain: CoreDNS forwards it upstream, which kroute does not simulate.
    UPSTREAM,
}

/// A DNS answer, with every name the resolver tried.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DnsAnswer {
    /// Response code.
    pub rcode: Rcode,
    /// Answer section.
    pub answers: Vec<Record>,
    /// Additional section (addresses of SRV targets).
    pub additional: Vec<Record>,
    /// Names tried, in order (one unless a search list applied).
    pub tried: Vec<String>,
}

/// What the zone is built from.
pub(crate) struct Zone<'a> {
    /// Cluster domain, lower-case, without dots at the ends.
    pub(crate) domain: &'a str,
    /// Services and their endpoints (same order).
    pub(crate) services: &'a [Service],
    /// Endpoints per Service.
    pub(crate) endpoints: &'a [Vec<Endpoint>],
    /// Pods.
    pub(crate) pods: &'a [Pod],
    /// Namespaces that exist.
    pub(crate) namespaces: &'a BTreeSet<String>,
    /// Pod records mode.
    pub(crate) pods_mode: PodsMode,
}

fn record(name: &str, type_: QType, data: String) -> Record {
    Record { name: String::from(name), type_, ttl: TTL, data }
}

/// The answer for one fully qualified `name` (lower-case, trailing dot).
pub(crate) struct Lookup {
    pub(crate) rcode: Rcode,
    pub(crate) answers: Vec<Record>,
    pub(crate) additional: Vec<Record>,
}

impl Lookup {
    fn nx() -> Self {
        Self { rcode: Rcode::NXDOMAIN, answers: Vec::new(), additional: Vec::new() }
    }
    fn nodata() -> Self {
        Self { rcode: Rcode::NOERROR, answers: Vec::new(), additional: Vec::new() }
    }
    fn answers(answers: Vec<Record>, additional: Vec<Record>) -> Self {
        Self { rcode: Rcode::NOERROR, answers, additional }
    }
}

/// The dashed-IP hostname CoreDNS gives an endpoint without a hostname (§2.1).
pub fn dashed_ip(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(a) => format!("{a}").replace('.', "-"),
        IpAddr::V6(a) => format!("{a}").replace(':', "-"),
    }
}

/// The reverse name of an IP (`4.3.2.1.in-addr.arpa.`, nibbles for IPv6).
pub fn reverse_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(a) => {
            let [x, y, z, w] = a.octets();
            format!("{w}.{z}.{y}.{x}.in-addr.arpa.")
        }
        IpAddr::V6(a) => {
            let mut s = String::new();
            for b in a.octets().iter().rev() {
                s.push_str(&format!("{:x}.{:x}.", b & 0xf, b >> 4));
            }
            s.push_str("ip6.arpa.");
            s
        }
    }
}

fn parse_reverse(name: &str) -> Option<IpAddr> {
    if let Some(rest) = name.strip_suffix(".in-addr.arpa.") {
        let parts: Vec<u8> = rest.split('.').map(|p| p.parse().ok()).collect::<Option<_>>()?;
        let [w, z, y, x] = parts.as_slice() else {
            return None;
        };
        return Some(IpAddr::from([*x, *y, *z, *w]));
    }
    let rest = name.strip_suffix(".ip6.arpa.")?;
    let nibbles: Vec<u8> = rest
        .split('.')
        .map(|p| if p.len() == 1 { u8::from_str_radix(p, 16).ok() } else { None })
        .collect::<Option<_>>()?;
    if nibbles.len() != 32 {
        return None;
    }
    let mut octets = [0u8; 16];
    for (i, o) in octets.iter_mut().enumerate() {
        let lo = nibbles.get(31 - 2 * i - 1).copied().unwrap_or(0);
        let hi = nibbles.get(31 - 2 * i).copied().unwrap_or(0);
        *o = (hi << 4) | lo;
    }
    Some(IpAddr::from(octets))
}

impl Zone<'_> {
    /// Answers `name` (lower-case, fully qualified) for `qtype`, following in-cluster CNAMEs.
    pub(crate) fn lookup(&self, name: &str, qtype: QType) -> Lookup {
        let mut result = self.lookup_once(name, qtype);
        // ExternalName: an A/AAAA query gets the CNAME plus the target when it is a cluster name.
        let mut hops = 0;
        while matches!(qtype, QType::A | QType::AAAA) && hops < 8 {
            let Some(target) =
                result.answers.last().filter(|r| r.type_ == QType::CNAME).map(|r| r.data.to_ascii_lowercase())
            else {
                break;
            };
            hops += 1;
            let next = self.lookup_once(&target, qtype);
            if next.rcode == Rcode::UPSTREAM {
                break;
            }
            result.answers.extend(next.answers);
            result.additional.extend(next.additional);
        }
        result
    }

    fn lookup_once(&self, name: &str, qtype: QType) -> Lookup {
        if name.ends_with(".in-addr.arpa.") || name.ends_with(".ip6.arpa.") {
            return self.reverse(name, qtype);
        }
        let suffix = format!(".{}.", self.domain);
        let Some(inner) = name.strip_suffix(&suffix) else {
            return if name == format!("{}.", self.domain) {
                Lookup::nodata()
            } else {
                Lookup { rcode: Rcode::UPSTREAM, ..Lookup::nx() }
            };
        };
        if inner == "dns-version" {
            return if qtype == QType::TXT {
                Lookup::answers(alloc::vec![record(name, QType::TXT, String::from("\"1.1.0\""))], Vec::new())
            } else {
                Lookup::nodata()
            };
        }
        let labels: Vec<&str> = inner.split('.').collect();
        match labels.as_slice() {
            ["svc"] | ["pod"] => Lookup::nodata(),
            [ns, "svc"] | [ns, "pod"] => {
                if self.namespaces.contains(*ns) {
                    Lookup::nodata()
                } else {
                    Lookup::nx()
                }
            }
            [ip, ns, "pod"] => self.pod_record(name, ip, ns, qtype),
            [svc, ns, "svc"] => self.service(name, svc, ns, qtype),
            [port, proto, svc, ns, "svc"] if port.starts_with('_') && proto.starts_with('_') => {
                self.srv(name, port.get(1..).unwrap_or(""), proto.get(1..).unwrap_or(""), svc, ns, qtype)
            }
            [host, svc, ns, "svc"] => self.endpoint(name, host, svc, ns, qtype),
            _ => Lookup::nx(),
        }
    }

    fn find(&self, svc: &str, ns: &str) -> Option<(&Service, &[Endpoint])> {
        self.services
            .iter()
            .zip(self.endpoints)
            .find(|(s, _)| s.metadata.name == svc && s.metadata.namespace == ns)
            .map(|(s, e)| (s, e.as_slice()))
    }

    fn fqdn(&self, svc: &Service) -> String {
        format!("{}.{}.svc.{}.", svc.metadata.name, svc.metadata.namespace, self.domain)
    }

    /// Ready endpoint addresses, de-duplicated, with their DNS hostname.
    fn ready_hosts<'e>(&self, eps: &'e [Endpoint]) -> Vec<(IpAddr, String, &'e Endpoint)> {
        let ready: Vec<&Endpoint> = eps.iter().filter(|e| e.conditions.ready).collect();
        let first = crate::sort::firsts(&ready, |e| e.ip);
        ready
            .into_iter()
            .zip(first)
            .filter(|(_, first)| *first)
            .map(|(e, _)| (e.ip, e.hostname.clone().unwrap_or_else(|| dashed_ip(e.ip)), e))
            .collect()
    }

    fn address_records(name: &str, ips: impl Iterator<Item = IpAddr>, qtype: QType) -> Vec<Record> {
        ips.filter(|ip| matches!((ip, qtype), (IpAddr::V4(_), QType::A) | (IpAddr::V6(_), QType::AAAA)))
            .map(|ip| record(name, qtype, format!("{ip}")))
            .collect()
    }

    fn cluster_ips(svc: &Service) -> Vec<IpAddr> {
        let mut ips: Vec<IpAddr> = svc.cluster_ips.iter().filter_map(|s| s.parse().ok()).collect();
        if let Ok(ip) = svc.cluster_ip.parse() {
            if !ips.contains(&ip) {
                ips.insert(0, ip);
            }
        }
        ips
    }

    fn service(&self, name: &str, svc: &str, ns: &str, qtype: QType) -> Lookup {
        let Some((s, eps)) = self.find(svc, ns) else {
            return Lookup::nx();
        };
        if s.service_type() == ServiceType::ExternalName {
            let target = format!("{}.", s.external_name.trim_end_matches('.'));
            return Lookup::answers(alloc::vec![record(name, QType::CNAME, target)], Vec::new());
        }
        if s.is_headless() {
            let hosts = self.ready_hosts(eps);
            if hosts.is_empty() {
                return Lookup::nx();
            }
            return match qtype {
                QType::A | QType::AAAA => {
                    Lookup::answers(Self::address_records(name, hosts.iter().map(|h| h.0), qtype), Vec::new())
                }
                QType::SRV => self.headless_srv(name, s, eps, None),
                _ => Lookup::nodata(),
            };
        }
        let ips = Self::cluster_ips(s);
        match qtype {
            QType::A | QType::AAAA => Lookup::answers(Self::address_records(name, ips.into_iter(), qtype), Vec::new()),
            // CoreDNS extension: a bare SRV query on the service lists every port.
            QType::SRV => {
                let weight = srv_weight(s.ports.len());
                let target = self.fqdn(s);
                let answers = s
                    .ports
                    .iter()
                    .map(|p| record(name, QType::SRV, format!("0 {weight} {} {target}", p.port)))
                    .collect();
                Lookup::answers(answers, self.additional_for(&target, &ips))
            }
            _ => Lookup::nodata(),
        }
    }

    fn additional_for(&self, target: &str, ips: &[IpAddr]) -> Vec<Record> {
        ips.iter()
            .map(|ip| match ip {
                IpAddr::V4(_) => record(target, QType::A, format!("{ip}")),
                IpAddr::V6(_) => record(target, QType::AAAA, format!("{ip}")),
            })
            .collect()
    }

    fn headless_srv(&self, name: &str, s: &Service, eps: &[Endpoint], port: Option<(&str, &str)>) -> Lookup {
        let mut answers = Vec::new();
        let mut additional = Vec::new();
        let ports: Vec<&crate::model::ServicePort> = s
            .ports
            .iter()
            .filter(|p| port.is_none_or(|(n, proto)| p.name == n && p.protocol.as_str().eq_ignore_ascii_case(proto)))
            .collect();
        let mut targets = Vec::new();
        for p in &ports {
            for e in
                eps.iter().filter(|e| e.conditions.ready && e.protocol == p.protocol && same(&e.port_name, &p.name))
            {
                let host = e.hostname.clone().unwrap_or_else(|| dashed_ip(e.ip));
                targets.push((e.port, format!("{host}.{}", self.fqdn(s)), e.ip));
            }
        }
        if targets.is_empty() {
            return if port.is_some() { Lookup::nx() } else { Lookup::nodata() };
        }
        let weight = srv_weight(targets.len());
        for (p, target, ip) in targets {
            answers.push(record(name, QType::SRV, format!("0 {weight} {p} {target}")));
            additional.extend(self.additional_for(&target, &[ip]));
        }
        Lookup::answers(answers, additional)
    }

    fn srv(&self, name: &str, port: &str, proto: &str, svc: &str, ns: &str, qtype: QType) -> Lookup {
        let Some((s, eps)) = self.find(svc, ns) else {
            return Lookup::nx();
        };
        // "Unnamed ports do not have an SRV record" (§2.1).
        let Some(p) = s
            .ports
            .iter()
            .find(|p| !p.name.is_empty() && p.name == port && p.protocol.as_str().eq_ignore_ascii_case(proto))
        else {
            return Lookup::nx();
        };
        if qtype != QType::SRV {
            return Lookup::nodata();
        }
        if s.is_headless() {
            return self.headless_srv(name, s, eps, Some((port, proto)));
        }
        if s.service_type() == ServiceType::ExternalName {
            return Lookup::nodata();
        }
        let target = self.fqdn(s);
        let ips = Self::cluster_ips(s);
        Lookup::answers(
            alloc::vec![record(name, QType::SRV, format!("0 100 {} {target}", p.port))],
            self.additional_for(&target, &ips),
        )
    }

    fn endpoint(&self, name: &str, host: &str, svc: &str, ns: &str, qtype: QType) -> Lookup {
        let Some((s, eps)) = self.find(svc, ns) else {
            return Lookup::nx();
        };
        if !s.is_headless() {
            return Lookup::nx();
        }
        let ips: Vec<IpAddr> =
            self.ready_hosts(eps).into_iter().filter(|(_, h, _)| h == host).map(|(ip, _, _)| ip).collect();
        if ips.is_empty() {
            return Lookup::nx();
        }
        Lookup::answers(Self::address_records(name, ips.into_iter(), qtype), Vec::new())
    }

    fn pod_record(&self, name: &str, label: &str, ns: &str, qtype: QType) -> Lookup {
        if self.pods_mode == PodsMode::Disabled || !self.namespaces.contains(ns) {
            return Lookup::nx();
        }
        let ip: Option<IpAddr> = if label.contains('-') && label.split('-').count() == 4 {
            label.replace('-', ".").parse().ok()
        } else {
            label.replace('-', ":").parse().ok()
        };
        let Some(ip) = ip else { return Lookup::nx() };
        if self.pods_mode == PodsMode::Verified
            && !self
                .pods
                .iter()
                .any(|p| p.metadata.namespace == ns && p.primary_ip().and_then(|s| s.parse().ok()) == Some(ip))
        {
            return Lookup::nx();
        }
        Lookup::answers(Self::address_records(name, core::iter::once(ip), qtype), Vec::new())
    }

    fn reverse(&self, name: &str, qtype: QType) -> Lookup {
        let Some(ip) = parse_reverse(name) else {
            return Lookup::nx();
        };
        let mut names = Vec::new();
        for (s, eps) in self.services.iter().zip(self.endpoints) {
            if Self::cluster_ips(s).contains(&ip) {
                names.push(self.fqdn(s));
            }
            if s.is_headless() {
                for (_, host, _) in self.ready_hosts(eps).into_iter().filter(|(i, _, _)| *i == ip) {
                    names.push(format!("{host}.{}", self.fqdn(s)));
                }
            }
        }
        names.dedup();
        if names.is_empty() {
            return Lookup::nx();
        }
        if qtype != QType::PTR {
            return Lookup::nodata();
        }
        Lookup::answers(names.into_iter().map(|n| record(name, QType::PTR, n)).collect(), Vec::new())
    }
}

/// CoreDNS: weight = 100 / number of SRV targets.
fn srv_weight(n: usize) -> usize {
    100 / n.max(1)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn reverse_names_round_trip() {
        for ip in ["10.96.0.1", "2001:db8::5678:abcd:1"] {
            let ip: IpAddr = ip.parse().unwrap();
            assert_eq!(parse_reverse(&reverse_name(ip)), Some(ip));
        }
        assert_eq!(reverse_name("10.0.0.1".parse().unwrap()), "1.0.0.10.in-addr.arpa.");
    }

    #[test]
    fn dashed_ips_like_coredns() {
        assert_eq!(dashed_ip("172.0.0.2".parse().unwrap()), "172-0-0-2");
        assert_eq!(dashed_ip("5678:abcd::1".parse().unwrap()), "5678-abcd--1");
    }
}
