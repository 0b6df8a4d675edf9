//! CONDSTORE and QRESYNC (RFC 7162): mod-sequences, conditional STORE and quick
//! resynchronisation.
//!
//! CONDSTORE is switched on for the session by [`ImapConnection::enable_condstore`] or by the
//! first [`ImapConnection::select_condstore`] (or any command using a mod-sequence); from then
//! on SELECT reports `HIGHESTMODSEQ` (or `NOMODSEQ`), and FETCH responses for flag changes
//! carry `MODSEQ`. QRESYNC ([`ImapConnection::enable_qresync`]) adds `VANISHED`: expunges
//! are reported as UID sets, both in command results and as [`TypedEvent::Vanished`]
//! events, and SELECT can resynchronise a cached mailbox in one round trip
//! ([`ImapConnection::select_qresync`]).
//!
//! [`TypedEvent::Vanished`]: crate::TypedEvent::Vanished

use std::time::Duration;

use super::{ImapConnection, IntoMailboxName};
use crate::proto::command::{CommandBody, SelectParams};
use crate::proto::session::assemble;
use crate::types::response::{FetchResponse, SelectedMailbox};
use crate::types::{
    ChangedSince, FetchAttr, Flag, ModSeq, ModSeqSearch, ResyncedMailbox, SearchKey, SequenceSet,
    StoreResult,
};
use crate::types::{QResyncParams, StoreKind};
use crate::{Error, Result};

impl ImapConnection {
    /// `ENABLE CONDSTORE`: mod-sequences for the rest of the session. Fails with
    /// [`Error::Unsupported`] when CONDSTORE is not advertised (nothing sent) or the server
    /// did not confirm it.
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// let t = std::time::Duration::from_secs(30);
    /// conn.enable_condstore(t).await?;
    /// let inbox = conn.select("INBOX", t).await?;
    /// println!("HIGHESTMODSEQ {:?}", inbox.highest_modseq);
    /// # Ok(()) }
    /// ```
    pub async fn enable_condstore(&self, timeout: Duration) -> Result<()> {
        self.enable_one("CONDSTORE", timeout).await
    }

