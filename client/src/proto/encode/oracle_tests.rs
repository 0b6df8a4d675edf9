//! Oracle checks: commands are encoded by us, parsed back by imap-codec `=2.0.0-alpha.10`'s
//! `CommandCodec` (an independent implementation of the RFC 3501 grammar and many
//! extensions), converted back into our types and compared with the original.
//!
//! This covers every command imap-codec understands. It does not know ESEARCH `RETURN`,
//! LIST-EXTENDED, CREATE-SPECIAL-USE, MULTIAPPEND, NOTIFY, ACL, UNAUTHENTICATE, `$`
//! (SEARCHRES), the OBJECTID / SAVEDATE / PREVIEW items and keys, STATUS APPENDLIMIT /
//! MAILBOXID, or THREAD=REFS: those are covered by the known-answer tests only.

use std::num::{NonZeroU32, NonZeroU64};

use imap_codec::CommandCodec;
use imap_codec::decode::Decoder;
use imap_codec::imap_types as it;
use it::command::CommandBody as TB;
use proptest::prelude::*;

mod convert;
mod strategies;

use convert::back;
use strategies::body_strategy;

use super::tests::assert_no_line_break_outside_literals;
use super::*;
use crate::proto::command::*;
use crate::types::{
    AppendMessage, AuthMechanism, GetMetadataOptions, ListPattern, MetadataDepth, MetadataEntry,
    QResyncParams, SortCriterion, SortKey, StoreKind, ThreadAlgorithm,
};
use crate::types::{
    EntryKind, FetchAttr, Flag, HeaderName, ImapAtom, ImapDate, ImapDateTime, ImapString,
    MailboxName, ModSeq, ModSeqEntry, SearchKey, Secret, Section, SectionText, SequenceSet,
    StatusAttr, Tag,
};

/// What imap-codec must give back: our command with the defaults the encoder writes made
/// explicit (charsets) and the forms it cannot tell apart normalised.
fn expected(command: &Command, options: &EncodeOptions) -> Command {
    let mut command = command.clone();
    let utf8_atom = || ImapAtom::new("UTF-8").expect("atom");
    match &mut command.body {
        CommandBody::Search {
            charset, criteria, ..
        } => {
            if charset.is_none() && !options.utf8 && has_non_ascii(criteria) {
                *charset = Some(utf8_atom());
            }
            *criteria = top_level(criteria.clone());
        }
        CommandBody::Sort {
            charset, search, ..
        }
        | CommandBody::Thread {
            charset, search, ..
        } => {
            charset.get_or_insert_with(utf8_atom);
            *search = top_level(search.clone());
        }
        CommandBody::Id(Some(params)) if params.is_empty() => {
            command.body = CommandBody::Id(None);
        }
        CommandBody::Append { messages, .. } => {
            for m in messages {
                m.binary = m.binary && m.data.contains(&0);
            }
        }
        _ => {}
    }
    command
}

fn top_level(key: SearchKey) -> SearchKey {
    match key {
        SearchKey::And(mut keys) if keys.len() == 1 => keys.pop().unwrap_or(SearchKey::All),
        SearchKey::And(keys) if keys.is_empty() => SearchKey::All,
        other => other,
    }
}

fn has_non_ascii(key: &SearchKey) -> bool {
    format!("{key:?}").chars().any(|c| !c.is_ascii())
}

#[track_caller]
fn check(command: &Command, options: &EncodeOptions) {
    let encoded = encode(command, options).expect("encodes");
    assert_no_line_break_outside_literals(encoded.bytes());
    let (rest, parsed) = match CommandCodec::new().decode(encoded.bytes()) {
        Ok(ok) => ok,
        Err(e) => panic!(
            "imap-codec rejects {:?}: {e:?}",
            String::from_utf8_lossy(encoded.bytes())
        ),
    };
    assert!(rest.is_empty(), "trailing bytes: {rest:?}");
    assert_eq!(
        back(parsed, options.utf8),
        expected(command, options),
        "wire: {:?}",
        String::from_utf8_lossy(encoded.bytes())
    );
}

fn cmd(body: CommandBody) -> Command {
    Command::new(Tag::new("A1").expect("tag"), body)
}

