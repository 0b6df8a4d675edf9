//! proptest strategies for the commands imap-codec understands.

use super::*;

fn text_strategy(line_breaks: bool) -> impl Strategy<Value = String> {
    let specials = if line_breaks { "\r\n" } else { "" };
    let pool: Vec<char> = format!("aZ09 \"\\(){{}}*%]&-~/.+_=é日😀\u{7f}\t{specials}")
        .chars()
        .collect();
    prop::collection::vec(prop::sample::select(pool), 0..12)
        .prop_map(|chars| chars.into_iter().collect())
}

fn istring_strategy() -> impl Strategy<Value = ImapString> {
    text_strategy(false).prop_map(|t| ImapString::new(&t).expect("text"))
}

fn mailbox_strategy() -> impl Strategy<Value = MailboxName> {
    text_strategy(false).prop_filter_map("non-empty", |t| MailboxName::new(&t).ok())
}

fn seq_strategy() -> impl Strategy<Value = SequenceSet> {
    let number =
        prop_oneof![4 => (1u32..2000).prop_map(|n| n.to_string()), 1 => Just("*".to_owned())];
    let item = (number.clone(), prop::option::of(number))
        .prop_map(|(a, b)| b.map_or(a.clone(), |b| format!("{a}:{b}")));
    prop::collection::vec(item, 1..4).prop_map(|items| set(&items.join(",")))
}

fn flag_strategy() -> impl Strategy<Value = Flag> {
    prop::sample::select(vec![
        Flag::Seen,
        Flag::Answered,
        Flag::Flagged,
        Flag::Deleted,
        Flag::Draft,
        Flag::keyword("$Forwarded").expect("kw"),
        Flag::keyword("NonJunk").expect("kw"),
        Flag::parse("\\Important").expect("flag"),
    ])
}

fn date_strategy() -> impl Strategy<Value = ImapDate> {
    (1970u16..2100, 1u8..=12, 1u8..=28).prop_map(|(y, m, day)| d(y, m, day))
}

fn search_key_strategy() -> impl Strategy<Value = SearchKey> {
    let leaf = prop_oneof![
        prop::sample::select(vec![
            SearchKey::All,
            SearchKey::Answered,
            SearchKey::Deleted,
            SearchKey::Draft,
            SearchKey::Flagged,
            SearchKey::New,
            SearchKey::Old,
            SearchKey::Recent,
            SearchKey::Seen,
            SearchKey::Unanswered,
            SearchKey::Undeleted,
            SearchKey::Undraft,
            SearchKey::Unflagged,
            SearchKey::Unseen,
        ]),
        istring_strategy().prop_map(SearchKey::Subject),
        istring_strategy().prop_map(SearchKey::From),
        istring_strategy().prop_map(SearchKey::Text),
        istring_strategy()
            .prop_map(|t| SearchKey::Header(HeaderName::new("X-Test").expect("hn"), t)),
        date_strategy().prop_map(SearchKey::Since),
        date_strategy().prop_map(SearchKey::SentBefore),
        any::<u32>().prop_map(SearchKey::Larger),
        seq_strategy().prop_map(SearchKey::Uid),
        seq_strategy().prop_map(SearchKey::SequenceSet),
        (0..=ModSeq::MAX).prop_map(|m| SearchKey::modseq(m).expect("modseq")),
        (1u32..).prop_map(|n| SearchKey::Older(nz(n))),
        prop::sample::select(vec!["$Junk", "Work"])
            .prop_map(|k| SearchKey::keyword(k).expect("kw")),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(SearchKey::negate),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| SearchKey::or(a, b)),
            prop::collection::vec(inner, 1..3).prop_map(SearchKey::And),
        ]
    })
}

fn fetch_attrs_strategy() -> impl Strategy<Value = Vec<FetchAttr>> {
    let part = prop::collection::vec((1u32..5).prop_map(nz), 0..3);
    let partial = prop::option::of((0u32..5000, (1u32..5000).prop_map(nz)));
    let item = prop_oneof![
        prop::sample::select(vec![
            FetchAttr::Uid,
            FetchAttr::Flags,
            FetchAttr::InternalDate,
            FetchAttr::Rfc822Size,
            FetchAttr::Envelope,
            FetchAttr::Body,
            FetchAttr::BodyStructure,
            FetchAttr::ModSeq,
            FetchAttr::Rfc822,
        ]),
        (part.clone(), partial.clone(), any::<bool>()).prop_map(|(p, partial, peek)| {
            FetchAttr::BodySection {
                section: Section::part(p),
                partial,
                peek,
            }
        }),
        (part.clone(), partial, any::<bool>()).prop_map(|(part, partial, peek)| {
            FetchAttr::Binary {
                part,
                partial,
                peek,
            }
        }),
    ];
    prop_oneof![
        1 => prop::sample::select(vec![vec![FetchAttr::All], vec![FetchAttr::Fast], vec![FetchAttr::Full]]),
        6 => prop::collection::vec(item, 1..5),
    ]
}

pub(super) fn body_strategy() -> impl Strategy<Value = CommandBody> {
    prop_oneof![
        (istring_strategy(), text_strategy(true)).prop_map(|(u, p)| CommandBody::Login {
            username: u,
            password: Secret::new(p)
        }),
        mailbox_strategy().prop_map(CommandBody::select),
        (mailbox_strategy(), mailbox_strategy())
            .prop_map(|(from, to)| CommandBody::Rename { from, to }),
        (mailbox_strategy(), text_strategy(false)).prop_map(|(m, p)| CommandBody::List {
            reference: ListPattern::from(m),
            patterns: vec![ListPattern::new(&p).expect("pattern")],
            selection: vec![],
            return_options: vec![],
        }),
        (any::<bool>(), search_key_strategy()).prop_map(|(uid, criteria)| CommandBody::Search {
            uid,
            charset: None,
            criteria,
            return_options: None,
        }),
        (any::<bool>(), seq_strategy(), fetch_attrs_strategy())
            .prop_map(|(uid, set, attrs)| CommandBody::fetch(uid, set, attrs)),
        (
            any::<bool>(),
            seq_strategy(),
            prop::collection::vec(flag_strategy(), 0..4),
            any::<bool>(),
            prop::option::of(0..=ModSeq::MAX)
        )
            .prop_map(|(uid, set, flags, silent, unchanged)| CommandBody::Store {
                uid,
                set,
                kind: StoreKind::Add,
                silent,
                flags,
                unchanged_since: unchanged.map(|m| ModSeq::new(m).expect("modseq")),
            }),
        (
            mailbox_strategy(),
            prop::collection::vec(flag_strategy(), 0..3),
            prop::collection::vec(any::<u8>().prop_filter("no NUL", |b| *b != 0), 0..64)
        )
            .prop_map(|(mailbox, flags, data)| CommandBody::Append {
                mailbox,
                messages: vec![AppendMessage {
                    flags,
                    internal_date: None,
                    data,
                    binary: false
                }],
            }),
        prop::collection::vec(
            (istring_strategy(), prop::option::of(istring_strategy())),
            1..3
        )
        .prop_map(|params| CommandBody::Id(Some(params))),
        (
            mailbox_strategy(),
            prop::collection::vec(any::<u8>().prop_filter("no NUL", |b| *b != 0), 0..20)
        )
            .prop_map(|(m, v)| CommandBody::SetMetadata {
                mailbox: Some(m),
                entries: vec![(MetadataEntry::new("/private/x").expect("entry"), Some(v))],
            }),
    ]
}
