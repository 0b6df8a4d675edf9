//! Search extensions: ESEARCH and SEARCHRES (`SEARCH RETURN (…)`, RFC 4731 / RFC 5182), SORT
//! and SORT=DISPLAY (RFC 5256 / RFC 5957), ESORT (`SORT RETURN (…)`, RFC 5267) and THREAD
//! (RFC 5256). Plain SEARCH is in `message.rs`; WITHIN's `OLDER` / `YOUNGER` are
//! [`SearchKey`]s usable with every method here.
//!
//! Every method checks the server's capabilities first and fails with
//! [`Error::Unsupported`] — nothing sent — when the extension is not advertised, so a caller
//! gets a clear error instead of the server's `BAD`.

use std::time::Duration;

use super::ImapConnection;
use crate::proto::command::CommandBody;
use crate::proto::session::{Capabilities, assemble};
use crate::types::response::Thread;
use crate::types::{
    ESearchResult, ImapAtom, SearchKey, SearchReturnOption, SortCriterion, SortKey, ThreadAlgorithm,
};
use crate::{Error, Result};

/// Fails with [`Error::Unsupported`] unless `name` is advertised (or IMAP4rev2 is and
/// `in_rev2` says rev2 includes the extension).
pub(super) fn require(caps: &Capabilities, name: &str, in_rev2: bool) -> Result<()> {
    if caps.has(name) || (in_rev2 && caps.imap4rev2()) {
        Ok(())
    } else {
        Err(Error::Unsupported(format!("{name} is not advertised")))
    }
}

/// ESEARCH (or rev2), and SEARCHRES for `SAVE`.
fn require_return(caps: &Capabilities, options: &[SearchReturnOption]) -> Result<()> {
    if options.contains(&SearchReturnOption::Save) {
        require(caps, "SEARCHRES", true)?;
    }
    Ok(())
}

/// SORT, and SORT=DISPLAY for the display keys.
fn require_sort(caps: &Capabilities, criteria: &[SortCriterion]) -> Result<()> {
    require(caps, "SORT", false)?;
    if criteria
        .iter()
        .any(|c| matches!(c.key, SortKey::DisplayFrom | SortKey::DisplayTo))
    {
        require(caps, "SORT=DISPLAY", false)?;
    }
    Ok(())
}

impl ImapConnection {
    /// `SEARCH RETURN (options) key` (ESEARCH, RFC 4731): only what was asked for — the
    /// lowest / highest match, the count, all matches as compact ranges — instead of every
    /// number. An empty `options` means `ALL`. With [`SearchReturnOption::Save`] (SEARCHRES,
    /// RFC 5182) the server keeps the result as `$` ([`SequenceSet::saved`]) for later
    /// commands; `SAVE` alone returns nothing (every item `None`).
    ///
    /// Fails with [`Error::Unsupported`] when ESEARCH (or SEARCHRES for `SAVE`) is not
    /// advertised; IMAP4rev2 includes both.
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// use daaki_imap::types::{SearchKey, SearchReturnOption as R, SequenceSet, FetchAttr};
    /// let t = std::time::Duration::from_secs(30);
    /// conn.select("INBOX", t).await?;
    /// let r = conn.esearch(&SearchKey::Unseen, &[R::Min, R::Max, R::Count, R::Save], t).await?;
    /// println!("{:?} unseen, first {:?}, last {:?}", r.count, r.min, r.max);
    /// // `$` is the saved result: fetch exactly those messages.
    /// let flags = conn.fetch(&SequenceSet::saved(), &[FetchAttr::Flags], t).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// [`SequenceSet::saved`]: crate::types::SequenceSet::saved
    pub async fn esearch(
        &self,
        key: &SearchKey,
        options: &[SearchReturnOption],
        timeout: Duration,
    ) -> Result<ESearchResult> {
        self.esearch_with(false, key, options, timeout).await
    }

