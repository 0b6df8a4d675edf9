//! `NAMESPACE` (RFC 2342 §5, RFC 9051 §7.3.4).

use crate::proto::parse::core::{
    PResult, advance, byte, delimiter, invalid, nil, paren_seq, peek, skip_spaces, skip_value, sp,
    string_or_nil,
};
use crate::proto::response::Data;
use crate::proto::response::extensions::{Namespace, NamespaceDescr};

/// `SP personal SP other SP shared`. Cyrus sends `(("" "/")) (("Other Users/" "/"))
/// (("Shared Folders/" "/"))`, which is the plain grammar.
pub(in crate::proto::parse) fn namespace<'a>(i: &mut &'a [u8]) -> PResult<Data<'a>> {
    sp(i)?;
    let personal = list(i)?;
    sp(i)?;
    let other = list(i)?;
    sp(i)?;
    let shared = list(i)?;
    Ok(Data::Namespace(Namespace {
        personal,
        other,
        shared,
    }))
}

/// `Namespace = nil / "(" 1*Namespace-Descr ")"` (RFC 2342 §6, RFC 9051 §9): the
/// descriptions follow each other with no separator, `(("" "/")("#shared/" "/"))`.
/// Leniency: spaces between descriptions, and `()` as an empty list.
fn list<'a>(i: &mut &'a [u8]) -> PResult<Vec<NamespaceDescr<'a>>> {
    if peek(i) != Some(b'(') {
        if nil(i)? {
            return Ok(Vec::new());
        }
        return Err(invalid(i, "namespace list"));
    }
    paren_seq(i, descr)
}

fn descr<'a>(i: &mut &'a [u8]) -> PResult<NamespaceDescr<'a>> {
    byte(i, b'(', "'(' of namespace")?;
    let prefix = string_or_nil(i)?;
    sp(i)?;
    let delimiter = delimiter(i)?;
    let start = *i;
    while i.first() == Some(&b' ') {
        advance(i, 1);
        if peek(i) == Some(b')') {
            break;
        }
        skip_value(i)?;
    }
    let extensions = start
        .get(..start.len() - i.len())
        .unwrap_or_default()
        .trim_ascii();
    skip_spaces(i);
    byte(i, b')', "')' of namespace")?;
    Ok(NamespaceDescr {
        prefix,
        delimiter,
        extensions,
    })
}
