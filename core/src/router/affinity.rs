//! ClientIP session affinity (spec §4.5, §4.7): iptables' `recent` module remembers, per
//! Service port and client address, the endpoint last used; a client that comes back within
//! `timeoutSeconds` of its last use (xt_recent: strictly within) gets it again. The table is
//! bounded: when full, the least recently used entry goes first (xt_recent's `lru_list`).

use crate::fast_map::{new_map, FastMap};
use alloc::vec::Vec;
use core::net::{IpAddr, Ipv6Addr};

/// An endpoint identity: address and port.
pub type EndpointKey = (IpAddr, u16);

/// "No node" in links.
const NIL: u32 = u32::MAX;

/// [`Node::endpoint`] of a free slot (no endpoint index reaches it).
const FREE: u32 = u32::MAX;

const EMPTY: Node = Node { port_id: 0, client: 0, endpoint: FREE, newer: NIL, older: NIL, last_used: [0, 0] };

/// Set in [`Node::endpoint`] when `client` indexes [`AffinityTable::v6`].
const V6: u32 = 1 << 31;

/// One remembered client, stored in its hash slot, 32 bytes aligned to 32 (never straddling
/// two cache lines): the key (Service port and client, an IPv4 address inline or an index
/// into the IPv6 pool), the endpoint (interned), the last use, and the links (slot numbers)
/// of the use-ordered list. A lookup reads one slot, most often one cache line.
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

/// The affinity table of one router: clients in an open-addressing table of [`Node`]s
/// (linear probing, backward-shift deletion: no tombstones, so a table that keeps evicting
/// never needs a rehash pause) threaded by an intrusive list in use order. A lookup is one
/// hash probe; recording or evicting is O(1).
#[derive(Clone, Debug)]
pub struct AffinityTable {
    slots: Vec<Node>,
    len: usize,
    v6: Vec<Ipv6Addr>,
    /// Free slots of `v6`.
    v6_free: Vec<u32>,
    endpoints: Vec<EndpointKey>,
    endpoint_ids: FastMap<EndpointKey, u32>,
    /// Most and least recently used (slot numbers).
    newest: u32,
    oldest: u32,
    capacity: usize,
}

/// The hash of a key: one 64-bit multiply for IPv4 clients, two for IPv6 (no widening
/// multiply: wasm32 has none). [`crate::wide_mul::slot_of`] takes its top bits, which depend
/// on every bit of the key.
#[inline]
fn hash64(port_id: u32, client: IpAddr) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    match client {
        IpAddr::V4(v4) => ((u64::from(port_id) << 32) | u64::from(u32::from(v4))).wrapping_mul(K),
        IpAddr::V6(v6) => {
            let x = u128::from(v6);
            let low = (x as u64 ^ u64::from(port_id)).wrapping_mul(K);
            ((x >> 64) as u64 ^ low.rotate_left(32)).wrapping_mul(K ^ 2)
        }
    }
}

