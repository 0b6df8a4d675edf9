//! The command encoder: typed [`Command`]s to bytes (RFC 3501 / RFC 9051 and the extensions).
//!
//! [`encode`] returns an [`EncodedCommand`]: the bytes and the *sync points*, the offsets
//! right after each synchronising literal header (`{n}\r\n`). The session writes the bytes up
//! to a sync point, waits for the server's `+` continuation (or a tagged NO/BAD refusing the
//! literal), then writes on. Which literal form is used depends on [`EncodeOptions`], which
//! the session fills from the capabilities and ENABLEd extensions.
//!
//! The encoder never writes a CR or LF outside a literal's data and the final CRLF, and never
//! a NUL outside a `literal8`: every string argument goes through one writer that quotes or
//! literal-encodes it (see the `writer` module's rules). Invalid combinations that the
//! types cannot exclude (an empty STATUS item list, `VANISHED` without `CHANGEDSINCE`, …)
//! are [`InvalidInput`], returned before any byte exists.

mod append;
mod auth;
mod extensions;
mod fetch;
mod mailbox;
mod options;
mod search;
mod store;
mod writer;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod oracle_tests;
#[cfg(test)]
mod tests;

pub use auth::{encode_authenticate_cancel, encode_authenticate_response};
pub use extensions::idle::encode_idle_done;
pub use options::EncodeOptions;
pub use search::MAX_SEARCH_DEPTH;
pub use writer::{LITERAL_MINUS_MAX, MAX_QUOTED_LEN};

use crate::proto::command::{Command, CommandBody};
use crate::types::InvalidInput;
use writer::Writer;

/// A command as bytes, with the points where the session must wait for a continuation.
#[derive(Clone, PartialEq, Eq)]
pub struct EncodedCommand {
    bytes: Vec<u8>,
    sync_points: Vec<usize>,
    secret: bool,
}

impl EncodedCommand {
    /// The whole command, literals included, ending with CRLF.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Offsets into [`EncodedCommand::bytes`] right after each synchronising literal header
    /// (`{n}\r\n`), ascending. Before writing past one, the session must receive a `+`
    /// continuation request; a tagged response instead means the command was refused.
    pub fn sync_points(&self) -> &[usize] {
        &self.sync_points
    }

    /// The bytes split at the sync points: send the first piece, then one more piece after
    /// each continuation request. Always at least one piece.
    pub fn segments(&self) -> impl Iterator<Item = &[u8]> {
        let mut start = 0;
        let ends = self
            .sync_points
            .iter()
            .copied()
            .chain(std::iter::once(self.bytes.len()));
        ends.map(move |end| {
            let piece = self.bytes.get(start..end).unwrap_or_default();
            start = end;
            piece
        })
    }

    /// True when the bytes carry a credential (LOGIN, AUTHENTICATE): never log them.
    pub fn contains_secret(&self) -> bool {
        self.secret
    }

    /// The bytes, consuming the value.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

impl std::fmt::Debug for EncodedCommand {
    /// Never prints credentials: commands with a secret show only their length; others
    /// show their first line (at most 80 bytes, escaped).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = f.debug_struct("EncodedCommand");
        s.field("len", &self.bytes.len());
        s.field("sync_points", &self.sync_points);
        if self.secret {
            s.field("bytes", &"[redacted]");
        } else {
            let line_end = memchr::memchr(b'\r', &self.bytes).unwrap_or(self.bytes.len());
            let shown = self.bytes.get(..line_end.min(80)).unwrap_or_default();
            s.field("start", &shown.escape_ascii().to_string());
        }
        s.finish()
    }
}

/// Encodes a command. Fails with [`InvalidInput`] when the command cannot be
/// sent as it is with these options (see the module docs); nothing is written then.
pub fn encode(command: &Command, options: &EncodeOptions) -> Result<EncodedCommand, InvalidInput> {
    let mut w = Writer::new(options);
    w.raw(command.tag.as_str());
    w.sp();
    encode_body(&mut w, &command.body)?;
    w.crlf();
    let (bytes, sync_points) = w.finish();
    Ok(EncodedCommand {
        bytes,
        sync_points,
        secret: command.body.has_secret(),
    })
}

