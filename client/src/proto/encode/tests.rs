//! Known-answer tests (value → bytes) for every command, literal choices and LITERAL±
//! limits, and the injection property: no value reachable through the public API puts a CR
//! or LF outside a literal.

use std::num::NonZeroU32;

use super::*;
use crate::proto::command::*;
use crate::types::{
    AclModification, AclRights, AppendMessage, AuthMechanism, EntryKind, FetchAttr, Flag,
    GetMetadataOptions, ImapAtom, ImapDate, ImapDateTime, ImapString, ListPattern,
    ListReturnOption, ListSelectOption, MailboxFilter, MailboxName, MetadataDepth, MetadataEntry,
    ModSeq, ModSeqEntry, NotifyEvent, NotifyEventGroup, NotifySetParams, ObjectId, QResyncParams,
    SearchKey, SearchReturnOption, Secret, Section, SequenceSet, SortCriterion, SortKey,
    SpecialUse, StatusAttr, StoreKind, Tag, ThreadAlgorithm,
};

const PLAIN: EncodeOptions = EncodeOptions {
    literal_plus: false,
    literal_minus: false,
    utf8: false,
    binary: false,
};

fn cmd(body: CommandBody) -> Command {
    Command::new(Tag::new("A1").unwrap(), body)
}

fn enc(body: CommandBody, options: &EncodeOptions) -> EncodedCommand {
    encode(&cmd(body), options).unwrap()
}

/// `body` encodes to `A1 <wire>\r\n` with no sync point.
#[track_caller]
fn kat(body: CommandBody, wire: &str) {
    kat_with(&PLAIN, body, wire.as_bytes(), &[]);
}

/// `body` encodes to `A1 <wire>\r\n`; `sync` are offsets into `wire`.
#[track_caller]
fn kat_with(options: &EncodeOptions, body: CommandBody, wire: &[u8], sync: &[usize]) {
    let encoded = enc(body, options);
    let mut expected = b"A1 ".to_vec();
    expected.extend_from_slice(wire);
    expected.extend_from_slice(b"\r\n");
    assert_eq!(
        encoded.bytes().escape_ascii().to_string(),
        expected.escape_ascii().to_string()
    );
    let shifted: Vec<usize> = sync.iter().map(|s| s + 3).collect();
    assert_eq!(encoded.sync_points(), shifted, "sync points");
    assert_no_line_break_outside_literals(encoded.bytes());
}

