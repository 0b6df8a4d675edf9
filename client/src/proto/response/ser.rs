//! Serde support for the borrowed protocol model (feature `serde`): serialisation only
//! (borrowed values are made by the parser, never deserialised). Byte strings serialise as
//! bytes (`serialize_bytes`), so binary formats stay compact and JSON gets number arrays.

use serde::ser::{Serialize, Serializer};

use super::{FlagList, IString};

/// A byte slice serialised with `serialize_bytes`.
struct Bytes<'a>(&'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

/// `serialize_with` for `&[u8]` fields.
pub(crate) fn bytes<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_bytes(v)
}

/// `serialize_with` for `Option<&[u8]>` fields.
pub(crate) fn opt_bytes<S: Serializer>(v: &Option<&[u8]>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(b) => s.serialize_some(&Bytes(b)),
        None => s.serialize_none(),
    }
}

/// `serialize_with` for `Vec<&[u8]>` fields.
pub(crate) fn vec_bytes<S: Serializer>(v: &[&[u8]], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|b| Bytes(b)))
}

impl Serialize for IString<'_> {
    /// The string's value (escapes removed), as bytes.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.to_bytes())
    }
}

impl Serialize for FlagList<'_> {
    /// The flags, each as bytes.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter().map(Bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::super::Response;
    use crate::proto::parse::test_util::parse_all;

    fn serialize<T: serde::Serialize>(_: &T) {}

    #[test]
    fn every_response_form_is_serializable() {
        let r: Response<'_> =
            parse_all(b"* 1 FETCH (UID 1 INTERNALDATE \"17-Jul-1996 02:44:25 -0700\")\r\n");
        serialize(&r);
        serialize(&parse_all(b"a1 OK [COPYUID 1 1 2] done\r\n"));
        serialize(&parse_all(b"+ go\r\n"));
    }
}
