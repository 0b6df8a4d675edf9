//! Message commands: FETCH, SEARCH, STORE, COPY, MOVE (and their UID forms); APPEND is in
//! `append.rs`.

use std::time::Duration;

use super::{ImapConnection, IntoMailboxName};
use crate::proto::command::CommandBody;
use crate::proto::session::assemble;
use crate::types::StoreKind;
use crate::types::response::FetchResponse;
use crate::types::{
    CopyResult, FetchAttr, Flag, MailboxName, MoveResult, SearchKey, SequenceSet, StoreResult,
};
use crate::{Error, Result};

/// `fetches`, unless `items` asked for [`FetchAttr::Rfc822`] and some message came back
/// without it ([`assemble::without_rfc822`]): then [`Error::Protocol`] — an empty message
/// passed on as the message would be data silently lost. `RFC822` is never rewritten to
/// `BODY.PEEK[]` (it sets `\Seen`, PEEK does not); the error says what to ask for instead.
fn with_asked_messages(
    items: &[FetchAttr],
    fetches: Vec<FetchResponse>,
) -> Result<Vec<FetchResponse>> {
    if !items.contains(&FetchAttr::Rfc822) {
        return Ok(fetches);
    }
    let missing = assemble::without_rfc822(&fetches);
    match missing.first() {
        None => Ok(fetches),
        Some(first) => Err(Error::Protocol(format!(
            "the server answered FETCH RFC822 without the message for {} message(s) (first: \
             sequence number {first}); iCloud does this: ask for BODY.PEEK[] (or BODY[] to \
             set \\Seen) instead",
            missing.len()
        ))),
    }
}

