//! Conversion of imap-codec's parse result back into our command types.

use super::*;

pub(super) fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 text")
}

fn istring(bytes: &[u8]) -> ImapString {
    ImapString::new(&text(bytes)).expect("valid text")
}

fn atom(s: impl std::fmt::Display) -> ImapAtom {
    ImapAtom::new(&s.to_string()).expect("atom")
}

fn mailbox(m: &it::mailbox::Mailbox<'_>, utf8: bool) -> MailboxName {
    match m {
        it::mailbox::Mailbox::Inbox => MailboxName::inbox(),
        it::mailbox::Mailbox::Other(other) => MailboxName::from_wire(other.as_ref(), utf8),
    }
}

fn list_pattern(m: &it::mailbox::ListMailbox<'_>, utf8: bool) -> ListPattern {
    let bytes = match m {
        it::mailbox::ListMailbox::Token(t) => t.as_ref().to_vec(),
        it::mailbox::ListMailbox::String(s) => s.as_ref().to_vec(),
    };
    if bytes.is_empty() {
        return ListPattern::empty();
    }
    ListPattern::from(MailboxName::from_wire(&bytes, utf8))
}

fn seq_number(s: &it::sequence::SeqOrUid) -> String {
    match s {
        it::sequence::SeqOrUid::Value(n) => n.to_string(),
        it::sequence::SeqOrUid::Asterisk => "*".to_owned(),
    }
}

fn sequence_set(set: &it::sequence::SequenceSet) -> SequenceSet {
    let items: Vec<String> = set
        .0
        .as_ref()
        .iter()
        .map(|seq| match seq {
            it::sequence::Sequence::Single(s) => seq_number(s),
            it::sequence::Sequence::Range(a, b) => format!("{}:{}", seq_number(a), seq_number(b)),
        })
        .collect();
    SequenceSet::new(&items.join(",")).expect("sequence set")
}

fn flag(f: &it::flag::Flag<'_>) -> Flag {
    Flag::parse(&f.to_string()).expect("flag")
}

fn date(d: &it::datetime::NaiveDate) -> ImapDate {
    // chrono's Display: 1994-02-01.
    let iso = d.as_ref().to_string();
    let mut parts = iso.split('-').map(|p| p.parse::<u16>().expect("number"));
    let (y, m, day) = (parts.next(), parts.next(), parts.next());
    ImapDate::new(
        y.expect("year"),
        u8::try_from(m.expect("month")).expect("month"),
        u8::try_from(day.expect("day")).expect("day"),
    )
    .expect("date")
}

fn date_time(d: &it::datetime::DateTime) -> ImapDateTime {
    // RFC 3339: 1994-02-07T21:52:25-08:00 (or +00:00).
    let s = d.as_ref().to_rfc3339();
    let (date_part, rest) = s.split_once('T').expect("T");
    let mut dp = date_part.split('-').map(|p| p.parse::<u16>().expect("n"));
    let day = ImapDate::new(
        dp.next().expect("y"),
        u8::try_from(dp.next().expect("m")).expect("m"),
        u8::try_from(dp.next().expect("d")).expect("d"),
    )
    .expect("date");
    let (time, zone) = rest.split_at(8);
    let mut tp = time.split(':').map(|p| p.parse::<u8>().expect("t"));
    let sign: i16 = if zone.starts_with('-') { -1 } else { 1 };
    let zh: i16 = zone[1..3].parse().expect("zh");
    let zm: i16 = zone[4..6].parse().expect("zm");
    ImapDateTime::new(
        day,
        tp.next().expect("h"),
        tp.next().expect("m"),
        tp.next().expect("s"),
        sign * (zh * 60 + zm),
    )
    .expect("date-time")
}

fn status_attr(a: &it::status::StatusDataItemName) -> StatusAttr {
    use it::status::StatusDataItemName as S;
    match a {
        S::Messages => StatusAttr::Messages,
        S::Recent => StatusAttr::Recent,
        S::UidNext => StatusAttr::UidNext,
        S::UidValidity => StatusAttr::UidValidity,
        S::Unseen => StatusAttr::Unseen,
        S::Deleted => StatusAttr::Deleted,
        S::Size => StatusAttr::Size,
        S::HighestModSeq => StatusAttr::HighestModSeq,
        other => panic!("unexpected status item {other:?}"),
    }
}

fn part(p: &Option<it::fetch::Part>) -> Vec<NonZeroU32> {
    p.as_ref()
        .map(|p| p.0.as_ref().to_vec())
        .unwrap_or_default()
}

