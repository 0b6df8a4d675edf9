//! ID (RFC 2971): field names and values are strings (quoted or literal), never atoms.

use super::super::writer::Writer;
use crate::types::ImapString;
use crate::types::InvalidInput;

pub(in crate::proto::encode) fn id(
    w: &mut Writer<'_>,
    params: Option<&[(ImapString, Option<ImapString>)]>,
) -> Result<(), InvalidInput> {
    w.raw("ID ");
    match params {
        None | Some([]) => {
            w.raw("NIL");
            Ok(())
        }
        Some(params) => w.paren_list(params, |w, (field, value)| {
            w.string(field.as_str().as_bytes())?;
            w.sp();
            w.nstring(value.as_ref().map(|v| v.as_str().as_bytes()))
        }),
    }
}
