//! What [`RouteTable::lookup`] returns for each route, gathered in one row: the Ingress's
//! namespace and name, the rule and path indexes, and the backend Service and port. A lookup
//! that found its route reads that row alone, where it would otherwise read the route, then
//! its Ingress, then its backend: three dependent cache misses in a table of thousands of
//! rules (W2 of `spec/performance.md`), one here. The names are spans of one string, so a
//! row holds no pointer and the table stays free of self-references.

use super::decision::HostMatch;
use super::table::{BackendDef, RouteRef, RouteTable};
use alloc::string::String;
use alloc::vec::Vec;

/// A span of [`Answers::names`].
#[derive(Clone, Copy, Debug)]
struct Span {
    start: u32,
    len: u32,
}

/// A span no string has: its row answers nothing.
const NOWHERE: Span = Span { start: u32::MAX, len: 0 };

/// One route's answer.
#[derive(Clone, Copy, Debug)]
struct Row {
    namespace: Span,
    ingress: Span,
    service: Option<Span>,
    service_port: Option<u16>,
    rule: u32,
    path_index: u32,
}

/// Every route's answer, by route id.
#[derive(Clone, Debug, Default)]
pub(crate) struct Answers {
    /// Each Ingress's namespace and name and each backend's Service name, once.
    names: String,
    rows: Vec<Row>,
}

impl Answers {
    /// The answers of `t`'s routes, read from its routes, Ingresses and backends (built again
    /// whenever those change).
    pub(crate) fn of(t: &RouteTable) -> Self {
        let mut names = String::new();
        let mut span = |s: &str| {
            let start = names.len() as u32;
            names.push_str(s);
            Span { start, len: s.len() as u32 }
        };
        let ingresses: Vec<(Span, Span)> = t.ingresses.iter().map(|i| (span(&i.namespace), span(&i.name))).collect();
        let services: Vec<Option<Span>> = t.backends.iter().map(|b| b.service.as_deref().map(&mut span)).collect();
        let rows = t
            .routes
            .iter()
            .map(|r| {
                // Every route names one of the table's Ingresses; were one not to, its row
                // would answer nothing, as the route would.
                let (namespace, ingress) = ingresses.get(r.ingress as usize).copied().unwrap_or((NOWHERE, NOWHERE));
                Row {
                    namespace,
                    ingress,
                    service: services.get(r.backend as usize).copied().flatten(),
                    service_port: t.backends.get(r.backend as usize).and_then(BackendDef::service_port),
                    rule: r.rule,
                    path_index: r.path_index,
                }
            })
            .collect();
        Self { names, rows }
    }

    /// The answer for route `id`, found through a host that matched as `host_match`.
    #[inline]
    pub(crate) fn get(&self, id: u32, host_match: HostMatch) -> Option<RouteRef<'_>> {
        let row = self.rows.get(id as usize)?;
        let text = |s: Span| self.names.get(s.start as usize..s.start as usize + s.len as usize);
        Some(RouteRef {
            namespace: text(row.namespace)?,
            ingress: text(row.ingress)?,
            rule: Some(row.rule as usize),
            path: Some(row.path_index as usize),
            host_match,
            service: match row.service {
                Some(s) => Some(text(s)?),
                None => None,
            },
            service_port: row.service_port,
        })
    }

    /// Heap bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.names.capacity() + self.rows.capacity() * core::mem::size_of::<Row>()
    }
}