fn header_names(names: &it::core::Vec1<it::core::AString<'_>>) -> Vec<HeaderName> {
    names
        .as_ref()
        .iter()
        .map(|n| HeaderName::new(&text(n.as_ref())).expect("header name"))
        .collect()
}

fn section(s: &Option<it::fetch::Section<'_>>) -> Section {
    use it::fetch::Section as S;
    let (path, text) = match s {
        None => (Vec::new(), None),
        Some(S::Part(p)) => (p.0.as_ref().to_vec(), None),
        Some(S::Header(p)) => (part(p), Some(SectionText::Header)),
        Some(S::Text(p)) => (part(p), Some(SectionText::Text)),
        Some(S::Mime(p)) => (p.0.as_ref().to_vec(), Some(SectionText::Mime)),
        Some(S::HeaderFields(p, names)) => (
            part(p),
            Some(SectionText::HeaderFields(header_names(names))),
        ),
        Some(S::HeaderFieldsNot(p, names)) => (
            part(p),
            Some(SectionText::HeaderFieldsNot(header_names(names))),
        ),
    };
    Section::new(path, text).expect("section")
}

fn fetch_attr(item: &it::fetch::MessageDataItemName<'_>) -> FetchAttr {
    use it::fetch::MessageDataItemName as M;
    match item {
        M::Body => FetchAttr::Body,
        M::BodyExt {
            section: s,
            partial,
            peek,
        } => FetchAttr::BodySection {
            section: section(s),
            partial: *partial,
            peek: *peek,
        },
        M::BodyStructure => FetchAttr::BodyStructure,
        M::Envelope => FetchAttr::Envelope,
        M::Flags => FetchAttr::Flags,
        M::InternalDate => FetchAttr::InternalDate,
        M::Rfc822 => FetchAttr::Rfc822,
        M::Rfc822Header => FetchAttr::Rfc822Header,
        M::Rfc822Size => FetchAttr::Rfc822Size,
        M::Rfc822Text => FetchAttr::Rfc822Text,
        M::Uid => FetchAttr::Uid,
        M::Binary {
            section,
            partial,
            peek,
        } => FetchAttr::Binary {
            part: section.clone(),
            partial: *partial,
            peek: *peek,
        },
        M::BinarySize { section } => FetchAttr::BinarySize {
            part: section.clone(),
        },
        M::ModSeq => FetchAttr::ModSeq,
    }
}

fn search_key(k: &it::search::SearchKey<'_>) -> SearchKey {
    use it::search::SearchKey as K;
    let t = |a: &it::core::AString<'_>| istring(a.as_ref());
    match k {
        K::And(keys) => SearchKey::And(keys.as_ref().iter().map(search_key).collect()),
        K::SequenceSet(s) => SearchKey::SequenceSet(sequence_set(s)),
        K::All => SearchKey::All,
        K::Answered => SearchKey::Answered,
        K::Bcc(a) => SearchKey::Bcc(t(a)),
        K::Before(d) => SearchKey::Before(date(d)),
        K::Body(a) => SearchKey::Body(t(a)),
        K::Cc(a) => SearchKey::Cc(t(a)),
        K::Deleted => SearchKey::Deleted,
        K::Draft => SearchKey::Draft,
        K::Flagged => SearchKey::Flagged,
        K::From(a) => SearchKey::From(t(a)),
        K::Header(name, value) => SearchKey::Header(
            HeaderName::new(&text(name.as_ref())).expect("header name"),
            t(value),
        ),
        K::Keyword(a) => SearchKey::Keyword(atom(a)),
        K::Larger(n) => SearchKey::Larger(*n),
        K::New => SearchKey::New,
        K::Not(inner) => SearchKey::negate(search_key(inner)),
        K::Old => SearchKey::Old,
        K::Older(n) => SearchKey::Older(*n),
        K::On(d) => SearchKey::On(date(d)),
        K::Or(a, b) => SearchKey::or(search_key(a), search_key(b)),
        K::Recent => SearchKey::Recent,
        K::Seen => SearchKey::Seen,
        K::SentBefore(d) => SearchKey::SentBefore(date(d)),
        K::SentOn(d) => SearchKey::SentOn(date(d)),
        K::SentSince(d) => SearchKey::SentSince(date(d)),
        K::Since(d) => SearchKey::Since(date(d)),
        K::Smaller(n) => SearchKey::Smaller(*n),
        K::Subject(a) => SearchKey::Subject(t(a)),
        K::Text(a) => SearchKey::Text(t(a)),
        K::To(a) => SearchKey::To(t(a)),
        K::Uid(s) => SearchKey::Uid(sequence_set(s)),
        K::Unanswered => SearchKey::Unanswered,
        K::Undeleted => SearchKey::Undeleted,
        K::Undraft => SearchKey::Undraft,
        K::Unflagged => SearchKey::Unflagged,
        K::Unkeyword(a) => SearchKey::Unkeyword(atom(a)),
        K::Unseen => SearchKey::Unseen,
        K::Younger(n) => SearchKey::Younger(*n),
        K::ModSequence { entry, modseq } => SearchKey::ModSeq {
            entry: entry.as_ref().map(|(f, kind)| ModSeqEntry {
                flag: {
                    use it::extensions::condstore_qresync::AttributeFlag as A;
                    match f {
                        A::Answered => Flag::Answered,
                        A::Deleted => Flag::Deleted,
                        A::Draft => Flag::Draft,
                        A::Flagged => Flag::Flagged,
                        A::Seen => Flag::Seen,
                        // Display writes the entry-name escaping (`\\Name`).
                        other => {
                            Flag::parse(&other.to_string().replace("\\\\", "\\")).expect("flag")
                        }
                    }
                },
                kind: match kind {
                    it::extensions::condstore_qresync::EntryTypeReq::Private => EntryKind::Private,
                    it::extensions::condstore_qresync::EntryTypeReq::Shared => EntryKind::Shared,
                    it::extensions::condstore_qresync::EntryTypeReq::All => EntryKind::All,
                },
            }),
            modseq: ModSeq::new(*modseq).expect("modseq"),
        },
    }
}

