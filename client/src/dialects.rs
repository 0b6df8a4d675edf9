//! # IMAP4rev1 and IMAP4rev2: what differs, and what callers see
//!
//! daaki-imap speaks IMAP4rev1 (RFC 3501) and IMAP4rev2 (RFC 9051). After LOGIN or
//! AUTHENTICATE (or a PREAUTH greeting) it sends `ENABLE IMAP4rev2` when the server offers
//! it, and `ENABLE UTF8=ACCEPT` (RFC 6855) when that is offered; turn this off with
//! [`ImapConnectionBuilder::enable_imap4rev2`](crate::ImapConnectionBuilder::enable_imap4rev2)`(false)`.
//! A server that refuses ENABLE leaves the session on rev1; login still succeeds.
//!
//! Every call returns the same types on both dialects. The differences, and how each is
//! absorbed:
//!
//! | Area | IMAP4rev1 | IMAP4rev2 / UTF8=ACCEPT | What the API does |
//! |---|---|---|---|
//! | SEARCH results | `* SEARCH 2 3 5` | `* ESEARCH (TAG "A4") ALL 2:3,5` | [`search`](crate::ImapConnection::search) / `uid_search` return the same `Vec<u32>` (ranges expanded, at most 16 Mi numbers) |
//! | Subscriptions | `LSUB` | no LSUB; `LIST (SUBSCRIBED)` | [`lsub`](crate::ImapConnection::lsub) sends `LIST (SUBSCRIBED)` on rev2 and returns the same `Vec<MailboxInfo>`; subscribed mailboxes that no longer exist carry [`MailboxAttribute::NonExistent`](crate::types::response::MailboxAttribute::NonExistent) (rev1: `\Noselect`) |
//! | `\Recent` | `* n RECENT`, STATUS `RECENT` | removed | [`SelectedMailbox::recent`](crate::types::response::SelectedMailbox::recent) and `MailboxStatus::recent` are `None`; `STATUS` drops the `RECENT` item rather than get `BAD` (a STATUS asking only for it is sent as is) |
//! | STATUS items | `SIZE` with STATUS=SIZE | `SIZE` and `DELETED` built in | `MailboxStatus::size` / `deleted` filled whenever the server sends them |
//! | SELECT | FLAGS, EXISTS, RECENT, codes | also `* LIST` of the mailbox | the LIST belongs to SELECT (no stray event) |
//! | Mailbox names | modified UTF-7 (`Entw&APw-rfe`) | UTF-8 (`"Entwürfe"`) | [`MailboxName`](crate::types::MailboxName) holds the Unicode name; it is encoded and decoded per the session's dialect |
//! | Quoted strings | 7-bit | UTF-8 allowed | parsed as UTF-8 (lossy) on both; 8-bit text from rev1 servers is kept too |
//! | Literals | `LITERAL+` if advertised | `LITERAL-` built in (≤ 4096 bytes) | non-synchronising literals used where allowed, synchronising otherwise |
//! | Response codes | RFC 5530 codes are optional | most are part of the base spec | every code is a typed [`ResponseCode`](crate::types::response::ResponseCode), on results and on [`Error::No`](crate::Error::No) / [`Error::Bad`](crate::Error::Bad) ([`Error::response_code`](crate::Error::response_code)) |
//! | UNAUTHENTICATE | extension (RFC 8437) | extension | [`unauthenticate`](crate::ImapConnection::unauthenticate) also forgets what was ENABLEd, so a new login enables again |
//!
//! Not absorbed (behaviour of the server, not of the protocol form): search keys `RECENT`,
//! `NEW` and `OLD` are sent as given, and a rev2 server may refuse them.