const OPTIONS: [EncodeOptions; 4] = [
    EncodeOptions {
        literal_plus: false,
        literal_minus: false,
        utf8: false,
        binary: false,
    },
    EncodeOptions {
        literal_plus: true,
        literal_minus: false,
        utf8: false,
        binary: true,
    },
    EncodeOptions {
        literal_plus: false,
        literal_minus: true,
        utf8: true,
        binary: false,
    },
    EncodeOptions {
        literal_plus: false,
        literal_minus: false,
        utf8: true,
        binary: true,
    },
];

// ----- fixed commands: every command imap-codec understands, in several shapes -----

fn mbx(name: &str) -> MailboxName {
    MailboxName::new(name).expect("mailbox")
}

fn s(text: &str) -> ImapString {
    ImapString::new(text).expect("text")
}

fn set(text: &str) -> SequenceSet {
    SequenceSet::new(text).expect("set")
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).expect("non-zero")
}

fn d(y: u16, m: u8, day: u8) -> ImapDate {
    ImapDate::new(y, m, day).expect("date")
}

fn fixed_commands() -> Vec<CommandBody> {
    use CommandBody as C;
    let qresync = QResyncParams {
        uid_validity: nz(67_890_007),
        mod_seq: ModSeq::new(90_060_115_194_045_000).expect("modseq"),
        known_uids: Some(set("41:211,214:541")),
        seq_match: Some((set("1:3"), set("41,43:44"))),
    };
    let fields = Section::header_fields(["From", "To", "a(b)"]).expect("section");
    let mut message = AppendMessage::new(b"From: a@b\r\n\r\nbody \xff\r\n".to_vec());
    message.flags = vec![Flag::Seen, Flag::keyword("$Forwarded").expect("kw")];
    message.internal_date =
        Some(ImapDateTime::new(d(1994, 2, 7), 21, 52, 25, -480).expect("date-time"));
    let mut binary = AppendMessage::new(b"a\0b".to_vec());
    binary.binary = true;
    vec![
        C::Capability,
        C::Noop,
        C::Logout,
        C::StartTls,
        C::login("alice", "hunter2").expect("login"),
        C::login("al ice\"", "pä\r\nss\\").expect("login"),
        C::login("", "").expect("login"),
        C::Authenticate {
            mechanism: AuthMechanism::Plain,
            initial_response: None,
        },
        C::Authenticate {
            mechanism: AuthMechanism::Plain,
            initial_response: Some(Secret::new(b"\0user\0pass".to_vec())),
        },
        C::Authenticate {
            mechanism: AuthMechanism::XOAuth2,
            initial_response: Some(Secret::new(Vec::new())),
        },
        C::select(mbx("inbox")),
        C::select(mbx("Entwürfe/台北 & more")),
        C::Select {
            mailbox: mbx("INBOX"),
            params: SelectParams {
                condstore: true,
                qresync: None,
            },
        },
        C::Examine {
            mailbox: mbx("Archive"),
            params: SelectParams {
                condstore: false,
                qresync: Some(qresync),
            },
        },
        C::Create {
            mailbox: mbx("New \"quoted\" \\ folder"),
            special_use: vec![],
        },
        C::Delete(mbx("a]b")),
        C::Rename {
            from: mbx("old"),
            to: mbx("日本語"),
        },
        C::Subscribe(mbx("Sent")),
        C::Unsubscribe(mbx("Sent Items")),
        C::List {
            reference: ListPattern::empty(),
            patterns: vec![ListPattern::all()],
            selection: vec![],
            return_options: vec![],
        },
        C::List {
            reference: ListPattern::new("Work/").expect("pattern"),
            patterns: vec![ListPattern::new("Pro jekt/%").expect("pattern")],
            selection: vec![],
            return_options: vec![],
        },
        C::Lsub {
            reference: ListPattern::empty(),
            pattern: ListPattern::new("Entwürfe*").expect("pattern"),
        },
        C::Namespace,
        C::Status {
            mailbox: mbx("INBOX"),
            attrs: vec![
                StatusAttr::Messages,
                StatusAttr::Recent,
                StatusAttr::UidNext,
                StatusAttr::UidValidity,
                StatusAttr::Unseen,
                StatusAttr::Deleted,
                StatusAttr::Size,
                StatusAttr::HighestModSeq,
            ],
        },
        C::Append {
            mailbox: mbx("Sent"),
            messages: vec![message],
        },
        C::Append {
            mailbox: mbx("INBOX"),
            messages: vec![AppendMessage::new(Vec::new())],
        },
        C::Idle,
        C::Check,
        C::Close,
        C::Unselect,
        C::Expunge,
        C::UidExpunge(set("3000:3002,*")),
        C::Search {
            uid: false,
            charset: None,
            criteria: SearchKey::and([
                SearchKey::Flagged,
                SearchKey::Since(d(1994, 2, 1)),
                SearchKey::negate(SearchKey::from("Smith").expect("key")),
            ]),
            return_options: None,
        },
        C::Search {
            uid: true,
            charset: Some(ImapAtom::new("UTF-8").expect("atom")),
            criteria: SearchKey::or(
                SearchKey::subject("grüße \"x\"").expect("key"),
                SearchKey::And(vec![
                    SearchKey::header("X-Spam", "").expect("key"),
                    SearchKey::Uid(set("1:*")),
                    SearchKey::SequenceSet(set("2,4:7")),
                ]),
            ),
            return_options: None,
        },
        C::Search {
            uid: false,
            charset: None,
            criteria: SearchKey::And(vec![
                SearchKey::text("ü").expect("key"),
                SearchKey::ModSeq {
                    entry: Some(ModSeqEntry {
                        flag: Flag::Draft,
                        kind: EntryKind::All,
                    }),
                    modseq: ModSeq::new(620_162_338).expect("modseq"),
                },
                SearchKey::modseq(7).expect("key"),
                SearchKey::Older(nz(3600)),
                SearchKey::Younger(nz(60)),
                SearchKey::keyword("$Junk").expect("key"),
                SearchKey::unkeyword("NonJunk").expect("key"),
                SearchKey::Larger(1),
                SearchKey::Smaller(u32::MAX),
                SearchKey::Before(d(2024, 1, 1)),
                SearchKey::On(d(2024, 2, 29)),
                SearchKey::SentBefore(d(2024, 1, 1)),
                SearchKey::SentOn(d(2024, 1, 1)),
                SearchKey::SentSince(d(2024, 1, 1)),
                SearchKey::bcc("x").expect("key"),
                SearchKey::cc("y").expect("key"),
                SearchKey::to("").expect("key"),
                SearchKey::body("b o d y").expect("key"),
            ]),
            return_options: None,
        },
        C::fetch(false, set("1:*"), vec![FetchAttr::Full]),
        C::fetch(
            true,
            set("1,5:9"),
            vec![
                FetchAttr::Uid,
                FetchAttr::Flags,
                FetchAttr::InternalDate,
                FetchAttr::Rfc822Size,
                FetchAttr::Envelope,
                FetchAttr::BodyStructure,
                FetchAttr::Body,
                FetchAttr::Rfc822Header,
                FetchAttr::body_peek(fields),
                FetchAttr::BodySection {
                    section: Section::text().in_part(vec![nz(1), nz(2)]),
                    partial: Some((0, nz(100))),
                    peek: false,
                },
                FetchAttr::body_section(Section::full()),
                FetchAttr::binary_peek(vec![nz(1)]),
                FetchAttr::BinarySize { part: vec![nz(2)] },
                FetchAttr::ModSeq,
            ],
        ),
        C::Fetch {
            uid: true,
            set: set("300:500"),
            attrs: vec![FetchAttr::Flags],
            changed_since: Some(ModSeq::new(12345).expect("modseq")),
            vanished: true,
        },
        C::Store {
            uid: false,
            set: set("2:4"),
            kind: StoreKind::Add,
            silent: true,
            flags: vec![Flag::Deleted, Flag::parse("\\Important").expect("flag")],
            unchanged_since: Some(ModSeq::new(0).expect("modseq")),
        },
        C::Store {
            uid: true,
            set: set("*"),
            kind: StoreKind::Replace,
            silent: false,
            flags: vec![],
            unchanged_since: None,
        },
        C::Copy {
            uid: true,
            set: set("1:2"),
            mailbox: mbx("Archive 2024"),
        },
        C::Move {
            uid: false,
            set: set("3"),
            mailbox: mbx("Trash"),
        },
        C::Sort {
            uid: true,
            criteria: vec![
                SortCriterion::desc(SortKey::Date),
                SortCriterion::asc(SortKey::DisplayFrom),
            ],
            charset: None,
            search: SearchKey::And(vec![
                SearchKey::Undeleted,
                SearchKey::subject("ä").expect("key"),
            ]),
            return_options: None,
        },
        C::Thread {
            uid: false,
            algorithm: ThreadAlgorithm::References,
            charset: Some(ImapAtom::new("US-ASCII").expect("atom")),
            search: SearchKey::All,
        },
        C::Thread {
            uid: true,
            algorithm: ThreadAlgorithm::OrderedSubject,
            charset: None,
            search: SearchKey::Since(d(2000, 3, 5)),
        },
        C::Enable(vec![
            ImapAtom::new("CONDSTORE").expect("atom"),
            ImapAtom::new("X-FOO").expect("atom"),
        ]),
        C::Compress,
        C::GetQuota(s("")),
        C::GetQuotaRoot(mbx("INBOX")),
        C::SetQuota {
            root: s("User quota"),
            limits: vec![(ImapAtom::new("STORAGE").expect("atom"), 512)],
        },
        C::Id(Some(vec![
            (s("name"), Some(s("daaki-imap"))),
            (s("vendor"), None),
        ])),
        C::Id(None),
        C::Id(Some(vec![])),
        C::GetMetadata {
            options: GetMetadataOptions {
                max_size: Some(1024),
                depth: Some(MetadataDepth::Infinity),
            },
            mailbox: Some(mbx("INBOX")),
            entries: vec![
                MetadataEntry::new("/private/comment").expect("entry"),
                MetadataEntry::new("/shared/comment").expect("entry"),
            ],
        },
        C::GetMetadata {
            options: GetMetadataOptions::default(),
            mailbox: None,
            entries: vec![MetadataEntry::new("/shared/admin").expect("entry")],
        },
        C::SetMetadata {
            mailbox: Some(mbx("INBOX")),
            entries: vec![
                (
                    MetadataEntry::new("/private/comment").expect("entry"),
                    Some(b"My \"new\" comment\r\n".to_vec()),
                ),
                (MetadataEntry::new("/shared/comment").expect("entry"), None),
            ],
        },
        C::Append {
            mailbox: mbx("INBOX"),
            messages: vec![binary],
        },
    ]
}

