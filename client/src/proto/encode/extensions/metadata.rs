//! METADATA (RFC 5464): GETMETADATA with MAXSIZE/DEPTH, SETMETADATA. The server's own
//! entries use the empty mailbox name `""`.

use super::super::writer::Writer;
use crate::types::InvalidInput;
use crate::types::MailboxName;
use crate::types::{GetMetadataOptions, MetadataEntry};

fn mailbox_or_server(
    w: &mut Writer<'_>,
    mailbox: Option<&MailboxName>,
) -> Result<(), InvalidInput> {
    match mailbox {
        Some(mailbox) => w.mailbox(mailbox),
        None => {
            w.raw("\"\"");
            Ok(())
        }
    }
}

pub(in crate::proto::encode) fn get(
    w: &mut Writer<'_>,
    options: &GetMetadataOptions,
    mailbox: Option<&MailboxName>,
    entries: &[MetadataEntry],
) -> Result<(), InvalidInput> {
    w.raw("GETMETADATA ");
    let mut opts = Vec::new();
    if let Some(max) = options.max_size {
        opts.push(format!("MAXSIZE {max}"));
    }
    if let Some(depth) = options.depth {
        opts.push(format!("DEPTH {}", depth.as_str()));
    }
    if !opts.is_empty() {
        w.raw(&format!("({}) ", opts.join(" ")));
    }
    mailbox_or_server(w, mailbox)?;
    w.sp();
    match entries {
        [] => Err(InvalidInput::new(
            "GETMETADATA needs at least one entry".to_owned(),
        )),
        [single] => w.astring(single.as_str().as_bytes()),
        several => w.paren_list(several, |w, e| w.astring(e.as_str().as_bytes())),
    }
}

pub(in crate::proto::encode) fn set(
    w: &mut Writer<'_>,
    mailbox: Option<&MailboxName>,
    entries: &[(MetadataEntry, Option<Vec<u8>>)],
) -> Result<(), InvalidInput> {
    if entries.is_empty() {
        return Err(InvalidInput::new(
            "SETMETADATA needs at least one entry".to_owned(),
        ));
    }
    w.raw("SETMETADATA ");
    mailbox_or_server(w, mailbox)?;
    w.sp();
    w.paren_list(entries, |w, (entry, value)| {
        w.astring(entry.as_str().as_bytes())?;
        w.sp();
        match value {
            // RFC 5464 §5: a value is an nstring or a literal8 (for NUL).
            Some(v) if memchr::memchr(0, v).is_some() => w.literal(v, true),
            other => w.nstring(other.as_deref()),
        }
    })
}
