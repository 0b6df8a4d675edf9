//! `SearchKey`: the search criteria of SEARCH / UID SEARCH (RFC 3501 §6.4.4, RFC 9051 §6.4.4)
//! and the extensions: MODSEQ (RFC 7162), OLDER/YOUNGER (RFC 5032 WITHIN), SAVEDBEFORE /
//! SAVEDON / SAVEDSINCE / SAVEDATESUPPORTED (RFC 8514), EMAILID / THREADID (RFC 8474).
//!
//! This module only holds validated values. Turning a key into bytes — choosing an atom, a
//! quoted string or a literal for each text argument, adding `CHARSET` — is the encoder's
//! job; it walks this enum (see [`SearchKey::name`] for the wire keywords). Keys nest
//! (`NOT`, `OR`, parenthesised lists); the encoder must bound the depth it accepts with
//! [`SearchKey::nesting_depth`], which does not recurse.

use std::num::NonZeroU32;

use super::{
    Flag, GmailLabel, HeaderName, ImapAtom, ImapDate, ImapString, ModSeq, ObjectId, SequenceSet,
};
use crate::types::InvalidInput;

/// One search key. Text arguments are [`ImapString`]s (no NUL, CR, LF).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum SearchKey {
    /// `ALL`: every message.
    All,
    /// `ANSWERED`
    Answered,
    /// `BCC <text>`
    Bcc(ImapString),
    /// `BEFORE <date>`: internal date earlier than the date.
    Before(ImapDate),
    /// `BODY <text>`
    Body(ImapString),
    /// `CC <text>`
    Cc(ImapString),
    /// `DELETED`
    Deleted,
    /// `DRAFT`
    Draft,
    /// `FLAGGED`
    Flagged,
    /// `FROM <text>`
    From(ImapString),
    /// `HEADER <field-name> <text>`; an empty text matches every message with the field.
    Header(HeaderName, ImapString),
    /// `KEYWORD <flag>`
    Keyword(ImapAtom),
    /// `LARGER <n>`: RFC822.SIZE larger than n octets.
    Larger(u32),
    /// `NEW` (IMAP4rev1): recent and unseen.
    New,
    /// `NOT <key>`
    Not(Box<SearchKey>),
    /// `OLD` (IMAP4rev1): not recent.
    Old,
    /// `ON <date>`: internal date within the day.
    On(ImapDate),
    /// `OR <key1> <key2>`
    Or(Box<SearchKey>, Box<SearchKey>),
    /// `RECENT` (IMAP4rev1)
    Recent,
    /// `SEEN`
    Seen,
    /// `SENTBEFORE <date>`: Date: header earlier than the date.
    SentBefore(ImapDate),
    /// `SENTON <date>`
    SentOn(ImapDate),
    /// `SENTSINCE <date>`
    SentSince(ImapDate),
    /// `SINCE <date>`: internal date within or later than the date.
    Since(ImapDate),
    /// `SMALLER <n>`
    Smaller(u32),
    /// `SUBJECT <text>`
    Subject(ImapString),
    /// `TEXT <text>`: header or body.
    Text(ImapString),
    /// `TO <text>`
    To(ImapString),
    /// `UID <set>`
    Uid(SequenceSet),
    /// `UNANSWERED`
    Unanswered,
    /// `UNDELETED`
    Undeleted,
    /// `UNDRAFT`
    Undraft,
    /// `UNFLAGGED`
    Unflagged,
    /// `UNKEYWORD <flag>`
    Unkeyword(ImapAtom),
    /// `UNSEEN`
    Unseen,
    /// A bare sequence set: messages with these sequence numbers (`$` for SEARCHRES).
    SequenceSet(SequenceSet),
    /// `(<key> <key> …)`: all keys match. An empty list is the empty conjunction, which
    /// matches every message; the encoder writes it as `ALL`.
    And(Vec<SearchKey>),
    /// `MODSEQ [<entry-name> <entry-type>] <modseq>` (CONDSTORE): messages whose
    /// mod-sequence is at least `modseq`.
    ModSeq {
        /// Restrict to the mod-sequence of one flag's metadata entry.
        entry: Option<ModSeqEntry>,
        /// The lowest mod-sequence to match.
        modseq: ModSeq,
    },
    /// `OLDER <seconds>` (WITHIN): internal date at least this many seconds ago.
    Older(NonZeroU32),
    /// `YOUNGER <seconds>` (WITHIN): internal date less than this many seconds ago.
    Younger(NonZeroU32),
    /// `SAVEDBEFORE <date>` (SAVEDATE)
    SavedBefore(ImapDate),
    /// `SAVEDON <date>` (SAVEDATE)
    SavedOn(ImapDate),
    /// `SAVEDSINCE <date>` (SAVEDATE)
    SavedSince(ImapDate),
    /// `SAVEDATESUPPORTED` (SAVEDATE): true when the mailbox keeps save dates.
    SaveDateSupported,
    /// `EMAILID <objectid>` (OBJECTID)
    EmailId(ObjectId),
    /// `THREADID <objectid>` (OBJECTID)
    ThreadId(ObjectId),
    /// `X-GM-RAW <text>` (Gmail `X-GM-EXT-1`): Gmail's own search syntax
    /// (`has:attachment in:unread`).
    GmailRaw(ImapString),
    /// `X-GM-MSGID <id>` (Gmail): the message with this Gmail message id.
    GmailMessageId(u64),
    /// `X-GM-THRID <id>` (Gmail): the messages of this Gmail thread.
    GmailThreadId(u64),
    /// `X-GM-LABELS <label>` (Gmail): the messages with this label.
    GmailLabel(GmailLabel),
}

