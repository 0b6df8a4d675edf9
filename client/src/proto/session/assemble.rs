//! From a [`CommandOutcome`] to the typed result callers get — the one place where the two
//! dialects meet: a rev2 server answers SEARCH with ESEARCH, lists with LIST where rev1 had
//! LSUB, sends no RECENT; callers see the same types either way.
//!
//! Every function here is pure and takes an outcome that already completed with OK.

use super::CommandOutcome;
use crate::proto::{ProtoError, ProtoResult as Result};
use crate::types::response::{
    FetchResponse, MailboxInfo, MailboxStatus, ResponseCode, SelectedMailbox, SeqRange, ServerData,
};
use crate::types::response::{Namespace, Thread};
use crate::types::{
    AppendResult, ChangedSince, CopyResult, ExpungeResult, ModSeqSearch, MoveResult,
    ResyncedMailbox, StoreResult,
};
use crate::types::{ESearchResult, ListEntry, MailboxName};

/// SELECT / EXAMINE: the mailbox's state.
pub fn selected(outcome: &CommandOutcome) -> SelectedMailbox {
    let mut mailbox = SelectedMailbox::default();
    let mut apply = |code: &ResponseCode| match code {
        ResponseCode::PermanentFlags(f) => mailbox.permanent_flags = f.clone(),
        ResponseCode::UidValidity(n) => mailbox.uid_validity = Some(*n),
        ResponseCode::UidNext(n) => mailbox.uid_next = Some(*n),
        ResponseCode::Unseen(n) => mailbox.unseen = Some(*n),
        ResponseCode::HighestModSeq(n) => mailbox.highest_modseq = Some(*n),
        ResponseCode::NoModSeq => mailbox.highest_modseq = None,
        ResponseCode::MailboxId(id) => mailbox.mailbox_id = Some(id.clone()),
        ResponseCode::ReadOnly => mailbox.read_only = true,
        ResponseCode::ReadWrite => mailbox.read_only = false,
        ResponseCode::UidNotSticky => mailbox.uid_not_sticky = true,
        _ => {}
    };
    for data in &outcome.data {
        if let ServerData::Code { code, .. } = data {
            apply(code);
        }
    }
    if let Some(code) = &outcome.code {
        apply(code);
    }
    for data in &outcome.data {
        match data {
            ServerData::Exists(n) => mailbox.exists = *n,
            ServerData::Recent(n) => mailbox.recent = Some(*n),
            ServerData::Flags(f) => mailbox.flags = f.clone(),
            _ => {}
        }
    }
    mailbox
}

/// SELECT / EXAMINE with QRESYNC: the mailbox's state, the `VANISHED (EARLIER)` UIDs, the
/// changed messages' FETCH data and whether a previous mailbox was `[CLOSED]`.
pub fn resynced(outcome: CommandOutcome) -> ResyncedMailbox {
    let mut result = ResyncedMailbox {
        mailbox: selected(&outcome),
        ..ResyncedMailbox::default()
    };
    for data in outcome.data {
        match data {
            ServerData::Vanished { uids, .. } => result.vanished.extend(uids),
            ServerData::Fetch(f) => result.changed.push(f),
            ServerData::Code {
                code: ResponseCode::Closed,
                ..
            } => result.closed_previous = true,
            _ => {}
        }
    }
    result
}

/// `[UID] FETCH … (CHANGEDSINCE n [VANISHED])`: the changed messages and the vanished UIDs.
pub fn changed_since(outcome: CommandOutcome) -> ChangedSince {
    let mut result = ChangedSince::default();
    for data in outcome.data {
        match data {
            ServerData::Fetch(f) => result.fetches.push(f),
            ServerData::Vanished { uids, .. } => result.vanished.extend(uids),
            _ => {}
        }
    }
    result
}

/// `[UID] SEARCH … MODSEQ n`: the matches and the highest mod-sequence among them, from
/// SEARCH (`(MODSEQ n)` after the numbers) or ESEARCH (`MODSEQ n`).
pub fn modseq_search(outcome: &CommandOutcome) -> Result<ModSeqSearch> {
    let mut highest: Option<u64> = None;
    for data in &outcome.data {
        let modseq = match data {
            ServerData::Search { modseq, .. } => *modseq,
            ServerData::ESearch(e) => e.modseq,
            _ => None,
        };
        highest = highest.max(modseq);
    }
    Ok(ModSeqSearch {
        ids: search_ids(outcome)?,
        highest_modseq: highest,
    })
}

