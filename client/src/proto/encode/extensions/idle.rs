//! IDLE (RFC 2177): the command is [`crate::proto::command::CommandBody::Idle`]; this module
//! owns the untagged line that ends it.

/// `DONE` CRLF: ends IDLE. The server then sends the tagged completion of the IDLE command.
pub fn encode_idle_done() -> &'static [u8] {
    b"DONE\r\n"
}
