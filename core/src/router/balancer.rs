//! Endpoint selection among the usable endpoints of a Service port (spec §4.5).
//! `random` is kube-proxy's iptables/nftables behaviour; the others mimic what users pick
//! instead and are opt-in, named after what they mimic.

use super::maglev::Maglev;
use super::ring_hash::Ring;
use super::rng::{hash64, Rng};
use alloc::{string::String, vec::Vec};
use core::net::IpAddr;

/// How an endpoint is chosen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Balancer {
    /// kube-proxy iptables/nftables: uniform over usable endpoints (the default).
    #[default]
    Random,
    /// IPVS `rr`.
    RoundRobin,
    /// Smooth weighted round robin (nginx); weights from `kroute.dev/weights`.
    Weighted,
    /// Power of two choices over in-flight counts (Envoy `LEAST_REQUEST`).
    LeastRequest,
    /// IPVS `sh`: a 256-bucket table indexed by a hash of the client address.
    SourceHash,
    /// Maglev consistent hashing (IPVS `mh`, Envoy `MAGLEV`).
    Maglev,
    /// Ring hash (Envoy `RING_HASH`).
    RingHash,
}

impl Balancer {
    /// Parses `random`, `round-robin`, `weighted`, `least-request`, `source-hash`, `maglev`,
    /// `ring-hash`.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "random" => Self::Random,
            "round-robin" | "rr" => Self::RoundRobin,
            "weighted" | "wrr" => Self::Weighted,
            "least-request" => Self::LeastRequest,
            "source-hash" | "sh" => Self::SourceHash,
            "maglev" | "mh" => Self::Maglev,
            "ring-hash" => Self::RingHash,
            _ => return None,
        })
    }

    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Random => "random",
            Self::RoundRobin => "round-robin",
            Self::Weighted => "weighted",
            Self::LeastRequest => "least-request",
            Self::SourceHash => "source-hash",
            Self::Maglev => "maglev",
            Self::RingHash => "ring-hash",
        }
    }
}

/// Per Service port state, rebuilt when the candidate set changes.
#[derive(Clone, Debug, Default)]
pub(crate) struct PortState {
    /// Identity of the candidate set the tables were built for.
    key: u64,
    rr_next: usize,
    wrr_current: Vec<i64>,
    maglev: Option<Maglev>,
    ring: Option<Ring>,
}

/// What a pick needs to know about the candidates.
pub(crate) struct Candidates<'a> {
    /// Endpoint identities (address, port), in order.
    pub(crate) ids: &'a [(IpAddr, u16)],
    /// Weights (1 unless configured), same order.
    pub(crate) weights: &'a [i64],
    /// In-flight counts, same order.
    pub(crate) in_flight: &'a [u64],
}

/// The IPVS `sh` bucket of an address: `hash_32(addr, 8)` with the golden-ratio multiplier.
fn source_bucket(ip: IpAddr) -> usize {
    let folded = match ip {
        IpAddr::V4(a) => u32::from(a),
        IpAddr::V6(a) => {
            a.octets().chunks(4).fold(0u32, |h, c| h ^ c.iter().fold(0u32, |x, b| (x << 8) | u32::from(*b)))
        }
    };
    (folded.wrapping_mul(0x61C8_8647) >> 24) as usize
}

/// The hash key of a client for the consistent-hash balancers (address, plus port if known:
/// kube-proxy sets IPVS `mh-port`).
pub(crate) fn client_key(ip: IpAddr, port: Option<u16>) -> u64 {
    let port = port.unwrap_or(0).to_be_bytes();
    match ip {
        IpAddr::V4(a) => {
            let [a, b, c, d] = a.octets();
            hash64(&[a, b, c, d, port[0], port[1]], 0x6b72_6f75_7465)
        }
        IpAddr::V6(a) => hash64(&a.octets(), hash64(&port, 0x6b72_6f75_7465)),
    }
}

/// The `ip:port` names the consistent-hash tables are built from (only when a table is built).
fn table_names(ids: &[(IpAddr, u16)]) -> Vec<String> {
    ids.iter().map(|(ip, port)| super::host_port(*ip, *port)).collect()
}

/// The identity of a candidate set, from the numbers (no formatting, no byte hashing on the
/// hot path): a fold of each address and port through a multiply and a rotation. Each step
/// is a bijection of the running value and of its input, so IPv4 sets that differ in one
/// candidate always get different keys. An IPv6 candidate takes three steps (the address's
/// halves, then the port), so no overlap of fields makes two candidates alike; a change
/// there collides only when two 64-bit values meet by chance.
fn set_key(ids: &[(IpAddr, u16)]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let step = |h: u64, x: u64| (h ^ x).wrapping_mul(K).rotate_left(29);
    ids.iter().fold(ids.len() as u64, |h, (ip, port)| match ip {
        IpAddr::V4(a) => step(h, u64::from(u32::from(*a)) | u64::from(*port) << 48),
        IpAddr::V6(a) => {
            let bits = u128::from(*a);
            step(step(step(h, bits as u64), (bits >> 64) as u64), u64::from(*port))
        }
    })
}

