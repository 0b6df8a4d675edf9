//! The owned public response model: what commands return and events carry.
//!
//! Plain `String` / `Vec<u8>` / integers, optional serde, `#[non_exhaustive]` where servers may
//! add things, and `Other` escape hatches that keep unknown data instead of failing. Values
//! are built from the borrowed protocol model ([`crate::proto::response`]) by its
//! `into_owned` methods; this module never parses server bytes itself.
//!
//! Text that servers send as header values (envelope fields, body parameters) is kept as
//! sent, decoded as lossy UTF-8; encoded words (RFC 2047) are decoded only on request
//! ([`decode_rfc2047`], [`Envelope::subject_decoded`], [`Address::display_name`]).

mod acl;
mod body;
mod data;
mod envelope;
mod fetch;
mod incomplete;
mod mailbox;
mod metadata;
mod namespace;
mod quota;
mod rfc2047;
mod search;
mod status;
mod unparsed;

pub use acl::{Acl, AclEntry, ListRights, MyRights};
pub use body::{
    BodyDisposition, BodyExtension, BodyFields, BodyStructure, MultiPart, SinglePart,
    SinglePartKind,
};
pub use data::{ESearch, ServerData};
pub use envelope::{Address, Envelope};
pub use fetch::{BinarySize, BodySection, FetchResponse, GmailItems, OtherItem};
pub use incomplete::IncompleteReply;
pub use mailbox::{MailboxAttribute, MailboxInfo, MailboxStatus, SelectedMailbox};
pub use metadata::{Metadata, MetadataEntries, MetadataEntry, MetadataValues};
pub use namespace::{Namespace, NamespaceDescr};
pub use quota::{Quota, QuotaResource, QuotaResourceName, QuotaRoot, QuotaRootInfo};
pub use rfc2047::decode_rfc2047;
pub use search::{MAX_EXPANDED_IDS, SeqRange, Thread, TooManyIds};
pub use status::ResponseCode;
pub use unparsed::Unparsed;
