//! The sans-I/O protocol core: bytes in, values out — no async, no I/O, identical on every
//! target.

mod error;
pub mod framer;
pub mod limits;

pub use error::{ProtoError, ProtoResult};

pub use framer::{Frame, FrameError, Framer};
pub use limits::Limits;

pub mod parse;
pub mod response;

pub use parse::{MAX_DEPTH, ParseError, ParseErrorKind, parse_response};

pub mod command;
pub mod encode;

pub use command::{Command, CommandBody};
pub use encode::{EncodeOptions, EncodedCommand, encode};

pub mod sasl;
pub mod session;

pub use session::{CommandId, DataMode, Session, SessionConfig, SessionEvent};
