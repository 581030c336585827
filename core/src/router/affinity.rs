//! ClientIP session affinity (spec §4.5, §4.7): iptables' `recent` module remembers, per
//! Service port and client address, the endpoint last used; a client that comes back within
//! `timeoutSeconds` of its last use (xt_recent: strictly within) gets it again. The table is
//! bounded: when full, the least recently used entry goes first.

use crate::fast_map::{new_map, FastMap};
use alloc::vec::Vec;
use core::net::{IpAddr, Ipv6Addr};

/// An endpoint identity: address and port.
pub type EndpointKey = (IpAddr, u16);

/// "No node" in links.
const NIL: u32 = u32::MAX;

/// Set in [`Node::endpoint`] when `client` indexes [`AffinityTable::v6`].
const V6: u32 = 1 << 31;

/// One remembered client, 32 bytes aligned to 32 (never straddling two cache lines): the key (Service port and client, an IPv4 address inline
/// or an index into the IPv6 pool), the endpoint (interned), the last use, and the links of
/// the use-ordered list.
#[derive(Clone, Copy, Debug)]
#[repr(align(32))]
struct Node {
    port_id: u32,
    client: u32,
    /// Index into [`AffinityTable::endpoints`], with [`V6`] for an IPv6 client.
    endpoint: u32,
    /// Towards the most recently used.
    newer: u32,
    /// Towards the least recently used.
    older: u32,
    /// `f64::to_bits` of the last use, as two words.
    last_used: [u32; 2],
}

/// An `f64` stored as two `u32`s (bit for bit).
fn split(t: f64) -> [u32; 2] {
    let b = t.to_bits();
    [b as u32, (b >> 32) as u32]
}

fn join([lo, hi]: [u32; 2]) -> f64 {
    f64::from_bits(u64::from(lo) | (u64::from(hi) << 32))
}

/// Node numbers by key hash: open addressing with linear probing and backward-shift deletion
/// (no tombstones, so a table that keeps evicting never needs a rehash pause). A slot is the
/// key's 32-bit hash (its home slot and a first test) and the node number; [`NIL`] is free.
#[derive(Clone, Debug, Default)]
struct Index {
    slots: Vec<(u32, u32)>,
    len: usize,
    /// `32 - log2(slots)`: the home slot is the hash's top bits.
    shift: u32,
}

impl Index {
    #[inline]
    fn home(&self, hash: u32) -> usize {
        (u64::from(hash) >> self.shift) as usize
    }

    /// The node numbers stored under `hash`, in probe order, until a free slot.
    #[inline]
    fn find(&self, hash: u32, mut is: impl FnMut(u32) -> bool) -> Option<(usize, u32)> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut i = self.home(hash);
        loop {
            let (h, id) = *self.slots.get(i)?;
            if id == NIL {
                return None;
            }
            if h == hash && is(id) {
                return Some((i, id));
            }
            i = (i + 1) & mask;
        }
    }

    fn insert(&mut self, hash: u32, id: u32) {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            let size = (self.slots.len() * 2).max(16);
            let old = core::mem::replace(&mut self.slots, alloc::vec![(0, NIL); size]);
            self.shift = 32 - size.trailing_zeros();
            self.len = 0;
            for (h, id) in old.into_iter().filter(|(_, id)| *id != NIL) {
                self.insert(h, id);
            }
        }
        let mask = self.slots.len() - 1;
        let mut i = self.home(hash);
        while let Some(slot) = self.slots.get_mut(i) {
            if slot.1 == NIL {
                *slot = (hash, id);
                self.len += 1;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// Empties slot `i`, shifting later entries of the run back over it.
    fn remove_at(&mut self, mut i: usize) {
        let mask = self.slots.len() - 1;
        let mut j = i;
        loop {
            j = (j + 1) & mask;
            let Some(&(h, id)) = self.slots.get(j) else {
                return;
            };
            if id == NIL {
                break;
            }
            // Move the entry at j back to i unless its home lies cyclically in (i, j].
            let home = self.home(h);
            let stays = if i <= j { i < home && home <= j } else { i < home || home <= j };
            if !stays {
                if let Some(s) = self.slots.get_mut(i) {
                    *s = (h, id);
                }
                i = j;
            }
        }
        if let Some(s) = self.slots.get_mut(i) {
            *s = (0, NIL);
        }
        self.len -= 1;
    }
}

/// The affinity table of one router: nodes in a slab (reused, never moved), an index of node
/// numbers by key, and an intrusive list in use order, so a lookup is one hash probe and one
/// node, and recording or evicting is O(1) without pauses.
#[derive(Clone, Debug)]
pub struct AffinityTable {
    index: Index,
    nodes: Vec<Node>,
    v6: Vec<Ipv6Addr>,
    /// Free slots of `v6`.
    v6_free: Vec<u32>,
    endpoints: Vec<EndpointKey>,
    endpoint_ids: FastMap<EndpointKey, u32>,
    /// Most and least recently used.
    newest: u32,
    oldest: u32,
    capacity: usize,
}

/// The hash of a key: one multiply-fold for IPv4 clients.
#[inline]
fn hash_key(port_id: u32, client: IpAddr) -> u32 {
    hash64(port_id, client) as u32
}

#[inline]
fn hash64(port_id: u32, client: IpAddr) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    use crate::wide_mul::fold;
    match client {
        IpAddr::V4(v4) => fold((u64::from(port_id) << 32) | u64::from(u32::from(v4)), K),
        IpAddr::V6(v6) => {
            let x = u128::from(v6);
            fold(fold(x as u64 ^ u64::from(port_id), K) ^ (x >> 64) as u64, K ^ 1)
        }
    }
}

