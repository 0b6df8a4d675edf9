//! Transcripts of real servers' deviations from the grammar, each from the public bug report
//! or documentation that shows it (named on each test): the typed data is asserted, the
//! command still completes, the next response is still typed, and feeding the bytes one at a
//! time or in random pieces gives the same outcome as one buffer.

mod body;
mod codes;
mod lines;
mod list;
mod misc;
mod strings;

use super::{completed, greeted, sent};
use crate::proto::session::{CommandBody, CommandOutcome, Completion, DataMode, SessionEvent};
use crate::types::response::{FetchResponse, ServerData};
use crate::types::{QuirkCounts, TypedEvent};

/// Plays `reply` (the untagged data answering `command`; its `A1 OK` completion and one more
/// response are added) whole, one byte at a time and in pseudo-random pieces, checks the
/// outcomes are equal, that the command completed OK and that the next response was typed;
/// returns the command's outcome and the quirks the session counted.
fn transcript_of(command: CommandBody, reply: &str) -> (CommandOutcome, QuirkCounts) {
    let (outcome, quirks, events) = transcript_with_events(command, reply);
    assert!(events.is_empty(), "no unsolicited events: {events:?}");
    (outcome, quirks)
}

/// [`transcript_of`], also returning the unsolicited events before the final one.
pub(super) fn transcript_with_events(
    command: CommandBody,
    reply: &str,
) -> (CommandOutcome, QuirkCounts, Vec<TypedEvent>) {
    let input = format!("{reply}A1 OK done\r\n* 7 EXISTS\r\n");
    let play = |pieces: &mut dyn Iterator<Item = &[u8]>| {
        let mut s = greeted("* PREAUTH ready\r\n");
        s.submit(command.clone(), DataMode::Collect).unwrap();
        sent(&mut s);
        let mut events = Vec::new();
        for piece in pieces {
            s.handle_input(piece);
            events.extend(std::iter::from_fn(|| s.poll_event()));
        }
        assert!(
            matches!(
                events.last(),
                Some(SessionEvent::Unsolicited(TypedEvent::Exists(7)))
            ),
            "the next response is typed: {events:?}"
        );
        let unsolicited: Vec<TypedEvent> = events[..events.len() - 1]
            .iter()
            .filter_map(|e| match e {
                SessionEvent::Unsolicited(event) => Some(event.clone()),
                _ => None,
            })
            .collect();
        (completed(&events).clone(), *s.quirks(), unsolicited)
    };
    let whole = play(&mut std::iter::once(input.as_bytes()));
    assert_eq!(whole.0.completion, Completion::Ok);
    assert_eq!(
        play(&mut input.as_bytes().chunks(1)),
        whole,
        "one byte at a time"
    );
    // Deterministic pseudo-random piece lengths (1..=64).
    let mut seed = 0x2545_f491_u32;
    let mut rest = input.as_bytes();
    let mut pieces = Vec::new();
    while !rest.is_empty() {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let n = (1 + (seed >> 16) as usize % 64).min(rest.len());
        pieces.push(&rest[..n]);
        rest = &rest[n..];
    }
    assert_eq!(play(&mut pieces.into_iter()), whole, "random pieces");
    whole
}

/// The FETCH results of an outcome that has only FETCH data.
fn fetches(outcome: CommandOutcome) -> Vec<FetchResponse> {
    outcome
        .data
        .into_iter()
        .map(|d| match d {
            ServerData::Fetch(f) => f,
            other => panic!("only FETCH data expected, got {other:?}"),
        })
        .collect()
}