impl PortState {
    /// Picks a candidate index (`ids` non-empty).
    pub(crate) fn pick(
        &mut self,
        balancer: Balancer,
        c: &Candidates<'_>,
        client: IpAddr,
        client_port: Option<u16>,
        rng: &mut Rng,
        maglev_size: usize,
    ) -> usize {
        let n = c.ids.len();
        if n <= 1 {
            return 0;
        }
        let key = set_key(c.ids);
        if key != self.key {
            *self = Self { key, ..Self::default() };
        }
        match balancer {
            Balancer::Random => rng.below(n),
            Balancer::RoundRobin => {
                let i = self.rr_next % n;
                self.rr_next = (i + 1) % n;
                i
            }
            Balancer::Weighted => {
                if self.wrr_current.len() != n {
                    self.wrr_current = alloc::vec![0; n];
                }
                let total: i64 = c.weights.iter().fold(0i64, |a, w| a.saturating_add(*w));
                for (cur, w) in self.wrr_current.iter_mut().zip(c.weights) {
                    *cur = cur.saturating_add(*w);
                }
                // Pick the highest current weight (first on ties), then subtract the total.
                let best = (0..n)
                    .max_by_key(|&i| (self.wrr_current.get(i).copied().unwrap_or(i64::MIN), core::cmp::Reverse(i)))
                    .unwrap_or(0);
                if let Some(cur) = self.wrr_current.get_mut(best) {
                    *cur = cur.saturating_sub(total);
                }
                best
            }
            Balancer::LeastRequest => {
                let a = rng.below(n);
                let mut b = rng.below(n - 1);
                if b >= a {
                    b += 1;
                }
                let load = |i: usize| c.in_flight.get(i).copied().unwrap_or(0);
                if load(b) < load(a) {
                    b
                } else {
                    a
                }
            }
            Balancer::SourceHash => source_bucket(client) % n,
            Balancer::Maglev => {
                let table = self.maglev.get_or_insert_with(|| {
                    let names = table_names(c.ids);
                    let refs: Vec<&[u8]> = names.iter().map(|s| s.as_bytes()).collect();
                    Maglev::build(&refs, maglev_size)
                });
                table.pick(client_key(client, client_port)).unwrap_or(0)
            }
            Balancer::RingHash => {
                let ring = self.ring.get_or_insert_with(|| {
                    let names = table_names(c.ids);
                    let refs: Vec<&[u8]> = names.iter().map(|s| s.as_bytes()).collect();
                    Ring::build(&refs)
                });
                ring.pick(client_key(client, client_port)).unwrap_or(0)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn ip(bits: u128, v6: bool) -> IpAddr {
        if v6 {
            IpAddr::from(bits.to_be_bytes())
        } else {
            IpAddr::from((bits as u32).to_be_bytes())
        }
    }

    /// IPv6 candidates whose port and first address group trade bits: the port has a step of
    /// its own, so they are told apart (they were not when the port shared the high word).
    #[test]
    fn ipv6_port_and_address_stay_apart() {
        let v6 = |s: &str, port: u16| (s.parse::<IpAddr>().unwrap(), port);
        let pairs = [
            ([v6("fd00::1", 8080), v6("fd00::2", 8080)], [v6("fd01::1", 8081), v6("fd00::2", 8080)]),
            ([v6("::1", 1), v6("::9", 9)], [v6("1::1", 0), v6("::9", 9)]),
        ];
        for (a, b) in pairs {
            assert_ne!(set_key(&a), set_key(&b), "{a:?} / {b:?}");
        }
    }

    proptest! {
        /// Changing one candidate (its address or its port) changes the set's key: always for
        /// IPv4, and in every draw with IPv6.
        #[test]
        fn one_changed_candidate_changes_the_key(
            set in proptest::collection::vec((any::<u128>(), any::<bool>(), any::<u16>()), 1..20),
            at in any::<prop::sample::Index>(),
            other in (any::<u128>(), any::<bool>(), any::<u16>()),
        ) {
            let ids: alloc::vec::Vec<(IpAddr, u16)> = set.iter().map(|(b, v6, p)| (ip(*b, *v6), *p)).collect();
            let i = at.index(ids.len());
            let mut changed = ids.clone();
            changed[i] = (ip(other.0, other.1), other.2);
            prop_assume!(changed[i] != ids[i]);
            prop_assert_ne!(set_key(&ids), set_key(&changed));
        }
    }
}
