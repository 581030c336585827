//! The lean URL lookup (`kroute::http::RouteTable::lookup_url`) as native Python objects.
//!
//! No JSON on this path: an [`HttpMatch`] is built from the core's [`UrlLookup`] directly,
//! and only once per distinct answer. [`Lookups`] keeps, per `Cluster` or `Router` object, the
//! lookup buffers and every `HttpMatch` already built, keyed by the addresses of the snapshot
//! strings it names; the snapshot is held by the cache, so those addresses stay valid and
//! unique (a shared `Arc` cannot change in place). A call returns a new reference to the
//! cached object: no allocation once the cache is warm.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, TryLockError};

use kroute::http::{HostMatch, LookupBuffers, RouteRef, UrlLookup};
use kroute::Error;
use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use crate::{raise, surrogate_error, type_name, Text};

/// Which Ingress rule answers a URL, and its backend Service (or why none does): what
/// `Cluster.lookup_http` returns. Immutable; equal answers compare and hash equal.
#[pyclass(frozen, module = "kroute", name = "HttpMatch")]
pub struct HttpMatch {
    /// `"matched"`, `"no-route"` (the controller's 404) or `"refused"` (the proxy's 400).
    #[pyo3(get)]
    result: Py<PyString>,
    /// The Ingress's namespace (matched only).
    #[pyo3(get)]
    namespace: Option<Py<PyString>>,
    /// The Ingress's name (matched only).
    #[pyo3(get)]
    ingress: Option<Py<PyString>>,
    /// Index in the Ingress's `spec.rules`; None for its `defaultBackend`.
    #[pyo3(get)]
    rule: Option<usize>,
    /// Index in the rule's `http.paths`; None for the `defaultBackend`.
    #[pyo3(get)]
    path: Option<usize>,
    /// How the host matched: `"Exact"`, `"Wildcard"` or `"Any"` (matched only).
    #[pyo3(get)]
    host_match: Option<Py<PyString>>,
    /// The backend Service; None for a resource backend or another result.
    #[pyo3(get)]
    service: Option<Py<PyString>>,
    /// The Service port number, when the Service and port exist.
    #[pyo3(get)]
    service_port: Option<u16>,
    /// Why the request is refused (refused only).
    #[pyo3(get)]
    reason: Option<Py<PyString>>,
}

/// The canonical spelling of a [`HostMatch`] (its serde name).
fn host_match_name(py: Python<'_>, m: HostMatch) -> &Bound<'_, PyString> {
    match m {
        HostMatch::Exact => intern!(py, "Exact"),
        HostMatch::Wildcard => intern!(py, "Wildcard"),
        HostMatch::Any => intern!(py, "Any"),
    }
}

impl HttpMatch {
    /// The object for `found`; `name` makes the Python string of a snapshot string.
    fn new(py: Python<'_>, found: &UrlLookup<'_>, mut name: impl FnMut(&str) -> Py<PyString>) -> Self {
        let empty = |result: &Bound<'_, PyString>| Self {
            result: result.clone().unbind(),
            namespace: None,
            ingress: None,
            rule: None,
            path: None,
            host_match: None,
            service: None,
            service_port: None,
            reason: None,
        };
        match found {
            UrlLookup::Matched(r) => Self {
                namespace: Some(name(r.namespace)),
                ingress: Some(name(r.ingress)),
                rule: r.rule,
                path: r.path,
                host_match: Some(host_match_name(py, r.host_match).clone().unbind()),
                service: r.service.map(&mut name),
                service_port: r.service_port,
                ..empty(intern!(py, "matched"))
            },
            UrlLookup::NoRoute => empty(intern!(py, "no-route")),
            UrlLookup::Refused(reason) => {
                Self { reason: Some(PyString::new(py, reason).unbind()), ..empty(intern!(py, "refused")) }
            }
        }
    }

    /// Every field, in declaration order (equality and hashing compare these).
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let text = |s: &Option<Py<PyString>>| s.as_ref().map_or_else(|| py.None(), |s| s.clone_ref(py).into_any());
        let number = |n: Option<usize>| n.into_pyobject(py).map(|n| n.unbind());
        PyTuple::new(
            py,
            [
                self.result.clone_ref(py).into_any(),
                text(&self.namespace),
                text(&self.ingress),
                number(self.rule)?,
                number(self.path)?,
                text(&self.host_match),
                text(&self.service),
                number(self.service_port.map(usize::from))?,
                text(&self.reason),
            ],
        )
    }

    fn is(&self, py: Python<'_>, result: &str) -> bool {
        self.result.bind(py).to_str().is_ok_and(|r| r == result)
    }
}

