//! APPEND and MULTIAPPEND (RFC 3501 §6.3.11, RFC 3502), with `literal8` for BINARY (RFC 3516).
//!
//! Message data is always a literal (it holds CRLFs). It is a `literal8` (`~{n}`) only when
//! the message asks for it and holds a NUL byte; otherwise a plain literal, which every
//! server takes.

use super::store::flag_list;
use super::writer::Writer;
use crate::types::AppendMessage;
use crate::types::InvalidInput;
use crate::types::MailboxName;

pub(super) fn append(
    w: &mut Writer<'_>,
    mailbox: &MailboxName,
    messages: &[AppendMessage],
) -> Result<(), InvalidInput> {
    if messages.is_empty() {
        return Err(InvalidInput::new(
            "APPEND needs at least one message".to_owned(),
        ));
    }
    w.raw("APPEND ");
    w.mailbox(mailbox)?;
    for message in messages {
        w.sp();
        if !message.flags.is_empty() {
            flag_list(w, &message.flags)?;
            w.sp();
        }
        if let Some(date) = &message.internal_date {
            w.raw(&format!("\"{date}\" "));
        }
        let literal8 = message.binary && memchr::memchr(0, &message.data).is_some();
        w.literal(&message.data, literal8)?;
    }
    Ok(())
}
