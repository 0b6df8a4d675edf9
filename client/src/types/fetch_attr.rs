//! `FetchAttr`: the data items a FETCH request asks for (RFC 3501 §6.4.5, RFC 9051 §6.4.5,
//! RFC 3516 BINARY, RFC 7162 CONDSTORE, RFC 8474 OBJECTID, RFC 8514 SAVEDATE, RFC 8970 PREVIEW).
//!
//! Fetch items contain no free text, so each has one exact wire spelling and this module
//! writes it ([`FetchAttr::write_wire`], `Display`). Which items a server accepts (for
//! example `RFC822*` is gone from IMAP4rev2) is the session's concern, not this type's.

use std::num::NonZeroU32;

use super::Section;
use super::section::write_part;
use crate::types::InvalidInput;

/// One FETCH data item.
///
/// ```
/// # use daaki_imap::types::{FetchAttr, Section};
/// let attr = FetchAttr::BodySection {
///     section: Section::parse("1.2.HEADER.FIELDS (From To)")?,
///     partial: Some((0, std::num::NonZeroU32::new(100).unwrap())),
///     peek: true,
/// };
/// assert_eq!(attr.to_string(), "BODY.PEEK[1.2.HEADER.FIELDS (From To)]<0.100>");
/// # Ok::<(), daaki_imap::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum FetchAttr {
    /// `ALL` macro: `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)`. Only valid on its own.
    All,
    /// `FAST` macro: `(FLAGS INTERNALDATE RFC822.SIZE)`. Only valid on its own.
    Fast,
    /// `FULL` macro: `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY)`. Only valid on its own.
    Full,
    /// `UID`
    Uid,
    /// `FLAGS`
    Flags,
    /// `INTERNALDATE`
    InternalDate,
    /// `RFC822.SIZE`
    Rfc822Size,
    /// `RFC822` (IMAP4rev1 only; same as `BODY[]` but sets `\Seen`).
    Rfc822,
    /// `RFC822.HEADER` (IMAP4rev1 only; same as `BODY.PEEK[HEADER]`).
    Rfc822Header,
    /// `RFC822.TEXT` (IMAP4rev1 only; same as `BODY[TEXT]`).
    Rfc822Text,
    /// `ENVELOPE`
    Envelope,
    /// `BODY`: the non-extensible body structure.
    Body,
    /// `BODYSTRUCTURE`: the extensible body structure.
    BodyStructure,
    /// `BODY[section]<origin.count>` or `BODY.PEEK[…]` (PEEK does not set `\Seen`).
    BodySection {
        /// Which section.
        section: Section,
        /// `<origin.count>`: a byte range of the section.
        partial: Option<(u32, NonZeroU32)>,
        /// `BODY.PEEK` instead of `BODY`.
        peek: bool,
    },
    /// `BINARY[part]<origin.count>` or `BINARY.PEEK[…]` (RFC 3516): the part with its
    /// content transfer encoding removed.
    Binary {
        /// The part path (empty for the whole message).
        part: Vec<NonZeroU32>,
        /// `<origin.count>`: a byte range of the decoded part.
        partial: Option<(u32, NonZeroU32)>,
        /// `BINARY.PEEK` instead of `BINARY`.
        peek: bool,
    },
    /// `BINARY.SIZE[part]` (RFC 3516): the decoded size of the part.
    BinarySize {
        /// The part path.
        part: Vec<NonZeroU32>,
    },
    /// `MODSEQ` (RFC 7162 CONDSTORE).
    ModSeq,
    /// `EMAILID` (RFC 8474 OBJECTID).
    EmailId,
    /// `THREADID` (RFC 8474 OBJECTID).
    ThreadId,
    /// `SAVEDATE` (RFC 8514).
    SaveDate,
    /// `PREVIEW` (RFC 8970); `lazy` writes `PREVIEW (LAZY)`, letting the server answer NIL
    /// instead of generating a preview now.
    Preview {
        /// Add the `LAZY` modifier.
        lazy: bool,
    },
    /// `X-GM-MSGID` (Gmail `X-GM-EXT-1`): Gmail's 64-bit message id.
    GmailMessageId,
    /// `X-GM-THRID` (Gmail `X-GM-EXT-1`): Gmail's 64-bit thread id.
    GmailThreadId,
    /// `X-GM-LABELS` (Gmail `X-GM-EXT-1`): the message's labels.
    GmailLabels,
}

impl FetchAttr {
    /// `BODY.PEEK[section]`: fetch a section without setting `\Seen`.
    pub fn body_peek(section: Section) -> Self {
        FetchAttr::BodySection {
            section,
            partial: None,
            peek: true,
        }
    }

