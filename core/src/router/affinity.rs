//! ClientIP session affinity (spec §4.5, §4.7): iptables' `recent` module remembers, per
//! Service port and client address, the endpoint last used; a client that comes back within
//! `timeoutSeconds` of its last use (xt_recent: strictly within) gets it again. The table is
//! bounded: when full, the least recently used entry goes first.

use crate::fast_map::{new_map, FastMap};
use alloc::collections::BTreeMap;
use core::net::IpAddr;

/// An endpoint identity: address and port.
pub type EndpointKey = (IpAddr, u16);

#[derive(Clone, Debug)]
struct Entry {
    endpoint: EndpointKey,
    last_used: f64,
    seq: u64,
}

/// The affinity table of one router.
#[derive(Clone, Debug)]
pub struct AffinityTable {
    entries: FastMap<(u32, IpAddr), Entry>,
    by_use: BTreeMap<u64, (u32, IpAddr)>,
    seq: u64,
    capacity: usize,
}

impl AffinityTable {
    /// An empty table holding at most `capacity` clients.
    pub fn new(capacity: usize) -> Self {
        Self { entries: new_map(), by_use: BTreeMap::new(), seq: 0, capacity: capacity.max(1) }
    }

    /// The remembered endpoint of `client` for Service port `port_id`, if used less than
    /// `timeout` seconds before `now`.
    pub fn lookup(&self, port_id: u32, client: IpAddr, now: f64, timeout: f64) -> Option<EndpointKey> {
        self.entries.get(&(port_id, client)).filter(|e| now - e.last_used < timeout).map(|e| e.endpoint)
    }

    /// Records that `client` used `endpoint` at `now`.
    pub fn record(&mut self, port_id: u32, client: IpAddr, endpoint: EndpointKey, now: f64) {
        self.seq += 1;
        let key = (port_id, client);
        if let Some(old) = self.entries.insert(key, Entry { endpoint, last_used: now, seq: self.seq }) {
            self.by_use.remove(&old.seq);
        }
        self.by_use.insert(self.seq, key);
        while self.entries.len() > self.capacity {
            let Some((_, oldest)) = self.by_use.pop_first() else {
                break;
            };
            self.entries.remove(&oldest);
        }
    }

    /// Number of remembered clients.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no client is remembered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn expires_after_timeout_since_last_use_and_evicts_oldest() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let mut t = AffinityTable::new(2);
        let ep = (ip("10.244.0.1"), 8080);
        t.record(1, ip("1.1.1.1"), ep, 0.0);
        assert_eq!(t.lookup(1, ip("1.1.1.1"), 10_799.0, 10_800.0), Some(ep));
        assert_eq!(t.lookup(1, ip("1.1.1.1"), 10_800.0, 10_800.0), None);
        t.record(1, ip("2.2.2.2"), ep, 1.0);
        t.record(1, ip("1.1.1.1"), ep, 2.0);
        t.record(1, ip("3.3.3.3"), ep, 3.0);
        assert_eq!(t.len(), 2);
        assert_eq!(t.lookup(1, ip("2.2.2.2"), 3.0, 10.0), None, "least recently used is evicted");
        assert_eq!(t.lookup(1, ip("1.1.1.1"), 3.0, 10.0), Some(ep));
    }
}
