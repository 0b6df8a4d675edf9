//! How the response model looks in JavaScript (wasm32 with feature `js` only): the
//! `serialize_with` functions the model's fields name where their JS form is not serde's
//! default — bytes become a `Uint8Array`, dates a `Date`, 64-bit numbers a JS number (exact up
//! to 2^53), response codes and mailbox attributes their IMAP spelling — and the TypeScript
//! names of the types that reach JS as plain strings. They are only called with
//! `serde-wasm-bindgen`'s serializer (the npm facade, `crate::js`).

use serde::{Serialize, Serializer};
use wasm_bindgen::prelude::*;

use super::ServerDateTime;
use super::response::{MailboxAttribute, ResponseCode, ServerData};

#[wasm_bindgen(typescript_custom_section)]
const TS_NAMES: &str = r#"
/** A flag as IMAP spells it, e.g. `"\\Seen"` or `"$Forwarded"`. */
export type Flag = string;
/** A mailbox name (decoded from modified UTF-7 where the server used it). */
export type MailboxName = string;
"#;

type Out<S> = Result<<S as Serializer>::Ok, <S as Serializer>::Error>;

/// Bytes as a `Uint8Array`.
pub(crate) fn bytes<B: AsRef<[u8]>, S: Serializer>(v: &B, s: S) -> Out<S> {
    s.serialize_bytes(v.as_ref())
}

/// Optional bytes as a `Uint8Array` or `undefined`.
pub(crate) fn opt_bytes<B: AsRef<[u8]>, S: Serializer>(v: &Option<B>, s: S) -> Out<S> {
    match v {
        Some(b) => s.serialize_bytes(b.as_ref()),
        None => s.serialize_none(),
    }
}

/// Optional opaque ASCII (object ids) as a string (lossy UTF-8) or `undefined`.
pub(crate) fn opt_text<B: AsRef<[u8]>, S: Serializer>(v: &Option<B>, s: S) -> Out<S> {
    match v {
        Some(b) => s.serialize_str(&String::from_utf8_lossy(b.as_ref())),
        None => s.serialize_none(),
    }
}

/// A 64-bit count as a JS number (exact up to 2^53; larger values round).
pub(crate) fn num<S: Serializer>(v: &u64, s: S) -> Out<S> {
    s.serialize_f64(*v as f64)
}

/// An optional 64-bit count as a JS number or `undefined`.
pub(crate) fn opt_num<S: Serializer>(v: &Option<u64>, s: S) -> Out<S> {
    match v {
        Some(n) => num(n, s),
        None => s.serialize_none(),
    }
}

/// An optional 64-bit id as a decimal string or `undefined`: exact, where a JS number would
/// round above 2^53 (Gmail's message and thread ids are that large).
pub(crate) fn opt_decimal<S: Serializer>(v: &Option<u64>, s: S) -> Out<S> {
    match v {
        Some(n) => s.serialize_str(&n.to_string()),
        None => s.serialize_none(),
    }
}

/// `Some(None)` is `null` (e.g. APPENDLIMIT without a limit), `None` is `undefined`.
pub(crate) fn opt_opt_num<S: Serializer>(v: &Option<Option<u64>>, s: S) -> Out<S> {
    match v {
        Some(Some(n)) => num(n, s),
        Some(None) => serde_wasm_bindgen::preserve::serialize(&JsValue::NULL, s),
        None => s.serialize_none(),
    }
}

/// A server date as a `Date`, or the text as sent when it is not a valid date.
pub(crate) fn date<S: Serializer>(v: &Option<ServerDateTime>, s: S) -> Out<S> {
    match v {
        None => s.serialize_none(),
        Some(d) => match d.unix_timestamp() {
            // Seconds to milliseconds; the seconds of a valid IMAP date fit in f64 exactly.
            Some(seconds) => serde_wasm_bindgen::preserve::serialize(
                &js_sys::Date::new(&JsValue::from_f64(seconds as f64 * 1000.0)),
                s,
            ),
            None => s.collect_str(d),
        },
    }
}

/// A response code as IMAP spells it (`"TRYCREATE"`), or `undefined`.
pub(crate) fn opt_code<S: Serializer>(v: &Option<ResponseCode>, s: S) -> Out<S> {
    match v {
        Some(code) => s.serialize_str(&code.name()),
        None => s.serialize_none(),
    }
}

/// Mailbox attributes as IMAP spells them (`"\\HasNoChildren"`, `"\\Sent"`).
pub(crate) fn attributes<S: Serializer>(v: &[MailboxAttribute], s: S) -> Out<S> {
    s.collect_seq(v.iter().map(attribute_name))
}

/// Unknown STATUS items: `[name, bytes]` pairs.
pub(crate) fn other_items<S: Serializer>(v: &[(String, Vec<u8>)], s: S) -> Out<S> {
    struct Raw<'a>(&'a [u8]);
    impl Serialize for Raw<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Out<S> {
            s.serialize_bytes(self.0)
        }
    }
    s.collect_seq(v.iter().map(|(name, raw)| (name, Raw(raw))))
}

/// Other server data, by the untagged response's name (`"QUOTA"`, `"ESEARCH"`, …): its full
/// form is the Rust API's.
pub(crate) fn data_name<S: Serializer>(v: &ServerData, s: S) -> Out<S> {
    s.serialize_str(server_data_name(v))
}

fn attribute_name(a: &MailboxAttribute) -> &str {
    use MailboxAttribute as A;
    match a {
        A::NoInferiors => "\\Noinferiors",
        A::NoSelect => "\\Noselect",
        A::Marked => "\\Marked",
        A::Unmarked => "\\Unmarked",
        A::HasChildren => "\\HasChildren",
        A::HasNoChildren => "\\HasNoChildren",
        A::NonExistent => "\\NonExistent",
        A::Subscribed => "\\Subscribed",
        A::Remote => "\\Remote",
        A::All => "\\All",
        A::Archive => "\\Archive",
        A::Drafts => "\\Drafts",
        A::Flagged => "\\Flagged",
        A::Junk => "\\Junk",
        A::Sent => "\\Sent",
        A::Trash => "\\Trash",
        A::Important => "\\Important",
        A::Other(name) => name,
    }
}

/// The untagged response's name. Not `Debug`: that would pull the `Debug` code of every
/// response type into the package.
fn server_data_name(data: &ServerData) -> &'static str {
    use ServerData as D;
    match data {
        D::Capability(_) => "CAPABILITY",
        D::Enabled(_) => "ENABLED",
        D::List(_) => "LIST",
        D::Lsub(_) => "LSUB",
        D::Status(_) => "STATUS",
        D::Search { .. } => "SEARCH",
        D::Sort { .. } => "SORT",
        D::ESearch(_) => "ESEARCH",
        D::Thread(_) => "THREAD",
        D::Flags(_) => "FLAGS",
        D::Exists(_) => "EXISTS",
        D::Recent(_) => "RECENT",
        D::Expunge(_) => "EXPUNGE",
        D::Fetch(_) => "FETCH",
        D::Vanished { .. } => "VANISHED",
        D::Code { .. } => "OK",
        D::Namespace(_) => "NAMESPACE",
        D::Quota(_) => "QUOTA",
        D::QuotaRoot(_) => "QUOTAROOT",
        D::Acl(_) => "ACL",
        D::ListRights(_) => "LISTRIGHTS",
        D::MyRights(_) => "MYRIGHTS",
        D::Metadata(_) => "METADATA",
        D::Id(_) => "ID",
        _ => "OTHER",
    }
}