impl AffinityTable {
    /// An empty table holding at most `capacity` clients.
    pub fn new(capacity: usize) -> Self {
        Self {
            slots: Vec::new(),
            len: 0,
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

    /// The home slot of a key's hash.
    #[inline]
    fn home(&self, port_id: u32, client: IpAddr) -> usize {
        crate::wide_mul::slot_of(hash64(port_id, client), self.slots.len())
    }

    #[inline]
    fn next(&self, i: usize) -> usize {
        if i + 1 >= self.slots.len() {
            0
        } else {
            i + 1
        }
    }

    #[inline]
    fn is(&self, n: &Node, port_id: u32, client: IpAddr) -> bool {
        n.port_id == port_id
            && match client {
                IpAddr::V4(v4) => n.endpoint & V6 == 0 && n.client == u32::from(v4),
                IpAddr::V6(v6) => n.endpoint & V6 != 0 && self.v6.get(n.client as usize) == Some(&v6),
            }
    }

    /// The slot holding `(port_id, client)`.
    #[inline]
    fn find(&self, port_id: u32, client: IpAddr) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let mut i = self.home(port_id, client);
        loop {
            let n = self.slots.get(i)?;
            if n.endpoint == FREE {
                return None;
            }
            if self.is(n, port_id, client) {
                return Some(i);
            }
            i = self.next(i);
        }
    }

    /// The remembered endpoint of `client` for Service port `port_id`, if used less than
    /// `timeout` seconds before `now`.
    pub fn lookup(&self, port_id: u32, client: IpAddr, now: f64, timeout: f64) -> Option<EndpointKey> {
        let n = self.slots.get(self.find(port_id, client)?)?;
        if now - join(n.last_used) < timeout {
            self.endpoints.get((n.endpoint & !V6) as usize).copied()
        } else {
            None
        }
    }

    fn node_mut(&mut self, id: u32) -> Option<&mut Node> {
        self.slots.get_mut(id as usize)
    }

    /// Makes `newer` and `older` neighbours in the use-ordered list, [`NIL`] standing for
    /// either end.
    fn link(&mut self, newer: u32, older: u32) {
        match self.node_mut(newer) {
            Some(n) => n.older = older,
            None => self.newest = older,
        }
        match self.node_mut(older) {
            Some(n) => n.newer = newer,
            None => self.oldest = newer,
        }
    }

    /// Takes slot `id` out of the use-ordered list.
    fn unlink(&mut self, id: u32) {
        if let Some(&Node { newer, older, .. }) = self.slots.get(id as usize) {
            self.link(newer, older);
        }
    }

    /// Puts slot `id` at the most recently used end.
    fn push_newest(&mut self, id: u32) {
        self.link(id, self.newest);
        self.link(NIL, id);
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
        if let Some(i) = self.find(port_id, client) {
            if let Some(n) = self.slots.get_mut(i) {
                n.endpoint = (n.endpoint & V6) | ep;
                n.last_used = split(now);
            }
            if i as u32 != self.newest {
                self.unlink(i as u32);
                self.push_newest(i as u32);
            }
            return;
        }
        // A new client: when full, the least recently used one goes.
        if self.len >= self.capacity {
            self.evict_oldest();
        }
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
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
        self.place(node, client);
    }

    /// Stores `node` (key `node.port_id`, `client`, not present) in the first free slot of its
    /// probe run, as the most recently used.
    fn place(&mut self, node: Node, client: IpAddr) {
        let mut i = self.home(node.port_id, client);
        while self.slots.get(i).is_some_and(|n| n.endpoint != FREE) {
            i = self.next(i);
        }
        if let Some(slot) = self.slots.get_mut(i) {
            *slot = node;
            self.len += 1;
            self.push_newest(i as u32);
        }
    }

    /// A larger table (1.5× up to what `capacity` needs at a load of 3/4), the clients
    /// placed again from the least recently used on, so the use order is kept.
    fn grow(&mut self) {
        let most = self.capacity.saturating_mul(4) / 3 + 1;
        let size = (self.slots.len() + self.slots.len() / 2).clamp(16, most.max(16));
        let old = core::mem::replace(&mut self.slots, alloc::vec![EMPTY; size]);
        let mut id = self.oldest;
        (self.len, self.newest, self.oldest) = (0, NIL, NIL);
        while let Some(n) = old.get(id as usize) {
            let mut node = *n;
            id = n.newer;
            if let Some(client) = self.client_of(&node) {
                (node.newer, node.older) = (NIL, NIL);
                self.place(node, client);
            }
        }
    }

    /// Drops the least recently used client.
    fn evict_oldest(&mut self) {
        let id = self.oldest;
        let Some(n) = self.slots.get(id as usize).copied() else { return };
        if n.endpoint & V6 != 0 {
            self.v6_free.push(n.client);
        }
        self.unlink(id);
        self.remove_at(id as usize);
    }

    /// Empties slot `i` (already unlinked), shifting later entries of its run back over it
    /// and following them in the use-ordered list.
    fn remove_at(&mut self, mut i: usize) {
        let mut j = i;
        loop {
            j = self.next(j);
            let Some(n) = self.slots.get(j).copied() else { break };
            if n.endpoint == FREE {
                break;
            }
            // Move the entry at j back to i unless its home lies cyclically in (i, j].
            let Some(home) = self.client_of(&n).map(|c| self.home(n.port_id, c)) else { break };
            let stays = if i <= j { i < home && home <= j } else { i < home || home <= j };
            if !stays {
                self.move_slot(j, i);
                i = j;
            }
        }
        if let Some(s) = self.slots.get_mut(i) {
            *s = EMPTY;
        }
        self.len -= 1;
    }

    /// Copies the node in slot `from` to slot `to`, its neighbours' links following it.
    fn move_slot(&mut self, from: usize, to: usize) {
        let Some(n) = self.slots.get(from).copied() else { return };
        if let Some(s) = self.slots.get_mut(to) {
            *s = n;
        }
        self.link(n.newer, to as u32);
        self.link(to as u32, n.older);
    }

    /// Number of remembered clients.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no client is remembered.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Heap bytes held (for the benchmarks' bytes-per-entry figure).
    pub fn heap_bytes(&self) -> usize {
        use core::mem::size_of;
        self.slots.capacity() * size_of::<Node>()
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