/// The metadata entry of a `MODSEQ` search key (RFC 7162 §3.1.5): `"/flags/<flag>"`
/// with an entry type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ModSeqEntry {
    /// The flag whose modification is meant.
    pub flag: Flag,
    /// Private, shared or either.
    pub kind: EntryKind,
}

impl ModSeqEntry {
    /// The entry name, unquoted: `/flags/\Seen`. The encoder writes it as a quoted string.
    pub fn entry_name(&self) -> String {
        format!("/flags/{}", self.flag)
    }
}

/// `entry-type-req` of RFC 7162.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum EntryKind {
    /// `priv`
    Private,
    /// `shared`
    Shared,
    /// `all`
    All,
}

impl EntryKind {
    /// The wire form: `priv`, `shared` or `all`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Private => "priv",
            EntryKind::Shared => "shared",
            EntryKind::All => "all",
        }
    }
}

macro_rules! text_constructors {
    ($($(#[$doc:meta])* $fn:ident => $variant:ident;)*) => {
        $(
            $(#[$doc])*
            pub fn $fn(text: &str) -> Result<Self, InvalidInput> {
                ImapString::new(text).map(SearchKey::$variant)
            }
        )*
    };
}

impl SearchKey {
    text_constructors! {
        /// `BCC <text>`, validating the text.
        bcc => Bcc;
        /// `BODY <text>`, validating the text.
        body => Body;
        /// `CC <text>`, validating the text.
        cc => Cc;
        /// `FROM <text>`, validating the text.
        from => From;
        /// `SUBJECT <text>`, validating the text.
        subject => Subject;
        /// `TEXT <text>`, validating the text.
        text => Text;
        /// `TO <text>`, validating the text.
        to => To;
    }

    /// `X-GM-RAW <text>` (Gmail), validating the text.
    ///
    /// ```
    /// # use daaki_imap::types::SearchKey;
    /// let key = SearchKey::gmail_raw("has:attachment in:unread")?;
    /// assert_eq!(key.name(), "X-GM-RAW");
    /// # Ok::<(), daaki_imap::Error>(())
    /// ```
    pub fn gmail_raw(text: &str) -> Result<Self, InvalidInput> {
        ImapString::new(text).map(SearchKey::GmailRaw)
    }

    /// `HEADER <name> <text>`, validating both.
    pub fn header(name: &str, text: &str) -> Result<Self, InvalidInput> {
        Ok(SearchKey::Header(
            HeaderName::new(name)?,
            ImapString::new(text)?,
        ))
    }

    /// `KEYWORD <flag>`, validating the keyword as an atom.
    pub fn keyword(name: &str) -> Result<Self, InvalidInput> {
        ImapAtom::new(name).map(SearchKey::Keyword)
    }

    /// `UNKEYWORD <flag>`, validating the keyword as an atom.
    pub fn unkeyword(name: &str) -> Result<Self, InvalidInput> {
        ImapAtom::new(name).map(SearchKey::Unkeyword)
    }

    /// `MODSEQ <modseq>`, validating the value (at most 2^63 - 1).
    pub fn modseq(value: u64) -> Result<Self, InvalidInput> {
        Ok(SearchKey::ModSeq {
            entry: None,
            modseq: ModSeq::new(value)?,
        })
    }

    /// `NOT <key>`.
    pub fn negate(key: SearchKey) -> Self {
        SearchKey::Not(Box::new(key))
    }

    /// `OR <a> <b>`.
    pub fn or(a: SearchKey, b: SearchKey) -> Self {
        SearchKey::Or(Box::new(a), Box::new(b))
    }

    /// All of `keys`: `ALL` for none, the key itself for one, a parenthesised list
    /// otherwise.
    pub fn and(keys: impl IntoIterator<Item = SearchKey>) -> Self {
        let mut keys: Vec<SearchKey> = keys.into_iter().collect();
        match keys.len() {
            0 => SearchKey::All,
            1 => keys.pop().unwrap_or(SearchKey::All),
            _ => SearchKey::And(keys),
        }
    }

    /// The wire keyword (`SENTBEFORE`, `UID`, …); empty for a bare sequence set and for a
    /// parenthesised list, which have none.
    pub fn name(&self) -> &'static str {
        match self {
            SearchKey::All => "ALL",
            SearchKey::Answered => "ANSWERED",
            SearchKey::Bcc(_) => "BCC",
            SearchKey::Before(_) => "BEFORE",
            SearchKey::Body(_) => "BODY",
            SearchKey::Cc(_) => "CC",
            SearchKey::Deleted => "DELETED",
            SearchKey::Draft => "DRAFT",
            SearchKey::Flagged => "FLAGGED",
            SearchKey::From(_) => "FROM",
            SearchKey::Header(..) => "HEADER",
            SearchKey::Keyword(_) => "KEYWORD",
            SearchKey::Larger(_) => "LARGER",
            SearchKey::New => "NEW",
            SearchKey::Not(_) => "NOT",
            SearchKey::Old => "OLD",
            SearchKey::On(_) => "ON",
            SearchKey::Or(..) => "OR",
            SearchKey::Recent => "RECENT",
            SearchKey::Seen => "SEEN",
            SearchKey::SentBefore(_) => "SENTBEFORE",
            SearchKey::SentOn(_) => "SENTON",
            SearchKey::SentSince(_) => "SENTSINCE",
            SearchKey::Since(_) => "SINCE",
            SearchKey::Smaller(_) => "SMALLER",
            SearchKey::Subject(_) => "SUBJECT",
            SearchKey::Text(_) => "TEXT",
            SearchKey::To(_) => "TO",
            SearchKey::Uid(_) => "UID",
            SearchKey::Unanswered => "UNANSWERED",
            SearchKey::Undeleted => "UNDELETED",
            SearchKey::Undraft => "UNDRAFT",
            SearchKey::Unflagged => "UNFLAGGED",
            SearchKey::Unkeyword(_) => "UNKEYWORD",
            SearchKey::Unseen => "UNSEEN",
            SearchKey::SequenceSet(_) | SearchKey::And(_) => "",
            SearchKey::ModSeq { .. } => "MODSEQ",
            SearchKey::Older(_) => "OLDER",
            SearchKey::Younger(_) => "YOUNGER",
            SearchKey::SavedBefore(_) => "SAVEDBEFORE",
            SearchKey::SavedOn(_) => "SAVEDON",
            SearchKey::SavedSince(_) => "SAVEDSINCE",
            SearchKey::SaveDateSupported => "SAVEDATESUPPORTED",
            SearchKey::EmailId(_) => "EMAILID",
            SearchKey::ThreadId(_) => "THREADID",
            SearchKey::GmailRaw(_) => "X-GM-RAW",
            SearchKey::GmailMessageId(_) => "X-GM-MSGID",
            SearchKey::GmailThreadId(_) => "X-GM-THRID",
            SearchKey::GmailLabel(_) => "X-GM-LABELS",
        }
    }

    /// The keys directly inside this one, in wire order (empty for leaves).
    pub fn children(&self) -> Vec<&SearchKey> {
        match self {
            SearchKey::Not(key) => vec![&**key],
            SearchKey::Or(a, b) => vec![&**a, &**b],
            SearchKey::And(keys) => keys.iter().collect(),
            _ => Vec::new(),
        }
    }

    /// How deeply keys nest: 1 for a leaf, one more for each `NOT`, `OR` or list around it.
    /// Computed without recursion, so it is safe on any key.
    pub fn nesting_depth(&self) -> usize {
        let mut max = 0;
        let mut stack: Vec<(&SearchKey, usize)> = vec![(self, 1)];
        while let Some((key, depth)) = stack.pop() {
            max = max.max(depth);
            stack.extend(key.children().into_iter().map(|child| (child, depth + 1)));
        }
        max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_constructors_validate() {
        assert_eq!(
            SearchKey::subject("hello").unwrap(),
            SearchKey::Subject(ImapString::new("hello").unwrap())
        );
        assert!(SearchKey::subject("a\r\nA1 LOGOUT").is_err());
        assert!(SearchKey::from("x\0").is_err());
        assert!(SearchKey::header("From:", "x").is_err());
        assert!(SearchKey::header("X-Spam", "a\nb").is_err());
        assert_eq!(SearchKey::header("List-Id", "").unwrap().name(), "HEADER");
        assert!(SearchKey::keyword("$Junk").is_ok());
        assert!(SearchKey::keyword("a b").is_err());
        assert!(SearchKey::unkeyword("\\Seen").is_err());
        assert!(SearchKey::modseq(u64::MAX).is_err());
        assert_eq!(SearchKey::modseq(620_162_338).unwrap().name(), "MODSEQ");
    }

    #[test]
    fn and_normalises_empty_and_single_lists() {
        assert_eq!(SearchKey::and([]), SearchKey::All);
        assert_eq!(SearchKey::and([SearchKey::Seen]), SearchKey::Seen);
        assert_eq!(
            SearchKey::and([SearchKey::Seen, SearchKey::Flagged]),
            SearchKey::And(vec![SearchKey::Seen, SearchKey::Flagged])
        );
    }

    #[test]
    fn names_are_the_wire_keywords() {
        let date = ImapDate::new(1994, 2, 1).unwrap();
        let id = ObjectId::new("M1").unwrap();
        let secs = NonZeroU32::new(3600).unwrap();
        let cases = [
            (SearchKey::SentBefore(date), "SENTBEFORE"),
            (SearchKey::SavedSince(date), "SAVEDSINCE"),
            (SearchKey::Older(secs), "OLDER"),
            (SearchKey::Younger(secs), "YOUNGER"),
            (SearchKey::EmailId(id.clone()), "EMAILID"),
            (SearchKey::ThreadId(id), "THREADID"),
            (SearchKey::SaveDateSupported, "SAVEDATESUPPORTED"),
            (SearchKey::Uid(SequenceSet::all()), "UID"),
            (SearchKey::SequenceSet(SequenceSet::saved()), ""),
            (SearchKey::negate(SearchKey::Seen), "NOT"),
            (SearchKey::or(SearchKey::Seen, SearchKey::New), "OR"),
        ];
        for (key, name) in cases {
            assert_eq!(key.name(), name);
        }
    }

    #[test]
    fn modseq_entry_names_use_the_flag_wire_form() {
        let entry = ModSeqEntry {
            flag: Flag::Seen,
            kind: EntryKind::All,
        };
        assert_eq!(entry.entry_name(), "/flags/\\Seen");
        assert_eq!(entry.kind.as_str(), "all");
        assert_eq!(EntryKind::Private.as_str(), "priv");
        assert_eq!(EntryKind::Shared.as_str(), "shared");
    }

    #[test]
    fn nesting_depth_counts_not_or_and_lists_without_recursing() {
        assert_eq!(SearchKey::All.nesting_depth(), 1);
        let key = SearchKey::or(
            SearchKey::negate(SearchKey::Seen),
            SearchKey::And(vec![SearchKey::All]),
        );
        assert_eq!(key.nesting_depth(), 3);
        let mut deep = SearchKey::All;
        for _ in 0..100_000 {
            deep = SearchKey::negate(deep);
        }
        assert_eq!(deep.nesting_depth(), 100_001);
        // Dropping 100,000 nested boxes recursively would overflow the test thread's stack.
        let mut current = deep;
        while let SearchKey::Not(inner) = current {
            current = *inner;
        }
    }
}
