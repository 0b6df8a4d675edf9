//! Owned `BODY` / `BODYSTRUCTURE`.

use super::{Envelope, Unparsed};

/// A MIME body structure.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase", rename_all_fields = "camelCase")
)]
#[non_exhaustive]
pub enum BodyStructure {
    /// A non-multipart body.
    Single(SinglePart),
    /// A `multipart/*` body.
    Multi(MultiPart),
    /// A part the server sent in a shape this client cannot read — neither a valid single
    /// part nor a multipart (a server bug) — kept as its exact bytes with the reason, so the
    /// other parts of the structure and the FETCH's other items are not lost.
    Unparsed(Unparsed),
}

/// A non-multipart body part.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct SinglePart {
    /// Basic, text or message part.
    pub kind: SinglePartKind,
    /// Parameters, id, description, encoding, size.
    pub fields: BodyFields,
    /// `Content-MD5` (extensible form only).
    pub md5: Option<String>,
    /// Disposition, language, location (extensible form only).
    pub extension: BodyExtension,
}

/// The type-specific part of a single body part.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase", rename_all_fields = "camelCase")
)]
pub enum SinglePartKind {
    /// Any type other than `text/*` and `message/rfc822`/`message/global`.
    Basic {
        /// Media type as sent, e.g. `APPLICATION`.
        media_type: String,
        /// Media subtype as sent, e.g. `PDF`.
        subtype: String,
    },
    /// `text/*`.
    Text {
        /// Media subtype, e.g. `PLAIN`.
        subtype: String,
        /// Size in lines.
        lines: u32,
    },
    /// An encapsulated message.
    Message {
        /// `RFC822` or `GLOBAL`.
        subtype: String,
        /// Its envelope.
        envelope: Box<Envelope>,
        /// Its body structure.
        body: Box<BodyStructure>,
        /// Size in lines.
        lines: u32,
    },
}

/// `body-fields`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct BodyFields {
    /// `Content-Type` parameters, e.g. `("charset", "utf-8")`.
    pub params: Vec<(String, String)>,
    /// `Content-ID`.
    pub id: Option<String>,
    /// `Content-Description`.
    pub description: Option<String>,
    /// `Content-Transfer-Encoding` (empty if the server sent NIL).
    pub encoding: String,
    /// Size in octets.
    pub octets: u32,
}

/// A multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct MultiPart {
    /// The parts.
    pub parts: Vec<BodyStructure>,
    /// e.g. `MIXED`.
    pub subtype: String,
    /// `Content-Type` parameters (extensible form only), e.g. `boundary`.
    pub params: Vec<(String, String)>,
    /// Disposition, language, location (extensible form only).
    pub extension: BodyExtension,
}

/// Extension data of the extensible form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct BodyExtension {
    /// `Content-Disposition`.
    pub disposition: Option<BodyDisposition>,
    /// `Content-Language`.
    pub language: Vec<String>,
    /// `Content-Location`.
    pub location: Option<String>,
    /// Further extension data, raw.
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::types::js_serde::bytes"),
        tsify(type = "Uint8Array")
    )]
    pub rest: Vec<u8>,
}

/// `Content-Disposition`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct BodyDisposition {
    /// e.g. `attachment`.
    pub kind: String,
    /// e.g. `("filename", "a.pdf")`.
    pub params: Vec<(String, String)>,
}