#[track_caller]
fn fails(body: CommandBody, options: &EncodeOptions) -> String {
    match encode(&cmd(body), options) {
        Err(e) => e.into_message(),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

fn search(criteria: SearchKey) -> CommandBody {
    CommandBody::Search {
        uid: false,
        charset: None,
        criteria,
        return_options: None,
    }
}

fn mb(name: &str) -> MailboxName {
    MailboxName::new(name).unwrap()
}

fn s(text: &str) -> ImapString {
    ImapString::new(text).unwrap()
}

fn atom(text: &str) -> ImapAtom {
    ImapAtom::new(text).unwrap()
}

fn set(text: &str) -> SequenceSet {
    SequenceSet::new(text).unwrap()
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

fn date(y: u16, m: u8, d: u8) -> ImapDate {
    ImapDate::new(y, m, d).unwrap()
}

/// Walks the command like a server would: quoted strings, literals (skipped by their
/// announced length) and plain text. A CR or LF anywhere but inside literal data and the
/// final CRLF, or a NUL outside a `literal8`, fails the test.
#[track_caller]
pub(super) fn assert_no_line_break_outside_literals(bytes: &[u8]) {
    let body = bytes.strip_suffix(b"\r\n").expect("command ends with CRLF");
    let mut i = 0;
    let mut quoted = false;
    while let Some(&b) = body.get(i) {
        if quoted {
            assert!(
                !matches!(b, b'\r' | b'\n' | 0),
                "line break in quoted at {i}"
            );
            match b {
                b'\\' => i += 1,
                b'"' => quoted = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => quoted = true,
            b'{' => {
                let rest = &body[i + 1..];
                let close = rest
                    .iter()
                    .position(|&c| c == b'}')
                    .expect("literal header");
                let digits = std::str::from_utf8(&rest[..close]).unwrap();
                let len: usize = digits
                    .trim_end_matches('+')
                    .parse()
                    .expect("literal length");
                assert_eq!(
                    &rest[close + 1..close + 3],
                    b"\r\n",
                    "CRLF after literal header"
                );
                i += 1 + close + 3 + len;
                continue;
            }
            b'\r' | b'\n' => panic!(
                "line break outside a literal at {i}: {}",
                bytes.escape_ascii()
            ),
            0 => panic!("NUL outside a literal at {i}"),
            _ => {}
        }
        i += 1;
    }
    assert!(!quoted, "unterminated quoted string");
}

mod auth;
mod extensions;
mod mailbox;
mod message;

#[test]
fn sync_points_split_the_command_at_every_synchronising_literal() {
    // DEL (0x7f) is 7-bit but not ASTRING-CHAR: quoted, no literal.
    let encoded = enc(CommandBody::GetQuota(s("a\u{7f}")), &PLAIN);
    assert_eq!(encoded.bytes(), b"A1 GETQUOTA \"a\x7f\"\r\n");
    assert!(encoded.sync_points().is_empty());
    // In a mailbox name it is modified UTF-7.
    let encoded = enc(CommandBody::Delete(mb("a\u{7f}")), &PLAIN);
    assert_eq!(encoded.bytes(), b"A1 DELETE a&AH8-\r\n");
    let encoded = enc(CommandBody::login("ü", "ö").unwrap(), &PLAIN);
    assert_eq!(encoded.bytes(), "A1 LOGIN {2}\r\nü {2}\r\nö\r\n".as_bytes());
    assert_eq!(encoded.sync_points(), [14, 22]);
    let segments: Vec<&[u8]> = encoded.segments().collect();
    assert_eq!(
        segments,
        [
            "A1 LOGIN {2}\r\n".as_bytes(),
            "ü {2}\r\n".as_bytes(),
            "ö\r\n".as_bytes()
        ]
    );
    assert_eq!(encoded.clone().into_bytes(), encoded.bytes());
}

#[cfg(not(target_arch = "wasm32"))]
mod injection {
    //! Property: whatever text a caller gets past the constructors, the encoded command
    //! has no CR, LF or NUL outside literals.

    use super::*;
    use proptest::prelude::*;

    fn any_text() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                Just('\r'),
                Just('\n'),
                Just('\0'),
                Just('"'),
                Just('\\'),
                Just('{'),
                Just('}'),
                Just(' '),
                Just('*'),
                Just('%'),
                Just('ü'),
                Just('日'),
                any::<char>(),
                prop::char::range('!', '~'),
            ],
            0..20,
        )
        .prop_map(|chars| chars.into_iter().collect())
    }

    fn options() -> impl Strategy<Value = EncodeOptions> {
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
            |(literal_plus, literal_minus, utf8, binary)| EncodeOptions {
                literal_plus,
                literal_minus,
                utf8,
                binary,
            },
        )
    }

    /// Every command built from `text` where the constructors accept it.
    fn bodies(text: &str) -> Vec<CommandBody> {
        let mut bodies = Vec::new();
        bodies.push(CommandBody::Login {
            username: ImapString::new(text).unwrap_or_default(),
            password: Secret::new(text.to_owned()),
        });
        if let Ok(t) = ImapString::new(text) {
            bodies.push(search(SearchKey::Subject(t.clone())));
            bodies.push(CommandBody::Id(Some(vec![(t.clone(), Some(t.clone()))])));
            bodies.push(CommandBody::GetQuota(t.clone()));
            bodies.push(CommandBody::DeleteAcl {
                mailbox: MailboxName::inbox(),
                identifier: t,
            });
        }
        if let Ok(m) = MailboxName::new(text) {
            bodies.push(CommandBody::select(m.clone()));
            bodies.push(CommandBody::Create {
                mailbox: m.clone(),
                special_use: vec![],
            });
            bodies.push(CommandBody::Notify(NotifyCommand::Set(
                NotifySetParams::new(
                    vec![NotifyEventGroup::new(
                        MailboxFilter::Mailboxes(vec![m.clone()]),
                        vec![NotifyEvent::MessageExpunge],
                    )],
                    false,
                ),
            )));
            bodies.push(CommandBody::Append {
                mailbox: m,
                messages: vec![AppendMessage::new(text.as_bytes().to_vec())],
            });
        }
        if let Ok(p) = ListPattern::new(text) {
            bodies.push(CommandBody::List {
                reference: p.clone(),
                patterns: vec![p.clone(), p],
                selection: vec![],
                return_options: vec![],
            });
        }
        bodies.push(CommandBody::SetMetadata {
            mailbox: None,
            entries: vec![(
                MetadataEntry::new("/private/x").unwrap(),
                Some(text.as_bytes().to_vec()),
            )],
        });
        bodies
    }

    proptest! {
        #[test]
        fn no_line_break_outside_literals(text in any_text(), options in options()) {
            for body in bodies(&text) {
                if let Ok(encoded) = encode(&cmd(body), &options) {
                    assert_no_line_break_outside_literals(encoded.bytes());
                    for &point in encoded.sync_points() {
                        let header_end = encoded.bytes()[..point].ends_with(b"}\r\n");
                        prop_assert!(header_end, "sync point after a literal header");
                    }
                }
            }
        }
    }
}
