//! Partial FETCH (`BODY.PEEK[section]<origin.count>`): large message bodies in bounded pieces.
//!
//! A plain `BODY[]` of a 40 MB message is one 40 MB literal: the framer's
//! [`Limits`](crate::proto::Limits) allow it, but it must all be held at once. In browsers,
//! which give the WebSocket no receive backpressure, that is memory the page cannot refuse.
//! Partial fetch asks for a byte range at a time, so each response is at most one chunk.

use std::num::NonZeroU32;
use std::time::Duration;

use tokio::sync::mpsc;

use super::ImapConnection;
use crate::types::response::FetchResponse;
use crate::types::{FetchAttr, Section, SequenceSet};
use crate::{Error, Result};

impl ImapConnection {
    /// `UID FETCH uid (BODY.PEEK[section]<offset.count>)`: at most `count` bytes of `section`
    /// of the message with UID `uid` in the selected mailbox, starting at byte `offset`.
    ///
    /// Fewer than `count` bytes means the section ends there; none at all means `offset` is
    /// at or past its end. `Ok(None)`: the mailbox has no message with that UID. `\Seen` is
    /// not set. A `uid` of 0 is [`Error::InvalidInput`].
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// use std::num::NonZeroU32;
    /// use daaki_imap::types::Section;
    /// let t = std::time::Duration::from_secs(30);
    /// let count = NonZeroU32::new(4096).expect("not zero");
    /// // The first 4 KiB of the body text of message UID 42.
    /// if let Some(bytes) = conn.uid_fetch_partial(42, &Section::text(), 0, count, t).await? {
    ///     println!("{} bytes", bytes.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn uid_fetch_partial(
        &self,
        uid: u32,
        section: &Section,
        offset: u32,
        count: NonZeroU32,
        timeout: Duration,
    ) -> Result<Option<Vec<u8>>> {
        let Some(uid) = NonZeroU32::new(uid) else {
            return Err(Error::InvalidInput("UID 0 does not exist".to_owned()));
        };
        let attrs = [
            FetchAttr::Uid,
            FetchAttr::BodySection {
                section: section.clone(),
                partial: Some((offset, count)),
                peek: true,
            },
        ];
        let fetched = self
            .uid_fetch(&SequenceSet::single(uid), &attrs, timeout)
            .await?;
        Ok(pick_section(fetched, uid.get(), section, offset))
    }

    /// Reads all of `section` of the message with UID `uid` as a series of
    /// [`uid_fetch_partial`](Self::uid_fetch_partial) calls of `chunk_size` bytes, sending
    /// each piece into `tx` in order. Memory stays at one chunk however large the message
    /// (what the consumer keeps is up to it); a slow consumer slows the reading down.
    ///
    /// `timeout` applies to each chunk's round trip, not to the whole transfer. Returns the
    /// number of bytes read, or `Ok(None)` if the mailbox has no message with that UID
    /// (nothing is sent then). If the receiver is dropped, reading stops and the bytes sent
    /// until then are returned. `tx` is dropped on return, which ends the consumer's loop.
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// use std::num::NonZeroU32;
    /// use daaki_imap::types::Section;
    /// let t = std::time::Duration::from_secs(30);
    /// let chunk = NonZeroU32::new(256 * 1024).expect("not zero");
    /// let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
    /// let consume = async {
    ///     let mut message = Vec::new();
    ///     while let Some(piece) = rx.recv().await {
    ///         message.extend_from_slice(&piece);
    ///     }
    ///     message
    /// };
    /// let full = Section::full();
    /// let (read, message) =
    ///     tokio::join!(conn.uid_fetch_body_chunks(42, &full, chunk, tx, t), consume);
    /// assert_eq!(read?, Some(message.len() as u64));
    /// # Ok(()) }
    /// ```
    pub async fn uid_fetch_body_chunks(
        &self,
        uid: u32,
        section: &Section,
        chunk_size: NonZeroU32,
        tx: mpsc::Sender<Vec<u8>>,
        timeout: Duration,
    ) -> Result<Option<u64>> {
        let mut offset: u32 = 0;
        let mut total: u64 = 0;
        loop {
            let Some(piece) = self
                .uid_fetch_partial(uid, section, offset, chunk_size, timeout)
                .await?
            else {
                // Gone (expunged meanwhile) after the first chunk is an error: the caller
                // already has part of it.
                return if total == 0 {
                    Ok(None)
                } else {
                    Err(Error::No {
                        code: None,
                        text: format!("message UID {uid} disappeared after {total} bytes"),
                    })
                };
            };
            let len = piece.len();
            let last = len < chunk_size.get() as usize;
            if len > 0 {
                total += len as u64;
                if tx.send(piece).await.is_err() {
                    return Ok(Some(total));
                }
            }
            if last {
                return Ok(Some(total));
            }
            offset = u32::try_from(len)
                .ok()
                .and_then(|len| offset.checked_add(len))
                .ok_or_else(|| {
                    Error::Unsupported(
                        "partial FETCH cannot address sections beyond 4 GiB".to_owned(),
                    )
                })?;
        }
    }
}