fn criteria(keys: &it::core::Vec1<it::search::SearchKey<'_>>) -> SearchKey {
    match keys.as_ref() {
        [single] => search_key(single),
        several => SearchKey::And(several.iter().map(search_key).collect()),
    }
}

fn charset(c: &it::core::Charset<'_>) -> ImapAtom {
    atom(AsRef::<str>::as_ref(c))
}

fn select_params(params: &[it::command::SelectParameter]) -> SelectParams {
    let mut out = SelectParams::default();
    for p in params {
        match p {
            it::command::SelectParameter::CondStore => out.condstore = true,
            it::command::SelectParameter::QResync {
                uid_validity,
                mod_sequence_value,
                known_uids,
                seq_match_data,
            } => {
                out.qresync = Some(QResyncParams {
                    uid_validity: *uid_validity,
                    mod_seq: ModSeq::new(mod_sequence_value.get()).expect("modseq"),
                    known_uids: known_uids.as_ref().map(sequence_set),
                    seq_match: seq_match_data
                        .as_ref()
                        .map(|(a, b)| (sequence_set(a), sequence_set(b))),
                });
            }
        }
    }
    out
}

pub(super) fn back(command: it::command::Command<'_>, utf8: bool) -> Command {
    let tag = Tag::new(command.tag.as_ref()).expect("tag");
    let mb = |m: &it::mailbox::Mailbox<'_>| mailbox(m, utf8);
    let body = match command.body {
        TB::Capability => CommandBody::Capability,
        TB::Noop => CommandBody::Noop,
        TB::Logout => CommandBody::Logout,
        TB::StartTLS => CommandBody::StartTls,
        TB::Login { username, password } => CommandBody::Login {
            username: istring(username.as_ref()),
            password: Secret::new(text(password.declassify().as_ref())),
        },
        TB::Authenticate {
            mechanism,
            initial_response,
        } => CommandBody::Authenticate {
            mechanism: AuthMechanism::parse(mechanism.as_ref()).expect("mechanism"),
            initial_response: initial_response.map(|r| Secret::new(r.declassify().to_vec())),
        },
        TB::Select {
            mailbox,
            parameters,
        } => CommandBody::Select {
            mailbox: mb(&mailbox),
            params: select_params(&parameters),
        },
        TB::Examine {
            mailbox,
            parameters,
        } => CommandBody::Examine {
            mailbox: mb(&mailbox),
            params: select_params(&parameters),
        },
        TB::Unselect => CommandBody::Unselect,
        TB::Create { mailbox } => CommandBody::Create {
            mailbox: mb(&mailbox),
            special_use: vec![],
        },
        TB::Delete { mailbox } => CommandBody::Delete(mb(&mailbox)),
        TB::Rename { from, to } => CommandBody::Rename {
            from: mb(&from),
            to: mb(&to),
        },
        TB::Subscribe { mailbox } => CommandBody::Subscribe(mb(&mailbox)),
        TB::Unsubscribe { mailbox } => CommandBody::Unsubscribe(mb(&mailbox)),
        TB::List {
            reference,
            mailbox_wildcard,
        } => CommandBody::List {
            reference: match &reference {
                it::mailbox::Mailbox::Other(o) if o.as_ref().is_empty() => ListPattern::empty(),
                other => ListPattern::from(mb(other)),
            },
            patterns: vec![list_pattern(&mailbox_wildcard, utf8)],
            selection: vec![],
            return_options: vec![],
        },
        TB::Lsub {
            reference,
            mailbox_wildcard,
        } => CommandBody::Lsub {
            reference: match &reference {
                it::mailbox::Mailbox::Other(o) if o.as_ref().is_empty() => ListPattern::empty(),
                other => ListPattern::from(mb(other)),
            },
            pattern: list_pattern(&mailbox_wildcard, utf8),
        },
        TB::Namespace => CommandBody::Namespace,
        TB::Status {
            mailbox,
            item_names,
        } => CommandBody::Status {
            mailbox: mb(&mailbox),
            attrs: item_names.iter().map(status_attr).collect(),
        },
        TB::Append {
            mailbox,
            flags,
            date,
            message,
        } => {
            let (data, binary) = match message {
                it::extensions::binary::LiteralOrLiteral8::Literal(l) => (l.data().to_vec(), false),
                it::extensions::binary::LiteralOrLiteral8::Literal8(l) => (l.data.to_vec(), true),
            };
            CommandBody::Append {
                mailbox: mb(&mailbox),
                messages: vec![AppendMessage {
                    flags: flags.iter().map(flag).collect(),
                    internal_date: date.as_ref().map(date_time),
                    data,
                    binary,
                }],
            }
        }
        TB::Idle => CommandBody::Idle,
        TB::Check => CommandBody::Check,
        TB::Close => CommandBody::Close,
        TB::Expunge => CommandBody::Expunge,
        TB::ExpungeUid { sequence_set: s } => CommandBody::UidExpunge(sequence_set(&s)),
        TB::Search {
            charset: cs,
            criteria: c,
            uid,
        } => CommandBody::Search {
            uid,
            charset: cs.as_ref().map(charset),
            criteria: criteria(&c),
            return_options: None,
        },
        TB::Sort {
            sort_criteria,
            charset: cs,
            search_criteria,
            uid,
        } => CommandBody::Sort {
            uid,
            criteria: sort_criteria
                .as_ref()
                .iter()
                .map(|c| SortCriterion {
                    reverse: c.reverse,
                    key: {
                        use it::extensions::sort::SortKey as S;
                        match c.key {
                            S::Arrival => SortKey::Arrival,
                            S::Cc => SortKey::Cc,
                            S::Date => SortKey::Date,
                            S::From => SortKey::From,
                            S::Size => SortKey::Size,
                            S::Subject => SortKey::Subject,
                            S::To => SortKey::To,
                            S::DisplayFrom => SortKey::DisplayFrom,
                            S::DisplayTo => SortKey::DisplayTo,
                        }
                    },
                })
                .collect(),
            charset: Some(charset(&cs)),
            search: criteria(&search_criteria),
            return_options: None,
        },
        TB::Thread {
            algorithm,
            charset: cs,
            search_criteria,
            uid,
        } => CommandBody::Thread {
            uid,
            algorithm: match algorithm.to_string().to_ascii_uppercase().as_str() {
                "ORDEREDSUBJECT" => ThreadAlgorithm::OrderedSubject,
                "REFERENCES" => ThreadAlgorithm::References,
                "REFS" => ThreadAlgorithm::Refs,
                other => ThreadAlgorithm::Other(atom(other)),
            },
            charset: Some(charset(&cs)),
            search: criteria(&search_criteria),
        },
        TB::Fetch {
            sequence_set: s,
            macro_or_item_names,
            uid,
            modifiers,
        } => {
            use it::fetch::{Macro, MacroOrMessageDataItemNames as MM};
            let attrs = match macro_or_item_names {
                MM::Macro(Macro::All) => vec![FetchAttr::All],
                MM::Macro(Macro::Fast) => vec![FetchAttr::Fast],
                MM::Macro(Macro::Full) => vec![FetchAttr::Full],
                MM::MessageDataItemNames(items) => items.iter().map(fetch_attr).collect(),
                other => panic!("unexpected fetch items {other:?}"),
            };
            let mut changed_since = None;
            let mut vanished = false;
            for m in modifiers {
                match m {
                    it::command::FetchModifier::ChangedSince(n) => {
                        changed_since = Some(ModSeq::new(n.get()).expect("modseq"));
                    }
                    it::command::FetchModifier::Vanished => vanished = true,
                }
            }
            CommandBody::Fetch {
                uid,
                set: sequence_set(&s),
                attrs,
                changed_since,
                vanished,
            }
        }
        TB::Store {
            sequence_set: s,
            kind,
            response,
            flags,
            uid,
            modifiers,
        } => CommandBody::Store {
            uid,
            set: sequence_set(&s),
            kind: match kind {
                it::flag::StoreType::Replace => StoreKind::Replace,
                it::flag::StoreType::Add => StoreKind::Add,
                it::flag::StoreType::Remove => StoreKind::Remove,
            },
            silent: matches!(response, it::flag::StoreResponse::Silent),
            flags: flags.iter().map(flag).collect(),
            unchanged_since: modifiers
                .iter()
                .map(|it::command::StoreModifier::UnchangedSince(n)| {
                    ModSeq::new(*n).expect("modseq")
                })
                .next(),
        },
        TB::Copy {
            sequence_set: s,
            mailbox,
            uid,
        } => CommandBody::Copy {
            uid,
            set: sequence_set(&s),
            mailbox: mb(&mailbox),
        },
        TB::Move {
            sequence_set: s,
            mailbox,
            uid,
        } => CommandBody::Move {
            uid,
            set: sequence_set(&s),
            mailbox: mb(&mailbox),
        },
        TB::Enable { capabilities } => {
            CommandBody::Enable(capabilities.as_ref().iter().map(atom).collect())
        }
        TB::Compress { .. } => CommandBody::Compress,
        TB::GetQuota { root } => CommandBody::GetQuota(istring(root.as_ref())),
        TB::GetQuotaRoot { mailbox } => CommandBody::GetQuotaRoot(mb(&mailbox)),
        TB::SetQuota { root, quotas } => CommandBody::SetQuota {
            root: istring(root.as_ref()),
            limits: quotas
                .iter()
                .map(|q| (atom(&q.resource), q.limit))
                .collect(),
        },
        TB::Id { parameters } => CommandBody::Id(parameters.map(|params| {
            params
                .iter()
                .map(|(k, v)| {
                    (
                        istring(k.as_ref()),
                        v.0.as_ref().map(|v| istring(v.as_ref())),
                    )
                })
                .collect()
        })),
        TB::GetMetadata {
            options,
            mailbox,
            entries,
        } => {
            let mut opts = GetMetadataOptions::default();
            for o in options {
                match o {
                    it::extensions::metadata::GetMetadataOption::MaxSize(n) => {
                        opts.max_size = Some(n);
                    }
                    it::extensions::metadata::GetMetadataOption::Depth(d) => {
                        use it::extensions::metadata::Depth;
                        opts.depth = Some(match d {
                            Depth::Null => MetadataDepth::Zero,
                            Depth::One => MetadataDepth::One,
                            Depth::Infinity => MetadataDepth::Infinity,
                        });
                    }
                }
            }
            CommandBody::GetMetadata {
                options: opts,
                mailbox: metadata_mailbox(&mailbox, utf8),
                entries: entries
                    .as_ref()
                    .iter()
                    .map(|e| MetadataEntry::new(&text(e.as_ref())).expect("entry"))
                    .collect(),
            }
        }
        TB::SetMetadata {
            mailbox,
            entry_values,
        } => CommandBody::SetMetadata {
            mailbox: metadata_mailbox(&mailbox, utf8),
            entries: entry_values
                .as_ref()
                .iter()
                .map(|ev| {
                    let value = match &ev.value {
                        it::core::NString8::NString(n) => n.0.as_ref().map(|s| s.as_ref().to_vec()),
                        it::core::NString8::Literal8(l) => Some(l.data.to_vec()),
                    };
                    (
                        MetadataEntry::new(&text(ev.entry.as_ref())).expect("entry"),
                        value,
                    )
                })
                .collect(),
        },
    };
    Command::new(tag, body)
}

fn metadata_mailbox(m: &it::mailbox::Mailbox<'_>, utf8: bool) -> Option<MailboxName> {
    match m {
        it::mailbox::Mailbox::Other(o) if o.as_ref().is_empty() => None,
        other => Some(mailbox(other, utf8)),
    }
}
