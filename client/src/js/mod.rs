//! The JavaScript/TypeScript facade of the npm package `daaki-imap` (wasm32 + feature `js`).
//!
//! A thin layer over [`ImapConnection`](crate::ImapConnection): it converts arguments from JS
//! values to the crate's validated types, calls the Rust method, and converts the typed result
//! into plain JS objects (`Uint8Array` for bytes, `Date` for dates, camelCase keys). It holds
//! no protocol logic — every command, limit and check is the Rust API's.
//!
//! | module | owns |
//! | --- | --- |
//! | `client` | the `ImapClient` class: `connect` and one camelCase async method per Rust method |
//! | `args` | what JS passes in (connect/call options, fetch items, search keys, NOTIFY params) |
//! | `read` | reading JS values into those types by hand (`FromJs`; no serde on the way in) |
//! | `types` | what JS gets back (messages, mailboxes, results, events) |
//! | `errors` | `ImapError`: a JS `Error` with a stable `code` and the IMAP response code |
//! | `stream` | async iterators: streaming FETCH and the event stream |
//! | `ext` | the extension methods (ESEARCH, SORT, THREAD, LIST-EXTENDED, QRESYNC, ACL, QUOTA, METADATA, …) and their types |
//!
//! TypeScript definitions come from the Rust types here (`tsify` derives and wasm-bindgen's
//! signatures); nothing in the package's `.d.ts` is written by hand.

pub mod args;
mod client;
pub mod errors;
pub mod ext;
mod read;
pub mod stream;
pub mod types;

pub use client::ImapClient;
pub use errors::{ErrorCode, ImapErrorFields, is_imap_error};
pub use stream::{EventStream, FetchStream};