impl AffinityTable {
    /// An empty table holding at most `capacity` clients.
    pub fn new(capacity: usize) -> Self {
        Self {
            index: Index::default(),
            nodes: Vec::new(),
            v6: Vec::new(),
            v6_free: Vec::new(),
            endpoints: Vec::new(),
            endpoint_ids: new_map(),
            newest: NIL,
            oldest: NIL,
            capacity: capacity.max(1),
        }
    }

    fn client_of(&self, n: &Node) -> Option<IpAddr> {
        if n.endpoint & V6 == 0 {
            Some(IpAddr::V4(n.client.into()))
        } else {
            self.v6.get(n.client as usize).map(|a| IpAddr::V6(*a))
        }
    }

    #[inline]
    fn is(&self, id: u32, port_id: u32, client: IpAddr) -> bool {
        self.nodes.get(id as usize).is_some_and(|n| {
            n.port_id == port_id
                && match client {
                    IpAddr::V4(v4) => n.endpoint & V6 == 0 && n.client == u32::from(v4),
                    IpAddr::V6(v6) => n.endpoint & V6 != 0 && self.v6.get(n.client as usize) == Some(&v6),
                }
        })
    }

    fn find(&self, port_id: u32, client: IpAddr) -> Option<u32> {
        self.index.find(hash_key(port_id, client), |id| self.is(id, port_id, client)).map(|(_, id)| id)
    }

    /// The remembered endpoint of `client` for Service port `port_id`, if used less than
    /// `timeout` seconds before `now`.
    pub fn lookup(&self, port_id: u32, client: IpAddr, now: f64, timeout: f64) -> Option<EndpointKey> {
        let n = self.nodes.get(self.find(port_id, client)? as usize)?;
        if now - join(n.last_used) < timeout {
            self.endpoints.get((n.endpoint & !V6) as usize).copied()
        } else {
            None
        }
    }

    fn node_mut(&mut self, id: u32) -> Option<&mut Node> {
        self.nodes.get_mut(id as usize)
    }

    /// Takes node `id` out of the use-ordered list.
    fn unlink(&mut self, id: u32) {
        let Some(&Node { newer, older, .. }) = self.nodes.get(id as usize) else {
            return;
        };
        match self.node_mut(newer) {
            Some(n) => n.older = older,
            None => self.newest = older,
        }
        match self.node_mut(older) {
            Some(n) => n.newer = newer,
            None => self.oldest = newer,
        }
    }

    /// Puts node `id` at the most recently used end.
    fn push_newest(&mut self, id: u32) {
        let old_newest = self.newest;
        if let Some(n) = self.node_mut(id) {
            n.newer = NIL;
            n.older = old_newest;
        }
        match self.node_mut(old_newest) {
            Some(n) => n.newer = id,
            None => self.oldest = id,
        }
        self.newest = id;
    }

    fn endpoint_id(&mut self, endpoint: EndpointKey) -> u32 {
        let next = self.endpoints.len() as u32;
        let id = *self.endpoint_ids.entry(endpoint).or_insert(next);
        if id == next {
            self.endpoints.push(endpoint);
        }
        id
    }

