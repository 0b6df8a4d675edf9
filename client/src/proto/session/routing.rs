//! Which untagged data belongs to which command.
//!
//! IMAP has no correlation between untagged data and the command that caused it (except the
//! ESEARCH `TAG` correlator). The rules here follow the RFCs' descriptions of each command's
//! responses: a command claims the kinds of data it is defined to produce — FETCH claims
//! `FETCH` data for messages in its set, SELECT claims `FLAGS`/`EXISTS`/`RECENT` and the
//! mailbox codes, EXPUNGE claims `EXPUNGE`/`VANISHED`, … Data no running command claims is an
//! unsolicited event. With several commands in flight, the oldest one that claims data gets
//! it; RFC 3501 §5.5 forbids pipelining commands whose untagged data would be ambiguous, and
//! the connection layer follows that rule.

use crate::proto::command::{CommandBody, NotifyCommand};
use crate::proto::parse::core::astring;
use crate::proto::parse::noted_quirks::{noted_quirks, restore_noted_quirks};
use crate::proto::response::{Code, Data, FetchItem, IString};
use crate::types::response::Unparsed;
use crate::types::{MailboxName, SeqNumber, SequenceItem, SequenceSet};

/// What kind of command is in flight, with what routing and state changes need to know.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommandKind {
    /// CAPABILITY
    Capability,
    /// NOOP
    Noop,
    /// LOGOUT
    Logout,
    /// STARTTLS
    StartTls,
    /// LOGIN
    Login,
    /// AUTHENTICATE
    Authenticate,
    /// SELECT or EXAMINE.
    Select {
        /// The mailbox being selected.
        mailbox: MailboxName,
        /// EXAMINE (read-only).
        examine: bool,
    },
    /// CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, SETQUOTA, SETACL, DELETEACL,
    /// SETMETADATA, CHECK: commands whose only result is the completion.
    Simple(&'static str),
    /// LIST
    List,
    /// LSUB
    Lsub,
    /// NAMESPACE
    Namespace,
    /// STATUS
    Status {
        /// The mailbox asked about: only STATUS data for it belongs to this command.
        mailbox: MailboxName,
    },
    /// APPEND (one message or MULTIAPPEND)
    Append,
    /// IDLE
    Idle,
    /// CLOSE
    Close,
    /// UNSELECT
    Unselect,
    /// EXPUNGE or UID EXPUNGE
    Expunge,
    /// SEARCH / UID SEARCH
    Search {
        /// UID SEARCH
        uid: bool,
    },
    /// FETCH / UID FETCH
    Fetch {
        /// UID FETCH
        uid: bool,
        /// The requested set (data for other messages is not this command's).
        set: SequenceSet,
    },
    /// STORE / UID STORE
    Store {
        /// UID STORE
        uid: bool,
        /// The messages being changed.
        set: SequenceSet,
    },
    /// COPY / UID COPY
    Copy,
    /// MOVE / UID MOVE
    Move,
    /// SORT / UID SORT
    Sort,
    /// THREAD / UID THREAD
    Thread,
    /// ENABLE
    Enable,
    /// ID
    Id,
    /// NOTIFY
    Notify {
        /// `NOTIFY SET` with at least one event group (events on); `false` for `NOTIFY NONE`.
        active: bool,
    },
    /// GETMETADATA
    GetMetadata,
    /// GETQUOTA
    GetQuota,
    /// GETQUOTAROOT
    GetQuotaRoot,
    /// GETACL
    GetAcl,
    /// LISTRIGHTS
    ListRights,
    /// MYRIGHTS
    MyRights,
    /// COMPRESS
    Compress,
    /// UNAUTHENTICATE
    Unauthenticate,
}