/// Field names of [`HttpMatch`], in declaration order, with their canonical JSON keys.
const FIELDS: [(&str, &str); 9] = [
    ("result", "result"),
    ("namespace", "namespace"),
    ("ingress", "ingress"),
    ("rule", "rule"),
    ("path", "path"),
    ("host_match", "hostMatch"),
    ("service", "service"),
    ("service_port", "servicePort"),
    ("reason", "reason"),
];

#[pymethods]
impl HttpMatch {
    /// The canonical camelCase JSON shape (the core's `UrlLookup`): every field for a match,
    /// `result` alone for no-route, `result` and `reason` for refused.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let fields = self.fields(py)?;
        let matched = self.is(py, "matched");
        for (i, (snake, camel)) in FIELDS.into_iter().enumerate() {
            let keep = match snake {
                "result" => true,
                "reason" => self.reason.is_some(),
                _ => matched,
            };
            if keep {
                d.set_item(camel, fields.get_item(i)?)?;
            }
        }
        Ok(d)
    }

    fn __eq__(&self, py: Python<'_>, other: &Self) -> PyResult<bool> {
        self.fields(py)?.eq(other.fields(py)?)
    }

    fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
        self.fields(py)?.hash()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let fields = self.fields(py)?;
        let matched = self.is(py, "matched");
        let mut parts = Vec::new();
        for (i, (snake, _)) in FIELDS.into_iter().enumerate() {
            let value = fields.get_item(i)?;
            if snake == "result" || (matched && snake != "reason") || !value.is_none() {
                parts.push(format!("{snake}={}", value.repr()?));
            }
        }
        Ok(format!("HttpMatch({})", parts.join(", ")))
    }
}

/// An [`HttpMatch`] cache key: what a [`UrlLookup`] says, as three words. A match is its
/// Ingress (the address of its name in the snapshot: equal addresses mean the same Ingress
/// while the snapshot is held), rule, path and host match, which settle every other field;
/// a refusal is its reason's address.
#[derive(PartialEq, Eq)]
struct Key([u64; 3]);

/// One word for the hasher: the three words mixed (a slice of three would be hashed as 24
/// bytes, the slow path of `foldhash`). Equal keys still compare all three.
impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let [a, b, c] = self.0;
        state.write_u64(a ^ b.rotate_left(21) ^ c.rotate_left(42));
    }
}

impl Key {
    fn of(found: &UrlLookup<'_>) -> Self {
        // `None` as 0, index `i` as `i + 1`; a path index fits in 56 bits on any machine.
        let index = |i: Option<usize>| i.map_or(0, |i| i as u64 + 1);
        match *found {
            UrlLookup::Matched(RouteRef { ingress, rule, path, host_match, .. }) => {
                Self([ingress.as_ptr() as u64, index(rule), index(path) << 8 | (host_match as u64) << 2 | 1])
            }
            UrlLookup::NoRoute => Self([0, 0, 2]),
            UrlLookup::Refused(reason) => Self([reason.as_ptr() as u64, reason.len() as u64, 3]),
        }
    }
}

/// A snapshot string by address and length: the key of the `names` cache (equal keys mean
/// equal text while the snapshot is held).
fn addr(s: &str) -> (usize, usize) {
    (s.as_ptr() as usize, s.len())
}

type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// The lean lookups' state of one `Cluster` or `Router` object (see the module comment).
#[derive(Default)]
pub struct Lookups {
    /// The snapshot every cached key points into, held so that it stays put.
    snapshot: Option<Arc<kroute::Cluster>>,
    buffers: LookupBuffers,
    /// Python strings of snapshot strings (namespaces, Ingress and Service names).
    names: FastMap<(usize, usize), Py<PyString>>,
    matches: FastMap<Key, Py<HttpMatch>>,
}

impl Lookups {
    /// Empties the cache (and lets go of its snapshot, so that a watch event can change the
    /// snapshot in place rather than copy it).
    pub fn clear(&mut self) {
        self.snapshot = None;
        self.names.clear();
        self.matches.clear();
    }

    /// Points the cache at `snapshot`, emptying it when it held another one.
    fn follow(&mut self, snapshot: &Arc<kroute::Cluster>) {
        if !self.snapshot.as_ref().is_some_and(|s| Arc::ptr_eq(s, snapshot)) {
            self.clear();
            self.snapshot = Some(Arc::clone(snapshot));
        }
    }

    /// The object already built for `key`, if any.
    fn cached(&self, py: Python<'_>, key: &Key) -> Option<Py<HttpMatch>> {
        self.matches.get(key).map(|o| o.clone_ref(py))
    }

