//! From a [`CommandOutcome`] to the typed result callers get — the one place where the two
//! dialects meet: a rev2 server answers SEARCH with ESEARCH, lists with LIST where rev1 had
//! LSUB, sends no RECENT; callers see the same types either way.
//!
//! Every function here is pure and takes an outcome that already completed with OK.

use super::CommandOutcome;
use crate::types::response::{
    FetchResponse, MailboxInfo, MailboxStatus, ResponseCode, SelectedMailbox, SeqRange, ServerData,
};
use crate::types::{AppendResult, CopyResult, ExpungeResult, MoveResult, StoreResult};
use crate::{Error, Result};

/// The most numbers a compact `ALL 1:n` answer may expand to (16 Mi, 64 MiB of `u32`): a
/// server cannot make the client allocate without bound.
pub const MAX_EXPANDED_IDS: u64 = 16 * 1024 * 1024;

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
                    expand_into(all, &mut ids)?;
                }
            }
            _ => {}
        }
    }
    Ok(ids)
}

/// Expands ranges into numbers, refusing more than [`MAX_EXPANDED_IDS`].
pub fn expand_into(ranges: &[SeqRange], out: &mut Vec<u32>) -> Result<()> {
    let total: u64 = ranges
        .iter()
        .map(|r| u64::from(r.end.saturating_sub(r.start)) + 1)
        .sum::<u64>()
        + out.len() as u64;
    if total > MAX_EXPANDED_IDS {
        return Err(Error::ReplyTooLarge {
            limit: MAX_EXPANDED_IDS * 4,
        });
    }
    out.reserve(total as usize - out.len());
    for r in ranges {
        out.extend(r.iter());
    }
    Ok(())
}

/// LIST / LSUB: the mailboxes, in the server's order.
pub fn mailboxes(outcome: CommandOutcome) -> Vec<MailboxInfo> {
    outcome
        .data
        .into_iter()
        .filter_map(|d| match d {
            ServerData::List(info) | ServerData::Lsub(info) => Some(info),
            _ => None,
        })
        .collect()
}

/// STATUS: the mailbox's status (empty if the server sent none).
pub fn status(outcome: CommandOutcome) -> MailboxStatus {
    outcome
        .data
        .into_iter()
        .find_map(|d| match d {
            ServerData::Status(s) => Some(s),
            _ => None,
        })
        .unwrap_or_default()
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
    use crate::proto::session::{CommandKind, Completion};

    fn outcome(data: Vec<ServerData>, code: Option<ResponseCode>) -> CommandOutcome {
        CommandOutcome {
            kind: CommandKind::Noop,
            completion: Completion::Ok,
            code,
            text: String::new(),
            data,
        }
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
        assert!(matches!(search_ids(&o), Err(Error::ReplyTooLarge { .. })));
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
}