impl CommandKind {
    /// The kind of `body`.
    pub fn of(body: &CommandBody) -> Self {
        use CommandBody as C;
        match body {
            C::Capability => Self::Capability,
            C::Noop => Self::Noop,
            C::Logout => Self::Logout,
            C::StartTls => Self::StartTls,
            C::Login { .. } => Self::Login,
            C::Authenticate { .. } => Self::Authenticate,
            C::Select { mailbox, .. } => Self::Select {
                mailbox: mailbox.clone(),
                examine: false,
            },
            C::Examine { mailbox, .. } => Self::Select {
                mailbox: mailbox.clone(),
                examine: true,
            },
            C::Create { .. } => Self::Simple("CREATE"),
            C::Delete(_) => Self::Simple("DELETE"),
            C::Rename { .. } => Self::Simple("RENAME"),
            C::Subscribe(_) => Self::Simple("SUBSCRIBE"),
            C::Unsubscribe(_) => Self::Simple("UNSUBSCRIBE"),
            C::List { .. } => Self::List,
            C::Lsub { .. } => Self::Lsub,
            C::XList { .. } => Self::List,
            C::Namespace => Self::Namespace,
            C::Status { mailbox, .. } => Self::Status {
                mailbox: mailbox.clone(),
            },
            C::Append { .. } => Self::Append,
            C::Idle => Self::Idle,
            C::Check => Self::Simple("CHECK"),
            C::Close => Self::Close,
            C::Unselect => Self::Unselect,
            C::Expunge | C::UidExpunge(_) => Self::Expunge,
            C::Search { uid, .. } => Self::Search { uid: *uid },
            C::Fetch { uid, set, .. } => Self::Fetch {
                uid: *uid,
                set: set.clone(),
            },
            C::Store { uid, set, .. } | C::StoreGmailLabels { uid, set, .. } => Self::Store {
                uid: *uid,
                set: set.clone(),
            },
            C::Copy { .. } => Self::Copy,
            C::Move { .. } => Self::Move,
            C::Sort { .. } => Self::Sort,
            C::Thread { .. } => Self::Thread,
            C::Enable(_) => Self::Enable,
            C::Id(_) => Self::Id,
            C::Notify(notify) => Self::Notify {
                active: matches!(notify, NotifyCommand::Set(p) if !p.groups.is_empty()),
            },
            C::GetMetadata { .. } => Self::GetMetadata,
            C::SetMetadata { .. } => Self::Simple("SETMETADATA"),
            C::GetQuota(_) => Self::GetQuota,
            C::GetQuotaRoot(_) => Self::GetQuotaRoot,
            C::SetQuota { .. } => Self::Simple("SETQUOTA"),
            C::GetAcl(_) => Self::GetAcl,
            C::SetAcl { .. } => Self::Simple("SETACL"),
            C::DeleteAcl { .. } => Self::Simple("DELETEACL"),
            C::ListRights { .. } => Self::ListRights,
            C::MyRights(_) => Self::MyRights,
            C::Compress => Self::Compress,
            C::Unauthenticate => Self::Unauthenticate,
        }
    }

    /// Whether this command claims the untagged `data`. `tag` is the command's own tag (for
    /// the ESEARCH correlator).
    pub(crate) fn claims(&self, data: &Data<'_>, tag: &str) -> bool {
        match (self, data) {
            (Self::Capability, Data::Capability(_)) => true,
            (
                Self::Select { .. },
                Data::Flags(_) | Data::Exists(_) | Data::Recent(_) | Data::Vanished(_),
            ) => true,
            // QRESYNC: SELECT reports flag changes since the known mod-sequence as FETCH.
            (Self::Select { .. }, Data::Fetch(_)) => true,
            // IMAP4rev2 (RFC 9051 §6.3.2): SELECT sends a LIST of the mailbox itself (only
            // that one, so a pipelined LIST keeps its data).
            (Self::Select { mailbox, .. }, Data::List(l)) => same_mailbox(mailbox, &l.name),
            // XLIST's answers are XLIST data (the command only runs as `Self::List`).
            (Self::List, Data::List(_) | Data::XList(_) | Data::Status(_)) => true,
            (Self::Lsub, Data::Lsub(_)) => true,
            (Self::Namespace, Data::Namespace(_)) => true,
            // Several STATUS may be pipelined, and NOTIFY sends STATUS data of its own: the
            // mailbox name decides, not the order.
            (Self::Status { mailbox }, Data::Status(s)) => same_mailbox(mailbox, &s.mailbox),
            (Self::Expunge | Self::Move, Data::Expunge(_)) => true,
            (Self::Expunge | Self::Move, Data::Vanished(v)) => !v.earlier,
            (Self::Search { .. }, Data::Search(_)) => true,
            (Self::Search { .. } | Self::Sort, Data::ESearch(e)) => match &e.tag {
                Some(t) => t.to_bytes().as_ref() == tag.as_bytes(),
                None => true,
            },
            (Self::Sort, Data::Sort(_)) => true,
            (Self::Thread, Data::Thread(_)) => true,
            (Self::Fetch { uid, set }, Data::Fetch(f)) => fetch_in_set(*uid, set, f.seq, &f.items),
            // UID FETCH ... (CHANGEDSINCE n VANISHED) reports expunged UIDs with (EARLIER).
            (Self::Fetch { uid: true, .. }, Data::Vanished(v)) => v.earlier,
            (Self::Store { uid, set }, Data::Fetch(f)) => fetch_in_set(*uid, set, f.seq, &f.items),
            (Self::Enable, Data::Enabled(_)) => true,
            (Self::Id, Data::Id(_)) => true,
            (Self::GetMetadata, Data::Metadata(_)) => true,
            (Self::GetQuota, Data::Quota(_)) => true,
            (Self::GetQuotaRoot, Data::QuotaRoot(_) | Data::Quota(_)) => true,
            (Self::GetAcl, Data::Acl(_)) => true,
            (Self::ListRights, Data::ListRights(_)) => true,
            (Self::MyRights, Data::MyRights(_)) => true,
            _ => false,
        }
    }

