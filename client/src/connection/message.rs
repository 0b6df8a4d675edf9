//! Message commands: FETCH, SEARCH, STORE, COPY, MOVE, APPEND (and their UID forms).

use std::time::Duration;

use super::{ImapConnection, IntoMailboxName};
use crate::Result;
use crate::proto::command::{AppendMessage, CommandBody, StoreKind};
use crate::proto::session::assemble;
use crate::types::response::FetchResponse;
use crate::types::{
    AppendResult, CopyResult, FetchAttr, Flag, MoveResult, SearchKey, SequenceSet, StoreResult,
};

impl ImapConnection {
    /// `FETCH set (items)`: all responses, buffered. For large results use
    /// `uid_fetch_streaming`, which hands out each response as it arrives.
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// use daaki_imap::types::{FetchAttr, SequenceSet};
    /// let t = std::time::Duration::from_secs(30);
    /// for msg in conn.fetch(&SequenceSet::new("1:5")?, &[FetchAttr::Envelope], t).await? {
    ///     println!("{:?}", msg.envelope.and_then(|e| e.subject));
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn fetch(
        &self,
        set: &SequenceSet,
        items: &[FetchAttr],
        timeout: Duration,
    ) -> Result<Vec<FetchResponse>> {
        Ok(assemble::fetches(
            self.run(
                CommandBody::fetch(false, set.clone(), items.to_vec()),
                timeout,
            )
            .await?,
        ))
    }

    /// `UID FETCH uids (items)`; every response carries its UID.
    pub async fn uid_fetch(
        &self,
        uids: &SequenceSet,
        items: &[FetchAttr],
        timeout: Duration,
    ) -> Result<Vec<FetchResponse>> {
        Ok(assemble::fetches(
            self.run(
                CommandBody::fetch(true, uids.clone(), items.to_vec()),
                timeout,
            )
            .await?,
        ))
    }

    /// `SEARCH key`: matching sequence numbers (the same on IMAP4rev1 and rev2 servers).
    pub async fn search(&self, key: &SearchKey, timeout: Duration) -> Result<Vec<u32>> {
        let outcome = self
            .run(CommandBody::search(false, key.clone()), timeout)
            .await?;
        assemble::search_ids(&outcome)
    }

    /// `UID SEARCH key`: matching UIDs.
    pub async fn uid_search(&self, key: &SearchKey, timeout: Duration) -> Result<Vec<u32>> {
        let outcome = self
            .run(CommandBody::search(true, key.clone()), timeout)
            .await?;
        assemble::search_ids(&outcome)
    }

    /// `STORE set ±FLAGS (flags)`: returns the new flags of each message.
    pub async fn store(
        &self,
        set: &SequenceSet,
        kind: StoreKind,
        flags: &[Flag],
        timeout: Duration,
    ) -> Result<StoreResult> {
        Ok(assemble::store(
            self.run(
                CommandBody::store(false, set.clone(), kind, flags.to_vec()),
                timeout,
            )
            .await?,
        ))
    }

    /// `UID STORE uids ±FLAGS (flags)`.
    pub async fn uid_store(
        &self,
        uids: &SequenceSet,
        kind: StoreKind,
        flags: &[Flag],
        timeout: Duration,
    ) -> Result<StoreResult> {
        Ok(assemble::store(
            self.run(
                CommandBody::store(true, uids.clone(), kind, flags.to_vec()),
                timeout,
            )
            .await?,
        ))
    }

    /// `COPY set mailbox`; with UIDPLUS the result maps old UIDs to new ones.
    pub async fn copy(
        &self,
        set: &SequenceSet,
        mailbox: impl IntoMailboxName,
        timeout: Duration,
    ) -> Result<CopyResult> {
        let body = copy_or_move(false, false, set, mailbox)?;
        Ok(assemble::copy(&self.run(body, timeout).await?))
    }

    /// `UID COPY uids mailbox`.
    pub async fn uid_copy(
        &self,
        uids: &SequenceSet,
        mailbox: impl IntoMailboxName,
        timeout: Duration,
    ) -> Result<CopyResult> {
        let body = copy_or_move(false, true, uids, mailbox)?;
        Ok(assemble::copy(&self.run(body, timeout).await?))
    }

    /// `MOVE set mailbox` (RFC 6851).
    pub async fn move_messages(
        &self,
        set: &SequenceSet,
        mailbox: impl IntoMailboxName,
        timeout: Duration,
    ) -> Result<MoveResult> {
        let body = copy_or_move(true, false, set, mailbox)?;
        Ok(assemble::moved(self.run(body, timeout).await?))
    }

    /// `UID MOVE uids mailbox` (RFC 6851).
    pub async fn uid_move(
        &self,
        uids: &SequenceSet,
        mailbox: impl IntoMailboxName,
        timeout: Duration,
    ) -> Result<MoveResult> {
        let body = copy_or_move(true, true, uids, mailbox)?;
        Ok(assemble::moved(self.run(body, timeout).await?))
    }

    /// `APPEND mailbox (flags) message`; with UIDPLUS the result has the new UID.
    pub async fn append(
        &self,
        mailbox: impl IntoMailboxName,
        flags: &[Flag],
        message: &[u8],
        timeout: Duration,
    ) -> Result<AppendResult> {
        let mut m = AppendMessage::new(message.to_vec());
        m.flags = flags.to_vec();
        let body = CommandBody::Append {
            mailbox: mailbox.into_mailbox_name()?,
            messages: vec![m],
        };
        Ok(assemble::append(&self.run(body, timeout).await?))
    }
}

/// `[UID] COPY` or `[UID] MOVE` of `set` to `mailbox`.
fn copy_or_move(
    is_move: bool,
    uid: bool,
    set: &SequenceSet,
    mailbox: impl IntoMailboxName,
) -> Result<CommandBody> {
    let (set, mailbox) = (set.clone(), mailbox.into_mailbox_name()?);
    Ok(if is_move {
        CommandBody::Move { uid, set, mailbox }
    } else {
        CommandBody::Copy { uid, set, mailbox }
    })
}
