//! The JavaScript/TypeScript facade of the npm package `daaki-imap` (wasm32 + feature `js`).
//!
//! A thin layer over [`ImapConnection`](crate::ImapConnection): it converts arguments from JS
//! values to the crate's validated types, calls the Rust method, and serialises the crate's own
//! result types to plain JS objects (`Uint8Array` for bytes, `Date` for dates, camelCase keys;
//! module `ser`). It holds no protocol logic and no copy of the response model — every
//! command, limit, check, result and error message is the Rust API's.
//!
//! Organised like `connection/`: plumbing, then one file per protocol area, each holding its
//! arguments and its `#[wasm_bindgen] impl ImapClient` methods. Area files import plumbing;
//! plumbing never imports an area file.
//!
//! | module | owns |
//! | --- | --- |
//! | `client` | plumbing: the `ImapClient` class, `connect`, the call helper, session commands (CAPABILITY, NOOP, ENABLE, COMPRESS, LOGOUT) |
//! | `args` | plumbing: arguments several areas share (call options, sequence sets, FETCH items, STORE modes, flags) |
//! | `read` | plumbing: reading JS values into argument types by hand (`FromJs`; no serde on the way in) |
//! | `ser` | plumbing: results serialised from `crate::types` (the `serialize_with` helpers, TS names) |
//! | `errors` | plumbing: `ImapError`, a JS `Error` with a stable `code`, the IMAP response code and `Error`'s own message |
//! | `stream` | plumbing: async iterators: streaming FETCH and the event stream |
//! | `mailbox` | SELECT/EXAMINE, LIST/LSUB, LIST-EXTENDED, STATUS, CREATE/DELETE/RENAME, (UN)SUBSCRIBE, UNSELECT, CLOSE |
//! | `message` | FETCH, `fetchStream`, STORE, COPY, MOVE, EXPUNGE, APPEND (MULTIAPPEND, APPENDLIMIT) |
//! | `search` | SEARCH, ESEARCH, SORT/ESORT, THREAD and their keys |
//! | `condstore` | CONDSTORE/QRESYNC, partial FETCH |
//! | `access` | ACL, QUOTA, METADATA, NAMESPACE, ID |
//! | `auth` | LOGIN, AUTHENTICATE (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER), UNAUTHENTICATE |
//! | `notify` | NOTIFY, IDLE, the event queue and `events()` |
//!
//! TypeScript definitions come from the Rust types (`tsify` derives, here and on the result
//! types in `crate::types`, and wasm-bindgen's signatures); nothing in the package's `.d.ts` is
//! written by hand but the two string aliases in `ser`.

pub mod access;
pub mod args;
mod auth;
mod client;
pub mod condstore;
pub mod errors;
pub mod mailbox;
pub mod message;
pub mod notify;
mod read;
pub mod search;
pub(crate) mod ser;
pub mod stream;

pub use client::{ImapClient, QuirkCount};
pub use errors::{ErrorCode, ImapErrorFields, is_imap_error};
pub use stream::{EventStream, FetchStream};
