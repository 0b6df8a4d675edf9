//! Mailbox commands: SELECT/EXAMINE, LIST/LSUB, STATUS, CREATE/DELETE/RENAME,
//! SUBSCRIBE/UNSUBSCRIBE, UNSELECT/CLOSE, EXPUNGE.

use std::time::Duration;

use super::{ImapConnection, IntoMailboxName};
use crate::Result;
use crate::proto::command::{CommandBody, ListPattern, SelectParams};
use crate::proto::session::assemble;
use crate::types::response::{MailboxInfo, MailboxStatus, SelectedMailbox};
use crate::types::{ExpungeResult, SequenceSet, StatusAttr};

impl ImapConnection {
    /// `SELECT`: opens `mailbox` read-write.
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// let inbox = conn.select("INBOX", std::time::Duration::from_secs(30)).await?;
    /// println!("{} messages, UIDVALIDITY {:?}", inbox.exists, inbox.uid_validity);
    /// # Ok(()) }
    /// ```
    pub async fn select(
        &self,
        mailbox: impl IntoMailboxName,
        timeout: Duration,
    ) -> Result<SelectedMailbox> {
        let body = CommandBody::Select {
            mailbox: mailbox.into_mailbox_name()?,
            params: SelectParams::default(),
        };
        let outcome = self.run(body, timeout).await?;
        Ok(assemble::selected(&outcome))
    }

    /// `EXAMINE`: opens `mailbox` read-only.
    pub async fn examine(
        &self,
        mailbox: impl IntoMailboxName,
        timeout: Duration,
    ) -> Result<SelectedMailbox> {
        let body = CommandBody::Examine {
            mailbox: mailbox.into_mailbox_name()?,
            params: SelectParams::default(),
        };
        let outcome = self.run(body, timeout).await?;
        Ok(assemble::selected(&outcome))
    }

    /// `LIST reference pattern` (`*` matches across levels, `%` within one).
    pub async fn list(
        &self,
        reference: &str,
        pattern: &str,
        timeout: Duration,
    ) -> Result<Vec<MailboxInfo>> {
        let body = CommandBody::List {
            reference: ListPattern::new(reference)?,
            patterns: vec![ListPattern::new(pattern)?],
            selection: Vec::new(),
            return_options: Vec::new(),
        };
        Ok(assemble::mailboxes(self.run(body, timeout).await?))
    }

    /// `LSUB reference pattern`: subscribed mailboxes (IMAP4rev1; rev2 servers answer LIST
    /// `(SUBSCRIBED)` instead — use `list` with options there).
    pub async fn lsub(
        &self,
        reference: &str,
        pattern: &str,
        timeout: Duration,
    ) -> Result<Vec<MailboxInfo>> {
        let body = CommandBody::Lsub {
            reference: ListPattern::new(reference)?,
            pattern: ListPattern::new(pattern)?,
        };
        Ok(assemble::mailboxes(self.run(body, timeout).await?))
    }

    /// `STATUS mailbox (items)`.
    pub async fn status(
        &self,
        mailbox: impl IntoMailboxName,
        items: &[StatusAttr],
        timeout: Duration,
    ) -> Result<MailboxStatus> {
        let body = CommandBody::Status {
            mailbox: mailbox.into_mailbox_name()?,
            attrs: items.to_vec(),
        };
        Ok(assemble::status(self.run(body, timeout).await?))
    }

    /// `CREATE mailbox`.
    pub async fn create(&self, mailbox: impl IntoMailboxName, timeout: Duration) -> Result<()> {
        let body = CommandBody::Create {
            mailbox: mailbox.into_mailbox_name()?,
            special_use: Vec::new(),
        };
        self.run(body, timeout).await.map(drop)
    }

    /// `DELETE mailbox`.
    pub async fn delete(&self, mailbox: impl IntoMailboxName, timeout: Duration) -> Result<()> {
        let body = CommandBody::Delete(mailbox.into_mailbox_name()?);
        self.run(body, timeout).await.map(drop)
    }

    /// `RENAME from to`.
    pub async fn rename(
        &self,
        from: impl IntoMailboxName,
        to: impl IntoMailboxName,
        timeout: Duration,
    ) -> Result<()> {
        let body = CommandBody::Rename {
            from: from.into_mailbox_name()?,
            to: to.into_mailbox_name()?,
        };
        self.run(body, timeout).await.map(drop)
    }

    /// `SUBSCRIBE mailbox`.
    pub async fn subscribe(&self, mailbox: impl IntoMailboxName, timeout: Duration) -> Result<()> {
        let body = CommandBody::Subscribe(mailbox.into_mailbox_name()?);
        self.run(body, timeout).await.map(drop)
    }

    /// `UNSUBSCRIBE mailbox`.
    pub async fn unsubscribe(
        &self,
        mailbox: impl IntoMailboxName,
        timeout: Duration,
    ) -> Result<()> {
        let body = CommandBody::Unsubscribe(mailbox.into_mailbox_name()?);
        self.run(body, timeout).await.map(drop)
    }

    /// `UNSELECT` (RFC 3691): leaves the mailbox without expunging.
    pub async fn unselect(&self, timeout: Duration) -> Result<()> {
        self.run(CommandBody::Unselect, timeout).await.map(drop)
    }

    /// `CLOSE`: expunges `\Deleted` messages silently and leaves the mailbox.
    pub async fn close(&self, timeout: Duration) -> Result<()> {
        self.run(CommandBody::Close, timeout).await.map(drop)
    }

    /// `EXPUNGE`: removes every `\Deleted` message of the selected mailbox.
    pub async fn expunge(&self, timeout: Duration) -> Result<ExpungeResult> {
        Ok(assemble::expunge(
            self.run(CommandBody::Expunge, timeout).await?,
        ))
    }

    /// `UID EXPUNGE set` (UIDPLUS): removes only the `\Deleted` messages among `uids`.
    pub async fn uid_expunge(
        &self,
        uids: &SequenceSet,
        timeout: Duration,
    ) -> Result<ExpungeResult> {
        let body = CommandBody::UidExpunge(uids.clone());
        Ok(assemble::expunge(self.run(body, timeout).await?))
    }
}
