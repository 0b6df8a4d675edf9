//! What a completed command produced: its tagged status and the untagged data it claimed.

use super::CommandKind;
use crate::proto::ProtoError;
use crate::types::response::{IncompleteReply, ResponseCode, ServerData, Unparsed};

/// The tagged status of a completed command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Completion {
    /// `OK`
    Ok,
    /// `NO`: the server refused.
    No,
    /// `BAD`: the server did not understand or does not allow the command.
    Bad,
}

/// A completed command: status, response code and text, and its data in arrival order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CommandOutcome {
    /// Which kind of command it was.
    pub kind: CommandKind,
    /// OK, NO or BAD.
    pub completion: Completion,
    /// The tagged response's code (e.g. `[APPENDUID ...]`, `[READ-ONLY]`).
    pub code: Option<ResponseCode>,
    /// The tagged response's text.
    pub text: String,
    /// The untagged data the command claimed.
    pub data: Vec<ServerData>,
    /// The responses answering the command that could not be typed, in arrival order (an
    /// untyped `* n FETCH` is not here but in `data`, as a
    /// [`FetchResponse`](crate::types::response::FetchResponse) with `unparsed` set). Only an
    /// `OK` outcome has any: a failed command's go out as
    /// [`TypedEvent::Unparsed`](crate::TypedEvent::Unparsed) events.
    pub unparsed: Vec<Unparsed>,
}

impl CommandOutcome {
    /// An OK completion of a NOOP carrying `data` and `code`: what unit tests of result
    /// assembly start from.
    #[cfg(test)]
    pub(crate) fn ok_with(data: Vec<ServerData>, code: Option<ResponseCode>) -> Self {
        Self {
            kind: CommandKind::Noop,
            completion: Completion::Ok,
            code,
            text: String::new(),
            data,
            unparsed: Vec::new(),
        }
    }

    /// `Ok(self)` for OK; [`ProtoError::No`] / [`ProtoError::Bad`] (with code and text)
    /// for NO / BAD; [`ProtoError::Incomplete`] (with the whole outcome) for an OK whose
    /// responses were not all typed ([`unparsed`](Self::unparsed)): its result would be
    /// incomplete without saying so.
    pub fn into_result(self) -> Result<Self, ProtoError> {
        match self.completion {
            Completion::Ok if !self.unparsed.is_empty() => Err(ProtoError::Incomplete(Box::new(
                IncompleteReply::new(self.data, self.unparsed, self.code, self.text),
            ))),
            Completion::Ok => Ok(self),
            Completion::No => Err(ProtoError::No {
                code: self.code,
                text: self.text,
            }),
            Completion::Bad => Err(ProtoError::Bad {
                code: self.code,
                text: self.text,
            }),
        }
    }
}
