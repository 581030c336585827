//! `metav1.LabelSelector`, the structured selector of Deployments, EndpointSlice queries and
//! NetworkPolicies (`spec/kubernetes-semantics.md §5`). Turn it into a matcher with
//! [`crate::Selector::from_label_selector`].

use alloc::{collections::BTreeMap, string::String, vec::Vec};

/// `metav1.LabelSelector` (spec §5): `matchLabels` and `matchExpressions`, all ANDed.
/// An absent selector matches nothing; an empty one matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    /// `key: value` pairs; each is the requirement `key = value`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub match_labels: BTreeMap<String, String>,
    /// Set-based requirements.
    #[serde(default, deserialize_with = "null_as_default")]
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

/// `metav1.LabelSelectorRequirement` (spec §5): `key`, `operator` (`In`, `NotIn`, `Exists`,
/// `DoesNotExist`) and `values`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelectorRequirement {
    /// The label key the requirement applies to.
    pub key: String,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`, kept as written so that other values can be
    /// reported the way upstream reports them.
    pub operator: String,
    /// Values for `In`/`NotIn`; must be empty for `Exists`/`DoesNotExist`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub values: Vec<String>,
}

/// `null` reads as the empty value, as Kubernetes' JSON decoding does for maps and lists.
fn null_as_default<'de, D: serde::Deserializer<'de>, T: Default + serde::Deserialize<'de>>(
    d: D,
) -> Result<T, D::Error> {
    Ok(<Option<T> as serde::Deserialize>::deserialize(d)?.unwrap_or_default())
}
