//! Conversion of extension data into the owned public model
//! ([`crate::types::response`]): NAMESPACE, QUOTA/QUOTAROOT, ACL/LISTRIGHTS/MYRIGHTS,
//! METADATA and ID. Text is lossy UTF-8; mailbox names go through
//! [`MailboxName::from_wire`] (`utf8`: IMAP4rev2 / UTF8=ACCEPT names, else modified UTF-7).

use super::{
    Acl, AclEntry, ListRights, Metadata, MetadataEntries, MyRights, Namespace, NamespaceDescr,
    Quota, QuotaRoot,
};
use crate::proto::response::IString;
use crate::types::MailboxName;
use crate::types::response as owned;

fn text(s: IString<'_>) -> String {
    s.to_string_lossy()
}

fn mailbox(s: IString<'_>, utf8: bool) -> MailboxName {
    MailboxName::from_wire(&s.to_bytes(), utf8)
}

impl Namespace<'_> {
    /// The owned NAMESPACE data; `utf8` says how prefixes are encoded (as mailbox names).
    pub fn into_owned(self, utf8: bool) -> owned::Namespace {
        let list = |l: Vec<NamespaceDescr<'_>>| {
            l.into_iter()
                .map(|d| owned::NamespaceDescr {
                    prefix: if d.prefix.raw().is_empty() {
                        String::new()
                    } else {
                        mailbox(d.prefix, utf8).as_str().to_owned()
                    },
                    delimiter: d.delimiter.map(char::from),
                    extensions: d.extensions.to_vec(),
                })
                .collect()
        };
        owned::Namespace {
            personal: list(self.personal),
            other: list(self.other),
            shared: list(self.shared),
        }
    }
}

impl Quota<'_> {
    /// The owned QUOTA data.
    pub fn into_owned(self) -> owned::Quota {
        owned::Quota {
            root: text(self.root),
            resources: self
                .resources
                .into_iter()
                .map(|r| owned::QuotaResource {
                    name: String::from_utf8_lossy(r.name).into_owned(),
                    usage: r.usage,
                    limit: r.limit,
                })
                .collect(),
        }
    }
}

impl QuotaRoot<'_> {
    /// The owned QUOTAROOT data; `utf8` as for [`Namespace::into_owned`].
    pub fn into_owned(self, utf8: bool) -> owned::QuotaRoot {
        owned::QuotaRoot {
            mailbox: mailbox(self.mailbox, utf8),
            roots: self.roots.into_iter().map(text).collect(),
        }
    }
}

impl Acl<'_> {
    /// The owned ACL data; `utf8` as for [`Namespace::into_owned`].
    pub fn into_owned(self, utf8: bool) -> owned::Acl {
        owned::Acl {
            mailbox: mailbox(self.mailbox, utf8),
            entries: self
                .entries
                .into_iter()
                .map(|AclEntry { identifier, rights }| owned::AclEntry {
                    identifier: text(identifier),
                    rights: text(rights),
                })
                .collect(),
        }
    }
}

impl ListRights<'_> {
    /// The owned LISTRIGHTS data; `utf8` as for [`Namespace::into_owned`].
    pub fn into_owned(self, utf8: bool) -> owned::ListRights {
        owned::ListRights {
            mailbox: mailbox(self.mailbox, utf8),
            identifier: text(self.identifier),
            required: text(self.required),
            optional: self.optional.into_iter().map(text).collect(),
        }
    }
}

impl MyRights<'_> {
    /// The owned MYRIGHTS data; `utf8` as for [`Namespace::into_owned`].
    pub fn into_owned(self, utf8: bool) -> owned::MyRights {
        owned::MyRights {
            mailbox: mailbox(self.mailbox, utf8),
            rights: text(self.rights),
        }
    }
}

impl Metadata<'_> {
    /// The owned METADATA data; the empty mailbox name (server metadata) becomes `None`.
    /// `utf8` as for [`Namespace::into_owned`].
    pub fn into_owned(self, utf8: bool) -> owned::Metadata {
        owned::Metadata {
            mailbox: (!self.mailbox.raw().is_empty()).then(|| mailbox(self.mailbox, utf8)),
            entries: match self.entries {
                MetadataEntries::Values(v) => owned::MetadataEntries::Values(
                    v.into_iter()
                        .map(|(name, value)| owned::MetadataEntry {
                            name: text(name),
                            value: value.map(|v| v.to_vec()),
                        })
                        .collect(),
                ),
                MetadataEntries::Changed(names) => {
                    owned::MetadataEntries::Changed(names.into_iter().map(text).collect())
                }
            },
        }
    }
}

