//! Conversion of the borrowed protocol model into the owned public model
//! ([`crate::types::response`]). Each `into_owned` copies exactly once; text is decoded as
//! lossy UTF-8; mailbox names go through [`MailboxName::from_wire`], which needs to know
//! whether the session uses UTF-8 names (IMAP4rev2 / UTF8=ACCEPT) or modified UTF-7.

use super::{
    Code, Data, ESearchItem, FetchItem, FetchResponse, IString, ListExtendedItem, ListItem,
    MetadataCode, StatusItem, StatusResponseData,
};
use crate::types::response as owned;
use crate::types::{Flag, MailboxName, ServerDateTime};

fn text(s: IString<'_>) -> String {
    s.to_string_lossy()
}

fn opt_text(s: Option<IString<'_>>) -> Option<String> {
    s.map(text)
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

impl FetchResponse<'_> {
    /// The owned FETCH response. Later duplicates of single-valued items win.
    pub fn into_owned(self) -> owned::FetchResponse {
        let mut out = owned::FetchResponse {
            seq: self.seq,
            ..Default::default()
        };
        for item in self.items {
            match item {
                FetchItem::Flags(f) => out.flags = Some(f.iter().map(Flag::from_server).collect()),
                FetchItem::Uid(u) => out.uid = Some(u),
                FetchItem::InternalDate(d) => {
                    out.internal_date = Some(ServerDateTime::from_wire(d))
                }
                FetchItem::Rfc822Size(n) => out.rfc822_size = Some(n),
                FetchItem::Rfc822(d) => out.rfc822 = d.map(|d| d.to_vec()),
                FetchItem::Rfc822Header(d) => out.rfc822_header = d.map(|d| d.to_vec()),
                FetchItem::Rfc822Text(d) => out.rfc822_text = d.map(|d| d.to_vec()),
                FetchItem::Envelope(e) => out.envelope = Some(e),
                FetchItem::Body(b) | FetchItem::BodyStructure(b) => out.body_structure = Some(b),
                FetchItem::BodySection {
                    section,
                    origin,
                    data,
                } => out.body_sections.push(owned::BodySection {
                    section: lossy(section.0),
                    origin,
                    data: data.map(|d| d.to_vec()),
                }),
                FetchItem::Binary {
                    section,
                    origin,
                    data,
                } => out.binary_sections.push(owned::BodySection {
                    section: lossy(section.0),
                    origin,
                    data: data.map(|d| d.to_vec()),
                }),
                FetchItem::BinarySize { section, size } => {
                    out.binary_sizes.push(owned::BinarySize {
                        section: lossy(section.0),
                        size,
                    });
                }
                FetchItem::ModSeq(m) => out.modseq = Some(m),
                FetchItem::EmailId(id) => out.email_id = Some(id.to_vec()),
                FetchItem::ThreadId(id) => out.thread_id = id.map(<[u8]>::to_vec),
                FetchItem::SaveDate(d) => out.save_date = d.map(ServerDateTime::from_wire),
                FetchItem::Preview(p) => out.preview = opt_text(p),
                FetchItem::GmailMessageId(id) => {
                    out.gmail.get_or_insert_default().message_id = Some(id);
                }
                FetchItem::GmailThreadId(id) => {
                    out.gmail.get_or_insert_default().thread_id = Some(id)
                }
                FetchItem::GmailLabels(labels) => {
                    out.gmail.get_or_insert_default().labels = Some(
                        labels
                            .iter()
                            .map(|l| crate::types::GmailLabel::from_wire(&l.to_bytes()))
                            .collect(),
                    );
                }
                FetchItem::Other { name, raw } => {
                    out.other.push(owned::OtherItem {
                        name: lossy(name),
                        raw: raw.to_vec(),
                    });
                }
            }
        }
        out
    }
}

