//! Which evaluation produced each diagnostic, so a watch event re-runs only the evaluations it
//! affects and replaces their findings, leaving every other finding (and its line) as it was.

use crate::diagnostic::{Diagnostic, ObjectRef};
use crate::model::ObjectMeta;
use alloc::{collections::BTreeSet, string::String, vec::Vec};

/// The evaluation a finding comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Stage {
    /// Reading the documents (never re-run).
    Load,
    /// Cluster IP, node port and pod IP allocation, for the object itself.
    Allocate,
    /// The API server's validation of the object itself.
    Validate,
    /// A Service's endpoint computation (findings about its Endpoints and EndpointSlices).
    Compute,
    /// The Service checks of `hints::service`.
    ServiceHints,
    /// The env-var checks of `hints::env`.
    EnvHints,
    /// The backend checks of `hints::ingress`.
    IngressHints,
    /// The Ingress routing table's findings.
    Http,
}

/// A stage and the object it evaluated (none for [`Stage::Load`] and [`Stage::Http`]).
pub(crate) type Origin = (Stage, Option<ObjectRef>);

/// The reference to an object by kind and metadata.
pub(crate) fn object_key(kind: &str, meta: &ObjectMeta) -> ObjectRef {
    ObjectRef { kind: String::from(kind), namespace: meta.namespace.clone(), name: meta.name.clone() }
}

/// A finding's object and field.
type Subject = (Option<ObjectRef>, Option<String>);

/// Where a finding points: document, line, column.
type Position = (Option<usize>, Option<u32>, Option<u32>);

/// Diagnostics with their origins, kept in the published order.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tagged {
    /// The diagnostics, ordered by document, line, column, code and message.
    pub(crate) diagnostics: Vec<Diagnostic>,
    origins: Vec<Origin>,
}

impl Tagged {
    /// Tags `found` with `stage` and, unless given, the object each finding names.
    pub(crate) fn extend(&mut self, stage: Stage, owner: Option<&ObjectRef>, found: Vec<Diagnostic>) {
        for d in found {
            let who = match stage {
                Stage::Load | Stage::Http => None,
                _ => owner.cloned().or_else(|| d.object.clone()),
            };
            self.origins.push((stage, who));
            self.diagnostics.push(d);
        }
    }

    /// Drops the findings of the evaluations in `rerun` and adds `fresh` (already tagged);
    /// a fresh finding about the same object and field as a dropped one keeps its position.
    pub(crate) fn replace(&mut self, rerun: &BTreeSet<Origin>, fresh: Tagged) {
        // (object, field) → where it was, sorted by key: the last of equal keys wins.
        let mut positions: Vec<(Subject, Position)> = Vec::new();
        let mut kept = Tagged::default();
        for (d, o) in self.diagnostics.drain(..).zip(self.origins.drain(..)) {
            if rerun.contains(&o) {
                if d.document.is_some() {
                    positions.push(((d.object.clone(), d.field.clone()), (d.document, d.line, d.column)));
                }
            } else {
                kept.diagnostics.push(d);
                kept.origins.push(o);
            }
        }
        crate::sort::sort_by(&mut positions, |a, b| a.0.cmp(&b.0));
        for (mut d, o) in fresh.diagnostics.into_iter().zip(fresh.origins) {
            if d.document.is_none() {
                let key = (d.object.as_ref(), d.field.as_deref());
                let end = positions.partition_point(|((o, f), _)| (o.as_ref(), f.as_deref()) <= key);
                let found = end.checked_sub(1).and_then(|i| positions.get(i));
                if let Some(&(_, (document, line, column))) =
                    found.filter(|((o, f), _)| (o.as_ref(), f.as_deref()) == key)
                {
                    (d.document, d.line, d.column) = (document, line, column);
                }
            }
            kept.diagnostics.push(d);
            kept.origins.push(o);
        }
        *self = kept;
        self.sort();
    }

    /// The objects with a finding of `code`.
    pub(crate) fn objects_with(&self, code: &str) -> Vec<ObjectRef> {
        self.diagnostics.iter().filter(|d| d.code == code).filter_map(|d| d.object.clone()).collect()
    }

    /// Orders by document, line, column, code and message.
    /// Both lists move by one permutation, in place: a watch event re-sorts thousands of
    /// findings that are mostly in order already, so few move.
    pub(crate) fn sort(&mut self) {
        let order = crate::sort::order_by(&self.diagnostics, |a, b| {
            (a.document, a.line, a.column, a.code, &a.message).cmp(&(b.document, b.line, b.column, b.code, &b.message))
        });
        crate::sort::permute(&mut self.origins, order.clone());
        crate::sort::permute(&mut self.diagnostics, order);
    }
}
