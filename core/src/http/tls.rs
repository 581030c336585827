//! TLS termination (`spec/kubernetes-semantics.md` §3.3): which Secret serves an SNI name.
//!
//! As ingress-nginx does (`controller.go` `createServers`, `extractTLSSecretName`;
//! `certificate.lua` `get_pem_cert_uid`): a host served by rules gets the certificate of the
//! first Ingress, in claim order, that has a rule for that host and lists the same host
//! (compared case-insensitively, wildcards as written) in `spec.tls[].hosts`. An SNI name
//! picks the certificate of the server with that exact name, else of the wildcard server
//! `*.<name without its first label>`, else the controller's default certificate. A TLS host
//! that no rule of the same Ingress serves is ignored ("hosts in the tls section need to
//! explicitly match the host in the rules section"). A listed host without `secretName`, or
//! whose Secret is missing or lacks `tls.crt`/`tls.key`, is served with the default
//! certificate. kroute does not read certificates, so the controller's fallback of matching a
//! certificate's SANs is not reproduced.

use super::decision::Tls;
use crate::model::Secret;
use alloc::string::String;

/// The certificate configured for one server.
#[derive(Clone, Debug)]
pub(crate) struct TlsEntry {
    /// The TLS host as listed (`kubia.example.com`, `*.foo.com`), lower-cased.
    pub(crate) host: String,
    /// The Ingress's namespace.
    pub(crate) namespace: String,
    /// `secretName`, when set.
    pub(crate) secret: Option<String>,
    /// The Secret exists and holds `tls.crt` and `tls.key`.
    pub(crate) usable: bool,
}

/// What is wrong with a TLS Secret reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SecretProblem {
    /// No such Secret in the Ingress's namespace.
    Missing,
    /// The Secret lacks `tls.crt` or `tls.key`.
    NotTls,
}

/// Checks Secret `namespace/name` (`secrets` sorted by namespace and name).
pub(crate) fn check_secret(secrets: &[Secret], namespace: &str, name: &str) -> Result<(), SecretProblem> {
    let found = crate::model::find_named(secrets, |s| &s.metadata, namespace, name)
        .and_then(|i| secrets.get(i))
        .ok_or(SecretProblem::Missing)?;
    let has = |k: &str| found.keys.iter().any(|x| x == k);
    if has("tls.crt") && has("tls.key") {
        Ok(())
    } else {
        Err(SecretProblem::NotTls)
    }
}

/// The decision's `tls` for SNI `sni` served by `entry` (none: the default certificate).
pub(crate) fn describe(sni: &str, entry: Option<&TlsEntry>) -> Tls {
    match entry {
        Some(e) => Tls {
            sni: String::from(sni),
            host: Some(e.host.clone()),
            namespace: Some(e.namespace.clone()),
            secret_name: e.secret.clone(),
            default_certificate: !e.usable,
        },
        None => {
            Tls { sni: String::from(sni), host: None, namespace: None, secret_name: None, default_certificate: true }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn secret(ns: &str, name: &str, keys: &[&str]) -> Secret {
        let metadata =
            crate::model::ObjectMeta { namespace: String::from(ns), name: String::from(name), ..Default::default() };
        Secret { metadata, keys: keys.iter().map(|k| String::from(*k)).collect(), ..Secret::default() }
    }

    #[test]
    fn secrets() {
        let all =
            vec![secret("default", "opaque", &["password"]), secret("default", "tls-secret", &["tls.crt", "tls.key"])];
        assert_eq!(check_secret(&all, "default", "tls-secret"), Ok(()));
        assert_eq!(check_secret(&all, "default", "opaque"), Err(SecretProblem::NotTls));
        assert_eq!(check_secret(&all, "other", "tls-secret"), Err(SecretProblem::Missing));
    }
}