impl ListItem<'_> {
    /// The owned LIST entry; `utf8` says whether names are UTF-8 (IMAP4rev2 / UTF8=ACCEPT)
    /// rather than modified UTF-7.
    pub fn into_owned(self, utf8: bool) -> owned::MailboxInfo {
        let mut child_info = Vec::new();
        let mut old_name = None;
        for item in self.extended {
            match item {
                ListExtendedItem::ChildInfo(c) => child_info.extend(c.into_iter().map(text)),
                ListExtendedItem::OldName(n) => {
                    old_name = Some(MailboxName::from_wire(&n.to_bytes(), utf8))
                }
                ListExtendedItem::Other { .. } => {}
            }
        }
        owned::MailboxInfo {
            name: MailboxName::from_wire(&self.name.to_bytes(), utf8),
            attributes: self
                .attributes
                .iter()
                .map(|a| owned::MailboxAttribute::from_wire(a))
                .collect(),
            delimiter: self.delimiter.map(char::from),
            child_info,
            old_name,
        }
    }
}

impl StatusResponseData<'_> {
    /// The owned STATUS data; `utf8` as for [`ListItem::into_owned`].
    pub fn into_owned(self, utf8: bool) -> owned::MailboxStatus {
        let mut s = owned::MailboxStatus {
            mailbox: Some(MailboxName::from_wire(&self.mailbox.to_bytes(), utf8)),
            ..Default::default()
        };
        for item in self.items {
            match item {
                StatusItem::Messages(n) => s.messages = Some(n),
                StatusItem::Recent(n) => s.recent = Some(n),
                StatusItem::UidNext(n) => s.uid_next = Some(n),
                StatusItem::UidValidity(n) => s.uid_validity = Some(n),
                StatusItem::Unseen(n) => s.unseen = Some(n),
                StatusItem::Deleted(n) => s.deleted = Some(n),
                StatusItem::Size(n) => s.size = Some(n),
                StatusItem::HighestModSeq(n) => s.highest_modseq = Some(n),
                StatusItem::AppendLimit(n) => s.append_limit = Some(n),
                StatusItem::MailboxId(id) => s.mailbox_id = Some(id.to_vec()),
                StatusItem::DeletedStorage(n) => s.deleted_storage = Some(n),
                StatusItem::Other { name, raw } => s.other.push((lossy(name), raw.to_vec())),
            }
        }
        s
    }
}

impl Code<'_> {
    /// The owned response code.
    pub fn into_owned(self) -> owned::ResponseCode {
        use owned::ResponseCode as R;
        match self {
            Code::Alert => R::Alert,
            Code::Parse => R::Parse,
            Code::PermanentFlags(f) => R::PermanentFlags(f.iter().map(Flag::from_server).collect()),
            Code::ReadOnly => R::ReadOnly,
            Code::ReadWrite => R::ReadWrite,
            Code::TryCreate => R::TryCreate,
            Code::UidNext(n) => R::UidNext(n),
            Code::UidValidity(n) => R::UidValidity(n),
            Code::Unseen(n) => R::Unseen(n),
            Code::Capability(c) => R::Capability(c.into_iter().map(lossy).collect()),
            Code::BadCharset(c) => R::BadCharset(c.into_iter().map(text).collect()),
            Code::Referral(r) => R::Referral(lossy(r)),
            Code::AppendUid { uid_validity, uids } => R::AppendUid { uid_validity, uids },
            Code::CopyUid {
                uid_validity,
                source,
                destination,
            } => R::CopyUid {
                uid_validity,
                source,
                destination,
            },
            Code::UidNotSticky => R::UidNotSticky,
            Code::HighestModSeq(n) => R::HighestModSeq(n),
            Code::NoModSeq => R::NoModSeq,
            Code::Modified(s) => R::Modified(s),
            Code::Closed => R::Closed,
            Code::MailboxId(id) => R::MailboxId(id.to_vec()),
            Code::NotificationOverflow => R::NotificationOverflow,
            Code::BadEvent(e) => R::BadEvent(e.into_iter().map(lossy).collect()),
            Code::Metadata(MetadataCode::LongEntries(n)) => R::MetadataLongEntries(n),
            Code::Metadata(MetadataCode::MaxSize(n)) => R::MetadataMaxSize(n),
            Code::Metadata(MetadataCode::TooMany) => R::MetadataTooMany,
            Code::Metadata(MetadataCode::NoPrivate) => R::MetadataNoPrivate,
            Code::NotSaved => R::NotSaved,
            Code::TooBig => R::TooBig,
            Code::UnknownCte => R::UnknownCte,
            Code::CompressionActive => R::CompressionActive,
            Code::UseAttr => R::UseAttr,
            Code::HasChildren => R::HasChildren,
            Code::Unavailable => R::Unavailable,
            Code::AuthenticationFailed => R::AuthenticationFailed,
            Code::AuthorizationFailed => R::AuthorizationFailed,
            Code::Expired => R::Expired,
            Code::PrivacyRequired => R::PrivacyRequired,
            Code::ContactAdmin => R::ContactAdmin,
            Code::NoPerm => R::NoPerm,
            Code::InUse => R::InUse,
            Code::ExpungeIssued => R::ExpungeIssued,
            Code::Corruption => R::Corruption,
            Code::ServerBug => R::ServerBug,
            Code::ClientBug => R::ClientBug,
            Code::Cannot => R::Cannot,
            Code::Limit => R::Limit,
            Code::OverQuota => R::OverQuota,
            Code::AlreadyExists => R::AlreadyExists,
            Code::NonExistent => R::NonExistent,
            Code::Other { name, raw } => R::Other {
                name: lossy(name),
                raw: raw.to_vec(),
            },
        }
    }
}