    /// `UID SEARCH RETURN (options) key`: [`esearch`](Self::esearch) with UIDs (`$` then
    /// holds UIDs, usable in `UID FETCH`, `UID STORE`, …).
    pub async fn uid_esearch(
        &self,
        key: &SearchKey,
        options: &[SearchReturnOption],
        timeout: Duration,
    ) -> Result<ESearchResult> {
        self.esearch_with(true, key, options, timeout).await
    }

    async fn esearch_with(
        &self,
        uid: bool,
        key: &SearchKey,
        options: &[SearchReturnOption],
        timeout: Duration,
    ) -> Result<ESearchResult> {
        let caps = self.capabilities();
        require(&caps, "ESEARCH", true)?;
        require_return(&caps, options)?;
        let body = CommandBody::Search {
            uid,
            charset: None,
            criteria: key.clone(),
            return_options: Some(options.to_vec()),
        };
        let mut result = assemble::esearch(&self.run(body, timeout).await?);
        result.uid |= uid;
        Ok(result)
    }

    /// `SORT (criteria) UTF-8 key` (RFC 5256): the sequence numbers of the matching messages
    /// in sort order (ties in sequence order). [`SortKey::DisplayFrom`] /
    /// [`SortKey::DisplayTo`] need SORT=DISPLAY (RFC 5957).
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// use daaki_imap::types::{SearchKey, SortCriterion, SortKey};
    /// let t = std::time::Duration::from_secs(30);
    /// conn.select("INBOX", t).await?;
    /// // Newest first, then by subject.
    /// let order = [SortCriterion::desc(SortKey::Date), SortCriterion::asc(SortKey::Subject)];
    /// let seqs = conn.sort(&order, &SearchKey::All, t).await?;
    /// # Ok(()) }
    /// ```
    pub async fn sort(
        &self,
        criteria: &[SortCriterion],
        key: &SearchKey,
        timeout: Duration,
    ) -> Result<Vec<u32>> {
        self.sort_with(false, criteria, key, timeout).await
    }

    /// `UID SORT (criteria) UTF-8 key`: [`sort`](Self::sort) with UIDs.
    pub async fn uid_sort(
        &self,
        criteria: &[SortCriterion],
        key: &SearchKey,
        timeout: Duration,
    ) -> Result<Vec<u32>> {
        self.sort_with(true, criteria, key, timeout).await
    }

    async fn sort_with(
        &self,
        uid: bool,
        criteria: &[SortCriterion],
        key: &SearchKey,
        timeout: Duration,
    ) -> Result<Vec<u32>> {
        require_sort(&self.capabilities(), criteria)?;
        let body = sort_body(uid, criteria, key, None);
        Ok(assemble::search_ids(&self.run(body, timeout).await?)?)
    }

    /// `SORT RETURN (options) (criteria) UTF-8 key` (ESORT, RFC 5267): `MIN` / `MAX` are the
    /// first / last message *in sort order*, `ALL` keeps the sort order, `COUNT` counts;
    /// `SAVE` (with SEARCHRES) keeps the result as `$`.
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// use daaki_imap::types::{SearchKey, SearchReturnOption as R, SortCriterion, SortKey};
    /// let t = std::time::Duration::from_secs(30);
    /// conn.select("INBOX", t).await?;
    /// let largest = [SortCriterion::desc(SortKey::Size)];
    /// let r = conn.esort(&largest, &SearchKey::All, &[R::Min, R::Count], t).await?;
    /// println!("largest message: {:?} of {:?}", r.min, r.count);
    /// # Ok(()) }
    /// ```
    pub async fn esort(
        &self,
        criteria: &[SortCriterion],
        key: &SearchKey,
        options: &[SearchReturnOption],
        timeout: Duration,
    ) -> Result<ESearchResult> {
        self.esort_with(false, criteria, key, options, timeout)
            .await
    }

    /// `UID SORT RETURN (options) …`: [`esort`](Self::esort) with UIDs.
    pub async fn uid_esort(
        &self,
        criteria: &[SortCriterion],
        key: &SearchKey,
        options: &[SearchReturnOption],
        timeout: Duration,
    ) -> Result<ESearchResult> {
        self.esort_with(true, criteria, key, options, timeout).await
    }