    /// Records that `client` used `endpoint` at `now`.
    pub fn record(&mut self, port_id: u32, client: IpAddr, endpoint: EndpointKey, now: f64) {
        let ep = self.endpoint_id(endpoint);
        if let Some(id) = self.find(port_id, client) {
            if let Some(n) = self.node_mut(id) {
                n.endpoint = (n.endpoint & V6) | ep;
                n.last_used = split(now);
            }
            self.unlink(id);
            self.push_newest(id);
            return;
        }
        // A new client: when full, the least recently used one's node is reused.
        let id = if self.index.len >= self.capacity { self.evict_oldest() } else { None };
        let (stored, flag) = match client {
            IpAddr::V4(v4) => (u32::from(v4), 0),
            IpAddr::V6(v6) => match self.v6_free.pop() {
                Some(slot) => {
                    if let Some(a) = self.v6.get_mut(slot as usize) {
                        *a = v6;
                    }
                    (slot, V6)
                }
                None => {
                    self.v6.push(v6);
                    (self.v6.len() as u32 - 1, V6)
                }
            },
        };
        let node = Node { port_id, client: stored, endpoint: ep | flag, newer: NIL, older: NIL, last_used: split(now) };
        let id = match id {
            Some(id) => {
                if let Some(n) = self.node_mut(id) {
                    *n = node;
                }
                id
            }
            None => {
                self.nodes.push(node);
                self.nodes.len() as u32 - 1
            }
        };
        self.push_newest(id);
        self.index.insert(hash_key(port_id, client), id);
    }

    /// Drops the least recently used client; its node number, to reuse.
    fn evict_oldest(&mut self) -> Option<u32> {
        let id = self.oldest;
        let n = *self.nodes.get(id as usize)?;
        let client = self.client_of(&n)?;
        if let Some((slot, _)) = self.index.find(hash_key(n.port_id, client), |x| x == id) {
            self.index.remove_at(slot);
        }
        if n.endpoint & V6 != 0 {
            self.v6_free.push(n.client);
        }
        self.unlink(id);
        Some(id)
    }

    /// Number of remembered clients.
    pub fn len(&self) -> usize {
        self.index.len
    }

    /// Whether no client is remembered.
    pub fn is_empty(&self) -> bool {
        self.index.len == 0
    }

    /// Heap bytes held (for the benchmarks' bytes-per-entry figure).
    pub fn heap_bytes(&self) -> usize {
        use core::mem::size_of;
        self.index.slots.capacity() * 8
            + self.nodes.capacity() * size_of::<Node>()
            + self.v6.capacity() * 16
            + self.v6_free.capacity() * 4
            + self.endpoints.capacity() * size_of::<EndpointKey>()
            + self.endpoint_ids.allocation_size()
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

    /// The table answers as the reference it replaced (a map plus use order by sequence
    /// number), under a mixed stream of IPv4 and IPv6 clients, updates and evictions.
    #[test]
    fn matches_the_reference_lru() {
        for (cap, keys) in [(50, 120), (1, 10), (700, 3_000)] {
            reference_lru(cap, keys);
        }
    }

    fn reference_lru(cap: usize, keys: u64) {
        use alloc::collections::BTreeMap;
        let mut t = AffinityTable::new(cap);
        let mut map: BTreeMap<(u32, IpAddr), (EndpointKey, f64, u64)> = BTreeMap::new();
        let mut seq = 0u64;
        let mut x = 7u64;
        for step in 0..20_000u32 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let c = ((x >> 33) % keys) as u32;
            let client = if c % 4 == 0 {
                IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, c as u16))
            } else {
                IpAddr::V4(c.into())
            };
            let port = ((x >> 20) % 3) as u32;
            let now = f64::from(step);
            let ep = (IpAddr::V4((((x >> 40) % 5) as u32).into()), 80);
            if (x >> 50) % 3 == 0 {
                seq += 1;
                map.insert((port, client), (ep, now, seq));
                t.record(port, client, ep, now);
                while map.len() > cap {
                    let oldest = *map.iter().min_by_key(|(_, v)| v.2).map(|(k, _)| k).unwrap();
                    map.remove(&oldest);
                }
            }
            let want = map.get(&(port, client)).filter(|v| now - v.1 < 30.0).map(|v| v.0);
            assert_eq!(t.lookup(port, client, now, 30.0), want, "step {step}");
            assert_eq!(t.len(), map.len());
        }
    }
}