/// The data of the `BODY[section]<offset>` item in the response for `uid` (an empty vector
/// for NIL or a response without the item); `None` if no response is for `uid`. Other
/// messages' unsolicited FETCH responses (flag changes) are skipped.
fn pick_section(
    fetched: Vec<FetchResponse>,
    uid: u32,
    section: &Section,
    offset: u32,
) -> Option<Vec<u8>> {
    let mut wire = String::new();
    section.write_wire(&mut wire);
    let mut found = false;
    for response in fetched {
        if response.uid != Some(uid) {
            continue;
        }
        found = true;
        let mut sections = response.body_sections.into_iter();
        let matching = sections.find(|s| {
            s.section.eq_ignore_ascii_case(&wire) && s.origin.is_none_or(|o| o == offset)
        });
        if let Some(item) = matching {
            return Some(item.data.unwrap_or_default());
        }
    }
    found.then(Vec::new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::response::BodySection;

    fn response(uid: u32, section: &str, origin: Option<u32>, data: &[u8]) -> FetchResponse {
        FetchResponse {
            seq: 1,
            uid: Some(uid),
            body_sections: vec![BodySection {
                section: section.to_owned(),
                origin,
                data: Some(data.to_vec()),
            }],
            ..FetchResponse::default()
        }
    }

    #[test]
    fn the_section_of_the_requested_uid_is_picked_and_other_messages_are_skipped() {
        let fetched = vec![
            response(7, "", Some(0), b"other message"),
            response(9, "", Some(100), b"wanted"),
        ];
        assert_eq!(
            pick_section(fetched, 9, &Section::full(), 100),
            Some(b"wanted".to_vec())
        );
    }

    #[test]
    fn section_text_is_compared_without_case_and_the_origin_must_match() {
        let fetched = vec![response(3, "text", Some(5), b"abc")];
        assert_eq!(
            pick_section(fetched.clone(), 3, &Section::text(), 5),
            Some(b"abc".to_vec())
        );
        // A response for the UID without the item (or with another origin) is empty data,
        // not a missing message.
        assert_eq!(pick_section(fetched, 3, &Section::text(), 6), Some(vec![]));
    }

    #[test]
    fn no_response_for_the_uid_means_no_such_message() {
        let fetched = vec![response(3, "", Some(0), b"abc")];
        assert_eq!(pick_section(fetched, 4, &Section::full(), 0), None);
        assert_eq!(pick_section(vec![], 4, &Section::full(), 0), None);
    }

    #[test]
    fn nil_data_is_empty() {
        let mut r = response(3, "", Some(0), b"");
        r.body_sections[0].data = None;
        assert_eq!(pick_section(vec![r], 3, &Section::full(), 0), Some(vec![]));
    }
}
