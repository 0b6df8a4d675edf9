//! Responses that do not parse are kept whole ([`Unparsed`]), in the result of the FETCH they
//! answer or as an event — never dropped — and the session stays in sync.

use super::{completed, feed, fetch, greeted, select, sent};
use crate::proto::command::CommandBody;
use crate::proto::session::{Completion, DataMode, Session, SessionEvent};
use crate::types::response::{FetchResponse, ServerData};
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
