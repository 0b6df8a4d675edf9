//! The owned public response model: what commands return and events carry.
//!
//! Plain `String` / `Vec<u8>` / integers, optional serde, `#[non_exhaustive]` where servers may
//! add things, and `Other` escape hatches that keep unknown data instead of failing. Values
//! are built from the borrowed protocol model ([`crate::proto::response`]) by its
//! `into_owned` methods; this module never parses server bytes itself.
//!
//! Text that servers send as header values (envelope fields, body parameters) is kept as
//! sent, decoded as lossy UTF-8; encoded words (RFC 2047) are not decoded here.

mod body;
mod envelope;
mod fetch;
mod mailbox;
mod search;
mod status;

pub use body::{
    BodyDisposition, BodyExtension, BodyFields, BodyStructure, MultiPart, SinglePart,
    SinglePartKind,
};
pub use envelope::{Address, Envelope};
pub use fetch::{BinarySize, BodySection, FetchResponse, OtherItem};
pub use mailbox::{MailboxAttribute, MailboxInfo, MailboxStatus, SelectedMailbox};
pub use search::{SeqRange, Thread};
pub use status::ResponseCode;