impl Data<'_> {
    /// The owned data; `frame` is the whole response's bytes, kept for unknown data
    /// ([`owned::ServerData::Raw`](owned::ServerData::Raw)). `utf8` says whether mailbox names are UTF-8.
    pub(crate) fn into_owned(self, frame: &[u8], utf8: bool) -> owned::ServerData {
        let lossy = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        match self {
            Data::Capability(c) => {
                owned::ServerData::Capability(c.into_iter().map(lossy).collect())
            }
            Data::Enabled(c) => owned::ServerData::Enabled(c.into_iter().map(lossy).collect()),
            Data::List(l) => owned::ServerData::List(l.into_owned(utf8)),
            Data::Lsub(l) => owned::ServerData::Lsub(l.into_owned(utf8)),
            Data::XList(l) => {
                let mut info = l.into_owned(utf8);
                for attribute in &mut info.attributes {
                    *attribute = owned::MailboxAttribute::from_xlist(attribute.clone());
                }
                owned::ServerData::XList(info)
            }
            Data::Status(s) => owned::ServerData::Status(s.into_owned(utf8)),
            Data::Search(s) => owned::ServerData::Search {
                ids: s.ids,
                modseq: s.modseq,
            },
            Data::Sort(s) => owned::ServerData::Sort {
                ids: s.ids,
                modseq: s.modseq,
            },
            Data::ESearch(e) => {
                let mut out = owned::ESearch {
                    tag: e.tag.map(|t| t.to_string_lossy()),
                    uid: e.uid,
                    ..owned::ESearch::default()
                };
                for item in e.items {
                    match item {
                        ESearchItem::Min(n) => out.min = Some(n),
                        ESearchItem::Max(n) => out.max = Some(n),
                        ESearchItem::Count(n) => out.count = Some(n),
                        ESearchItem::All(r) => out.all = Some(r),
                        ESearchItem::ModSeq(n) => out.modseq = Some(n),
                        _ => {}
                    }
                }
                owned::ServerData::ESearch(out)
            }
            Data::Thread(t) => owned::ServerData::Thread(t),
            Data::Flags(f) => owned::ServerData::Flags(f.iter().map(Flag::from_server).collect()),
            Data::Exists(n) => owned::ServerData::Exists(n),
            Data::Recent(n) => owned::ServerData::Recent(n),
            Data::Expunge(n) => owned::ServerData::Expunge(n),
            Data::Fetch(f) => owned::ServerData::Fetch(f.into_owned()),
            Data::Vanished(v) => owned::ServerData::Vanished {
                earlier: v.earlier,
                uids: v.uids,
            },
            Data::Namespace(n) => owned::ServerData::Namespace(n.into_owned(utf8)),
            Data::Quota(q) => owned::ServerData::Quota(q.into_owned()),
            Data::QuotaRoot(q) => owned::ServerData::QuotaRoot(q.into_owned(utf8)),
            Data::Acl(a) => owned::ServerData::Acl(a.into_owned(utf8)),
            Data::ListRights(l) => owned::ServerData::ListRights(l.into_owned(utf8)),
            Data::MyRights(m) => owned::ServerData::MyRights(m.into_owned(utf8)),
            Data::Metadata(m) => owned::ServerData::Metadata(m.into_owned(utf8)),
            Data::Id(id) => owned::ServerData::Id(super::extensions::id_into_owned(id)),
            Data::Other { .. } => owned::ServerData::Raw(frame.to_vec()),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::proto::parse::test_util::data;
    use crate::proto::response::Data;
    use crate::types::Flag;
    use crate::types::response::{MailboxAttribute, ResponseCode, SinglePartKind};

    #[test]
    fn fetch_converts_to_the_seed_shape() {
        let Data::Fetch(f) = data(
            b"* 4 FETCH (UID 9 FLAGS (\\Seen $Junk) RFC822.SIZE 1281 ENVELOPE (NIL \"Hi \\\"you\\\"\" ((\"A\" NIL \"a\" \"h\")) NIL NIL NIL NIL NIL NIL NIL) BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 3 1) BODY[] {3}\r\nabc X-Y 1)\r\n",
        ) else {
            panic!()
        };
        let o = f.into_owned();
        assert_eq!((o.seq, o.uid, o.rfc822_size), (4, Some(9), Some(1281)));
        assert_eq!(o.flags, Some(vec![Flag::Seen, Flag::from_server(b"$Junk")]));
        let env = o.envelope.as_ref().unwrap();
        assert_eq!(env.subject.as_deref(), Some("Hi \"you\""));
        assert_eq!(env.from[0].email().as_deref(), Some("a@h"));
        assert!(matches!(
            o.body_structure.as_deref(),
            Some(crate::types::BodyStructure::Single(p)) if matches!(p.kind, SinglePartKind::Text { lines: 1, .. })
        ));
        assert_eq!(o.body(), Some(&b"abc"[..]));
        assert_eq!(o.other[0].name, "X-Y");
    }

    #[test]
    fn preview_text_converts_and_nil_is_none() {
        let preview = |line: &'static [u8]| {
            crate::proto::parse::test_util::fetch(line)
                .into_owned()
                .preview
        };
        assert_eq!(
            preview(b"* 1 FETCH (PREVIEW \"Hi there\")\r\n").as_deref(),
            Some("Hi there")
        );
        assert_eq!(
            preview(b"* 1 FETCH (PREVIEW \"\")\r\n").as_deref(),
            Some("")
        );
        assert_eq!(preview(b"* 1 FETCH (PREVIEW NIL)\r\n"), None);
    }

    #[test]
    fn esearch_converts_its_correlator_and_every_item() {
        let frame = b"* ESEARCH (TAG \"A5\") UID MIN 2 MAX 9 COUNT 3 ALL 2,5:6 MODSEQ 917\r\n";
        use crate::types::response::{ESearch, SeqRange, ServerData};
        assert_eq!(
            data(frame).into_owned(frame, false),
            ServerData::ESearch(ESearch {
                tag: Some("A5".into()),
                uid: true,
                min: Some(2),
                max: Some(9),
                count: Some(3),
                all: Some(vec![
                    SeqRange { start: 2, end: 2 },
                    SeqRange { start: 5, end: 6 },
                ]),
                modseq: Some(917),
            })
        );
    }

    #[test]
    fn fetch_dates_are_typed_and_bad_ones_kept_raw() {
        use crate::types::ServerDateTime;
        let Data::Fetch(f) = data(
            b"* 1 FETCH (INTERNALDATE \" 1-Jan-2020 09:05:00 -0130\" SAVEDATE \"17-Jul-1996 02:44:25 -0700\")\r\n",
        ) else {
            panic!()
        };
        let o = f.into_owned();
        let internal = o.internal_date.unwrap();
        assert_eq!(internal.to_string(), "01-Jan-2020 09:05:00 -0130");
        assert_eq!(
            internal.unix_timestamp(),
            Some(1_577_836_800 + 10 * 3_600 + 35 * 60)
        );
        assert_eq!(o.save_date.unwrap().unix_timestamp(), Some(837_596_665));

        let Data::Fetch(f) =
            data(b"* 2 FETCH (INTERNALDATE \"31-Feb-2020 00:00:00 +0000\" SAVEDATE NIL)\r\n")
        else {
            panic!()
        };
        let o = f.into_owned();
        assert_eq!(
            o.internal_date,
            Some(ServerDateTime::Unparsed(
                "31-Feb-2020 00:00:00 +0000".into()
            ))
        );
        assert_eq!(o.save_date, None);
    }

    #[test]
    fn list_and_status_convert_with_attributes_and_names() {
        let Data::List(l) = data(b"* LIST (\\HasNoChildren \\drafts \\X-Custom) \"/\" \"Entw&APw-rfe\" (\"OLDNAME\" (\"Old\"))\r\n") else {
            panic!()
        };
        let info = l.into_owned(false);
        assert_eq!(
            info.attributes,
            vec![
                MailboxAttribute::HasNoChildren,
                MailboxAttribute::Drafts,
                MailboxAttribute::Other("\\X-Custom".into())
            ]
        );
        assert_eq!(info.delimiter, Some('/'));
        assert_eq!(info.name.as_str(), "Entwürfe");
        assert_eq!(info.old_name.unwrap().as_str(), "Old");

        let Data::Status(s) = data(b"* STATUS INBOX (MESSAGES 3 UNSEEN 1 APPENDLIMIT 100)\r\n")
        else {
            panic!()
        };
        let st = s.into_owned(false);
        assert_eq!(
            (st.messages, st.unseen, st.append_limit),
            (Some(3), Some(1), Some(Some(100)))
        );
    }

    #[test]
    fn codes_convert() {
        let s = crate::proto::parse::test_util::status(b"* OK [PERMANENTFLAGS (\\Seen \\*)] x\r\n");
        let ResponseCode::PermanentFlags(f) = s.code.unwrap().into_owned() else {
            panic!()
        };
        assert_eq!(f[0], Flag::Seen);
        assert_eq!(f.len(), 2);
        let s = crate::proto::parse::test_util::status(b"* OK [XFOO 1] x\r\n");
        assert_eq!(
            s.code.unwrap().into_owned(),
            ResponseCode::Other {
                name: "XFOO".into(),
                raw: b"1".to_vec()
            }
        );
    }

    #[test]
    fn body_extension_data_converts_to_the_owned_part() {
        use crate::types::response as r;
        let o = crate::proto::parse::test_util::fetch(
            b"* 1 FETCH (BODYSTRUCTURE (\"application\" \"pdf\" (\"name\" \"a.pdf\") NIL NIL \"base64\" 4 \"md5sum\" (\"attachment\" (\"filename\" \"a.pdf\")) (\"en\" \"de\") \"http://x/a\" 7))\r\n",
        )
        .into_owned();
        assert_eq!(
            o.body_structure.as_deref(),
            Some(&r::BodyStructure::Single(r::SinglePart {
                kind: SinglePartKind::Basic {
                    media_type: "application".into(),
                    subtype: "pdf".into(),
                },
                fields: r::BodyFields {
                    params: vec![("name".into(), "a.pdf".into())],
                    id: None,
                    description: None,
                    encoding: "base64".into(),
                    octets: 4,
                },
                md5: Some("md5sum".into()),
                extension: r::BodyExtension {
                    disposition: Some(r::BodyDisposition {
                        kind: "attachment".into(),
                        params: vec![("filename".into(), "a.pdf".into())],
                    }),
                    language: vec!["en".into(), "de".into()],
                    location: Some("http://x/a".into()),
                    rest: b"7".to_vec(),
                },
            }))
        );
    }
}
