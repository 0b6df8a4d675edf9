//! Parsers for extension data: NAMESPACE, QUOTA, ACL, METADATA, ID and VANISHED. Each
//! function parses what follows the response keyword and returns the [`Data`] variant.
//!
//! [`Data`]: crate::proto::response::Data

mod acl;
mod condstore;
mod id;
mod metadata;
mod namespace;
mod quota;

pub(super) use acl::{acl, listrights, myrights};
pub(super) use condstore::vanished;
pub(super) use id::id;
pub(super) use metadata::metadata;
pub(super) use namespace::namespace;
pub(super) use quota::{quota, quotaroot};

#[cfg(test)]
mod tests {
    use crate::proto::parse::test_util::data;
    use crate::proto::response::extensions::{
        Acl, AclEntry, ListRights, Metadata, MetadataEntries, MyRights, Namespace, NamespaceDescr,
        Quota, QuotaResource, QuotaRoot, Vanished,
    };
    use crate::proto::response::{Data, IString, SeqRange};

    fn s(b: &[u8]) -> IString<'_> {
        IString::new(b)
    }

    #[test]
    fn namespace_cyrus_and_nil_forms() {
        let ns = |p: &'static [u8], d| NamespaceDescr {
            prefix: s(p),
            delimiter: Some(d),
            extensions: b"",
        };
        assert_eq!(
            data(b"* NAMESPACE ((\"\" \"/\")) ((\"Other Users/\" \"/\")) ((\"Shared Folders/\" \"/\"))\r\n"),
            Data::Namespace(Namespace {
                personal: vec![ns(b"", b'/')],
                other: vec![ns(b"Other Users/", b'/')],
                shared: vec![ns(b"Shared Folders/", b'/')],
            })
        );
        let Data::Namespace(n) =
            data(b"* NAMESPACE ((\"\" \"/\" \"X-PARAM\" (\"a\"))) NIL NIL\r\n")
        else {
            panic!()
        };
        assert_eq!(n.personal[0].extensions, b"\"X-PARAM\" (\"a\")");
        assert!(n.other.is_empty() && n.shared.is_empty());
    }

    /// The examples of RFC 2342 §5 and RFC 9051 §6.3.10: several descriptions in one list
    /// follow each other with no separator.
    #[test]
    fn namespace_rfc_examples() {
        let descr = |p: &'static [u8], d: Option<u8>, ext: &'static [u8]| NamespaceDescr {
            prefix: s(p),
            delimiter: d,
            extensions: ext,
        };
        let ns = |personal, other, shared| {
            Data::Namespace(Namespace {
                personal,
                other,
                shared,
            })
        };
        assert_eq!(
            data(b"* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\")(\"#public/\" \"/\")(\"#ftp/\" \"/\")(\"#news.\" \".\"))\r\n"),
            ns(
                vec![descr(b"", Some(b'/'), b"")],
                vec![descr(b"~", Some(b'/'), b"")],
                vec![
                    descr(b"#shared/", Some(b'/'), b""),
                    descr(b"#public/", Some(b'/'), b""),
                    descr(b"#ftp/", Some(b'/'), b""),
                    descr(b"#news.", Some(b'.'), b""),
                ],
            )
        );
        assert_eq!(
            data(b"* NAMESPACE NIL NIL ((\"\" \".\"))\r\n"),
            ns(vec![], vec![], vec![descr(b"", Some(b'.'), b"")])
        );
        assert_eq!(
            data(b"* NAMESPACE ((\"\" \"/\")) NIL ((\"Public Folders/\" \"/\"))\r\n"),
            ns(
                vec![descr(b"", Some(b'/'), b"")],
                vec![],
                vec![descr(b"Public Folders/", Some(b'/'), b"")],
            )
        );
        assert_eq!(
            data(b"* NAMESPACE ((\"\" \"/\")(\"#mh/\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\"))) NIL NIL\r\n"),
            ns(
                vec![
                    descr(b"", Some(b'/'), b""),
                    descr(b"#mh/", Some(b'/'), b"\"X-PARAM\" (\"FLAG1\" \"FLAG2\")"),
                ],
                vec![],
                vec![],
            )
        );
        // A NIL delimiter (a flat namespace) and, leniently, spaces between descriptions.
        assert_eq!(
            data(b"* NAMESPACE ((\"\" NIL) (\"Other/\" \"/\")) NIL NIL\r\n"),
            ns(
                vec![descr(b"", None, b""), descr(b"Other/", Some(b'/'), b"")],
                vec![],
                vec![],
            )
        );
    }

    #[test]
    fn quota_and_quotaroot() {
        assert_eq!(
            data(b"* QUOTA \"User quota\" (STORAGE 10 1048576 MESSAGE 3 100)\r\n"),
            Data::Quota(Quota {
                root: s(b"User quota"),
                resources: vec![
                    QuotaResource {
                        name: b"STORAGE",
                        usage: 10,
                        limit: 1048576
                    },
                    QuotaResource {
                        name: b"MESSAGE",
                        usage: 3,
                        limit: 100
                    },
                ],
            })
        );
        assert_eq!(
            data(b"* QUOTAROOT INBOX \"\" INBOX\r\n"),
            Data::QuotaRoot(QuotaRoot {
                mailbox: s(b"INBOX"),
                roots: vec![s(b""), s(b"INBOX")]
            })
        );
        assert_eq!(
            data(b"* QUOTAROOT INBOX\r\n"),
            Data::QuotaRoot(QuotaRoot {
                mailbox: s(b"INBOX"),
                roots: vec![]
            })
        );
    }

    #[test]
    fn acl_listrights_myrights() {
        assert_eq!(
            data(b"* ACL INBOX Fred rwipsldexta anyone lr\r\n"),
            Data::Acl(Acl {
                mailbox: s(b"INBOX"),
                entries: vec![
                    AclEntry {
                        identifier: s(b"Fred"),
                        rights: s(b"rwipsldexta")
                    },
                    AclEntry {
                        identifier: s(b"anyone"),
                        rights: s(b"lr")
                    },
                ],
            })
        );
        assert_eq!(
            data(b"* LISTRIGHTS ~/Mail/saved smith la r swicdkxte\r\n"),
            Data::ListRights(ListRights {
                mailbox: s(b"~/Mail/saved"),
                identifier: s(b"smith"),
                required: s(b"la"),
                optional: vec![s(b"r"), s(b"swicdkxte")],
            })
        );
        assert_eq!(
            data(b"* MYRIGHTS INBOX rwiptsldaex\r\n"),
            Data::MyRights(MyRights {
                mailbox: s(b"INBOX"),
                rights: s(b"rwiptsldaex")
            })
        );
    }

    #[test]
    fn metadata_values_and_changed_forms() {
        assert_eq!(
            data(b"* METADATA \"INBOX\" (/private/comment \"My comment\" /shared/x NIL /shared/y {2}\r\nab)\r\n"),
            Data::Metadata(Metadata {
                mailbox: s(b"INBOX"),
                entries: MetadataEntries::Values(vec![
                    (s(b"/private/comment"), Some(s(b"My comment"))),
                    (s(b"/shared/x"), None),
                    (s(b"/shared/y"), Some(s(b"ab"))),
                ]),
            })
        );
        assert_eq!(
            data(b"* METADATA \"\" /shared/comment /private/x\r\n"),
            Data::Metadata(Metadata {
                mailbox: s(b""),
                entries: MetadataEntries::Changed(vec![s(b"/shared/comment"), s(b"/private/x")]),
            })
        );
    }

    #[test]
    fn id_forms() {
        assert_eq!(
            data(b"* ID (\"name\" \"Dovecot\" \"version\" NIL)\r\n"),
            Data::Id(Some(vec![
                (s(b"name"), Some(s(b"Dovecot"))),
                (s(b"version"), None)
            ]))
        );
        assert_eq!(data(b"* ID NIL\r\n"), Data::Id(None));
    }

    #[test]
    fn vanished_forms() {
        assert_eq!(
            data(b"* VANISHED (EARLIER) 300:310,405,411\r\n"),
            Data::Vanished(Vanished {
                earlier: true,
                uids: vec![
                    SeqRange {
                        start: 300,
                        end: 310
                    },
                    SeqRange {
                        start: 405,
                        end: 405
                    },
                    SeqRange {
                        start: 411,
                        end: 411
                    },
                ],
            })
        );
        assert_eq!(
            data(b"* VANISHED 5\r\n"),
            Data::Vanished(Vanished {
                earlier: false,
                uids: vec![SeqRange { start: 5, end: 5 }]
            })
        );
    }
}
