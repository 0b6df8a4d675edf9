//! What a [`Session`](super::Session) and its driver say to each other: the id of a submitted
//! command, how its data is delivered, and the events the driver acts on.

use super::CommandOutcome;
use crate::proto::ProtoError;
use crate::types::TypedEvent;
use crate::types::response::{FetchResponse, ResponseCode};

/// Identifies one submitted command for the life of the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CommandId(pub(crate) u64);

impl CommandId {
    /// The number behind the id (for logs).
    pub fn get(self) -> u64 {
        self.0
    }
}

/// How the untagged data a command claims is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DataMode {
    /// Collected into [`CommandOutcome::data`], delivered with the completion.
    #[default]
    Collect,
    /// FETCH data is handed out one response at a time as [`SessionEvent::Fetch`] (streaming
    /// FETCH); other data is collected.
    Stream,
}

/// The server greeting (RFC 3501 §7.1: `OK`, `PREAUTH` or `BYE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GreetingKind {
    /// Ready; authentication needed.
    Ok,
    /// Already authenticated (e.g. by the transport).
    PreAuth,
    /// The server refuses the connection.
    Bye,
}

/// What the session tells its driver.
#[derive(Debug)]
#[non_exhaustive]
pub enum SessionEvent {
    /// The greeting arrived; the state is set accordingly.
    Greeting {
        /// OK, PREAUTH or BYE.
        kind: GreetingKind,
        /// The response code (often `[CAPABILITY ...]`).
        code: Option<ResponseCode>,
        /// The greeting text.
        text: String,
    },
    /// A command completed (OK, NO or BAD) with the data it claimed.
    Completed {
        /// Which command.
        id: CommandId,
        /// Status, code, text and data.
        outcome: CommandOutcome,
    },
    /// A command cannot complete normally: its tagged response could not be parsed.
    Failed {
        /// Which command.
        id: CommandId,
        /// Why.
        error: ProtoError,
    },
    /// One FETCH response of a command submitted in [`DataMode::Stream`].
    Fetch {
        /// Which command.
        id: CommandId,
        /// The response.
        fetch: FetchResponse,
    },
    /// Untagged data no command claimed.
    Unsolicited(TypedEvent),
    /// The server accepted IDLE (`+`): the connection idles until [`Session::idle_done`](super::Session::idle_done).
    IdleAccepted {
        /// The IDLE command.
        id: CommandId,
    },
    /// A SASL challenge (base64-decoded; the raw text if it was not base64). Answer with
    /// [`Session::authenticate_respond`](super::Session::authenticate_respond) or [`Session::authenticate_cancel`](super::Session::authenticate_cancel).
    AuthChallenge {
        /// The AUTHENTICATE command.
        id: CommandId,
        /// The decoded challenge.
        challenge: Vec<u8>,
    },
    /// STARTTLS succeeded: do the TLS handshake on the transport now, then call
    /// [`Session::transport_changed`](super::Session::transport_changed). Bytes the server sent after its OK and before the
    /// handshake were discarded unread (they could be an injection attack, CVE-2011-0411);
    /// `discarded` counts them.
    StartTls {
        /// The STARTTLS command.
        id: CommandId,
        /// How many received bytes were thrown away.
        discarded: usize,
    },
    /// COMPRESS succeeded: from now on the server's bytes are compressed. Install the
    /// decompressor, feed it `leftover` (compressed bytes that came with the OK) and the rest of
    /// the stream, and call [`Session::transport_changed`](super::Session::transport_changed).
    Compress {
        /// The COMPRESS command.
        id: CommandId,
        /// Compressed bytes already received.
        leftover: Vec<u8>,
    },
    /// A protocol violation (a tagged response for no command in flight, an unexpected
    /// continuation or PREAUTH) or a response over a frame limit; the session goes on.
    /// (Responses that merely do not parse are kept as `Unparsed` values instead.)
    Malformed {
        /// What was wrong.
        error: ProtoError,
    },
    /// The byte stream cannot be followed any more (e.g. a literal length that overflows):
    /// close the connection and call [`Session::fail_all`](super::Session::fail_all).
    Fatal {
        /// What happened.
        error: ProtoError,
    },
}