    /// `BODY[section]`: fetch a section (sets `\Seen`).
    pub fn body_section(section: Section) -> Self {
        FetchAttr::BodySection {
            section,
            partial: None,
            peek: false,
        }
    }

    /// `BINARY.PEEK[part]`: fetch a decoded part without setting `\Seen`.
    pub fn binary_peek(part: Vec<NonZeroU32>) -> Self {
        FetchAttr::Binary {
            part,
            partial: None,
            peek: true,
        }
    }

    /// True for the macros `ALL`, `FAST` and `FULL`, which must be the whole item list.
    pub fn is_macro(&self) -> bool {
        matches!(self, FetchAttr::All | FetchAttr::Fast | FetchAttr::Full)
    }

    /// Appends the item's wire form.
    pub fn write_wire(&self, out: &mut String) {
        out.push_str(self.name());
        match self {
            FetchAttr::BodySection {
                section, partial, ..
            } => {
                out.push('[');
                section.write_wire(out);
                out.push(']');
                write_partial(*partial, out);
            }
            FetchAttr::Binary { part, partial, .. } => {
                out.push('[');
                write_part(part, out);
                out.push(']');
                write_partial(*partial, out);
            }
            FetchAttr::BinarySize { part } => {
                out.push('[');
                write_part(part, out);
                out.push(']');
            }
            FetchAttr::Preview { lazy: true } => out.push_str(" (LAZY)"),
            _ => {}
        }
    }

    /// The item's keyword, without section, partial or modifiers: `BODY.PEEK`,
    /// `BINARY.SIZE`, `RFC822.SIZE`, `PREVIEW`, …
    pub fn name(&self) -> &'static str {
        match self {
            FetchAttr::All => "ALL",
            FetchAttr::Fast => "FAST",
            FetchAttr::Full => "FULL",
            FetchAttr::Uid => "UID",
            FetchAttr::Flags => "FLAGS",
            FetchAttr::InternalDate => "INTERNALDATE",
            FetchAttr::Rfc822Size => "RFC822.SIZE",
            FetchAttr::Rfc822 => "RFC822",
            FetchAttr::Rfc822Header => "RFC822.HEADER",
            FetchAttr::Rfc822Text => "RFC822.TEXT",
            FetchAttr::Envelope => "ENVELOPE",
            FetchAttr::Body | FetchAttr::BodySection { peek: false, .. } => "BODY",
            FetchAttr::BodySection { peek: true, .. } => "BODY.PEEK",
            FetchAttr::BodyStructure => "BODYSTRUCTURE",
            FetchAttr::Binary { peek: false, .. } => "BINARY",
            FetchAttr::Binary { peek: true, .. } => "BINARY.PEEK",
            FetchAttr::BinarySize { .. } => "BINARY.SIZE",
            FetchAttr::ModSeq => "MODSEQ",
            FetchAttr::EmailId => "EMAILID",
            FetchAttr::ThreadId => "THREADID",
            FetchAttr::SaveDate => "SAVEDATE",
            FetchAttr::Preview { .. } => "PREVIEW",
            FetchAttr::GmailMessageId => "X-GM-MSGID",
            FetchAttr::GmailThreadId => "X-GM-THRID",
            FetchAttr::GmailLabels => "X-GM-LABELS",
        }
    }

    /// Checks a whole item list: not empty, and a macro only on its own.
    pub fn validate_list(attrs: &[FetchAttr]) -> Result<(), InvalidInput> {
        match attrs {
            [] => Err(InvalidInput::new("empty fetch item list".to_owned())),
            [_] => Ok(()),
            _ if attrs.iter().any(FetchAttr::is_macro) => Err(InvalidInput::new(
                "ALL, FAST and FULL cannot be combined with other items".to_owned(),
            )),
            _ => Ok(()),
        }
    }

    /// Appends the wire form of a whole (validated) item list: a single item bare, several
    /// in parentheses.
    pub fn write_list(attrs: &[FetchAttr], out: &mut String) -> Result<(), InvalidInput> {
        Self::validate_list(attrs)?;
        if let [single] = attrs {
            single.write_wire(out);
            return Ok(());
        }
        out.push('(');
        for (i, attr) in attrs.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            attr.write_wire(out);
        }
        out.push(')');
        Ok(())
    }
}

fn write_partial(partial: Option<(u32, NonZeroU32)>, out: &mut String) {
    use std::fmt::Write as _;
    if let Some((origin, count)) = partial {
        let _ = write!(out, "<{origin}.{count}>");
    }
}

