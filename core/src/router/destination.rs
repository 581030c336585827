//! Where a packet's destination leads (spec §4.4, §4.8): a cluster IP and port, any node's
//! address and a nodePort, a load balancer's IP (`ipMode: VIP`), or an external IP.

use crate::alloc_ip::wants_node_ports;
use crate::fast_map::{new_map, FastMap};
use crate::model::{Node, Protocol, Service, ServiceType};
use alloc::{collections::BTreeMap, vec::Vec};
use core::net::IpAddr;

/// How a connection reached a Service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Via {
    /// The Service's cluster IP.
    ClusterIP,
    /// A node's address and the port's nodePort.
    NodePort,
    /// A `status.loadBalancer.ingress` IP.
    LoadBalancer,
    /// One of `spec.externalIPs`.
    ExternalIP,
}

impl Via {
    /// Traffic arriving from outside the Service's virtual IP: external traffic policy applies.
    pub(crate) fn is_external(self) -> bool {
        self != Self::ClusterIP
    }
}

/// A Service port a destination leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    /// Index of the Service in the cluster's sorted Services.
    pub(crate) service: usize,
    /// Index of the port in the Service.
    pub(crate) port: usize,
    /// How it was reached.
    pub(crate) via: Via,
    /// For NodePort: the node whose address was used.
    pub(crate) node: Option<usize>,
}

/// A [`Target`] as stored: 12 bytes instead of 40.
#[derive(Clone, Copy, Debug)]
struct Packed {
    service: u32,
    /// The node index, [`NO_NODE`] for none.
    node: u32,
    port: u16,
    via: Via,
}

const NO_NODE: u32 = u32::MAX;

impl Packed {
    fn new(t: &Target) -> Self {
        Self { service: t.service as u32, node: t.node.map_or(NO_NODE, |n| n as u32), port: t.port as u16, via: t.via }
    }

    fn unpack(self) -> Target {
        Target {
            service: self.service as usize,
            port: usize::from(self.port),
            via: self.via,
            node: (self.node != NO_NODE).then_some(self.node as usize),
        }
    }
}

/// An IPv4 destination as one word: address (bits 24..56), port (8..24), protocol (0..8).
/// The top byte is zero, so [`FREE`] is never a key.
fn v4_key(ip: core::net::Ipv4Addr, port: u16, protocol: Protocol) -> u64 {
    let proto = match protocol {
        Protocol::TCP => 0,
        Protocol::UDP => 1,
        Protocol::SCTP => 2,
    };
    (u64::from(u32::from(ip)) << 24) | (u64::from(port) << 8) | proto
}

/// Marks a free slot in [`V4Index`].
const FREE: u64 = u64::MAX;

/// One slot: the key and the target side by side (16 bytes, one cache line per lookup). The
/// node of a NodePort target lives in [`V4Index::nodes`].
#[derive(Clone, Copy, Debug)]
struct Slot {
    key: u64,
    service: u32,
    port: u16,
    via: Via,
}

const FREE_SLOT: Slot = Slot { key: FREE, service: 0, port: 0, via: Via::ClusterIP };

/// IPv4 destinations (nearly all of them): open addressing over packed keys, linear probing,
/// load factor at most 0.7 (any capacity: the slot is the hash scaled to it), so 30k
/// Services take about 690 KB. Service addresses are sequential; a multiplicative hash
/// spreads them. Built from manifests, not from traffic.
#[derive(Clone, Debug, Default)]
struct V4Index {
    slots: Vec<Slot>,
    nodes: FastMap<u64, u32>,
    len: usize,
}