#[test]
fn every_command_imap_codec_knows_parses_back_identically() {
    for options in &OPTIONS {
        for body in fixed_commands() {
            let command = cmd(body);
            // literal8 needs BINARY; imap-codec sees the other forms with every option set.
            if encode(&command, options).is_err() {
                assert!(!options.binary, "only literal8 may fail: {command:?}");
                continue;
            }
            check(&command, options);
        }
    }
}

#[test]
fn literal_minus_boundary_parses_back_with_the_right_mode() {
    let minus = OPTIONS[2];
    for len in [4096, 4097] {
        let command = cmd(CommandBody::Append {
            mailbox: MailboxName::inbox(),
            messages: vec![AppendMessage::new(vec![b'x'; len])],
        });
        check(&command, &minus);
        let encoded = encode(&command, &minus).expect("encodes");
        let sync = if len > LITERAL_MINUS_MAX { 1 } else { 0 };
        assert_eq!(encoded.sync_points().len(), sync);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn random_commands_parse_back_identically(
        body in body_strategy(),
        options in prop::sample::select(OPTIONS.to_vec()),
    ) {
        check(&cmd(body), &options);
    }
}

#[test]
fn u64_fits_quota_limits_and_nonzero_modseqs() {
    // Guards the conversion helpers above against silent truncation.
    let _ = NonZeroU64::new(1);
    check(
        &cmd(CommandBody::SetQuota {
            root: s(""),
            limits: vec![(
                ImapAtom::new("STORAGE").expect("atom"),
                u64::from(u32::MAX) + 1,
            )],
        }),
        &OPTIONS[0],
    );
}