impl std::fmt::Display for FetchAttr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = String::new();
        self.write_wire(&mut out);
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nz(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).unwrap()
    }

    #[test]
    fn simple_items_write_their_names() {
        let cases = [
            (FetchAttr::All, "ALL"),
            (FetchAttr::Fast, "FAST"),
            (FetchAttr::Full, "FULL"),
            (FetchAttr::Uid, "UID"),
            (FetchAttr::Flags, "FLAGS"),
            (FetchAttr::InternalDate, "INTERNALDATE"),
            (FetchAttr::Rfc822Size, "RFC822.SIZE"),
            (FetchAttr::Rfc822, "RFC822"),
            (FetchAttr::Rfc822Header, "RFC822.HEADER"),
            (FetchAttr::Rfc822Text, "RFC822.TEXT"),
            (FetchAttr::Envelope, "ENVELOPE"),
            (FetchAttr::Body, "BODY"),
            (FetchAttr::BodyStructure, "BODYSTRUCTURE"),
            (FetchAttr::ModSeq, "MODSEQ"),
            (FetchAttr::EmailId, "EMAILID"),
            (FetchAttr::ThreadId, "THREADID"),
            (FetchAttr::SaveDate, "SAVEDATE"),
            (FetchAttr::Preview { lazy: false }, "PREVIEW"),
            (FetchAttr::Preview { lazy: true }, "PREVIEW (LAZY)"),
        ];
        for (attr, wire) in cases {
            assert_eq!(attr.to_string(), wire);
        }
    }

    #[test]
    fn body_sections_write_exact_wire_syntax() {
        let fields = Section::header_fields(["From", "To"])
            .unwrap()
            .in_part(vec![nz(1), nz(2)]);
        let cases = [
            (FetchAttr::body_section(Section::full()), "BODY[]"),
            (FetchAttr::body_peek(Section::full()), "BODY.PEEK[]"),
            (FetchAttr::body_peek(Section::header()), "BODY.PEEK[HEADER]"),
            (FetchAttr::body_section(Section::text()), "BODY[TEXT]"),
            (
                FetchAttr::BodySection {
                    section: fields,
                    partial: Some((0, nz(100))),
                    peek: true,
                },
                "BODY.PEEK[1.2.HEADER.FIELDS (From To)]<0.100>",
            ),
            (
                FetchAttr::BodySection {
                    section: Section::part(vec![nz(3)]),
                    partial: Some((4096, nz(1))),
                    peek: false,
                },
                "BODY[3]<4096.1>",
            ),
        ];
        for (attr, wire) in cases {
            assert_eq!(attr.to_string(), wire);
        }
    }

    #[test]
    fn binary_items_write_exact_wire_syntax() {
        assert_eq!(
            FetchAttr::binary_peek(vec![nz(1), nz(2)]).to_string(),
            "BINARY.PEEK[1.2]"
        );
        assert_eq!(
            FetchAttr::Binary {
                part: vec![],
                partial: None,
                peek: false
            }
            .to_string(),
            "BINARY[]"
        );
        assert_eq!(
            FetchAttr::Binary {
                part: vec![nz(2)],
                partial: Some((0, nz(1024))),
                peek: false
            }
            .to_string(),
            "BINARY[2]<0.1024>"
        );
        assert_eq!(
            FetchAttr::BinarySize { part: vec![nz(1)] }.to_string(),
            "BINARY.SIZE[1]"
        );
    }

    #[test]
    fn lists_are_validated_and_parenthesised() {
        let mut out = String::new();
        FetchAttr::write_list(
            &[
                FetchAttr::Uid,
                FetchAttr::Flags,
                FetchAttr::body_peek(Section::header()),
            ],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, "(UID FLAGS BODY.PEEK[HEADER])");
        out.clear();
        FetchAttr::write_list(&[FetchAttr::Fast], &mut out).unwrap();
        assert_eq!(out, "FAST");
        assert!(FetchAttr::validate_list(&[]).is_err());
        assert!(FetchAttr::validate_list(&[FetchAttr::All, FetchAttr::Uid]).is_err());
        assert!(FetchAttr::All.is_macro() && !FetchAttr::Uid.is_macro());
    }

    #[test]
    fn names_omit_sections_and_modifiers() {
        assert_eq!(FetchAttr::body_peek(Section::header()).name(), "BODY.PEEK");
        assert_eq!(FetchAttr::body_section(Section::header()).name(), "BODY");
        assert_eq!(
            FetchAttr::BinarySize { part: vec![nz(1)] }.name(),
            "BINARY.SIZE"
        );
        assert_eq!(FetchAttr::Preview { lazy: true }.name(), "PREVIEW");
    }
}
