//! Ring hash (Karger et al.; Envoy's `RING_HASH`): each backend owns several points on a 64-bit
//! ring; a key goes to the first point at or after its hash.

use super::rng::hash64;
use alloc::vec::Vec;

/// Envoy's default minimum ring size.
pub const MIN_RING_SIZE: usize = 1024;

/// A sorted ring of `(point, backend)`.
#[derive(Clone, Debug)]
pub struct Ring {
    points: Vec<(u64, u32)>,
}

impl Ring {
    /// Builds a ring with about `MIN_RING_SIZE` points spread evenly over the backends.
    pub fn build(names: &[&[u8]]) -> Self {
        let n = names.len();
        if n == 0 {
            return Self { points: Vec::new() };
        }
        let per = MIN_RING_SIZE.div_ceil(n);
        let mut points = Vec::with_capacity(per * n);
        for (i, name) in names.iter().enumerate() {
            for r in 0..per {
                points.push((hash64(name, r as u64), i as u32));
            }
        }
        crate::sort::sort(&mut points);
        Self { points }
    }

    /// The backend for a key hash.
    pub fn pick(&self, key: u64) -> Option<usize> {
        let i = self.points.partition_point(|(p, _)| *p < key);
        self.points.get(i).or_else(|| self.points.first()).map(|(_, b)| *b as usize)
    }
}