    /// Whether a response that did not parse ([`UnparsedHead`]: what can still be read of
    /// it) belongs to this command: the same kinds of data [`claims`](Self::claims) routes
    /// here, told by keyword, where the details that would narrow it down could not be read.
    /// A FETCH or STORE by sequence number takes an untyped `* n FETCH` when `n` is in its
    /// set; a UID FETCH or UID STORE, and SELECT (QRESYNC's flag changes), whatever the
    /// number — the UID cannot be read, and RFC 3501 §5.5 keeps commands that claim FETCH data
    /// from running together ([`CommandKind::conflicts_with`]). A STATUS takes an untyped
    /// `* STATUS` whose mailbox is its own, or whose mailbox cannot be read either. SELECT
    /// does not take an untyped `* LIST` (it claims only its own mailbox's, which cannot be
    /// told).
    pub(crate) fn claims_unparsed(&self, head: &UnparsedHead<'_>) -> bool {
        let is = |keyword: &str| head.keyword.eq_ignore_ascii_case(keyword);
        match self {
            Self::Fetch { uid, set } | Self::Store { uid, set } if is("FETCH") => {
                head.number.is_some_and(|seq| *uid || in_set(set, seq))
            }
            Self::Fetch { uid: true, .. } => is("VANISHED"),
            Self::Select { .. } => {
                (is("FETCH") && head.number.is_some())
                    || ["FLAGS", "EXISTS", "RECENT", "VANISHED"]
                        .into_iter()
                        .any(is)
            }
            Self::List => is("LIST") || is("XLIST") || is("STATUS"),
            Self::Lsub => is("LSUB"),
            Self::Namespace => is("NAMESPACE"),
            Self::Status { mailbox } => {
                is("STATUS")
                    && head
                        .mailbox
                        .as_ref()
                        .is_none_or(|wire| same_mailbox(mailbox, wire))
            }
            Self::Expunge | Self::Move => is("EXPUNGE") || is("VANISHED"),
            Self::Search { .. } => is("SEARCH") || is("ESEARCH"),
            Self::Sort => is("SORT") || is("ESEARCH"),
            Self::Thread => is("THREAD"),
            Self::Capability => is("CAPABILITY"),
            Self::Enable => is("ENABLED"),
            Self::Id => is("ID"),
            Self::GetMetadata => is("METADATA"),
            Self::GetQuota => is("QUOTA"),
            Self::GetQuotaRoot => is("QUOTAROOT") || is("QUOTA"),
            Self::GetAcl => is("ACL"),
            Self::ListRights => is("LISTRIGHTS"),
            Self::MyRights => is("MYRIGHTS"),
            _ => false,
        }
    }

    /// Whether `self` and `other` may not be in flight together because their untagged data
    /// could not be told apart (RFC 3501 §5.5): both claim the same kind of data — FETCH
    /// responses (SELECT, FETCH, STORE), search results (SEARCH, SORT), THREAD, EXPUNGE
    /// (EXPUNGE, MOVE), STATUS of the same mailbox (or any with LIST, which may carry
    /// LIST-STATUS data), LIST, LSUB, and so on. Such a command waits until the other completes;
    /// commands that claim different data still leave in one write.
    pub fn conflicts_with(&self, other: &CommandKind) -> bool {
        use CommandKind as K;
        let group = |k: &CommandKind| -> Option<u8> {
            Some(match k {
                K::Select { .. } | K::Fetch { .. } | K::Store { .. } => 1,
                K::Search { .. } | K::Sort => 2,
                K::Thread => 3,
                K::Expunge | K::Move => 4,
                K::List | K::Status { .. } => 5,
                K::Lsub => 6,
                K::Capability => 7,
                K::Namespace => 8,
                K::Enable => 9,
                K::Id => 10,
                K::GetQuota | K::GetQuotaRoot => 11,
                K::GetAcl => 12,
                K::ListRights => 13,
                K::MyRights => 14,
                K::GetMetadata => 15,
                _ => return None,
            })
        };
        match (self, other) {
            // STATUS claims only its own mailbox's data.
            (K::Status { mailbox: a }, K::Status { mailbox: b }) => a == b,
            _ => match (group(self), group(other)) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            },
        }
    }

    /// Whether this command claims an untagged `OK`/`NO`/`BAD` carrying `code`.
    pub(crate) fn claims_code(&self, code: &Code<'_>) -> bool {
        match self {
            Self::Select { .. } => matches!(
                code,
                Code::UidValidity(_)
                    | Code::UidNext(_)
                    | Code::Unseen(_)
                    | Code::PermanentFlags(_)
                    | Code::HighestModSeq(_)
                    | Code::NoModSeq
                    | Code::MailboxId(_)
                    | Code::ReadOnly
                    | Code::ReadWrite
                    // QRESYNC: the previously selected mailbox is closed (RFC 7162 §3.2.11).
                    | Code::Closed
                    // UIDPLUS: the mailbox cannot keep UIDs (RFC 4315 §3).
                    | Code::UidNotSticky
            ),
            // MOVE reports COPYUID in an untagged OK before the expunges (RFC 6851 §4.3).
            Self::Move => matches!(code, Code::CopyUid { .. }),
            _ => false,
        }
    }
}

