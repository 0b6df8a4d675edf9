//! STORE (with CONDSTORE UNCHANGEDSINCE), COPY and MOVE (RFC 3501 §6.4.6–7, RFC 6851,
//! RFC 7162 §3.1.3).

use super::writer::Writer;
use crate::types::InvalidInput;
use crate::types::StoreKind;
use crate::types::{Flag, GmailLabel, MailboxName, ModSeq, SequenceSet};

pub(super) fn uid_prefix(w: &mut Writer<'_>, uid: bool) {
    if uid {
        w.raw("UID ");
    }
}

pub(super) fn store(
    w: &mut Writer<'_>,
    uid: bool,
    set: &SequenceSet,
    kind: StoreKind,
    silent: bool,
    flags: &[Flag],
    unchanged_since: Option<ModSeq>,
) -> Result<(), InvalidInput> {
    uid_prefix(w, uid);
    w.raw("STORE ");
    w.raw(&set.to_string());
    if let Some(modseq) = unchanged_since {
        w.raw(&format!(" (UNCHANGEDSINCE {modseq})"));
    }
    w.sp();
    w.raw(kind.as_str());
    if silent {
        w.raw(".SILENT");
    }
    w.sp();
    flag_list(w, flags)
}

/// `[UID ]STORE set [+|-]X-GM-LABELS (labels)` (Gmail): system labels as atoms, user labels
/// as strings of their modified UTF-7 ([`gmail_label`]).
pub(super) fn store_gmail_labels(
    w: &mut Writer<'_>,
    uid: bool,
    set: &SequenceSet,
    kind: StoreKind,
    labels: &[GmailLabel],
) -> Result<(), InvalidInput> {
    uid_prefix(w, uid);
    w.raw("STORE ");
    w.raw(&set.to_string());
    w.sp();
    w.raw(match kind {
        StoreKind::Add => "+",
        StoreKind::Remove => "-",
        StoreKind::Replace => "",
    });
    w.raw("X-GM-LABELS ");
    w.paren_list(labels, gmail_label)
}

/// A Gmail label: a system label as its atom (`\\Inbox`), a user label as a string of its
/// modified UTF-7 ([`GmailLabel::encoded`]).
pub(super) fn gmail_label(w: &mut Writer<'_>, label: &GmailLabel) -> Result<(), InvalidInput> {
    if label.is_system() {
        w.raw(&label.encoded());
        Ok(())
    } else {
        w.string(label.encoded().as_bytes())
    }
}

/// `(flag flag …)`; flags are validated atoms, written as they are.
pub(super) fn flag_list(w: &mut Writer<'_>, flags: &[Flag]) -> Result<(), InvalidInput> {
    w.paren_list(flags, |w, flag| {
        w.raw(&flag.to_string());
        Ok(())
    })
}

/// `[UID ]COPY set mailbox` / `[UID ]MOVE …`; `name` includes the `UID ` prefix.
pub(super) fn copy_or_move(
    w: &mut Writer<'_>,
    name: &str,
    set: &SequenceSet,
    mailbox: &MailboxName,
) -> Result<(), InvalidInput> {
    w.raw(name);
    w.sp();
    w.raw(&set.to_string());
    w.sp();
    w.mailbox(mailbox)
}
