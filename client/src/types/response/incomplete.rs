//! The reply of a command some of whose responses could not be typed.

use super::{ResponseCode, ServerData, Unparsed};

/// The reply to a command that completed with `OK` but not every response of which could be
/// typed: what [`Error::Incomplete`](crate::Error::Incomplete) carries, so the call says its
/// result would be incomplete instead of returning part of it as if whole.
///
/// The command took effect (a SELECT selected its mailbox, a STORE stored); `data` holds
/// every response of the reply that was typed, `unparsed` the others, each in arrival order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct IncompleteReply {
    /// The typed untagged data that answered the command (what the call would have built its
    /// result from).
    pub data: Vec<ServerData>,
    /// The responses answering the command that could not be typed (never empty).
    pub unparsed: Vec<Unparsed>,
    /// The tagged `OK`'s response code.
    pub code: Option<ResponseCode>,
    /// The tagged `OK`'s text.
    pub text: String,
}

impl IncompleteReply {
    /// A reply of typed `data` and untyped `unparsed` responses, completed by an `OK` with
    /// `code` and `text`.
    pub fn new(
        data: Vec<ServerData>,
        unparsed: Vec<Unparsed>,
        code: Option<ResponseCode>,
        text: impl Into<String>,
    ) -> Self {
        IncompleteReply {
            data,
            unparsed,
            code,
            text: text.into(),
        }
    }
}

impl std::fmt::Display for IncompleteReply {
    /// How many responses were typed and how many not, and the first untyped one.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} untyped and {} typed responses in the reply",
            self.unparsed.len(),
            self.data.len()
        )?;
        if let Some(first) = self.unparsed.first() {
            write!(f, "; the first untyped: {first}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_incomplete_reply_says_how_much_was_typed_and_shows_the_first_untyped() {
        let reply = IncompleteReply::new(
            vec![ServerData::Exists(3)],
            vec![
                Unparsed::new(b"* LIST (\\X\r\n".to_vec(), "no close"),
                Unparsed::new(b"* LIST y\r\n".to_vec(), "second"),
            ],
            None,
            "done",
        );
        assert_eq!(
            reply.to_string(),
            "2 untyped and 1 typed responses in the reply; the first untyped: \
             unparsed response (no close): * LIST (\\\\X\\r\\n"
        );
        let empty = IncompleteReply::default();
        assert_eq!(
            empty.to_string(),
            "0 untyped and 0 typed responses in the reply"
        );
    }
}
