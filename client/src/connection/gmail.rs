//! Gmail's `X-GM-EXT-1` (Google's "IMAP Extensions" page): changing a message's labels. Its
//! FETCH items ([`FetchAttr::GmailLabels`](crate::types::FetchAttr::GmailLabels),
//! `GmailMessageId`, `GmailThreadId`) and SEARCH keys (`SearchKey::GmailRaw`, …) go through
//! the ordinary `fetch` and `search` calls.

use std::time::Duration;

use super::ImapConnection;
use crate::proto::command::CommandBody;
use crate::proto::session::assemble;
use crate::types::{GmailLabel, SequenceSet, StoreKind, StoreResult};
use crate::{Error, Result};

impl ImapConnection {
    /// `STORE set [+|-]X-GM-LABELS (labels)`: adds, removes or replaces Gmail labels. The
    /// result's FETCH responses carry each message's labels afterwards
    /// ([`FetchResponse::gmail_labels`](crate::types::response::FetchResponse::gmail_labels)).
    /// Without `X-GM-EXT-1` it is [`Error::Unsupported`] and nothing is sent.
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// use daaki_imap::types::{GmailLabel, SequenceSet, StoreKind};
    /// let t = std::time::Duration::from_secs(30);
    /// let labels = [GmailLabel::new("Receipts")?, GmailLabel::new("\\Important")?];
    /// let result = conn.store_gmail_labels(&SequenceSet::new("1")?, StoreKind::Add, &labels, t).await?;
    /// for message in result.fetches {
    ///     println!("{}: {:?}", message.seq, message.gmail_labels());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn store_gmail_labels(
        &self,
        set: &SequenceSet,
        kind: StoreKind,
        labels: &[GmailLabel],
        timeout: Duration,
    ) -> Result<StoreResult> {
        self.gmail_labels(false, set, kind, labels, timeout).await
    }

    /// `UID STORE uids [+|-]X-GM-LABELS (labels)`: [`store_gmail_labels`](Self::store_gmail_labels)
    /// by UID.
    pub async fn uid_store_gmail_labels(
        &self,
        uids: &SequenceSet,
        kind: StoreKind,
        labels: &[GmailLabel],
        timeout: Duration,
    ) -> Result<StoreResult> {
        self.gmail_labels(true, uids, kind, labels, timeout).await
    }

    async fn gmail_labels(
        &self,
        uid: bool,
        set: &SequenceSet,
        kind: StoreKind,
        labels: &[GmailLabel],
        timeout: Duration,
    ) -> Result<StoreResult> {
        if !self.capabilities().has("X-GM-EXT-1") {
            return Err(Error::Unsupported("X-GM-EXT-1 is not advertised".into()));
        }
        let body = CommandBody::StoreGmailLabels {
            uid,
            set: set.clone(),
            kind,
            labels: labels.to_vec(),
        };
        Ok(assemble::store(self.run(body, timeout).await?))
    }
}
