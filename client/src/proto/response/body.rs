//! `BODY` / `BODYSTRUCTURE` (RFC 3501 §7.4.2, RFC 9051 §7.5.2), both the non-extensible and
//! the extensible form.

use super::{Envelope, IString};

/// A MIME body structure.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum BodyStructure<'a> {
    /// A non-multipart body.
    Single(SinglePart<'a>),
    /// A `multipart/*` body.
    Multi(MultiPart<'a>),
}

/// A non-multipart body part.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SinglePart<'a> {
    /// What kind of part this is (basic, text or message/rfc822).
    pub kind: SinglePartKind<'a>,
    /// The fields every single part has.
    pub fields: BodyFields<'a>,
    /// `body-fld-md5` (extensible form only).
    pub md5: Option<IString<'a>>,
    /// Disposition, language, location and further extension data (extensible form only).
    pub extension: BodyExtension<'a>,
}

/// The type-specific part of a single body part.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SinglePartKind<'a> {
    /// Any media type other than `text/*` and `message/rfc822` (or `message/global`).
    Basic {
        /// Media type, e.g. `application` (as sent; may differ in case).
        media_type: IString<'a>,
        /// Media subtype, e.g. `pdf`.
        subtype: IString<'a>,
    },
    /// `text/*`.
    Text {
        /// Media subtype, e.g. `plain`.
        subtype: IString<'a>,
        /// Size in text lines.
        lines: u32,
    },
    /// `message/rfc822` or `message/global`: an encapsulated message.
    Message {
        /// Media subtype (`RFC822` or `GLOBAL`).
        subtype: IString<'a>,
        /// Envelope of the encapsulated message.
        envelope: Box<Envelope<'a>>,
        /// Body structure of the encapsulated message.
        body: Box<BodyStructure<'a>>,
        /// Size in text lines.
        lines: u32,
    },
}

/// `body-fields`: parameters, id, description, encoding and size.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BodyFields<'a> {
    /// `Content-Type` parameters (e.g. `charset`).
    pub params: Vec<BodyParam<'a>>,
    /// `Content-ID`.
    pub id: Option<IString<'a>>,
    /// `Content-Description`.
    pub description: Option<IString<'a>>,
    /// `Content-Transfer-Encoding` (empty if the server sent NIL).
    pub encoding: IString<'a>,
    /// Size in octets (of the encoded body).
    pub octets: u32,
}

/// One `name value` parameter pair.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BodyParam<'a> {
    /// Parameter name.
    pub name: IString<'a>,
    /// Parameter value (empty if the server sent NIL).
    pub value: IString<'a>,
}

/// A multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MultiPart<'a> {
    /// The parts, in order.
    pub parts: Vec<BodyStructure<'a>>,
    /// Multipart subtype, e.g. `mixed`.
    pub subtype: IString<'a>,
    /// `Content-Type` parameters (extensible form only), e.g. `boundary`.
    pub params: Vec<BodyParam<'a>>,
    /// Disposition, language, location and further extension data (extensible form only).
    pub extension: BodyExtension<'a>,
}

/// Extension data shared by single and multipart bodies (extensible form).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BodyExtension<'a> {
    /// `Content-Disposition`.
    pub disposition: Option<BodyDisposition<'a>>,
    /// `Content-Language` values.
    pub language: Vec<IString<'a>>,
    /// `Content-Location`.
    pub location: Option<IString<'a>>,
    /// Any further extension data, raw (empty if none).
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::proto::response::ser::bytes")
    )]
    pub rest: &'a [u8],
}

/// `Content-Disposition`: the disposition type and its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BodyDisposition<'a> {
    /// e.g. `attachment` or `inline`.
    pub kind: IString<'a>,
    /// e.g. `filename`.
    pub params: Vec<BodyParam<'a>>,
}