impl ImapConnection {
    /// `FETCH set (items)`: all responses, buffered. For large results use
    /// `uid_fetch_streaming`, which hands out each response as it arrives.
    ///
    /// Asking for [`FetchAttr::Rfc822`] (which sets `\Seen`; `BODY.PEEK[]` does not) of a
    /// message the server then answers without it is [`Error::Protocol`], not an empty
    /// message: iCloud does that, and answers `BODY[]` / `BODY.PEEK[]` properly.
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
        let outcome = self
            .run(
                CommandBody::fetch(false, set.clone(), items.to_vec()),
                timeout,
            )
            .await?;
        with_asked_messages(items, assemble::fetches(outcome))
    }

    /// `UID FETCH uids (items)`; every response carries its UID.
    pub async fn uid_fetch(
        &self,
        uids: &SequenceSet,
        items: &[FetchAttr],
        timeout: Duration,
    ) -> Result<Vec<FetchResponse>> {
        let outcome = self
            .run(
                CommandBody::fetch(true, uids.clone(), items.to_vec()),
                timeout,
            )
            .await?;
        with_asked_messages(items, assemble::fetches(outcome))
    }

    /// `SEARCH key`: matching sequence numbers (the same on IMAP4rev1 and rev2 servers).
    pub async fn search(&self, key: &SearchKey, timeout: Duration) -> Result<Vec<u32>> {
        let outcome = self
            .run(CommandBody::search(false, key.clone()), timeout)
            .await?;
        Ok(assemble::search_ids(&outcome)?)
    }

    /// `UID SEARCH key`: matching UIDs.
    pub async fn uid_search(&self, key: &SearchKey, timeout: Duration) -> Result<Vec<u32>> {
        let outcome = self
            .run(CommandBody::search(true, key.clone()), timeout)
            .await?;
        Ok(assemble::search_ids(&outcome)?)
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

    /// `MOVE set mailbox` (RFC 6851): moves messages atomically and reports the new UIDs
    /// (`[COPYUID]`) and the expunges.
    ///
    /// **Without MOVE** (not advertised, or ignored with
    /// [`ignore_capability`](crate::ImapConnectionBuilder::ignore_capability)) the same result
    /// comes from a fallback when the server has UIDPLUS: `UID SEARCH set` (to pin the
    /// messages by UID), `UID COPY`, `UID STORE +FLAGS.SILENT (\Deleted)`, then
    /// `UID EXPUNGE` of exactly those UIDs — other messages marked `\Deleted` stay. The
    /// fallback is not atomic: if a step fails the error is returned and the earlier steps
    /// stand (copies may exist in the destination; after a failed `UID EXPUNGE` the source
    /// messages are marked `\Deleted`). Without MOVE *and* UIDPLUS the call fails with
    /// [`Error::Unsupported`] and sends nothing, because a plain `EXPUNGE` would also remove
    /// messages someone else marked `\Deleted`. The timeout covers the whole sequence.
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// use daaki_imap::types::SequenceSet;
    /// let t = std::time::Duration::from_secs(30);
    /// conn.select("INBOX", t).await?;
    /// let moved = conn.move_messages(&SequenceSet::new("1:3")?, "Archive", t).await?;
    /// println!("new UIDs {:?}, expunged {:?}", moved.copy.destination_uids, moved.expunged);
    /// # Ok(()) }
    /// ```
    pub async fn move_messages(
        &self,
        set: &SequenceSet,
        mailbox: impl IntoMailboxName,
        timeout: Duration,
    ) -> Result<MoveResult> {
        self.move_with(false, set, mailbox.into_mailbox_name()?, timeout)
            .await
    }

    /// `UID MOVE uids mailbox` (RFC 6851), with the same fallback as
    /// [`move_messages`](Self::move_messages) (minus the `UID SEARCH`) when MOVE is not
    /// advertised.
    pub async fn uid_move(
        &self,
        uids: &SequenceSet,
        mailbox: impl IntoMailboxName,
        timeout: Duration,
    ) -> Result<MoveResult> {
        self.move_with(true, uids, mailbox.into_mailbox_name()?, timeout)
            .await
    }

    async fn move_with(
        &self,
        uid: bool,
        set: &SequenceSet,
        mailbox: MailboxName,
        timeout: Duration,
    ) -> Result<MoveResult> {
        let caps = self.capabilities();
        if caps.has("MOVE") || caps.imap4rev2() {
            let body = copy_or_move(true, uid, set, mailbox)?;
            return Ok(assemble::moved(self.run(body, timeout).await?));
        }
        if !caps.has("UIDPLUS") {
            return Err(Error::Unsupported(
                "MOVE is not advertised, and without UIDPLUS a COPY + STORE + EXPUNGE \
                 fallback would expunge other \\Deleted messages too"
                    .into(),
            ));
        }
        crate::runtime::timeout(timeout, self.move_fallback(uid, set, mailbox, timeout))
            .await
            .unwrap_or(Err(Error::Timeout))
    }

    /// The MOVE fallback (needs UIDPLUS): UID COPY, UID STORE +FLAGS.SILENT (\Deleted),
    /// UID EXPUNGE of the same UIDs.
    async fn move_fallback(
        &self,
        uid: bool,
        set: &SequenceSet,
        mailbox: MailboxName,
        timeout: Duration,
    ) -> Result<MoveResult> {
        let uids = if uid {
            set.clone()
        } else {
            let search = CommandBody::search(true, SearchKey::SequenceSet(set.clone()));
            let found = assemble::search_ids(&self.run(search, timeout).await?)?;
            if found.is_empty() {
                return Ok(MoveResult::default());
            }
            SequenceSet::from_numbers(found)?
        };
        let copy = CommandBody::Copy {
            uid: true,
            set: uids.clone(),
            mailbox,
        };
        let copy = assemble::copy(&self.run(copy, timeout).await?);
        let store = CommandBody::Store {
            uid: true,
            set: uids.clone(),
            kind: StoreKind::Add,
            silent: true,
            flags: vec![Flag::Deleted],
            unchanged_since: None,
        };
        self.run(store, timeout).await?;
        let expunged = assemble::expunge(self.run(CommandBody::UidExpunge(uids), timeout).await?);
        Ok(MoveResult {
            copy,
            expunged: expunged.expunged,
            vanished: expunged.vanished,
        })
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
