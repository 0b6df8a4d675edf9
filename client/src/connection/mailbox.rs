//! Mailbox commands: SELECT/EXAMINE, LIST/LSUB (and LIST-EXTENDED, LIST-STATUS, SPECIAL-USE),
//! STATUS, CREATE (and CREATE-SPECIAL-USE)/DELETE/RENAME, SUBSCRIBE/UNSUBSCRIBE,
//! UNSELECT/CLOSE, EXPUNGE, NAMESPACE.

use std::time::Duration;

use super::search::require;
use super::{ImapConnection, IntoMailboxName};
use crate::proto::command::{CommandBody, SelectParams};
use crate::proto::session::{CommandOutcome, assemble};
use crate::types::ListPattern;
use crate::types::response::{MailboxInfo, MailboxStatus, Namespace, SelectedMailbox};
use crate::types::{
    ExpungeResult, InvalidInput, ListEntry, ListOptions, SequenceSet, SpecialUse, StatusAttr,
};
use crate::{Error, Result};

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
        let outcome = self
            .open_mailbox(mailbox, false, SelectParams::default(), timeout)
            .await?;
        Ok(assemble::selected(&outcome))
    }

    /// `EXAMINE`: opens `mailbox` read-only.
    pub async fn examine(
        &self,
        mailbox: impl IntoMailboxName,
        timeout: Duration,
    ) -> Result<SelectedMailbox> {
        let outcome = self
            .open_mailbox(mailbox, true, SelectParams::default(), timeout)
            .await?;
        Ok(assemble::selected(&outcome))
    }

    /// `SELECT` (or `EXAMINE` when `read_only`) with `params`: the one place every
    /// select variant (plain, CONDSTORE, QRESYNC) sends its command.
    pub(super) async fn open_mailbox(
        &self,
        mailbox: impl IntoMailboxName,
        read_only: bool,
        params: SelectParams,
        timeout: Duration,
    ) -> Result<CommandOutcome> {
        let mailbox = mailbox.into_mailbox_name()?;
        let body = if read_only {
            CommandBody::Examine { mailbox, params }
        } else {
            CommandBody::Select { mailbox, params }
        };
        self.run(body, timeout).await
    }

    /// `LIST reference pattern` (`*` matches across levels, `%` within one). On servers with
    /// CHILDREN (RFC 3348) the attributes include `\HasChildren` / `\HasNoChildren`; for
    /// other options see [`list_extended`](Self::list_extended).
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// for mailbox in conn.list("", "*", std::time::Duration::from_secs(30)).await? {
    ///     println!("{} {:?}", mailbox.name, mailbox.attributes);
    /// }
    /// # Ok(()) }
    /// ```
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

    /// `STATUS mailbox (items)`. [`StatusAttr::Size`] needs STATUS=SIZE (RFC 8438),
    /// [`StatusAttr::HighestModSeq`] CONDSTORE; unknown items come back in
    /// [`MailboxStatus::other`].
    ///
    /// An `OK` without a `* STATUS` response for `mailbox` fails with [`Error::Protocol`]
    /// (the data was lost; the connection stays usable) rather than returning an empty status.
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// use daaki_imap::types::StatusAttr;
    /// let items = [StatusAttr::Messages, StatusAttr::Unseen, StatusAttr::Size];
    /// let s = conn.status("INBOX", &items, std::time::Duration::from_secs(30)).await?;
    /// println!("{:?} messages, {:?} unseen, {:?} bytes", s.messages, s.unseen, s.size);
    /// # Ok(()) }
    /// ```
    pub async fn status(
        &self,
        mailbox: impl IntoMailboxName,
        items: &[StatusAttr],
        timeout: Duration,
    ) -> Result<MailboxStatus> {
        let mailbox = mailbox.into_mailbox_name()?;
        let body = CommandBody::Status {
            mailbox: mailbox.clone(),
            attrs: items.to_vec(),
        };
        Ok(assemble::status(
            self.run(body, timeout).await?,
            Some(&mailbox),
        )?)
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

    /// `UNSELECT` (RFC 3691): leaves the mailbox without expunging — unlike
    /// [`close`](Self::close), messages marked `\Deleted` stay. Fails with
    /// [`Error::Unsupported`] (nothing sent) when neither UNSELECT nor IMAP4rev2 is
    /// advertised.
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// let t = std::time::Duration::from_secs(30);
    /// conn.select("INBOX", t).await?;
    /// conn.unselect(t).await?;
    /// # Ok(()) }
    /// ```
    pub async fn unselect(&self, timeout: Duration) -> Result<()> {
        require(&self.capabilities(), "UNSELECT", true)?;
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

    /// Extended `LIST [(selection)] reference (patterns) [RETURN (options)]` (LIST-EXTENDED
    /// RFC 5258, LIST-STATUS RFC 5819, SPECIAL-USE RFC 6154): several patterns at once, only
    /// subscribed or special-use mailboxes, `CHILDINFO` for parents of matches
    /// (`RECURSIVEMATCH`), subscription / children / special-use attributes, and each
    /// mailbox's STATUS in the same round trip.
    ///
    /// Fails before sending with [`Error::InvalidInput`] for an invalid option combination
    /// or no pattern, and with [`Error::Unsupported`] when an option's extension is not
    /// advertised (see [`ListOptions`]).
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// use daaki_imap::types::{ListOptions, StatusAttr};
    /// let options = ListOptions::new()
    ///     .subscribed()
    ///     .return_special_use()
    ///     .return_status(&[StatusAttr::Messages, StatusAttr::Unseen]);
    /// let t = std::time::Duration::from_secs(30);
    /// for entry in conn.list_extended("", &["*"], &options, t).await? {
    ///     let unseen = entry.status.and_then(|s| s.unseen);
    ///     println!("{}: {:?} unseen, uses {:?}", entry.info.name, unseen,
    ///         entry.info.special_uses());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list_extended(
        &self,
        reference: &str,
        patterns: &[&str],
        options: &ListOptions,
        timeout: Duration,
    ) -> Result<Vec<ListEntry>> {
        if patterns.is_empty() {
            return Err(Error::InvalidInput(
                "LIST needs at least one pattern".into(),
            ));
        }
        options.validate()?;
        let caps = self.capabilities();
        if let Some(missing) = options
            .required_capabilities(patterns.len())
            .into_iter()
            .find(|cap| !caps.has(cap) && !caps.imap4rev2())
        {
            return Err(Error::Unsupported(format!("{missing} is not advertised")));
        }
        let body = CommandBody::List {
            reference: ListPattern::new(reference)?,
            patterns: patterns
                .iter()
                .map(|p| ListPattern::new(p))
                .collect::<Result<_, InvalidInput>>()?,
            selection: options.selection().to_vec(),
            return_options: options.return_options().to_vec(),
        };
        Ok(assemble::list_entries(self.run(body, timeout).await?))
    }

    /// The special-use mailboxes (`LIST (SPECIAL-USE) "" "*" RETURN (SPECIAL-USE)`, RFC 6154):
    /// where the drafts, sent, trash, junk, archive, … mailboxes are. Use
    /// [`MailboxInfo::special_uses`] on each entry.
    ///
    /// Without SPECIAL-USE with LIST-EXTENDED (and without IMAP4rev2), a server that offers
    /// `XLIST` (Gmail's and old Apple servers' predecessor of RFC 6154) is asked with
    /// `XLIST "" "*"` instead, and the mailboxes with a special use are returned (its
    /// `\\AllMail`, `\\Spam`, `\\Starred` read as `\\All`, `\\Junk`, `\\Flagged`). Fails with
    /// [`Error::Unsupported`] when none of these is advertised.
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// use daaki_imap::types::SpecialUse;
    /// let mailboxes = conn.list_special_use(std::time::Duration::from_secs(30)).await?;
    /// let sent = mailboxes.iter().find(|m| m.special_uses().contains(&SpecialUse::Sent));
    /// println!("sent mail goes to {:?}", sent.map(|m| &m.name));
    /// # Ok(()) }
    /// ```
    pub async fn list_special_use(&self, timeout: Duration) -> Result<Vec<MailboxInfo>> {
        let caps = self.capabilities();
        let rfc6154 = caps.imap4rev2() || (caps.has("SPECIAL-USE") && caps.has("LIST-EXTENDED"));
        if !rfc6154 && caps.has("XLIST") {
            let body = CommandBody::XList {
                reference: ListPattern::new("")?,
                pattern: ListPattern::new("*")?,
            };
            let all = assemble::mailboxes(self.run(body, timeout).await?);
            return Ok(all
                .into_iter()
                .filter(|m| !m.special_uses().is_empty())
                .collect());
        }
        let options = ListOptions::new().special_use().return_special_use();
        let entries = self.list_extended("", &["*"], &options, timeout).await?;
        Ok(entries.into_iter().map(|e| e.info).collect())
    }

    /// `CREATE mailbox (USE (uses))` (CREATE-SPECIAL-USE, RFC 6154 §3): creates a mailbox
    /// with special uses. Fails with [`Error::Unsupported`] — nothing sent — when
    /// CREATE-SPECIAL-USE is not advertised (Dovecot 2.3 does not: its special uses come
    /// from configuration), and with [`Error::InvalidInput`] for an empty `uses`. A server
    /// that cannot give the use answers `NO [USEATTR]`, an [`Error::No`].
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// use daaki_imap::types::SpecialUse;
    /// let t = std::time::Duration::from_secs(30);
    /// conn.create_special_use("Receipts", &[SpecialUse::Archive], t).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_special_use(
        &self,
        mailbox: impl IntoMailboxName,
        uses: &[SpecialUse],
        timeout: Duration,
    ) -> Result<()> {
        let mailbox = mailbox.into_mailbox_name()?;
        if uses.is_empty() {
            return Err(Error::InvalidInput(
                "CREATE (USE ()) needs at least one special use; use `create`".into(),
            ));
        }
        require(&self.capabilities(), "CREATE-SPECIAL-USE", false)?;
        let body = CommandBody::Create {
            mailbox,
            special_use: uses.to_vec(),
        };
        self.run(body, timeout).await.map(drop)
    }

    /// `NAMESPACE` (RFC 2342, part of IMAP4rev2): the personal, other users' and shared
    /// namespaces with their prefixes and hierarchy delimiters.
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// let ns = conn.namespace(std::time::Duration::from_secs(30)).await?;
    /// if let Some(personal) = ns.personal.first() {
    ///     println!("personal prefix {:?}, delimiter {:?}", personal.prefix, personal.delimiter);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn namespace(&self, timeout: Duration) -> Result<Namespace> {
        require(&self.capabilities(), "NAMESPACE", true)?;
        Ok(assemble::namespace(
            self.run(CommandBody::Namespace, timeout).await?,
        ))
    }
}
