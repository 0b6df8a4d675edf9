//! Responses that do not parse are kept whole ([`Unparsed`]), in the result of the FETCH they
//! answer or as an event — never dropped — and the session stays in sync.

use super::{completed, feed, fetch, greeted, select, sent};
use crate::proto::ProtoError;
use crate::proto::command::CommandBody;
use crate::proto::session::{
    CommandKind, CommandOutcome, Completion, DataMode, Session, SessionEvent,
};
use crate::types::response::{FetchResponse, IncompleteReply, ServerData};
use crate::types::{FetchAttr, SequenceSet, TypedEvent};

/// Three FETCH responses, the middle one untypeable (`UID` without its number), then the
/// completion.
const REPLY: &str = "* 1 FETCH (UID 11 FLAGS (\\Seen))\r\n\
                     * 2 FETCH (UID FLAGS (\\Seen))\r\n\
                     * 3 FETCH (UID 13 FLAGS ())\r\n\
                     A1 OK done\r\n";
const BAD: &[u8] = b"* 2 FETCH (UID FLAGS (\\Seen))\r\n";

fn fetches(outcome_data: &[ServerData]) -> Vec<&FetchResponse> {
    outcome_data
        .iter()
        .map(|d| match d {
            ServerData::Fetch(f) => f,
            other => panic!("only FETCH data expected, got {other:?}"),
        })
        .collect()
}

/// Checks the three results: typed, unparsed (seq 2, nothing else), typed.
fn assert_three(results: &[&FetchResponse]) {
    assert_eq!(results.len(), 3, "{results:?}");
    assert_eq!((results[0].seq, results[0].uid), (1, Some(11)));
    assert!(results[0].unparsed.is_none());
    let bad = results[1];
    let unparsed = bad.unparsed.as_ref().expect("the middle one is unparsed");
    assert_eq!(unparsed.raw, BAD);
    assert!(!unparsed.error.is_empty());
    assert_eq!(
        FetchResponse {
            seq: 2,
            unparsed: Some(unparsed.clone()),
            ..FetchResponse::default()
        },
        *bad,
        "only seq and unparsed are set"
    );
    assert_eq!((results[2].seq, results[2].uid), (3, Some(13)));
    assert!(results[2].unparsed.is_none());
}

fn fetch_1_3() -> CommandBody {
    fetch("1:3", vec![FetchAttr::Uid, FetchAttr::Flags])
}

#[test]
fn a_buffered_fetch_keeps_an_untypeable_response_in_its_place() {
    let mut s = greeted("* PREAUTH ready\r\n");
    s.submit(fetch_1_3(), DataMode::Collect).unwrap();
    sent(&mut s);
    let events = feed(&mut s, REPLY);
    assert_eq!(events.len(), 1, "only the completion: {events:?}");
    let outcome = completed(&events);
    assert_eq!(outcome.completion, Completion::Ok);
    assert_three(&fetches(&outcome.data));
    // In sync: the next response is typed as usual.
    let events = feed(&mut s, "* 4 EXISTS\r\n");
    assert!(
        matches!(
            events[..],
            [SessionEvent::Unsolicited(TypedEvent::Exists(4))]
        ),
        "{events:?}"
    );
}

#[test]
fn one_byte_and_split_feeding_give_the_same_outcome_as_one_buffer() {
    let whole = {
        let mut s = greeted("* PREAUTH ready\r\n");
        s.submit(fetch_1_3(), DataMode::Collect).unwrap();
        sent(&mut s);
        completed(&feed(&mut s, REPLY)).clone()
    };
    for chunk in [1, 2, 3, 7, 31] {
        let mut s = greeted("* PREAUTH ready\r\n");
        s.submit(fetch_1_3(), DataMode::Collect).unwrap();
        sent(&mut s);
        let mut events = Vec::new();
        for piece in REPLY.as_bytes().chunks(chunk) {
            s.handle_input(piece);
            events.extend(std::iter::from_fn(|| s.poll_event()));
        }
        assert_eq!(*completed(&events), whole, "chunks of {chunk}");
    }
}

