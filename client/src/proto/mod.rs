//! The sans-I/O protocol core: bytes in, values out — no async, no I/O, identical on every
//! target.

mod error;
pub mod framer;
pub mod limits;

pub use error::{ProtoError, ProtoResult};

pub use framer::{Frame, FrameError, Framer};
pub use limits::Limits;

// The parser and its borrowed model are the session's fast path, not a second public response
// model: the public model is `crate::types::response`. They stay reachable (hidden) for the
// fuzzers, the parser benchmark and the conformance tests, which drive the parser directly.
#[doc(hidden)]
pub mod parse;
#[doc(hidden)]
pub mod response;

#[doc(hidden)]
pub use parse::parse_response;
pub use parse::{MAX_DEPTH, ParseError, ParseErrorKind};

pub mod command;
pub mod encode;

pub use command::{Command, CommandBody};
pub use encode::{EncodeOptions, EncodedCommand, encode};

pub mod sasl;
pub mod session;

pub use session::{CommandId, DataMode, Session, SessionConfig, SessionEvent};
