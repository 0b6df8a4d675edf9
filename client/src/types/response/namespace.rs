//! Owned `NAMESPACE` data (RFC 2342, RFC 9051 §7.3.4).

/// `* NAMESPACE personal other shared`: the three namespace classes, each possibly empty
/// (`NIL`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct Namespace {
    /// The user's own namespaces (usually one, prefix `""` or `INBOX.`).
    pub personal: Vec<NamespaceDescr>,
    /// Other users' namespaces (e.g. `Other Users/`).
    pub other: Vec<NamespaceDescr>,
    /// Shared namespaces (e.g. `Shared Folders/`).
    pub shared: Vec<NamespaceDescr>,
}

/// One namespace.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct NamespaceDescr {
    /// The prefix in human (Unicode) form, decoded like a mailbox name; prepend it to a
    /// name to address a mailbox in this namespace.
    pub prefix: String,
    /// The hierarchy delimiter; `None` for a flat namespace (`NIL`).
    pub delimiter: Option<char>,
    /// The raw `Namespace-Response-Extensions` text (e.g. `"TRANSLATION" ("Shared")`),
    /// empty if none.
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::bytes"),
        tsify(type = "Uint8Array")
    )]
    pub extensions: Vec<u8>,
}