/// FETCH / UID FETCH: the responses, in arrival order.
pub fn fetches(outcome: CommandOutcome) -> Vec<FetchResponse> {
    outcome
        .data
        .into_iter()
        .filter_map(|d| match d {
            ServerData::Fetch(f) => Some(f),
            _ => None,
        })
        .collect()
}

/// The messages (sequence numbers, ascending) whose `RFC822` a FETCH asked for but whose
/// responses all lack it — iCloud answers `FETCH (RFC822)` with the other items only
/// (modern-email/defects #36, zammad/zammad #4589). A message answered by an untyped response
/// ([`FetchResponse::unparsed`]) is reported there instead and is not listed.
pub fn without_rfc822(fetches: &[FetchResponse]) -> Vec<u32> {
    let mut missing = std::collections::BTreeSet::new();
    let mut answered = std::collections::BTreeSet::new();
    for f in fetches {
        if f.rfc822.is_some() || f.unparsed.is_some() {
            answered.insert(f.seq);
        } else {
            missing.insert(f.seq);
        }
    }
    missing.difference(&answered).copied().collect()
}

/// SEARCH / UID SEARCH / SORT: the matching numbers in the server's order, whether the
/// server answered with SEARCH/SORT (rev1) or ESEARCH (rev2, or `RETURN` options).
pub fn search_ids(outcome: &CommandOutcome) -> Result<Vec<u32>> {
    let mut ids = Vec::new();
    for data in &outcome.data {
        match data {
            ServerData::Search { ids: found, .. } | ServerData::Sort { ids: found, .. } => {
                ids.extend_from_slice(found)
            }
            ServerData::ESearch(e) => {
                if let Some(all) = &e.all {
                    SeqRange::expand_into(all, &mut ids)?;
                }
            }
            _ => {}
        }
    }
    Ok(ids)
}

/// LIST / LSUB: the mailboxes, in the server's order.
pub fn mailboxes(outcome: CommandOutcome) -> Vec<MailboxInfo> {
    outcome
        .data
        .into_iter()
        .filter_map(|d| match d {
            ServerData::List(info) | ServerData::Lsub(info) | ServerData::XList(info) => Some(info),
            _ => None,
        })
        .collect()
}

/// Extended LIST (LIST-EXTENDED / LIST-STATUS): the mailboxes in the server's order, each with
/// the STATUS data the server sent for it (matched by name; RFC 5819 §2 sends it right after
/// the mailbox's LIST response, but the name, not the order, decides).
pub fn list_entries(outcome: CommandOutcome) -> Vec<ListEntry> {
    let mut entries: Vec<ListEntry> = Vec::new();
    let mut statuses = Vec::new();
    for data in outcome.data {
        match data {
            ServerData::List(info) | ServerData::Lsub(info) => entries.push(ListEntry::new(info)),
            ServerData::Status(s) => statuses.push(s),
            _ => {}
        }
    }
    // A map, not a scan per STATUS: a server sending many of both cannot make this quadratic.
    let index: std::collections::HashMap<&str, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.info.name.as_str(), i))
        .collect();
    let found: Vec<(usize, MailboxStatus)> = statuses
        .into_iter()
        .filter_map(|s| Some((*index.get(s.mailbox.as_ref()?.as_str())?, s)))
        .collect();
    for (i, status) in found {
        if let Some(entry) = entries.get_mut(i) {
            entry.status = Some(status);
        }
    }
    entries
}

/// ESEARCH / ESORT: the items of the `* ESEARCH` response(s) (all `None` when the server sent
/// none, as after `RETURN (SAVE)` alone).
pub fn esearch(outcome: &CommandOutcome) -> ESearchResult {
    let mut result = ESearchResult::default();
    for data in &outcome.data {
        if let ServerData::ESearch(e) = data {
            result.merge(e);
        }
    }
    result
}

