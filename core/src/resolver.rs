//! A pod's resolver: the search list and `ndots:5` of ClusterFirst (spec §2.4, resolv.conf(5)).

use alloc::{format, string::String, vec::Vec};

/// kubelet's `defaultDNSOptions`.
pub const NDOTS: usize = 5;

/// The search list of a pod in `namespace` (`ClusterFirst`).
pub fn search_list(namespace: &str, domain: &str) -> Vec<String> {
    alloc::vec![format!("{namespace}.svc.{domain}"), format!("svc.{domain}"), String::from(domain)]
}

/// The fully qualified names a resolver tries for `name`, in order: with fewer than `ndots`
/// dots the search suffixes first, then the name as is; otherwise the name first; a trailing
/// dot means the name alone (§2.4, derived from resolv.conf(5)).
pub fn candidates(name: &str, search: &[String]) -> Vec<String> {
    if let Some(absolute) = name.strip_suffix('.') {
        return alloc::vec![format!("{absolute}.")];
    }
    let with_search = search.iter().map(|s| format!("{name}.{s}."));
    let absolute = format!("{name}.");
    if name.matches('.').count() >= NDOTS {
        core::iter::once(absolute).chain(with_search).collect()
    } else {
        with_search.chain(core::iter::once(absolute)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubia_default_from_default_tries_the_search_list_first() {
        // §2.4: `kubia.default` → `kubia.default.default.svc.cluster.local.` (NX) then `kubia.default.svc.cluster.local.`.
        let s = search_list("default", "cluster.local");
        let c = candidates("kubia.default", &s);
        assert_eq!(c.first().map(String::as_str), Some("kubia.default.default.svc.cluster.local."));
        assert_eq!(c.get(1).map(String::as_str), Some("kubia.default.svc.cluster.local."));
        assert_eq!(candidates("kubia.default.svc.cluster.local", &s).len(), 4);
        assert_eq!(candidates("a.b.c.d.e.f", &s).first().map(String::as_str), Some("a.b.c.d.e.f."));
        assert_eq!(candidates("x.", &s), ["x."]);
    }
}
