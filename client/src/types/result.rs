//! Typed results of commands that report more than OK: COPY, MOVE, STORE, EXPUNGE, APPEND.

use super::response::{FetchResponse, SeqRange};

/// What COPY / UID COPY reported (UIDPLUS `[COPYUID ...]`, RFC 4315).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct CopyResult {
    /// UIDVALIDITY of the destination mailbox; `None` without UIDPLUS.
    pub uid_validity: Option<u32>,
    /// UIDs of the copied messages in the source mailbox, in order.
    pub source_uids: Vec<SeqRange>,
    /// Their new UIDs in the destination, in the same order.
    pub destination_uids: Vec<SeqRange>,
}

/// What MOVE / UID MOVE reported (RFC 6851): the copy and the expunges it caused.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct MoveResult {
    /// The `[COPYUID ...]` part.
    pub copy: CopyResult,
    /// Sequence numbers expunged from the source, in the order reported (each applies after
    /// the previous ones, as EXPUNGE responses do).
    pub expunged: Vec<u32>,
    /// UIDs reported as VANISHED instead (QRESYNC enabled).
    pub vanished: Vec<SeqRange>,
}

/// What STORE / UID STORE reported.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct StoreResult {
    /// The new flags of each changed message (empty with `.SILENT`).
    pub fetches: Vec<FetchResponse>,
    /// CONDSTORE `[MODIFIED ...]`: messages not changed because they changed since
    /// `UNCHANGEDSINCE`.
    pub modified: Vec<SeqRange>,
}

/// What EXPUNGE / UID EXPUNGE reported.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct ExpungeResult {
    /// Sequence numbers, in the order reported (each applies after the previous ones).
    pub expunged: Vec<u32>,
    /// UIDs reported as VANISHED instead (QRESYNC enabled).
    pub vanished: Vec<SeqRange>,
}

/// What APPEND reported (UIDPLUS `[APPENDUID ...]`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js"),
    derive(tsify::Tsify),
    serde(rename_all = "camelCase")
)]
pub struct AppendResult {
    /// UIDVALIDITY of the mailbox; `None` without UIDPLUS.
    pub uid_validity: Option<u32>,
    /// The UIDs of the appended messages.
    pub uids: Vec<SeqRange>,
}