/// THREAD / UID THREAD: the threads of every `* THREAD` response, in order.
pub fn threads(outcome: CommandOutcome) -> Vec<Thread> {
    let mut threads = Vec::new();
    for data in outcome.data {
        if let ServerData::Thread(t) = data {
            threads.extend(t);
        }
    }
    threads
}

/// NAMESPACE: the three namespace classes (all empty if the server sent none).
pub fn namespace(outcome: CommandOutcome) -> Namespace {
    outcome
        .data
        .into_iter()
        .find_map(|d| match d {
            ServerData::Namespace(n) => Some(n),
            _ => None,
        })
        .unwrap_or_default()
}

/// STATUS: the `* STATUS` response for `mailbox` (matched by name, so STATUS data for other
/// mailboxes — NOTIFY events claimed by the command — is passed over); with `None`, the first
/// `* STATUS` of the reply.
///
/// A reply without it is [`ProtoError::Violation`], never an empty status: an OK without the data
/// means the response was lost (Cyrus 3.6 can split its own STATUS line with a bare LF inside
/// a MAILBOXID, and the framer drops the unparsable halves).
pub fn status(outcome: CommandOutcome, mailbox: Option<&MailboxName>) -> Result<MailboxStatus> {
    let found = outcome.data.into_iter().find_map(|d| match d {
        ServerData::Status(s)
            if mailbox.is_none_or(|want| {
                s.mailbox.as_ref().map(MailboxName::as_str) == Some(want.as_str())
            }) =>
        {
            Some(s)
        }
        _ => None,
    });
    found.ok_or_else(|| {
        ProtoError::Violation(match mailbox {
            Some(name) => format!("server sent no STATUS data for {:?}", name.as_str()),
            None => "server sent no STATUS data".to_owned(),
        })
    })
}

fn copy_uid(code: &ResponseCode) -> Option<CopyResult> {
    match code {
        ResponseCode::CopyUid {
            uid_validity,
            source,
            destination,
        } => Some(CopyResult {
            uid_validity: Some(*uid_validity),
            source_uids: source.clone(),
            destination_uids: destination.clone(),
        }),
        _ => None,
    }
}

/// COPY / UID COPY.
pub fn copy(outcome: &CommandOutcome) -> CopyResult {
    outcome.code.as_ref().and_then(copy_uid).unwrap_or_default()
}

/// MOVE / UID MOVE (COPYUID comes in an untagged OK, or in the tagged OK on some servers).
pub fn moved(outcome: CommandOutcome) -> MoveResult {
    let mut result = MoveResult {
        copy: outcome.code.as_ref().and_then(copy_uid).unwrap_or_default(),
        ..MoveResult::default()
    };
    for data in outcome.data {
        match data {
            ServerData::Code { code, .. } => {
                if let Some(copy) = copy_uid(&code) {
                    result.copy = copy;
                }
            }
            ServerData::Expunge(n) => result.expunged.push(n),
            ServerData::Vanished { uids, .. } => result.vanished.extend(uids),
            _ => {}
        }
    }
    result
}

/// STORE / UID STORE.
pub fn store(outcome: CommandOutcome) -> StoreResult {
    let modified = match &outcome.code {
        Some(ResponseCode::Modified(set)) => set.clone(),
        _ => Vec::new(),
    };
    StoreResult {
        fetches: fetches(outcome),
        modified,
    }
}

/// EXPUNGE / UID EXPUNGE.
pub fn expunge(outcome: CommandOutcome) -> ExpungeResult {
    let mut result = ExpungeResult::default();
    for data in outcome.data {
        match data {
            ServerData::Expunge(n) => result.expunged.push(n),
            ServerData::Vanished { uids, .. } => result.vanished.extend(uids),
            _ => {}
        }
    }
    result
}

/// APPEND.
pub fn append(outcome: &CommandOutcome) -> AppendResult {
    match &outcome.code {
        Some(ResponseCode::AppendUid { uid_validity, uids }) => AppendResult {
            uid_validity: Some(*uid_validity),
            uids: uids.clone(),
        },
        _ => AppendResult::default(),
    }
}

