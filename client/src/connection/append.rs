//! The APPEND family: APPEND, MULTIAPPEND (RFC 3502), APPENDLIMIT (RFC 7889), UIDPLUS's
//! `[APPENDUID]` (RFC 4315) and BINARY's `literal8` (RFC 3516).
//!
//! How the message bytes travel is the encoder's choice, made from the server's capabilities:
//! a non-synchronising literal `{n+}` with LITERAL+ (any size) or LITERAL- (at most 4096
//! bytes), otherwise a synchronising `{n}` for which the session waits for the server's `+`;
//! `~{n}` (literal8) when the message holds a NUL byte and BINARY is advertised. A message
//! with a NUL byte and no BINARY is refused before anything is sent.
//!
//! APPENDLIMIT is checked here, before anything is sent: `APPENDLIMIT=n` in the capabilities
//! is the limit for every mailbox; a bare `APPENDLIMIT` means limits per mailbox, which are
//! asked for with `STATUS mailbox (APPENDLIMIT)`. STATUS APPENDLIMIT is never sent when the
//! capability carries a number (Cyrus 3.6 advertises `APPENDLIMIT=4294967295` and answers
//! `STATUS (APPENDLIMIT)` with BAD).

use std::time::Duration;

use super::{ImapConnection, IntoMailboxName};
use crate::proto::command::CommandBody;
use crate::proto::session::assemble;
use crate::types::AppendMessage;
use crate::types::{AppendResult, Flag, MailboxName, StatusAttr};
use crate::{Error, Result};

impl ImapConnection {
    /// `APPEND mailbox (flags) message`; with UIDPLUS the result has the new UID.
    ///
    /// A message holding a NUL byte is sent as `literal8` when the server advertises BINARY
    /// (and refused with [`Error::InvalidInput`] otherwise); a message over the server's
    /// APPENDLIMIT fails with [`Error::AppendLimit`]. In both cases nothing is sent.
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// use daaki_imap::types::Flag;
    /// let t = std::time::Duration::from_secs(30);
    /// let msg = b"From: me@example.org\r\nSubject: hi\r\n\r\nHello\r\n";
    /// let result = conn.append("Drafts", &[Flag::Draft], msg, t).await?;
    /// println!("new UID(s): {:?} (UIDVALIDITY {:?})", result.uids, result.uid_validity);
    /// # Ok(()) }
    /// ```
    pub async fn append(
        &self,
        mailbox: impl IntoMailboxName,
        flags: &[Flag],
        message: &[u8],
        timeout: Duration,
    ) -> Result<AppendResult> {
        let mut m = AppendMessage::new(message.to_vec());
        m.flags = flags.to_vec();
        self.append_many(mailbox, vec![m], timeout).await
    }

    /// `APPEND mailbox msg1 msg2 …`: several messages in one command (MULTIAPPEND, RFC 3502),
    /// all or none. Each [`AppendMessage`] carries its own flags and internal date. With
    /// UIDPLUS the result lists the new UIDs in message order.
    ///
    /// One message needs no capability; more need `MULTIAPPEND` ([`Error::Unsupported`]
    /// otherwise). Every message is checked against APPENDLIMIT before anything is sent, and
    /// each message's `binary` is switched on: data holding a NUL byte goes as `literal8`
    /// when the server advertises BINARY and is refused otherwise (see
    /// [`ImapConnection::append`]). An empty list is [`Error::InvalidInput`].
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// use daaki_imap::AppendMessage;
    /// use daaki_imap::types::Flag;
    /// let t = std::time::Duration::from_secs(30);
    /// let mut seen = AppendMessage::new(b"Subject: one\r\n\r\n1\r\n".to_vec());
    /// seen.flags = vec![Flag::Seen];
    /// let unseen = AppendMessage::new(b"Subject: two\r\n\r\n2\r\n".to_vec());
    /// let result = conn.append_many("INBOX", vec![seen, unseen], t).await?;
    /// assert_eq!(result.uids.iter().map(|r| r.iter().count()).sum::<usize>(), 2);
    /// # Ok(()) }
    /// ```
    pub async fn append_many(
        &self,
        mailbox: impl IntoMailboxName,
        messages: Vec<AppendMessage>,
        timeout: Duration,
    ) -> Result<AppendResult> {
        let mailbox = mailbox.into_mailbox_name()?;
        if messages.is_empty() {
            return Err(Error::InvalidInput(
                "APPEND needs at least one message".to_owned(),
            ));
        }
        let caps = self.capabilities();
        if messages.len() > 1 && !caps.has("MULTIAPPEND") {
            return Err(Error::Unsupported(
                "appending several messages in one command needs MULTIAPPEND (RFC 3502)".into(),
            ));
        }
        let largest = messages.iter().map(|m| m.data.len()).max().unwrap_or(0) as u64;
        if let Some(limit) = self.effective_append_limit(&mailbox, timeout).await? {
            check_limit(largest, limit)?;
        }
        let messages = messages
            .into_iter()
            .map(|mut m| {
                // literal8 is used only for data with a NUL byte; the encoder refuses it
                // (nothing sent) when the server has no BINARY.
                m.binary = true;
                m
            })
            .collect();
        let body = CommandBody::Append { mailbox, messages };
        Ok(assemble::append(&self.run(body, timeout).await?))
    }

    /// The largest message `mailbox` accepts (RFC 7889), or `None` when the server announces
    /// no limit.
    ///
    /// `APPENDLIMIT=n` in the capabilities answers without a round trip. A bare `APPENDLIMIT`
    /// (limits per mailbox) is asked with `STATUS mailbox (APPENDLIMIT)`; `NIL` there means no
    /// limit. STATUS APPENDLIMIT is never sent to a server that advertises a number or
    /// nothing at all.
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// let t = std::time::Duration::from_secs(30);
    /// if let Some(limit) = conn.append_limit("INBOX", t).await? {
    ///     println!("INBOX takes messages of up to {limit} bytes");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn append_limit(
        &self,
        mailbox: impl IntoMailboxName,
        timeout: Duration,
    ) -> Result<Option<u64>> {
        let mailbox = mailbox.into_mailbox_name()?;
        self.effective_append_limit(&mailbox, timeout).await
    }

    async fn effective_append_limit(
        &self,
        mailbox: &MailboxName,
        timeout: Duration,
    ) -> Result<Option<u64>> {
        let caps = self.capabilities();
        if let Some(limit) = caps.append_limit() {
            return Ok(Some(limit));
        }
        if !caps.has("APPENDLIMIT") {
            return Ok(None);
        }
        let body = CommandBody::Status {
            mailbox: mailbox.clone(),
            attrs: vec![StatusAttr::AppendLimit],
        };
        let status = assemble::status(self.run(body, timeout).await?, Some(mailbox))?;
        Ok(status.append_limit.flatten())
    }
}

/// [`Error::AppendLimit`] when `size` is over `limit`.
fn check_limit(size: u64, limit: u64) -> Result<()> {
    if size > limit {
        Err(Error::AppendLimit { size, limit })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_allows_exactly_the_limit_and_refuses_one_more() {
        assert!(check_limit(100, 100).is_ok());
        assert!(matches!(
            check_limit(101, 100),
            Err(Error::AppendLimit {
                size: 101,
                limit: 100
            })
        ));
        assert!(check_limit(0, 0).is_ok());
    }
}