/// What routing can still read of a response that did not parse: its keyword, its number
/// (`* n FETCH`) and, for `* STATUS`, its mailbox name when that much parses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnparsedHead<'a> {
    keyword: &'a str,
    number: Option<u32>,
    mailbox: Option<IString<'a>>,
}

impl<'a> UnparsedHead<'a> {
    /// The head of `unparsed`; `None` when it does not start like an untagged response
    /// (`* [n SP] keyword`).
    pub(crate) fn read(unparsed: &'a Unparsed) -> Option<Self> {
        let keyword = unparsed.keyword()?;
        let mailbox = if keyword.eq_ignore_ascii_case("STATUS") {
            status_mailbox(&unparsed.raw)
        } else {
            None
        };
        Some(UnparsedHead {
            keyword,
            number: unparsed.number(),
            mailbox,
        })
    }
}

/// The mailbox of `* STATUS mailbox …` when it parses (whatever follows it). The quirks the
/// attempt notes are dropped: this is not the parse of the response.
fn status_mailbox(raw: &[u8]) -> Option<IString<'_>> {
    let start = raw.get(b"* STATUS ".len()..)?;
    let noted = noted_quirks();
    let mut rest = start;
    let name = astring(&mut rest).ok();
    restore_noted_quirks(noted);
    name
}

/// Whether the mailbox name a server sent is `own`. Servers echo the name as sent, but may
/// spell INBOX in another case or (rev2 / UTF8=ACCEPT) in UTF-8 rather than modified UTF-7:
/// the names are compared decoded both ways.
fn same_mailbox(own: &MailboxName, wire: &IString<'_>) -> bool {
    let bytes = wire.to_bytes();
    if bytes.as_ref() == own.to_wire(false).as_bytes() {
        return true;
    }
    [false, true]
        .into_iter()
        .any(|utf8| MailboxName::from_wire(&bytes, utf8).as_str() == own.as_str())
}

/// Whether a FETCH response is for a message of the command's set.
///
/// For UID commands the response's UID item decides: RFC 3501 §6.4.8 and RFC 9051 §6.4.9
/// require the server to include UID in every FETCH response a UID command causes, so a
/// FETCH without UID — a flag change another client made, reported while this command runs —
/// is never a UID command's, whatever its set (even `1:*`). That rule comes first.
/// Then a set with `*` or `$` cannot be resolved without the mailbox state (what `*` stands
/// for, what the saved result holds) and claims every remaining FETCH; any other set claims
/// the FETCH responses for its own numbers only.
fn fetch_in_set(uid: bool, set: &SequenceSet, seq: u32, items: &[FetchItem<'_>]) -> bool {
    let number = if uid {
        match items.iter().find_map(|i| match i {
            FetchItem::Uid(u) => Some(*u),
            _ => None,
        }) {
            Some(u) => u,
            None => return false,
        }
    } else {
        seq
    };
    in_set(set, number)
}

/// Whether `number` may be in `set`: `$` (SEARCHRES) and `*` stand for numbers only the
/// server knows, so they match anything.
fn in_set(set: &SequenceSet, number: u32) -> bool {
    set.is_saved() || set.items().iter().any(has_largest) || set.contains(number, u32::MAX)
}

fn has_largest(item: &SequenceItem) -> bool {
    match item {
        SequenceItem::Single(n) => *n == SeqNumber::Largest,
        SequenceItem::Range(a, b) => *a == SeqNumber::Largest || *b == SeqNumber::Largest,
    }
}

#[cfg(test)]
mod tests;
