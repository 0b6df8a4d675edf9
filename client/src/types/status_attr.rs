//! `StatusAttr`: the items a STATUS request asks for (RFC 3501 §6.3.10, RFC 9051 §6.3.11,
//! RFC 7162 HIGHESTMODSEQ, RFC 8438 STATUS=SIZE, RFC 7889 APPENDLIMIT, RFC 8474 MAILBOXID).

use crate::types::InvalidInput;

/// One STATUS data item. Display writes the wire name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum StatusAttr {
    /// `MESSAGES`: number of messages.
    Messages,
    /// `RECENT`: number of `\Recent` messages (IMAP4rev1 only).
    Recent,
    /// `UIDNEXT`: the next UID.
    UidNext,
    /// `UIDVALIDITY`
    UidValidity,
    /// `UNSEEN`: number of messages without `\Seen`.
    Unseen,
    /// `DELETED`: number of messages with `\Deleted` (IMAP4rev2).
    Deleted,
    /// `SIZE`: total size of the mailbox (STATUS=SIZE, IMAP4rev2).
    Size,
    /// `HIGHESTMODSEQ` (CONDSTORE).
    HighestModSeq,
    /// `APPENDLIMIT` (RFC 7889).
    AppendLimit,
    /// `MAILBOXID` (OBJECTID).
    MailboxId,
}

impl StatusAttr {
    /// Every item, in wire-name order of the RFCs.
    pub const ALL: [StatusAttr; 10] = [
        StatusAttr::Messages,
        StatusAttr::Recent,
        StatusAttr::UidNext,
        StatusAttr::UidValidity,
        StatusAttr::Unseen,
        StatusAttr::Deleted,
        StatusAttr::Size,
        StatusAttr::HighestModSeq,
        StatusAttr::AppendLimit,
        StatusAttr::MailboxId,
    ];

    /// The wire name (`MESSAGES`, `UIDNEXT`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            StatusAttr::Messages => "MESSAGES",
            StatusAttr::Recent => "RECENT",
            StatusAttr::UidNext => "UIDNEXT",
            StatusAttr::UidValidity => "UIDVALIDITY",
            StatusAttr::Unseen => "UNSEEN",
            StatusAttr::Deleted => "DELETED",
            StatusAttr::Size => "SIZE",
            StatusAttr::HighestModSeq => "HIGHESTMODSEQ",
            StatusAttr::AppendLimit => "APPENDLIMIT",
            StatusAttr::MailboxId => "MAILBOXID",
        }
    }

    /// One item name, case-insensitive.
    pub fn parse(name: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|attr| attr.as_str().eq_ignore_ascii_case(name))
            .ok_or_else(|| InvalidInput::new(format!("unknown STATUS item: {name:?}")))
    }

    /// Parses an item list as users write it: `(MESSAGES UNSEEN)` or `MESSAGES UNSEEN`,
    /// case-insensitive, items separated by spaces. Duplicates are dropped (first one
    /// wins). Rejects an empty list, unknown items and any byte other than letters, spaces
    /// and the enclosing parentheses — nothing else reaches the wire.
    pub fn parse_list(text: &str) -> Result<Vec<StatusAttr>, InvalidInput> {
        let invalid = || InvalidInput::new(format!("invalid STATUS item list: {text:?}"));
        let trimmed = text.trim_matches(' ');
        let inner = match trimmed.strip_prefix('(') {
            Some(rest) => rest.strip_suffix(')').ok_or_else(invalid)?,
            None => trimmed,
        };
        let mut attrs = Vec::new();
        for name in inner.split(' ').filter(|name| !name.is_empty()) {
            let attr = Self::parse(name).map_err(|_| invalid())?;
            if !attrs.contains(&attr) {
                attrs.push(attr);
            }
        }
        if attrs.is_empty() {
            return Err(invalid());
        }
        Ok(attrs)
    }
}

impl std::fmt::Display for StatusAttr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for StatusAttr {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, InvalidInput> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_list_accepts_the_seed_forms() {
        use StatusAttr::*;
        assert_eq!(
            StatusAttr::parse_list("(MESSAGES UNSEEN)").unwrap(),
            [Messages, Unseen]
        );
        assert_eq!(StatusAttr::parse_list("(MESSAGES)").unwrap(), [Messages]);
        assert_eq!(
            StatusAttr::parse_list("messages  uidNext ").unwrap(),
            [Messages, UidNext]
        );
        assert_eq!(StatusAttr::parse_list(" ( size ) ").unwrap(), [Size]);
        assert_eq!(
            StatusAttr::parse_list("(UNSEEN MESSAGES UNSEEN)").unwrap(),
            [Unseen, Messages]
        );
    }

    #[test]
    fn every_item_round_trips_through_its_wire_name() {
        let text = format!("({})", StatusAttr::ALL.map(|a| a.to_string()).join(" "));
        assert_eq!(
            text,
            "(MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE HIGHESTMODSEQ APPENDLIMIT MAILBOXID)"
        );
        assert_eq!(StatusAttr::parse_list(&text).unwrap(), StatusAttr::ALL);
    }

    #[test]
    fn parse_list_rejects_unknown_empty_and_injection() {
        for text in [
            "",
            "()",
            "( )",
            "(MESSAGES",
            "MESSAGES)",
            "((MESSAGES))",
            "(MESSAGES FOO)",
            "(MESSAGES)\r\nA1 LOGOUT",
            "(MESSAGES\tUNSEEN)",
            "(MESSAGES) (UNSEEN)",
            "MESSAGES,UNSEEN",
            "(X-GM-LABELS)",
        ] {
            assert!(
                StatusAttr::parse_list(text).is_err(),
                "{text:?} must be rejected"
            );
        }
    }
}
