//! Validated request newtypes and the owned response model.
//!
//! Constructors validate their input and return [`InvalidInput`] for anything
//! that could inject protocol text (CR, LF, NUL, …): an invalid request is unrepresentable.

mod atom;
mod condstore;
mod date;
mod datetime;
mod event;
mod fetch_attr;
mod flag;
mod invalid;
mod list_options;
mod mailbox;
mod object_id;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests;
pub mod response;
mod result;
mod search;
mod search_result;
mod secret;
mod section;
mod sequence;
mod status_attr;
mod string;
mod tag;

/// Command arguments of the search, sort, thread and mailbox extensions, re-exported here
/// next to the other request types.
pub use crate::proto::command::{
    ListReturnOption, ListSelectOption, SearchReturnOption, SortCriterion, SortKey, SpecialUse,
    ThreadAlgorithm,
};
pub use atom::ImapAtom;
pub use condstore::{ChangedSince, ModSeqSearch, ResyncedMailbox};
pub use date::ImapDate;
pub use datetime::{ImapDateTime, ServerDateTime};
pub use event::{IdleEvent, StatusKind, TypedEvent};
pub use fetch_attr::FetchAttr;
pub use flag::Flag;
pub use invalid::InvalidInput;
pub use list_options::{ListEntry, ListOptions};
pub use mailbox::MailboxName;
pub use object_id::ObjectId;
pub use response::{
    Address, BodyStructure, Envelope, FetchResponse, MailboxAttribute, MailboxInfo, MailboxStatus,
    ResponseCode, SelectedMailbox,
};
pub use result::{AppendResult, CopyResult, ExpungeResult, MoveResult, StoreResult};
pub use search::{EntryKind, ModSeqEntry, SearchKey};
pub use search_result::ESearchResult;
pub use secret::Secret;
pub use section::{HeaderName, Section, SectionText};
pub use sequence::{ModSeq, SeqNumber, SequenceItem, SequenceSet};
pub use status_attr::StatusAttr;
pub use string::ImapString;
pub use tag::Tag;

pub(crate) use atom::{is_astring_char, is_atom_char};
