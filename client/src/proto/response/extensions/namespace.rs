//! NAMESPACE response (RFC 2342, RFC 9051 §7.3.4).

use crate::proto::response::IString;

/// `* NAMESPACE personal other shared`, each `NIL` or a list of descriptions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Namespace<'a> {
    /// Personal namespaces.
    pub personal: Vec<NamespaceDescr<'a>>,
    /// Other users' namespaces.
    pub other: Vec<NamespaceDescr<'a>>,
    /// Shared namespaces.
    pub shared: Vec<NamespaceDescr<'a>>,
}

/// One namespace: prefix, delimiter and raw extension data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NamespaceDescr<'a> {
    /// The prefix, e.g. `""` or `Other Users/`.
    pub prefix: IString<'a>,
    /// The hierarchy delimiter; `None` for NIL.
    pub delimiter: Option<u8>,
    /// Raw `Namespace-Response-Extensions` (empty if none).
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::proto::response::ser::bytes")
    )]
    pub extensions: &'a [u8],
}