    /// The object for `found` (which points into the followed snapshot): the cached one, or
    /// a new one, cached.
    fn object(&mut self, py: Python<'_>, found: &UrlLookup<'_>) -> PyResult<Py<HttpMatch>> {
        let key = Key::of(found);
        if let Some(o) = self.cached(py, &key) {
            return Ok(o);
        }
        let names = &mut self.names;
        let name = |s: &str| names.entry(addr(s)).or_insert_with(|| PyString::new(py, s).unbind()).clone_ref(py);
        let o = Py::new(py, HttpMatch::new(py, found, name))?;
        self.matches.insert(key, o.clone_ref(py));
        Ok(o)
    }
}

/// The cache of `lookups` when no other thread holds it.
fn cache(lookups: &Mutex<Lookups>) -> Option<std::sync::MutexGuard<'_, Lookups>> {
    match lookups.try_lock() {
        Ok(guard) => Some(guard),
        Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    }
}

/// Empties the cache of `lookups` unless another thread is using it (which is harmless: the
/// cache then keeps the old snapshot alive until its next lookup).
pub fn forget(lookups: &Mutex<Lookups>) {
    if let Some(mut c) = cache(lookups) {
        c.clear();
    }
}

/// A URL argument: a `str` holding Unicode text; `what` names it in errors.
fn url_text<'a>(py: Python<'_>, url: &'a Bound<'_, PyAny>, what: impl Fn() -> String) -> PyResult<&'a str> {
    let s = url
        .cast::<PyString>()
        .map_err(|_| PyTypeError::new_err(format!("{} must be str, not {}", what(), type_name(url))))?;
    s.to_str().map_err(|_| raise(py, &Error { field: Some(what()), ..surrogate_error(s, Text::Request) }))
}

/// `lookup_http(url)` against `snapshot`, through the cache of `lookups`. The cache is held
/// with the GIL only (a batch releases the GIL without it), and when another thread holds it
/// the answer is built without it: no lock is ever waited for.
pub fn lookup_one(
    py: Python<'_>,
    lookups: &Mutex<Lookups>,
    snapshot: &Arc<kroute::Cluster>,
    url: &Bound<'_, PyAny>,
) -> PyResult<Py<HttpMatch>> {
    let url = url_text(py, url, || String::from("url"))?;
    let table = snapshot.http_table();
    match cache(lookups) {
        Some(mut c) => {
            c.follow(snapshot);
            let found = table.lookup_url(url, &mut c.buffers).map_err(|e| raise(py, &e))?;
            c.object(py, &found)
        }
        None => {
            let found = table.lookup_url(url, &mut LookupBuffers::default()).map_err(|e| raise(py, &e))?;
            Py::new(py, HttpMatch::new(py, &found, |s| PyString::new(py, s).unbind()))
        }
    }
}

/// `lookup_http_many(urls)`: the lookups run without the GIL; the first URL that is not one
/// raises, with `field` naming it (`urls[3]`).
pub fn lookup_many<'py>(
    py: Python<'py>,
    lookups: &Mutex<Lookups>,
    snapshot: &Arc<kroute::Cluster>,
    urls: &Bound<'py, PyList>,
) -> PyResult<Bound<'py, PyList>> {
    // Own references: another thread may change the list while the GIL is released.
    let items: Vec<Bound<'py, PyAny>> = urls.iter().collect();
    let texts = items
        .iter()
        .enumerate()
        .map(|(i, u)| url_text(py, u, || format!("urls[{i}]")))
        .collect::<PyResult<Vec<&str>>>()?;
    let table = snapshot.http_table();
    // Without the GIL, only the answers' keys are kept (three words, not a whole answer);
    // an answer not cached yet is looked up again when its object is built.
    let keys = py.detach(|| {
        let mut buffers = LookupBuffers::default();
        texts
            .iter()
            .enumerate()
            .map(|(i, url)| {
                table
                    .lookup_url(url, &mut buffers)
                    .map(|f| Key::of(&f))
                    .map_err(|e| Error { field: Some(format!("urls[{i}]")), ..e })
            })
            .collect::<Result<Vec<_>, Error>>()
    });
    let keys = keys.map_err(|e| raise(py, &e))?;
    let mut guard = cache(lookups);
    let mut local = Lookups::default();
    let c = guard.as_deref_mut().unwrap_or(&mut local);
    c.follow(snapshot);
    let objects = keys
        .into_iter()
        .zip(&texts)
        .map(|(key, url)| match c.cached(py, &key) {
            Some(o) => Ok(o),
            None => {
                let found = table.lookup_url(url, &mut c.buffers).map_err(|e| raise(py, &e))?;
                c.object(py, &found)
            }
        })
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, objects)
}