fn encode_body(w: &mut Writer<'_>, body: &CommandBody) -> Result<(), InvalidInput> {
    use CommandBody as C;
    match body {
        C::Capability
        | C::Noop
        | C::Logout
        | C::StartTls
        | C::Namespace
        | C::Idle
        | C::Check
        | C::Close
        | C::Unselect
        | C::Expunge
        | C::Unauthenticate => {
            w.raw(body.name());
            Ok(())
        }
        C::Compress => {
            w.raw("COMPRESS DEFLATE");
            Ok(())
        }
        C::Login { username, password } => auth::login(w, username, password),
        C::Authenticate {
            mechanism,
            initial_response,
        } => auth::authenticate(w, mechanism, initial_response.as_ref()),
        C::Select { mailbox, params } => mailbox::select(w, "SELECT", mailbox, params),
        C::Examine { mailbox, params } => mailbox::select(w, "EXAMINE", mailbox, params),
        C::Create {
            mailbox,
            special_use,
        } => mailbox::create(w, mailbox, special_use),
        C::Delete(m) | C::Subscribe(m) | C::Unsubscribe(m) => mailbox::simple(w, body.name(), m),
        C::Rename { from, to } => mailbox::rename(w, from, to),
        C::List {
            reference,
            patterns,
            selection,
            return_options,
        } => mailbox::list(w, reference, patterns, selection, return_options),
        C::Lsub { reference, pattern } => mailbox::lsub(w, "LSUB ", reference, pattern),
        C::XList { reference, pattern } => mailbox::lsub(w, "XLIST ", reference, pattern),
        C::Status { mailbox, attrs } => mailbox::status(w, mailbox, attrs),
        C::Append { mailbox, messages } => append::append(w, mailbox, messages),
        C::UidExpunge(set) => {
            w.raw("UID EXPUNGE ");
            w.raw(&set.to_string());
            Ok(())
        }
        C::Search {
            uid,
            charset,
            criteria,
            return_options,
        } => search::search(
            w,
            *uid,
            charset.as_ref(),
            criteria,
            return_options.as_deref(),
        ),
        C::Fetch {
            uid,
            set,
            attrs,
            changed_since,
            vanished,
        } => fetch::fetch(w, *uid, set, attrs, *changed_since, *vanished),
        C::Store {
            uid,
            set,
            kind,
            silent,
            flags,
            unchanged_since,
        } => store::store(w, *uid, set, *kind, *silent, flags, *unchanged_since),
        C::StoreGmailLabels {
            uid,
            set,
            kind,
            labels,
        } => store::store_gmail_labels(w, *uid, set, *kind, labels),
        C::Copy { set, mailbox, .. } | C::Move { set, mailbox, .. } => {
            store::copy_or_move(w, body.name(), set, mailbox)
        }
        C::Sort {
            uid,
            criteria,
            charset,
            search,
            return_options,
        } => search::sort(
            w,
            *uid,
            criteria,
            charset.as_ref(),
            search,
            return_options.as_deref(),
        ),
        C::Thread {
            uid,
            algorithm,
            charset,
            search,
        } => search::thread(w, *uid, algorithm, charset.as_ref(), search),
        C::Enable(caps) => extensions::enable::enable(w, caps),
        C::Id(params) => extensions::id::id(w, params.as_deref()),
        C::Notify(notify) => extensions::notify::notify(w, notify),
        C::GetMetadata {
            options,
            mailbox,
            entries,
        } => extensions::metadata::get(w, options, mailbox.as_ref(), entries),
        C::SetMetadata { mailbox, entries } => {
            extensions::metadata::set(w, mailbox.as_ref(), entries)
        }
        C::GetQuota(root) => extensions::quota::get_quota(w, root),
        C::GetQuotaRoot(mailbox) => mailbox::simple(w, "GETQUOTAROOT", mailbox),
        C::SetQuota { root, limits } => extensions::quota::set_quota(w, root, limits),
        C::GetAcl(mailbox) | C::MyRights(mailbox) => mailbox::simple(w, body.name(), mailbox),
        C::SetAcl {
            mailbox,
            identifier,
            rights,
        } => extensions::acl::set_acl(w, mailbox, identifier, rights),
        C::DeleteAcl {
            mailbox,
            identifier,
        }
        | C::ListRights {
            mailbox,
            identifier,
        } => extensions::acl::mailbox_identifier(w, body.name(), mailbox, identifier),
    }
}