    /// `ENABLE QRESYNC` (implies CONDSTORE): expunges are reported as `VANISHED` UID sets from
    /// now on, and [`ImapConnection::select_qresync`] becomes available. Fails with
    /// [`Error::Unsupported`] when QRESYNC is not advertised (nothing sent) or the server did
    /// not confirm it.
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// conn.enable_qresync(std::time::Duration::from_secs(30)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn enable_qresync(&self, timeout: Duration) -> Result<()> {
        self.enable_one("QRESYNC", timeout).await
    }

    async fn enable_one(&self, extension: &str, timeout: Duration) -> Result<()> {
        if !self.capabilities().has(extension) {
            return Err(Error::Unsupported(format!(
                "{extension} (RFC 7162) is not advertised"
            )));
        }
        let enabled = self.enable(&[extension], timeout).await?;
        if enabled.iter().any(|e| e.eq_ignore_ascii_case(extension)) {
            Ok(())
        } else {
            Err(Error::Unsupported(format!(
                "the server did not enable {extension}"
            )))
        }
    }

    /// `SELECT mailbox (CONDSTORE)`: selects and switches CONDSTORE on; the result's
    /// `highest_modseq` is the mailbox's HIGHESTMODSEQ (`None` after `[NOMODSEQ]`, a mailbox
    /// without persistent mod-sequences).
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// let inbox = conn.select_condstore("INBOX", std::time::Duration::from_secs(30)).await?;
    /// println!("HIGHESTMODSEQ {:?}", inbox.highest_modseq);
    /// # Ok(()) }
    /// ```
    pub async fn select_condstore(
        &self,
        mailbox: impl IntoMailboxName,
        timeout: Duration,
    ) -> Result<SelectedMailbox> {
        self.open_condstore(mailbox, false, timeout).await
    }

    /// `EXAMINE mailbox (CONDSTORE)`: as [`ImapConnection::select_condstore`], read-only.
    pub async fn examine_condstore(
        &self,
        mailbox: impl IntoMailboxName,
        timeout: Duration,
    ) -> Result<SelectedMailbox> {
        self.open_condstore(mailbox, true, timeout).await
    }

    /// `SELECT mailbox (QRESYNC (uidvalidity modseq [known-uids [seq-match]]))`: selects and
    /// reports what changed since the cached state — `vanished` (expunged UIDs, `VANISHED
    /// (EARLIER)`) and `changed` (FETCH with UID, FLAGS and MODSEQ). `closed_previous` is set
    /// when the server closed a mailbox selected before (`[CLOSED]`).
    ///
    /// Needs QRESYNC enabled first ([`ImapConnection::enable_qresync`]); the server answers
    /// BAD otherwise. When `params.uid_validity` is not the mailbox's UIDVALIDITY, the server
    /// reports no changes: the cache is invalid and must be rebuilt.
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// use daaki_imap::QResyncParams;
    /// use daaki_imap::types::{ModSeq, SequenceSet};
    /// let t = std::time::Duration::from_secs(30);
    /// conn.enable_qresync(t).await?;
    /// let params = QResyncParams {
    ///     uid_validity: std::num::NonZeroU32::new(1_700_000_000).unwrap(),
    ///     mod_seq: ModSeq::new(42)?,
    ///     known_uids: Some(SequenceSet::new("1:100")?),
    ///     seq_match: None,
    /// };
    /// let synced = conn.select_qresync("INBOX", &params, t).await?;
    /// println!("gone: {:?}, changed: {}", synced.vanished, synced.changed.len());
    /// # Ok(()) }
    /// ```
    pub async fn select_qresync(
        &self,
        mailbox: impl IntoMailboxName,
        params: &QResyncParams,
        timeout: Duration,
    ) -> Result<ResyncedMailbox> {
        self.open_qresync(mailbox, false, params, timeout).await
    }

    /// `EXAMINE mailbox (QRESYNC (…))`: as [`ImapConnection::select_qresync`], read-only.
    pub async fn examine_qresync(
        &self,
        mailbox: impl IntoMailboxName,
        params: &QResyncParams,
        timeout: Duration,
    ) -> Result<ResyncedMailbox> {
        self.open_qresync(mailbox, true, params, timeout).await
    }

    /// SELECT (or EXAMINE) with `(CONDSTORE)`.
    async fn open_condstore(
        &self,
        mailbox: impl IntoMailboxName,
        read_only: bool,
        timeout: Duration,
    ) -> Result<SelectedMailbox> {
        let params = SelectParams {
            condstore: true,
            qresync: None,
        };
        let outcome = self
            .open_mailbox(mailbox, read_only, params, timeout)
            .await?;
        Ok(assemble::selected(&outcome))
    }

    /// SELECT (or EXAMINE) with `(QRESYNC (…))`.
    async fn open_qresync(
        &self,
        mailbox: impl IntoMailboxName,
        read_only: bool,
        params: &QResyncParams,
        timeout: Duration,
    ) -> Result<ResyncedMailbox> {
        let params = SelectParams {
            condstore: false,
            qresync: Some(params.clone()),
        };
        let outcome = self
            .open_mailbox(mailbox, read_only, params, timeout)
            .await?;
        Ok(assemble::resynced(outcome))
    }

    /// `FETCH set items (CHANGEDSINCE n)`: only messages whose mod-sequence is above `n`,
    /// each with its `modseq`. `changed_since` must be positive ([`Error::InvalidInput`]
    /// otherwise, nothing sent).
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// use daaki_imap::types::{FetchAttr, ModSeq, SequenceSet};
    /// let t = std::time::Duration::from_secs(30);
    /// let all = SequenceSet::new("1:*")?;
    /// for msg in conn.fetch_changed_since(&all, &[FetchAttr::Flags], ModSeq::new(42)?, t).await? {
    ///     println!("{} now {:?} (modseq {:?})", msg.seq, msg.flags, msg.modseq);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn fetch_changed_since(
        &self,
        set: &SequenceSet,
        items: &[FetchAttr],
        changed_since: ModSeq,
        timeout: Duration,
    ) -> Result<Vec<FetchResponse>> {
        let body = CommandBody::Fetch {
            uid: false,
            set: set.clone(),
            attrs: items.to_vec(),
            changed_since: Some(changed_since),
            vanished: false,
        };
        Ok(assemble::fetches(self.run(body, timeout).await?))
    }

    /// `UID FETCH uids items (CHANGEDSINCE n [VANISHED])`: messages changed since `n`, and
    /// with `vanished` (QRESYNC enabled) the UIDs of `uids` expunged since `n`.
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// use daaki_imap::types::{FetchAttr, ModSeq, SequenceSet};
    /// let t = std::time::Duration::from_secs(30);
    /// let changes = conn
    ///     .uid_fetch_changed_since(&SequenceSet::new("1:*")?, &[FetchAttr::Flags], ModSeq::new(42)?, true, t)
    ///     .await?;
    /// println!("{} changed, gone: {:?}", changes.fetches.len(), changes.vanished);
    /// # Ok(()) }
    /// ```
    pub async fn uid_fetch_changed_since(
        &self,
        uids: &SequenceSet,
        items: &[FetchAttr],
        changed_since: ModSeq,
        vanished: bool,
        timeout: Duration,
    ) -> Result<ChangedSince> {
        let body = CommandBody::Fetch {
            uid: true,
            set: uids.clone(),
            attrs: items.to_vec(),
            changed_since: Some(changed_since),
            vanished,
        };
        Ok(assemble::changed_since(self.run(body, timeout).await?))
    }

    /// `STORE set (UNCHANGEDSINCE n) ±FLAGS (flags)`: changes only messages whose
    /// mod-sequence is at most `n`; the others are listed in the result's `modified`
    /// (sequence numbers) and left alone.
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// use daaki_imap::StoreKind;
    /// use daaki_imap::types::{Flag, ModSeq, SequenceSet};
    /// let t = std::time::Duration::from_secs(30);
    /// let set = SequenceSet::new("1:10")?;
    /// let result = conn
    ///     .store_unchanged_since(&set, StoreKind::Add, &[Flag::Seen], ModSeq::new(42)?, t)
    ///     .await?;
    /// println!("changed by someone else meanwhile: {:?}", result.modified);
    /// # Ok(()) }
    /// ```
    pub async fn store_unchanged_since(
        &self,
        set: &SequenceSet,
        kind: StoreKind,
        flags: &[Flag],
        unchanged_since: ModSeq,
        timeout: Duration,
    ) -> Result<StoreResult> {
        let body = conditional_store(false, set, kind, flags, unchanged_since);
        Ok(assemble::store(self.run(body, timeout).await?))
    }

    /// `UID STORE uids (UNCHANGEDSINCE n) ±FLAGS (flags)`: as
    /// [`ImapConnection::store_unchanged_since`]; `modified` holds UIDs.
    pub async fn uid_store_unchanged_since(
        &self,
        uids: &SequenceSet,
        kind: StoreKind,
        flags: &[Flag],
        unchanged_since: ModSeq,
        timeout: Duration,
    ) -> Result<StoreResult> {
        let body = conditional_store(true, uids, kind, flags, unchanged_since);
        Ok(assemble::store(self.run(body, timeout).await?))
    }

    /// `SEARCH key` where `key` holds a `MODSEQ` criterion: the matches and their highest
    /// mod-sequence (RFC 7162 §3.1.5), from a SEARCH or an ESEARCH answer alike.
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// use daaki_imap::types::SearchKey;
    /// let t = std::time::Duration::from_secs(30);
    /// let found = conn.search_modseq(&SearchKey::modseq(42)?, t).await?;
    /// println!("{:?} changed; highest modseq {:?}", found.ids, found.highest_modseq);
    /// # Ok(()) }
    /// ```
    pub async fn search_modseq(&self, key: &SearchKey, timeout: Duration) -> Result<ModSeqSearch> {
        let outcome = self
            .run(CommandBody::search(false, key.clone()), timeout)
            .await?;
        Ok(assemble::modseq_search(&outcome)?)
    }

    /// `UID SEARCH key` with a `MODSEQ` criterion: as [`ImapConnection::search_modseq`], with
    /// UIDs.
    pub async fn uid_search_modseq(
        &self,
        key: &SearchKey,
        timeout: Duration,
    ) -> Result<ModSeqSearch> {
        let outcome = self
            .run(CommandBody::search(true, key.clone()), timeout)
            .await?;
        Ok(assemble::modseq_search(&outcome)?)
    }
}

fn conditional_store(
    uid: bool,
    set: &SequenceSet,
    kind: StoreKind,
    flags: &[Flag],
    unchanged_since: ModSeq,
) -> CommandBody {
    CommandBody::Store {
        uid,
        set: set.clone(),
        kind,
        silent: false,
        flags: flags.to_vec(),
        unchanged_since: Some(unchanged_since),
    }
}
