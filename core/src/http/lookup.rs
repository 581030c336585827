//! The lean question "which rule answers this URL": [`RouteTable::lookup_url`] parses and
//! normalises a URL exactly as [`RouteTable::route`] does, then runs [`RouteTable::lookup`].
//! No decision, no trace, no allocation once the buffers have grown: the entry point for
//! proxies, batch checks and the bindings' `lookup` calls.

use super::normalize::normalize_into;
use super::plain_url::plain_url;
use super::request::{normalize_host, parse_target};
use super::table::{RouteRef, RouteTable};
use crate::error::Error;
use alloc::string::String;

/// Reusable buffers for [`RouteTable::lookup_url`]: the normalised host and path.
#[derive(Clone, Debug, Default)]
pub struct LookupBuffers {
    host: String,
    path: String,
}

/// What [`RouteTable::lookup_url`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UrlLookup<'t> {
    /// A rule path, or an Ingress `defaultBackend`, answers.
    Matched(RouteRef<'t>),
    /// Nothing matches: the controller's own default backend answers (404).
    NoRoute,
    /// The proxy refuses the request (400), for this reason.
    Refused(&'static str),
}

/// The canonical JSON: `{"result": "matched", namespace, ingress, rule, path, hostMatch,
/// service, servicePort}` (`rule` and `path` null for a `defaultBackend`), `{"result":
/// "no-route"}`, or `{"result": "refused", "reason": ...}`.
impl serde::Serialize for UrlLookup<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        match self {
            Self::Matched(r) => {
                m.serialize_entry("result", "matched")?;
                m.serialize_entry("namespace", r.namespace)?;
                m.serialize_entry("ingress", r.ingress)?;
                m.serialize_entry("rule", &r.rule)?;
                m.serialize_entry("path", &r.path)?;
                m.serialize_entry("hostMatch", &r.host_match)?;
                m.serialize_entry("service", &r.service)?;
                m.serialize_entry("servicePort", &r.service_port)?;
            }
            Self::NoRoute => m.serialize_entry("result", "no-route")?,
            Self::Refused(reason) => {
                m.serialize_entry("result", "refused")?;
                m.serialize_entry("reason", reason)?;
            }
        }
        m.end()
    }
}

impl RouteTable {
    /// Which Ingress rule (or `defaultBackend`) answers `url` (`http(s)://host/path`,
    /// `host/path` or `/path`), normalised as [`RouteTable::route`] normalises it
    /// (`spec/http-routing.md` §2.1–§2.3). It answers the match only: redirects, canaries,
    /// TLS and endpoints belong to [`RouteTable::route`]. Errors only for what is not a URL.
    pub fn lookup_url<'t>(&'t self, url: &str, buffers: &mut LookupBuffers) -> Result<UrlLookup<'t>, Error> {
        if let Some((host, path)) = plain_url(url) {
            return Ok(self.found(host, path));
        }
        let target = match parse_target(url, false)? {
            Ok(t) => t,
            Err(r) => return Ok(UrlLookup::Refused(r.message())),
        };
        let raw_host = if target.absolute { target.authority } else { "" };
        if let Err(r) = normalize_host(raw_host, &mut buffers.host) {
            return Ok(UrlLookup::Refused(r.message()));
        }
        if target.absolute && buffers.host.is_empty() {
            return Ok(UrlLookup::Refused(super::normalize::Reject::BadHost.message()));
        }
        let opts = &self.options;
        if let Err(r) = normalize_into(target.path, None, opts.merge_slashes, opts.escaped_slashes, &mut buffers.path) {
            return Ok(UrlLookup::Refused(r.message()));
        }
        Ok(self.found(&buffers.host, &buffers.path))
    }

    /// [`RouteTable::lookup`] of a normalised host and path, as a [`UrlLookup`].
    fn found(&self, host: &str, path: &str) -> UrlLookup<'_> {
        self.lookup(host, path).map_or(UrlLookup::NoRoute, UrlLookup::Matched)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{Cluster, Options};

    const YAML: &str = "
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
      - {path: /, pathType: Exact, backend: {service: {name: home, port: {number: 80}}}}
";

    fn cluster() -> Cluster {
        Cluster::from_yaml(YAML, &Options::default()).unwrap()
    }

    /// Every URL gets the same rule from `lookup_url` as from the full `route_http` decision.
    #[test]
    fn agrees_with_route() {
        let c = cluster();
        let mut buffers = LookupBuffers::default();
        for url in [
            "http://shop.example.com/api/x?q=1",
            "https://SHOP.example.com:8443/api",
            "http://shop.example.com/",
            "http://shop.example.com/apix",
            "http://other.example.com/api",
            "shop.example.com/%61pi/v1",
            "/api",
            "http://shop.example.com/a%zz",
            "http://bad host/",
        ] {
            let d = c.route_http(&crate::http::HttpRequest::new(url), false).unwrap();
            let got = c.http_table().lookup_url(url, &mut buffers).unwrap();
            match got {
                UrlLookup::Matched(r) => {
                    let s = d.source.unwrap();
                    assert_eq!((s.name.as_str(), s.path), (r.ingress, r.path), "{url}");
                    assert_eq!(d.backend.and_then(|b| b.service).as_deref(), r.service, "{url}");
                }
                UrlLookup::NoRoute => assert_eq!((d.status, d.source), (404, None), "{url}"),
                UrlLookup::Refused(_) => assert_eq!(d.status, 400, "{url}"),
            }
        }
    }

    #[test]
    fn answers_each_kind() {
        let c = cluster();
        let t = c.http_table();
        let mut b = LookupBuffers::default();
        let service = |url: &str, b: &mut LookupBuffers| match t.lookup_url(url, b) {
            Ok(UrlLookup::Matched(r)) => r.service.map(String::from),
            _ => None,
        };
        assert_eq!(service("http://shop.example.com/api/v1", &mut b).as_deref(), Some("api"));
        assert_eq!(service("http://shop.example.com/", &mut b).as_deref(), Some("home"));
        assert_eq!(t.lookup_url("http://shop.example.com/x", &mut b).ok(), Some(UrlLookup::NoRoute));
        assert!(matches!(t.lookup_url("http://shop.example.com/%", &mut b), Ok(UrlLookup::Refused(_))));
        assert!(t.lookup_url("ftp://x/", &mut b).is_err());
        assert!(t.lookup_url("", &mut b).is_err());
    }
}