    async fn esort_with(
        &self,
        uid: bool,
        criteria: &[SortCriterion],
        key: &SearchKey,
        options: &[SearchReturnOption],
        timeout: Duration,
    ) -> Result<ESearchResult> {
        let caps = self.capabilities();
        require_sort(&caps, criteria)?;
        require(&caps, "ESORT", false)?;
        require_return(&caps, options)?;
        let body = sort_body(uid, criteria, key, Some(options.to_vec()));
        let mut result = assemble::esearch(&self.run(body, timeout).await?);
        result.uid |= uid;
        Ok(result)
    }

    /// `THREAD algorithm UTF-8 key` (RFC 5256): the matching messages as a forest of
    /// [`Thread`]s (sequence numbers). Needs `THREAD=<algorithm>` advertised. The parser
    /// bounds the nesting depth, so a hostile answer is an error, not a stack overflow.
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// use daaki_imap::types::{SearchKey, ThreadAlgorithm};
    /// let t = std::time::Duration::from_secs(30);
    /// conn.select("INBOX", t).await?;
    /// for thread in conn.thread(&ThreadAlgorithm::References, &SearchKey::All, t).await? {
    ///     println!("thread starting with {:?}, {} sub-threads", thread.members.first(),
    ///         thread.children.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn thread(
        &self,
        algorithm: &ThreadAlgorithm,
        key: &SearchKey,
        timeout: Duration,
    ) -> Result<Vec<Thread>> {
        self.thread_with(false, algorithm, key, timeout).await
    }

    /// `UID THREAD algorithm UTF-8 key`: [`thread`](Self::thread) with UIDs.
    pub async fn uid_thread(
        &self,
        algorithm: &ThreadAlgorithm,
        key: &SearchKey,
        timeout: Duration,
    ) -> Result<Vec<Thread>> {
        self.thread_with(true, algorithm, key, timeout).await
    }

    async fn thread_with(
        &self,
        uid: bool,
        algorithm: &ThreadAlgorithm,
        key: &SearchKey,
        timeout: Duration,
    ) -> Result<Vec<Thread>> {
        require(
            &self.capabilities(),
            &format!("THREAD={}", algorithm.as_str()),
            false,
        )?;
        let body = CommandBody::Thread {
            uid,
            algorithm: algorithm.clone(),
            charset: None,
            search: key.clone(),
        };
        Ok(assemble::threads(self.run(body, timeout).await?))
    }
}

fn sort_body(
    uid: bool,
    criteria: &[SortCriterion],
    key: &SearchKey,
    return_options: Option<Vec<SearchReturnOption>>,
) -> CommandBody {
    CommandBody::Sort {
        uid,
        criteria: criteria.to_vec(),
        charset: None::<ImapAtom>,
        search: key.clone(),
        return_options,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(names: &[&str]) -> Capabilities {
        Capabilities::from_atoms(names.iter().map(|n| n.as_bytes()))
    }

    #[test]
    fn capability_checks_name_what_is_missing() {
        let rev1 = caps(&["IMAP4REV1", "SORT", "ESEARCH"]);
        assert!(require(&rev1, "ESEARCH", true).is_ok());
        let err = require_return(&rev1, &[SearchReturnOption::Save]).unwrap_err();
        assert!(err.to_string().contains("SEARCHRES"), "{err}");
        assert!(require_return(&caps(&["IMAP4REV2"]), &[SearchReturnOption::Save]).is_ok());
        assert!(require_sort(&rev1, &[SortCriterion::asc(SortKey::Date)]).is_ok());
        let err = require_sort(&rev1, &[SortCriterion::desc(SortKey::DisplayFrom)]).unwrap_err();
        assert!(err.to_string().contains("SORT=DISPLAY"), "{err}");
        // IMAP4rev2 does not include SORT.
        assert!(require_sort(&caps(&["IMAP4REV2"]), &[SortCriterion::asc(SortKey::Size)]).is_err());
    }
}
