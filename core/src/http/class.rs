//! Which Ingresses the table serves: IngressClass selection (`spec/kubernetes-semantics.md`
//! §3.3).
//!
//! An Ingress's class is `spec.ingressClassName`, else the legacy annotation
//! `kubernetes.io/ingress.class`, else (as the DefaultIngressClass admission plugin fills it
//! in) the default IngressClass, when exactly one is marked
//! `ingressclass.kubernetes.io/is-default-class: "true"`.
//!
//! The table is built for one class: the `ingress_class` option, else the default class,
//! else the only IngressClass when there is exactly one. A table for class `c` serves the
//! Ingresses whose class is `c`; `spec.ingressClassName` must also name an IngressClass that
//! exists (conformance `ingress_class.feature`: `some-invalid-class-name` is not served).
//! Ingresses without any class are not served then, as ingress-nginx without
//! `--watch-ingress-without-class`. When no class can be chosen (no IngressClass objects, or
//! several and none default, and no option), every Ingress is served except those naming a
//! missing IngressClass in `spec.ingressClassName`. Every Ingress left out is diagnosed.

use crate::model::{Ingress, IngressClass};
use alloc::{format, string::String, vec::Vec};

/// The legacy class annotation.
pub(crate) const LEGACY_ANNOTATION: &str = "kubernetes.io/ingress.class";

/// The class view of one table.
#[derive(Clone, Debug, Default)]
pub(crate) struct Classes {
    /// The class served, if one was chosen.
    pub(crate) selected: Option<String>,
    /// The single default class, if exactly one is marked.
    pub(crate) default: Option<String>,
    /// Names of the IngressClass objects.
    names: Vec<String>,
    /// Names of classes marked default (more than one is a misconfiguration).
    pub(crate) defaults: Vec<String>,
    /// How the class was chosen, for traces.
    pub(crate) how: String,
}

impl Classes {
    /// Chooses the class from the option and the IngressClass objects.
    pub(crate) fn select(classes: &[IngressClass], wanted: Option<&str>) -> Self {
        let defaults: Vec<String> =
            classes.iter().filter(|c| c.is_default()).map(|c| c.metadata.name.clone()).collect();
        let default = match defaults.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        };
        let names: Vec<String> = classes.iter().map(|c| c.metadata.name.clone()).collect();
        let (selected, how) = match (wanted, &default, names.as_slice()) {
            (Some(w), _, _) => (Some(String::from(w)), format!("IngressClass {w:?} (option ingressClass)")),
            (None, Some(d), _) => (Some(d.clone()), format!("IngressClass {d:?} (the default class)")),
            (None, None, [only]) => (Some(only.clone()), format!("IngressClass {only:?} (the only class)")),
            (None, None, []) => (None, String::from("no IngressClass objects: every Ingress is served")),
            (None, None, _) => {
                (None, String::from("several IngressClasses and no default or option: every Ingress is served"))
            }
        };
        Self { selected, default, names, defaults, how }
    }

    /// The class an Ingress asks for, and how (`None` when it names none and there is no
    /// default).
    pub(crate) fn class_of<'a>(&'a self, ing: &'a Ingress) -> Option<(&'a str, &'static str)> {
        if let Some(c) = ing.ingress_class_name.as_deref().filter(|c| !c.is_empty()) {
            return Some((c, "spec.ingressClassName"));
        }
        if let Some(c) = ing.metadata.annotations.get(LEGACY_ANNOTATION).filter(|c| !c.is_empty()) {
            return Some((c.as_str(), "annotation kubernetes.io/ingress.class"));
        }
        self.default.as_deref().map(|d| (d, "the default IngressClass"))
    }

    /// Whether the table serves `ing`; `Err` says why not.
    pub(crate) fn claims(&self, ing: &Ingress) -> Result<(), String> {
        if let Some(name) = ing.ingress_class_name.as_deref().filter(|c| !c.is_empty()) {
            if !self.names.iter().any(|n| n == name) {
                return Err(format!(
                    "spec.ingressClassName names IngressClass {name:?}, which does not exist; no controller serves this Ingress"
                ));
            }
        }
        let Some(selected) = &self.selected else {
            return Ok(());
        };
        match self.class_of(ing) {
            Some((c, _)) if c == selected => Ok(()),
            Some((c, how)) => Err(format!(
                "its class is {c:?} (from {how}); this table serves {selected:?}"
            )),
            None => Err(format!(
                "it has no class and no IngressClass is marked default; this table serves {selected:?} (ingress-nginx ignores class-less Ingresses unless --watch-ingress-without-class)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn class(name: &str, default: bool) -> IngressClass {
        let mut c = IngressClass {
            metadata: crate::model::ObjectMeta { name: String::from(name), ..Default::default() },
            ..IngressClass::default()
        };
        if default {
            c.metadata
                .annotations
                .insert(String::from("ingressclass.kubernetes.io/is-default-class"), String::from("true"));
        }
        c
    }

    fn ing(class_name: Option<&str>, legacy: Option<&str>) -> Ingress {
        let mut i = Ingress { ingress_class_name: class_name.map(String::from), ..Ingress::default() };
        if let Some(l) = legacy {
            i.metadata.annotations.insert(String::from(LEGACY_ANNOTATION), String::from(l));
        }
        i
    }

    /// `spec/kubernetes-semantics.md` §3.3: ingressClassName, the legacy annotation, the
    /// default class.
    #[test]
    fn spec_semantics_3_3_class_selection() {
        let classes = [class("nginx", true), class("traefik", false)];
        let c = Classes::select(&classes, None);
        assert_eq!(c.selected.as_deref(), Some("nginx"));
        assert!(c.claims(&ing(Some("nginx"), None)).is_ok());
        assert!(c.claims(&ing(None, Some("nginx"))).is_ok());
        assert!(c.claims(&ing(None, None)).is_ok()); // defaulted
        assert!(c.claims(&ing(Some("traefik"), None)).is_err());
        assert!(c.claims(&ing(None, Some("traefik"))).is_err());
        assert!(c.claims(&ing(Some("missing"), None)).is_err());

        let t = Classes::select(&classes, Some("traefik"));
        assert!(t.claims(&ing(Some("traefik"), None)).is_ok());
        assert!(t.claims(&ing(None, None)).is_err());

        // No IngressClass objects: everything but a dangling ingressClassName.
        let none = Classes::select(&[], None);
        assert!(none.claims(&ing(None, None)).is_ok());
        assert!(none.claims(&ing(None, Some("nginx"))).is_ok());
        assert!(none.claims(&ing(Some("some-invalid-class-name"), None)).is_err());

        // A single non-default class is chosen; class-less Ingresses are then left out.
        let only = Classes::select(&[class("nginx", false)], None);
        assert_eq!(only.selected.as_deref(), Some("nginx"));
        assert!(only.claims(&ing(None, None)).is_err());

        // Two defaults: no default at all.
        let two = Classes::select(&[class("a", true), class("b", true)], None);
        assert_eq!(two.default, None);
        assert_eq!(two.defaults.len(), 2);
    }
}