impl V4Index {
    #[inline]
    fn slot(&self, key: u64) -> usize {
        let h = (key ^ (key >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        crate::wide_mul::slot_of(h, self.slots.len())
    }

    #[inline]
    fn get(&self, key: u64) -> Option<Target> {
        let mut i = self.slot(key);
        loop {
            let s = match self.slots.get(i) {
                Some(s) => s,
                None if i > 0 => {
                    i = 0;
                    continue;
                }
                None => return None,
            };
            if s.key == key {
                let node = if s.via == Via::NodePort { self.nodes.get(&key).map(|n| *n as usize) } else { None };
                return Some(Target { service: s.service as usize, port: usize::from(s.port), via: s.via, node });
            }
            if s.key == FREE {
                return None;
            }
            i += 1;
        }
    }

    /// Stores `target` under `key`, replacing what is there.
    fn set(&mut self, key: u64, target: &Target) {
        if !self.insert_new(key, target) {
            self.remove(key);
            self.insert_new(key, target);
        }
    }

    /// Removes `key` (backward-shift deletion: later keys of its probe run move up, so no
    /// tombstones are left).
    fn remove(&mut self, key: u64) {
        let size = self.slots.len();
        let mut i = self.slot(key);
        loop {
            match self.slots.get(i) {
                Some(s) if s.key == key => break,
                Some(s) if s.key != FREE => i = (i + 1) % size,
                _ => return,
            }
        }
        self.nodes.remove(&key);
        self.len -= 1;
        let mut hole = i;
        let mut j = (i + 1) % size;
        while let Some(&s) = self.slots.get(j).filter(|s| s.key != FREE) {
            let home = self.slot(s.key);
            // The entry may fill the hole when its home is not cyclically within (hole, j].
            let stays = if hole <= j { hole < home && home <= j } else { hole < home || home <= j };
            if !stays {
                if let Some(h) = self.slots.get_mut(hole) {
                    *h = s;
                }
                hole = j;
            }
            j = (j + 1) % size;
        }
        if let Some(h) = self.slots.get_mut(hole) {
            *h = FREE_SLOT;
        }
    }

    /// Moves every entry into a table of `size` slots.
    fn resize(&mut self, size: usize) {
        let old = core::mem::replace(&mut self.slots, alloc::vec![FREE_SLOT; size]);
        for s in old.into_iter().filter(|s| s.key != FREE) {
            let mut i = self.slot(s.key);
            while self.slots.get(i).is_some_and(|t| t.key != FREE) {
                i = (i + 1) % size;
            }
            if let Some(t) = self.slots.get_mut(i) {
                *t = s;
            }
        }
    }

    /// Once built: the smallest table at load 0.7 (doubling leaves it anywhere from 0.35),
    /// so 30k Services take 690 KB rather than 1 MB.
    fn shrink(&mut self) {
        let size = (self.len * 10 / 7 + 1).max(16);
        if size < self.slots.len() {
            self.resize(size);
        }
    }

    /// Stores `target` under `key` unless the key is present; whether it was stored.
    fn insert_new(&mut self, key: u64, target: &Target) -> bool {
        if (self.len + 1) * 10 > self.slots.len() * 7 {
            self.resize((self.slots.len() * 2).max(16));
        }
        let size = self.slots.len();
        let mut i = self.slot(key);
        while let Some(s) = self.slots.get_mut(i) {
            if s.key == key {
                return false;
            }
            if s.key == FREE {
                *s = Slot { key, service: target.service as u32, port: target.port as u16, via: target.via };
                if let Some(n) = target.node {
                    self.nodes.insert(key, n as u32);
                }
                self.len += 1;
                return true;
            }
            i = (i + 1) % size;
        }
        false
    }
}

/// The destination index of a cluster.
#[derive(Clone, Debug)]
pub(crate) struct Destinations {
    v4: V4Index,
    v6: FastMap<(IpAddr, u16, Protocol), Packed>,
    /// Node addresses → node index.
    pub(crate) node_ips: BTreeMap<IpAddr, usize>,
    /// Claims left out because another Service holds the address (none in a cluster the API
    /// server admitted); while there are any, changes rebuild the index.
    shadowed: usize,
}

impl Destinations {
    /// Indexes every Service address. The first Service (by namespace/name) claiming an
    /// address and port keeps it.
    pub(crate) fn build(services: &[Service], nodes: &[Node]) -> Self {
        let mut d = Self {
            v4: V4Index { slots: Vec::new(), nodes: new_map(), len: 0 },
            v6: new_map(),
            node_ips: BTreeMap::new(),
            shadowed: 0,
        };
        for (n, node) in nodes.iter().enumerate() {
            for a in &node.addresses {
                if let Ok(ip) = a.address.parse() {
                    d.node_ips.entry(ip).or_insert(n);
                }
            }
        }
        let mut claimed = Vec::new();
        for (s, svc) in services.iter().enumerate() {
            claimed.clear();
            claims(svc, s, &d.node_ips, &mut claimed);
            for (ip, port, protocol, target) in claimed.drain(..) {
                if !d.add(ip, port, protocol, target) && d.lookup(ip, port, protocol).is_some_and(|t| t.service != s) {
                    d.shadowed += 1;
                }
            }
        }
        d.v4.shrink();
        d
    }

    /// Re-indexes the Service at `s` after it changed from `old` to `new` (same position):
    /// the addresses it gave up are freed, the ones it claims now are taken. False when that
    /// cannot be done in place (an address held by another Service is involved): rebuild then.
    pub(crate) fn replace_service(&mut self, s: usize, old: &Service, new: &Service) -> bool {
        if self.shadowed > 0 {
            return false;
        }
        let (mut before, mut after) = (Vec::new(), Vec::new());
        claims(old, s, &self.node_ips, &mut before);
        claims(new, s, &self.node_ips, &mut after);
        let same = |a: &(IpAddr, u16, Protocol, Target), b: &(IpAddr, u16, Protocol, Target)| {
            (a.0, a.1, a.2) == (b.0, b.1, b.2)
        };
        if after.iter().any(|c| self.lookup(c.0, c.1, c.2).is_some_and(|t| t.service != s)) {
            return false;
        }
        for gone in before.iter().filter(|b| !after.iter().any(|a| same(a, b))) {
            match gone.0 {
                IpAddr::V4(v4) => self.v4.remove(v4_key(v4, gone.1, gone.2)),
                IpAddr::V6(_) => {
                    self.v6.remove(&(gone.0, gone.1, gone.2));
                }
            }
        }
        // Within the Service the first claim of an address keeps it, as in a build.
        for (i, claim) in after.iter().enumerate() {
            if after.iter().take(i).any(|earlier| same(earlier, claim)) {
                continue;
            }
            let (ip, port, protocol, target) = claim;
            match ip {
                IpAddr::V4(v4) => self.v4.set(v4_key(*v4, *port, *protocol), target),
                IpAddr::V6(_) => {
                    self.v6.insert((*ip, *port, *protocol), Packed::new(target));
                }
            }
        }
        true
    }

    /// Indexes `target` at `ip:port/protocol` unless the address is claimed; whether it was.
    fn add(&mut self, ip: IpAddr, port: u16, protocol: Protocol, target: Target) -> bool {
        match ip {
            IpAddr::V4(v4) => self.v4.insert_new(v4_key(v4, port, protocol), &target),
            IpAddr::V6(_) => {
                let key = (ip, port, protocol);
                let fresh = !self.v6.contains_key(&key);
                self.v6.entry(key).or_insert(Packed::new(&target));
                fresh
            }
        }
    }

    /// The Service port at `ip:port/protocol`.
    #[inline]
    pub(crate) fn lookup(&self, ip: IpAddr, port: u16, protocol: Protocol) -> Option<Target> {
        match ip {
            IpAddr::V4(v4) => self.v4.get(v4_key(v4, port, protocol)),
            IpAddr::V6(_) => self.v6.get(&(ip, port, protocol)).map(|p| p.unpack()),
        }
    }
}

/// Every address Service `svc` (at `s`) claims, in claim order: per port its cluster IPs,
/// external IPs, VIP-mode load-balancer IPs (§4.8) and every node address with its nodePort.
fn claims(svc: &Service, s: usize, node_ips: &BTreeMap<IpAddr, usize>, out: &mut Vec<(IpAddr, u16, Protocol, Target)>) {
    if svc.service_type() == ServiceType::ExternalName {
        return;
    }
    let node_ports = wants_node_ports(svc);
    for (p, port) in svc.ports.iter().enumerate() {
        let Ok(number) = u16::try_from(port.port) else {
            continue;
        };
        let mut add = |ip: IpAddr, number: u16, via: Via, node: Option<usize>| {
            out.push((ip, number, port.protocol, Target { service: s, port: p, via, node }));
        };
        if svc.has_cluster_ip() {
            for ip in core::iter::once(&svc.cluster_ip).chain(&svc.cluster_ips).filter_map(|i| i.parse().ok()) {
                add(ip, number, Via::ClusterIP, None);
            }
        }
        for ip in svc.external_ips.iter().filter_map(|i| i.parse().ok()) {
            add(ip, number, Via::ExternalIP, None);
        }
        if svc.service_type() == ServiceType::LoadBalancer {
            for ing in svc.load_balancer_ingress.iter().filter(|i| i.ip_mode != "Proxy") {
                if let Ok(ip) = ing.ip.parse() {
                    add(ip, number, Via::LoadBalancer, None);
                }
            }
        }
        if let (true, Some(np)) = (node_ports, port.node_port.and_then(|n| u16::try_from(n).ok())) {
            for (ip, n) in node_ips {
                add(*ip, np, Via::NodePort, Some(*n));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The packed index answers as a map of the same entries: first claim kept, misses miss,
    /// across growth and wrap-around.
    #[test]
    fn v4_index_matches_a_map() {
        let mut ix = V4Index::default();
        let mut want = alloc::collections::BTreeMap::new();
        for i in 0..5_000u32 {
            let ip = core::net::Ipv4Addr::from(0x0a60_0000 + i * 7 % 4_001);
            let key = v4_key(ip, 80 + (i % 3) as u16, if i % 5 == 0 { Protocol::UDP } else { Protocol::TCP });
            let t = Target {
                service: i as usize,
                port: (i % 4) as usize,
                via: if i % 2 == 0 { Via::NodePort } else { Via::ClusterIP },
                node: (i % 2 == 0).then_some((i / 2) as usize),
            };
            let stored = ix.insert_new(key, &t);
            assert_eq!(stored, !want.contains_key(&key));
            want.entry(key).or_insert(t);
        }
        for (k, t) in &want {
            assert_eq!(ix.get(*k), Some(*t));
        }
        ix.shrink();
        assert!(ix.slots.len() * 7 <= ix.len * 10 + 7);
        for (k, t) in &want {
            assert_eq!(ix.get(*k), Some(*t));
        }
        assert_eq!(ix.get(v4_key(core::net::Ipv4Addr::new(1, 2, 3, 4), 80, Protocol::TCP)), None);
    }

    /// Removing and overwriting keep the index equal to a map (backward-shift deletion leaves
    /// every remaining key reachable), whatever the probe runs look like.
    #[test]
    fn v4_index_removals_match_a_map() {
        let mut ix = V4Index::default();
        let mut want = alloc::collections::BTreeMap::new();
        let mut x = 7u64;
        for step in 0..20_000u32 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            // Few distinct keys, so runs collide and removals hit the middle of runs.
            let key = v4_key(core::net::Ipv4Addr::from(0x0a60_0000 + (x >> 40) as u32 % 600), 80, Protocol::TCP);
            let t = Target { service: step as usize, port: 0, via: Via::ClusterIP, node: None };
            if x % 3 == 0 {
                ix.remove(key);
                want.remove(&key);
            } else {
                ix.set(key, &t);
                want.insert(key, t);
            }
        }
        assert_eq!(ix.len, want.len());
        for (k, t) in &want {
            assert_eq!(ix.get(*k), Some(*t));
        }
        ix.shrink();
        assert!(ix.slots.len() * 7 <= ix.len * 10 + 7);
        for (k, t) in &want {
            assert_eq!(ix.get(*k), Some(*t));
        }
    }
}