/// The owned `* ID` parameters (`None` for `ID NIL`).
pub(crate) fn id_into_owned(
    id: Option<Vec<(IString<'_>, Option<IString<'_>>)>>,
) -> Option<Vec<(String, Option<String>)>> {
    id.map(|fields| {
        fields
            .into_iter()
            .map(|(k, v)| (text(k), v.map(text)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use crate::proto::parse::test_util::data;
    use crate::proto::response::Data;
    use crate::types::MailboxName;
    use crate::types::response::{
        Acl, AclEntry, ListRights, Metadata, MetadataEntries, MetadataEntry, MyRights, Namespace,
        NamespaceDescr, Quota, QuotaResource, QuotaRoot, ServerData,
    };

    /// bytes → parse_response → owned [`ServerData`].
    fn owned(input: &[u8], utf8: bool) -> ServerData {
        data(input).into_owned(input, utf8)
    }

    fn name(s: &str) -> MailboxName {
        MailboxName::new(s).unwrap()
    }

    #[test]
    fn namespace_converts_all_three_classes() {
        let got = owned(
            b"* NAMESPACE ((\"\" \"/\")) ((\"Other Users/\" \"/\" \"X-EXT\" (\"a\" \"b\"))) ((\"Gemeinsam &APw-/\" NIL))\r\n",
            false,
        );
        let ServerData::Namespace(ns) = got else {
            panic!("{got:?}")
        };
        let descr = |prefix: &str, delimiter, extensions: &[u8]| NamespaceDescr {
            prefix: prefix.into(),
            delimiter,
            extensions: extensions.to_vec(),
        };
        assert_eq!(
            ns,
            Namespace {
                personal: vec![descr("", Some('/'), b"")],
                other: vec![descr("Other Users/", Some('/'), b"\"X-EXT\" (\"a\" \"b\")")],
                shared: vec![descr("Gemeinsam ü/", None, b"")],
            }
        );
        let got = owned(b"* NAMESPACE ((\"INBOX.\" \".\")) NIL NIL\r\n", false);
        let ServerData::Namespace(ns) = got else {
            panic!("{got:?}")
        };
        assert_eq!(ns.personal, vec![descr("INBOX.", Some('.'), b"")]);
        assert!(ns.other.is_empty() && ns.shared.is_empty());
    }

    #[test]
    fn quota_and_quotaroot_convert() {
        let got = owned(
            b"* QUOTA \"User quota\" (STORAGE 10 512 MESSAGE 3 1000)\r\n",
            false,
        );
        let ServerData::Quota(q) = got else {
            panic!("{got:?}")
        };
        assert_eq!(
            q,
            Quota {
                root: "User quota".into(),
                resources: vec![
                    QuotaResource {
                        name: "STORAGE".into(),
                        usage: 10,
                        limit: 512
                    },
                    QuotaResource {
                        name: "MESSAGE".into(),
                        usage: 3,
                        limit: 1000
                    },
                ],
            }
        );
        assert_eq!(q.resource("message").map(|r| r.usage), Some(3));
        assert_eq!(q.resource("MAILBOX"), None);

        let got = owned(b"* QUOTAROOT INBOX \"User quota\" \"\"\r\n", false);
        assert_eq!(
            got,
            ServerData::QuotaRoot(QuotaRoot {
                mailbox: MailboxName::inbox(),
                roots: vec!["User quota".into(), String::new()],
            })
        );
        let got = owned(b"* QUOTAROOT Archiv\r\n", false);
        assert_eq!(
            got,
            ServerData::QuotaRoot(QuotaRoot {
                mailbox: name("Archiv"),
                roots: vec![],
            })
        );
    }

    #[test]
    fn acl_listrights_and_myrights_convert() {
        let got = owned(
            b"* ACL Entw&APw-rfe fred rwipslxetad \"-bob\" lr\r\n",
            false,
        );
        assert_eq!(
            got,
            ServerData::Acl(Acl {
                mailbox: name("Entwürfe"),
                entries: vec![
                    AclEntry {
                        identifier: "fred".into(),
                        rights: "rwipslxetad".into()
                    },
                    AclEntry {
                        identifier: "-bob".into(),
                        rights: "lr".into()
                    },
                ],
            })
        );
        let got = owned(b"* LISTRIGHTS ~/Mail/saved smith la r swicdkxte\r\n", false);
        assert_eq!(
            got,
            ServerData::ListRights(ListRights {
                mailbox: name("~/Mail/saved"),
                identifier: "smith".into(),
                required: "la".into(),
                optional: vec!["r".into(), "swicdkxte".into()],
            })
        );
        let got = owned("* MYRIGHTS \"Entwürfe\" rwiptsldaex\r\n".as_bytes(), true);
        assert_eq!(
            got,
            ServerData::MyRights(MyRights {
                mailbox: name("Entwürfe"),
                rights: "rwiptsldaex".into(),
            })
        );
    }

    #[test]
    fn metadata_values_and_changed_entries_convert() {
        let got = owned(
            b"* METADATA \"\" (/shared/comment {5}\r\nhi\r\n! /private/x NIL)\r\n",
            false,
        );
        assert_eq!(
            got,
            ServerData::Metadata(Metadata {
                mailbox: None,
                entries: MetadataEntries::Values(vec![
                    MetadataEntry {
                        name: "/shared/comment".into(),
                        value: Some(b"hi\r\n!".to_vec()),
                    },
                    MetadataEntry {
                        name: "/private/x".into(),
                        value: None,
                    },
                ]),
            })
        );
        let got = owned(b"* METADATA INBOX /shared/comment /private/todo\r\n", false);
        assert_eq!(
            got,
            ServerData::Metadata(Metadata {
                mailbox: Some(MailboxName::inbox()),
                entries: MetadataEntries::Changed(vec![
                    "/shared/comment".into(),
                    "/private/todo".into()
                ]),
            })
        );
    }

    #[test]
    fn id_converts_fields_and_nil() {
        let got = owned(
            b"* ID (\"name\" \"Dovecot\" \"version\" NIL \"x\" \"a\\\"b\")\r\n",
            false,
        );
        assert_eq!(
            got,
            ServerData::Id(Some(vec![
                ("name".into(), Some("Dovecot".into())),
                ("version".into(), None),
                ("x".into(), Some("a\"b".into())),
            ]))
        );
        assert_eq!(owned(b"* ID NIL\r\n", false), ServerData::Id(None));
    }

    #[test]
    fn unknown_data_stays_raw() {
        let input = b"* XCONVERSATIONS 1 (a b)\r\n";
        assert_eq!(owned(input, false), ServerData::Raw(input.to_vec()));
        assert!(matches!(data(input), Data::Other { .. }));
    }
}