#[test]
fn a_streamed_uid_fetch_yields_the_untypeable_response_in_order_and_goes_on() {
    let mut s = greeted("* PREAUTH ready\r\n");
    let id = s
        .submit(
            CommandBody::Fetch {
                uid: true,
                set: SequenceSet::new("11:13").unwrap(),
                attrs: vec![FetchAttr::Flags],
                changed_since: None,
                vanished: false,
            },
            DataMode::Stream,
        )
        .unwrap();
    sent(&mut s);
    let events = feed(&mut s, REPLY);
    let streamed: Vec<&FetchResponse> = events
        .iter()
        .filter_map(|e| match e {
            SessionEvent::Fetch { id: i, fetch } if *i == id => Some(fetch),
            _ => None,
        })
        .collect();
    assert_three(&streamed);
    assert_eq!(completed(&events).completion, Completion::Ok);
    assert!(completed(&events).data.is_empty());
}

#[test]
fn an_untypeable_fetch_outside_the_set_is_an_unsolicited_event() {
    let mut s = greeted("* PREAUTH ready\r\n");
    s.submit(fetch("1", vec![FetchAttr::Flags]), DataMode::Collect)
        .unwrap();
    sent(&mut s);
    let events = feed(
        &mut s,
        "* 2 FETCH (UID FLAGS (\\Seen))\r\n* 1 FETCH (FLAGS ())\r\nA1 OK done\r\n",
    );
    match &events[..] {
        [
            SessionEvent::Unsolicited(TypedEvent::Unparsed(u)),
            SessionEvent::Completed { outcome, .. },
        ] => {
            assert_eq!(u.raw, BAD);
            assert_eq!(fetches(&outcome.data).len(), 1);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_untypeable_fetch_counts_towards_the_collected_bytes_cap() {
    let mut s = Session::new(crate::proto::session::SessionConfig {
        max_collected_bytes: BAD.len() as u64 - 1,
        ..Default::default()
    });
    feed(&mut s, "* PREAUTH ready\r\n");
    let id = s.submit(fetch_1_3(), DataMode::Collect).unwrap();
    sent(&mut s);
    let events = feed(&mut s, "* 2 FETCH (UID FLAGS (\\Seen))\r\nA1 OK done\r\n");
    assert!(
        matches!(&events[..], [SessionEvent::Failed { id: i, .. }] if *i == id),
        "{events:?}"
    );
}

#[test]
fn an_untypeable_fetch_during_select_is_part_of_its_result() {
    // QRESYNC's SELECT reports flag changes as FETCH data; an untyped one stays with it.
    let mut s = greeted("* PREAUTH ready\r\n");
    s.submit(select("INBOX"), DataMode::Collect).unwrap();
    sent(&mut s);
    let events = feed(
        &mut s,
        "* 3 EXISTS\r\n* 2 FETCH (UID FLAGS (\\Seen))\r\nA1 OK [READ-WRITE] done\r\n",
    );
    assert_eq!(events.len(), 1, "only the completion: {events:?}");
    let data = &completed(&events).data;
    assert!(
        data.iter().any(|d| matches!(
            d,
            ServerData::Fetch(f) if f.seq == 2 && f.unparsed.as_ref().is_some_and(|u| u.raw == BAD)
        )),
        "{data:?}"
    );
}

/// A LIST line without its mailbox name: no repair or leniency types it.
const BAD_LIST: &[u8] = b"* LIST (\\HasNoChildren) \"/\"\r\n";

fn list_all() -> CommandBody {
    use crate::types::ListPattern;
    CommandBody::List {
        reference: ListPattern::new("").unwrap(),
        patterns: vec![ListPattern::new("*").unwrap()],
        selection: Vec::new(),
        return_options: Vec::new(),
    }
}

fn status(name: &str) -> CommandBody {
    CommandBody::Status {
        mailbox: super::mailbox(name),
        attrs: vec![crate::types::StatusAttr::Messages],
    }
}

/// The typed mailbox names of LIST data.
fn list_names(data: &[ServerData]) -> Vec<String> {
    data.iter()
        .filter_map(|d| match d {
            ServerData::List(info) => Some(info.name.as_str().to_owned()),
            _ => None,
        })
        .collect()
}

#[test]
fn an_untypeable_list_line_is_reported_with_the_list_it_answers() {
    let reply = format!(
        "* LIST () \"/\" INBOX\r\n{}* LIST () \"/\" Sent\r\n",
        String::from_utf8_lossy(BAD_LIST)
    );
    // Whole, byte by byte and in random pieces alike; the next response is still typed.
    let (outcome, _, events) = super::real_world::transcript_with_events(list_all(), &reply);
    assert_eq!(events, Vec::new(), "not an unsolicited event");
    assert_eq!(list_names(&outcome.data), ["INBOX", "Sent"]);
    assert_eq!(outcome.unparsed.len(), 1);
    assert_eq!(outcome.unparsed[0].raw, BAD_LIST);
    assert!(!outcome.unparsed[0].error.is_empty());
    // The call's result says it is incomplete, carrying both parts.
    let expected =
        IncompleteReply::new(outcome.data.clone(), outcome.unparsed.clone(), None, "done");
    assert_eq!(
        outcome.into_result().map(|_| ()).map_err(|e| e.to_string()),
        Err(ProtoError::Incomplete(Box::new(expected)).to_string())
    );
}

#[test]
fn an_incomplete_reply_keeps_every_part_of_the_outcome() {
    let (outcome, _, _) = super::real_world::transcript_with_events(
        list_all(),
        &format!(
            "* LIST () \"/\" INBOX\r\n{}",
            String::from_utf8_lossy(BAD_LIST)
        ),
    );
    let reply = match outcome.clone().into_result() {
        Err(ProtoError::Incomplete(reply)) => Some(*reply),
        _ => None,
    };
    assert_eq!(
        reply,
        Some(IncompleteReply::new(
            outcome.data,
            outcome.unparsed,
            None,
            "done"
        ))
    );
}

#[test]
fn untypeable_responses_of_other_commands_go_to_the_command_that_claims_their_keyword() {
    // One command of each kind, its untypeable response: the reply keeps it.
    let cases: [(CommandBody, &str); 3] = [
        (
            CommandBody::Search {
                uid: false,
                charset: None,
                criteria: crate::types::SearchKey::All,
                return_options: None,
            },
            "* SEARCH 1 two 3\r\n",
        ),
        (status("INBOX"), "* STATUS INBOX (MESSAGES\r\n"),
        (CommandBody::Namespace, "* NAMESPACE ((\"\" \"/\")\r\n"),
    ];
    for (command, line) in cases {
        let (outcome, _, events) = super::real_world::transcript_with_events(command, line);
        assert_eq!(events, Vec::new(), "{line}");
        let raws: Vec<&[u8]> = outcome.unparsed.iter().map(|u| &u.raw[..]).collect();
        assert_eq!(raws, [line.as_bytes()], "{line}");
        assert_eq!(outcome.data, Vec::new(), "{line}");
    }
}

/// The outcome of command `id` among `events`' completions.
fn outcome_of(events: &[SessionEvent], id: crate::proto::session::CommandId) -> CommandOutcome {
    events
        .iter()
        .find_map(|e| match e {
            SessionEvent::Completed { id: i, outcome } if *i == id => Some(outcome.clone()),
            _ => None,
        })
        .unwrap_or_else(|| CommandOutcome::ok_with(Vec::new(), None))
}

/// STATUS of INBOX and of Drafts pipelined, answered by `reply`: the events and both ids.
fn two_statuses(
    reply: &str,
) -> (
    Vec<SessionEvent>,
    crate::proto::session::CommandId,
    crate::proto::session::CommandId,
) {
    let mut s = greeted("* PREAUTH ready\r\n");
    let inbox = s.submit(status("INBOX"), DataMode::Collect).unwrap();
    let drafts = s.submit(status("Drafts"), DataMode::Collect).unwrap();
    sent(&mut s);
    (feed(&mut s, reply), inbox, drafts)
}

#[test]
fn an_untypeable_status_goes_to_the_status_of_its_mailbox() {
    let (events, inbox, drafts) = two_statuses(
        "* STATUS INBOX (MESSAGES 1)\r\n* STATUS Drafts (MESSAGES\r\nA1 OK done\r\nA2 OK done\r\n",
    );
    let unparsed_of = |id| {
        outcome_of(&events, id)
            .unparsed
            .iter()
            .map(|u| u.raw.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        outcome_of(&events, drafts).kind,
        CommandKind::Status {
            mailbox: super::mailbox("Drafts")
        }
    );
    assert_eq!(unparsed_of(inbox), Vec::<Vec<u8>>::new());
    assert_eq!(
        unparsed_of(drafts),
        [b"* STATUS Drafts (MESSAGES\r\n".to_vec()]
    );
    assert_eq!(outcome_of(&events, inbox).data.len(), 1);
}

#[test]
fn an_untypeable_status_whose_mailbox_cannot_be_read_goes_to_the_first_status() {
    let (events, inbox, drafts) = two_statuses(
        "* STATUS \"Dra\r\nA1 OK done\r\n* STATUS Drafts (MESSAGES 4)\r\nA2 OK done\r\n",
    );
    assert_eq!(outcome_of(&events, inbox).unparsed.len(), 1);
    assert_eq!(outcome_of(&events, drafts).unparsed.len(), 0);
    assert_eq!(outcome_of(&events, drafts).data.len(), 1);
}

#[test]
fn a_refused_command_hands_its_untypeable_responses_on_as_events() {
    let mut s = greeted("* PREAUTH ready\r\n");
    s.submit(list_all(), DataMode::Collect).unwrap();
    sent(&mut s);
    let mut input = BAD_LIST.to_vec();
    input.extend_from_slice(b"A1 NO list failed\r\n");
    let events = feed(&mut s, std::str::from_utf8(&input).unwrap());
    let raws: Vec<&[u8]> = events
        .iter()
        .filter_map(|e| match e {
            SessionEvent::Unsolicited(TypedEvent::Unparsed(u)) => Some(&u.raw[..]),
            _ => None,
        })
        .collect();
    assert_eq!(raws, [BAD_LIST]);
    let outcome = completed(&events);
    assert_eq!(outcome.completion, Completion::No);
    assert_eq!(outcome.unparsed, Vec::new());
    assert_eq!(events.len(), 2, "{events:?}");
    // The completion first: the event that ends the command comes when it leaves the session.
    assert!(
        matches!(events[0], SessionEvent::Completed { .. }),
        "{events:?}"
    );
}

#[test]
fn an_untypeable_response_no_command_claims_is_an_event() {
    let mut s = greeted("* PREAUTH ready\r\n");
    s.submit(list_all(), DataMode::Collect).unwrap();
    sent(&mut s);
    let events = feed(&mut s, "* SEARCH 1 two\r\nA1 OK done\r\n");
    let outcome = completed(&events);
    assert_eq!(outcome.unparsed, Vec::new());
    let first = match &events[0] {
        SessionEvent::Unsolicited(TypedEvent::Unparsed(u)) => Some(u.raw.clone()),
        _ => None,
    };
    assert_eq!(first, Some(b"* SEARCH 1 two\r\n".to_vec()), "{events:?}");
    assert_eq!(events.len(), 2, "{events:?}");
}

#[test]
fn untypeable_responses_count_towards_the_collected_bytes_cap() {
    let mut s = Session::new(crate::proto::session::SessionConfig {
        max_collected_bytes: BAD_LIST.len() as u64 - 1,
        ..Default::default()
    });
    feed(&mut s, "* PREAUTH ready\r\n");
    let id = s.submit(list_all(), DataMode::Collect).unwrap();
    sent(&mut s);
    let mut input = BAD_LIST.to_vec();
    input.extend_from_slice(b"A1 OK done\r\n");
    let events = feed(&mut s, std::str::from_utf8(&input).unwrap());
    assert!(
        matches!(
            &events[..],
            [SessionEvent::Failed { id: i, error: ProtoError::ReplyTooLarge { .. } }] if *i == id
        ),
        "{events:?}"
    );
}

#[test]
fn an_untypeable_numbered_response_that_is_no_fetch_stays_untyped() {
    // `* 4 EXPUNGE x` has a number like `* 4 FETCH`, but only FETCH becomes a FetchResponse.
    let line = "* 4 EXPUNGE x\r\n";
    let (outcome, _, events) =
        super::real_world::transcript_with_events(CommandBody::Expunge, line);
    assert_eq!(events, Vec::new());
    assert_eq!(outcome.data, Vec::new());
    let raws: Vec<&[u8]> = outcome.unparsed.iter().map(|u| &u.raw[..]).collect();
    assert_eq!(raws, [line.as_bytes()]);
}