/// CAPABILITY: the names as sent.
pub fn capabilities(outcome: &CommandOutcome) -> Vec<String> {
    outcome
        .data
        .iter()
        .find_map(|d| match d {
            ServerData::Capability(c) => Some(c.clone()),
            _ => None,
        })
        .or_else(|| match &outcome.code {
            Some(ResponseCode::Capability(c)) => Some(c.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

/// ENABLE: what the server enabled.
pub fn enabled(outcome: &CommandOutcome) -> Vec<String> {
    outcome
        .data
        .iter()
        .filter_map(|d| match d {
            ServerData::Enabled(e) => Some(e.iter().cloned()),
            _ => None,
        })
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(data: Vec<ServerData>, code: Option<ResponseCode>) -> CommandOutcome {
        CommandOutcome::ok_with(data, code)
    }

    #[test]
    fn messages_without_their_rfc822_are_listed_once_and_in_order() {
        let fetch = |seq: u32, body: Option<&[u8]>, unparsed: bool| FetchResponse {
            seq,
            rfc822: body.map(<[u8]>::to_vec),
            unparsed: unparsed
                .then(|| Box::new(crate::types::response::Unparsed::new(b"x".to_vec(), "y"))),
            ..FetchResponse::default()
        };
        let fetches = [
            // 4: only FLAGS, twice.
            fetch(4, None, false),
            fetch(4, None, false),
            // 2: FLAGS in a response of its own, the message in another.
            fetch(2, None, false),
            fetch(2, Some(b"body"), false),
            // 3: untyped, reported there.
            fetch(3, None, true),
            // 1: an empty message is still a message.
            fetch(1, Some(b""), false),
            fetch(9, None, false),
        ];
        assert_eq!(without_rfc822(&fetches), [4, 9]);
        assert_eq!(without_rfc822(&fetches[2..6]), Vec::<u32>::new());
    }

    #[test]
    fn search_reads_both_dialects_the_same() {
        let rev1 = outcome(
            vec![ServerData::Search {
                ids: vec![2, 10, 11],
                modseq: None,
            }],
            None,
        );
        let rev2 = outcome(
            vec![ServerData::ESearch(crate::types::response::ESearch {
                all: Some(vec![
                    SeqRange { start: 2, end: 2 },
                    SeqRange { start: 10, end: 11 },
                ]),
                ..Default::default()
            })],
            None,
        );
        assert_eq!(search_ids(&rev1).unwrap(), vec![2, 10, 11]);
        assert_eq!(search_ids(&rev2).unwrap(), vec![2, 10, 11]);
    }

    #[test]
    fn huge_esearch_ranges_are_refused_not_expanded() {
        let o = outcome(
            vec![ServerData::ESearch(crate::types::response::ESearch {
                all: Some(vec![SeqRange {
                    start: 1,
                    end: u32::MAX,
                }]),
                ..Default::default()
            })],
            None,
        );
        assert!(matches!(
            search_ids(&o),
            Err(ProtoError::ReplyTooLarge { .. })
        ));
    }

    fn status_data(frames: &[&[u8]]) -> Vec<ServerData> {
        use crate::proto::parse_response;
        frames
            .iter()
            .map(|f| match parse_response(f).unwrap().0 {
                crate::proto::response::Response::Data(d) => d.into_owned(f, false),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn status_is_the_response_for_the_asked_mailbox() {
        let data = status_data(&[
            b"* STATUS Archive (MESSAGES 9)\r\n",
            b"* STATUS inbox (MESSAGES 4 UNSEEN 1)\r\n",
        ]);
        let inbox = MailboxName::inbox();
        let s = status(outcome(data.clone(), None), Some(&inbox)).unwrap();
        assert_eq!(s.mailbox.as_ref(), Some(&inbox));
        assert_eq!((s.messages, s.unseen), (Some(4), Some(1)));
        // Without a name (a pipeline step): the first STATUS.
        let first = status(outcome(data, None), None).unwrap();
        assert_eq!(first.messages, Some(9));
    }

    #[test]
    fn status_without_a_response_for_the_mailbox_is_a_protocol_error() {
        let inbox = MailboxName::inbox();
        // Only another mailbox's STATUS: not the asked one's data.
        let other = status_data(&[b"* STATUS Archive (MESSAGES 9)\r\n"]);
        let err = status(outcome(other, None), Some(&inbox)).unwrap_err();
        assert!(
            matches!(&err, ProtoError::Violation(m) if m == "server sent no STATUS data for \"INBOX\""),
            "{err:?}"
        );
        // Nothing at all: an error too, with or without a name — never an empty status.
        assert!(matches!(
            status(outcome(Vec::new(), None), Some(&inbox)),
            Err(ProtoError::Violation(_))
        ));
        assert!(matches!(
            status(outcome(Vec::new(), None), None),
            Err(ProtoError::Violation(_))
        ));
    }

    /// Cyrus 3.6 sends heap bytes as the MAILBOXID when other items are asked too; a bare LF
    /// among them ends the line early. The session drops the broken halves and completes the
    /// command with OK; STATUS must then fail, not return an empty status.
    #[test]
    fn a_status_line_split_by_a_bare_lf_is_a_protocol_error_and_the_session_goes_on() {
        use crate::proto::command::CommandBody;
        use crate::proto::session::{DataMode, Session, SessionEvent};
        use crate::types::StatusAttr;
        let mut s = Session::default();
        s.handle_input(b"* OK [CAPABILITY IMAP4rev1 OBJECTID] hi\r\n");
        let inbox = MailboxName::inbox();
        let mut run = |reply: &[u8]| {
            s.submit(
                CommandBody::Status {
                    mailbox: inbox.clone(),
                    attrs: vec![StatusAttr::Messages, StatusAttr::MailboxId],
                },
                DataMode::Collect,
            )
            .expect("submit");
            s.transmit_into(&mut Vec::new());
            s.handle_input(reply);
            std::iter::from_fn(|| s.poll_event())
                .find_map(|e| match e {
                    SessionEvent::Completed { outcome, .. } => Some(outcome),
                    _ => None,
                })
                .expect("the command completes")
        };
        let broken = run(b"* STATUS INBOX (MESSAGES 4 MAILBOXID (\x90\x1f\nU))\r\nA1 OK done\r\n");
        let whole = run(b"* STATUS INBOX (MESSAGES 4 MAILBOXID (abc))\r\nA2 OK done\r\n");
        let broken = status(broken, Some(&inbox));
        assert!(
            matches!(broken, Err(ProtoError::Violation(_))),
            "{broken:?}"
        );
        let whole = status(whole, Some(&inbox)).unwrap();
        assert_eq!(whole.messages, Some(4));
        assert_eq!(whole.mailbox_id.as_deref(), Some(&b"abc"[..]));
    }

    #[test]
    fn select_collects_codes_and_counts() {
        let o = outcome(
            vec![
                ServerData::Exists(18),
                ServerData::Recent(2),
                ServerData::Code {
                    code: ResponseCode::UidValidity(3_857_529_045),
                    text: String::new(),
                },
                ServerData::Code {
                    code: ResponseCode::UidNext(4392),
                    text: String::new(),
                },
            ],
            Some(ResponseCode::ReadOnly),
        );
        let s = selected(&o);
        assert_eq!(s.exists, 18);
        assert_eq!(s.recent, Some(2));
        assert_eq!(s.uid_validity, Some(3_857_529_045));
        assert_eq!(s.uid_next, Some(4392));
        assert!(s.read_only);
    }

    #[test]
    fn select_reads_every_code_it_knows_and_the_last_one_wins() {
        use crate::types::Flag;
        let code = |code| ServerData::Code {
            code,
            text: String::new(),
        };
        let o = outcome(
            vec![
                ServerData::Flags(vec![Flag::Seen, Flag::Answered]),
                code(ResponseCode::PermanentFlags(vec![Flag::Seen])),
                code(ResponseCode::Unseen(7)),
                code(ResponseCode::HighestModSeq(99)),
                code(ResponseCode::NoModSeq),
                code(ResponseCode::MailboxId(b"F1".to_vec())),
                code(ResponseCode::ReadOnly),
                code(ResponseCode::UidNotSticky),
                ServerData::Exists(3),
            ],
            Some(ResponseCode::ReadWrite),
        );
        assert_eq!(
            selected(&o),
            SelectedMailbox {
                exists: 3,
                flags: vec![Flag::Seen, Flag::Answered],
                permanent_flags: vec![Flag::Seen],
                unseen: Some(7),
                highest_modseq: None,
                mailbox_id: Some(b"F1".to_vec()),
                read_only: false,
                uid_not_sticky: true,
                ..SelectedMailbox::default()
            }
        );
    }

    #[test]
    fn fetches_are_the_fetch_data_in_arrival_order() {
        let fetch = |seq| {
            ServerData::Fetch(FetchResponse {
                seq,
                ..FetchResponse::default()
            })
        };
        let o = outcome(
            vec![
                fetch(5),
                ServerData::Exists(9),
                fetch(2),
                ServerData::Expunge(1),
            ],
            None,
        );
        let seqs: Vec<u32> = fetches(o).into_iter().map(|f| f.seq).collect();
        assert_eq!(seqs, vec![5, 2]);
    }

    #[test]
    fn list_status_is_matched_to_its_mailbox_by_name() {
        use crate::proto::parse_response;
        let frames: &[&[u8]] = &[
            b"* LIST () \"/\" INBOX\r\n",
            b"* LIST (\\Noselect) \"/\" Dir\r\n",
            b"* STATUS Sent (MESSAGES 2)\r\n",
            b"* LIST () \"/\" Sent\r\n",
            b"* STATUS inbox (MESSAGES 7)\r\n",
        ];
        let data = frames
            .iter()
            .map(|f| match parse_response(f).unwrap().0 {
                crate::proto::response::Response::Data(d) => d.into_owned(f, false),
                other => panic!("{other:?}"),
            })
            .collect();
        let entries = list_entries(outcome(data, None));
        let got: Vec<_> = entries
            .iter()
            .map(|e| {
                (
                    e.info.name.as_str(),
                    e.status.as_ref().and_then(|s| s.messages),
                )
            })
            .collect();
        assert_eq!(got, [("INBOX", Some(7)), ("Dir", None), ("Sent", Some(2))]);
    }

    #[test]
    fn move_takes_copyuid_from_untagged_ok_and_counts_expunges() {
        let o = outcome(
            vec![
                ServerData::Code {
                    code: ResponseCode::CopyUid {
                        uid_validity: 7,
                        source: vec![SeqRange { start: 42, end: 43 }],
                        destination: vec![SeqRange { start: 1, end: 2 }],
                    },
                    text: String::new(),
                },
                ServerData::Expunge(3),
                ServerData::Expunge(3),
            ],
            None,
        );
        let m = moved(o);
        assert_eq!(m.copy.uid_validity, Some(7));
        assert_eq!(m.expunged, vec![3, 3]);
    }

    fn tagged(code: &[u8]) -> Option<ResponseCode> {
        let frame = [b"A1 OK [", code, b"] done\r\n"].concat();
        crate::proto::parse::test_util::status(&frame)
            .code
            .map(|c| c.into_owned())
    }

    #[test]
    fn mailboxes_are_the_list_and_lsub_data_in_order() {
        let o = outcome(
            status_data(&[
                b"* LIST (\\HasNoChildren) \"/\" INBOX\r\n",
                b"* 3 EXISTS\r\n",
                b"* LSUB () \"/\" Sent\r\n",
            ]),
            None,
        );
        let names: Vec<String> = mailboxes(o)
            .into_iter()
            .map(|m| m.name.to_string())
            .collect();
        assert_eq!(names, vec!["INBOX", "Sent"]);
    }

    #[test]
    fn esearch_merges_every_esearch_response() {
        let o = outcome(
            status_data(&[
                b"* ESEARCH (TAG \"A1\") UID MIN 2 COUNT 3\r\n",
                b"* 4 EXISTS\r\n",
                b"* ESEARCH (TAG \"A1\") UID MAX 9 ALL 2:3,9\r\n",
            ]),
            None,
        );
        let r = esearch(&o);
        assert!(r.uid);
        assert_eq!((r.min, r.max, r.count), (Some(2), Some(9), Some(3)));
        assert_eq!(r.ids().unwrap(), vec![2, 3, 9]);
    }

    #[test]
    fn threads_of_every_thread_response_in_order() {
        let o = outcome(
            status_data(&[b"* THREAD (2)(3 6)\r\n", b"* THREAD (4)\r\n"]),
            None,
        );
        let members: Vec<Vec<u32>> = threads(o).into_iter().map(|t| t.members).collect();
        assert_eq!(members, vec![vec![2], vec![3, 6], vec![4]]);
    }

    #[test]
    fn namespace_is_the_namespace_response_or_empty() {
        let o = outcome(
            status_data(&[b"* NAMESPACE ((\"INBOX.\" \".\")) NIL ((\"Shared/\" \"/\"))\r\n"]),
            None,
        );
        let n = namespace(o);
        assert_eq!(n.personal.len(), 1);
        assert_eq!(n.personal[0].prefix, "INBOX.");
        assert!(n.other.is_empty());
        assert_eq!(n.shared[0].prefix, "Shared/");
        assert_eq!(namespace(outcome(vec![], None)), Namespace::default());
    }

    #[test]
    fn copy_store_expunge_and_append_read_their_codes_and_data() {
        let c = copy(&outcome(vec![], tagged(b"COPYUID 7 42:43 1:2")));
        assert_eq!(
            c,
            CopyResult {
                uid_validity: Some(7),
                source_uids: vec![SeqRange { start: 42, end: 43 }],
                destination_uids: vec![SeqRange { start: 1, end: 2 }],
            }
        );
        assert_eq!(copy(&outcome(vec![], None)), CopyResult::default());

        let mv = moved(outcome(
            status_data(&[b"* VANISHED 42:43\r\n"]),
            tagged(b"COPYUID 7 42:43 1:2"),
        ));
        assert_eq!(mv.copy, c, "COPYUID in the tagged OK");
        assert_eq!(mv.vanished, vec![SeqRange { start: 42, end: 43 }]);
        assert!(mv.expunged.is_empty());

        let st = store(outcome(
            status_data(&[b"* 2 FETCH (FLAGS (\\Seen))\r\n", b"* 1 EXPUNGE\r\n"]),
            tagged(b"MODIFIED 5,7:8"),
        ));
        assert_eq!(st.fetches.len(), 1);
        assert_eq!(st.fetches[0].seq, 2);
        assert_eq!(
            st.modified,
            vec![SeqRange { start: 5, end: 5 }, SeqRange { start: 7, end: 8 }]
        );

        let ex = expunge(outcome(
            status_data(&[
                b"* 3 EXPUNGE\r\n",
                b"* 3 EXPUNGE\r\n",
                b"* VANISHED 10:11\r\n",
                b"* 9 EXISTS\r\n",
            ]),
            None,
        ));
        assert_eq!(ex.expunged, vec![3, 3]);
        assert_eq!(ex.vanished, vec![SeqRange { start: 10, end: 11 }]);

        let ap = append(&outcome(vec![], tagged(b"APPENDUID 38505 3955")));
        assert_eq!(ap.uid_validity, Some(38505));
        assert_eq!(
            ap.uids,
            vec![SeqRange {
                start: 3955,
                end: 3955
            }]
        );
        assert_eq!(append(&outcome(vec![], None)), AppendResult::default());
    }

    #[test]
    fn capabilities_come_from_the_data_else_the_code_and_enabled_from_every_line() {
        let from_data = outcome(
            status_data(&[b"* CAPABILITY IMAP4rev1 IDLE\r\n"]),
            tagged(b"CAPABILITY IMAP4rev1"),
        );
        assert_eq!(capabilities(&from_data), vec!["IMAP4rev1", "IDLE"]);
        let from_code = outcome(vec![], tagged(b"CAPABILITY IMAP4rev2 MOVE"));
        assert_eq!(capabilities(&from_code), vec!["IMAP4rev2", "MOVE"]);
        assert!(capabilities(&outcome(vec![], None)).is_empty());
        let en = outcome(
            status_data(&[
                b"* ENABLED CONDSTORE\r\n",
                b"* ENABLED UTF8=ACCEPT QRESYNC\r\n",
            ]),
            None,
        );
        assert_eq!(enabled(&en), vec!["CONDSTORE", "UTF8=ACCEPT", "QRESYNC"]);
    }
}
