//! Validated request newtypes and the owned response model.
//!
//! Constructors validate their input and return [`InvalidInput`] for anything
//! that could inject protocol text (CR, LF, NUL, …): an invalid request is unrepresentable.

mod acl;
mod append;
mod atom;
mod auth_mechanism;
mod condstore;
mod date;
mod datetime;
mod event;
mod fetch_attr;
mod flag;
mod gmail;
mod invalid;
#[cfg(all(target_arch = "wasm32", feature = "js"))]
pub(crate) mod js_serde;
mod list_options;
mod mailbox;
mod metadata;
mod notify;
mod object_id;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests;
pub(crate) mod quirk;
pub(crate) mod quoted;
pub mod response;
mod result;
mod search;
mod search_options;
mod search_result;
mod secret;
mod section;
mod sequence;
mod special_use;
mod status_attr;
mod store_kind;
mod string;
mod tag;

pub use acl::{AclModification, AclRights};
pub use append::AppendMessage;
pub use atom::ImapAtom;
pub use auth_mechanism::AuthMechanism;
pub use condstore::{ChangedSince, ModSeqSearch, QResyncParams, ResyncedMailbox};
pub use date::ImapDate;
pub use datetime::{ImapDateTime, ServerDateTime};
pub use event::{IdleEvent, StatusKind, TypedEvent};
pub use fetch_attr::FetchAttr;
pub use flag::Flag;
pub use gmail::GmailLabel;
pub use invalid::InvalidInput;
pub use list_options::{ListEntry, ListOptions, ListPattern, ListReturnOption, ListSelectOption};
pub use mailbox::MailboxName;
pub use metadata::{GetMetadataOptions, MetadataDepth, MetadataEntry};
pub use notify::{MailboxFilter, NotifyEvent, NotifyEventGroup, NotifySetParams};
pub use object_id::ObjectId;
pub use quirk::{Quirk, QuirkCounts};
pub use response::{
    Address, BodyStructure, Envelope, FetchResponse, MailboxAttribute, MailboxInfo, MailboxStatus,
    ResponseCode, SelectedMailbox,
};
pub use result::{AppendResult, CopyResult, ExpungeResult, MoveResult, StoreResult};
pub use search::{EntryKind, ModSeqEntry, SearchKey};
pub use search_options::{SearchReturnOption, SortCriterion, SortKey, ThreadAlgorithm};
pub use search_result::ESearchResult;
pub use secret::Secret;
pub use section::{HeaderName, Section, SectionText};
pub use sequence::{ModSeq, SeqNumber, SequenceItem, SequenceSet};
pub use special_use::SpecialUse;
pub use status_attr::StatusAttr;
pub use store_kind::StoreKind;
pub use string::ImapString;
pub use tag::Tag;

pub(crate) use atom::{is_astring_char, is_atom_char};
