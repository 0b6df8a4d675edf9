//! LOGIN and AUTHENTICATE (RFC 3501 §6.2, SASL-IR RFC 4959), and the client lines of an
//! AUTHENTICATE exchange.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::writer::Writer;
use crate::types::AuthMechanism;
use crate::types::InvalidInput;
use crate::types::{ImapString, Secret};

pub(super) fn login(
    w: &mut Writer<'_>,
    username: &ImapString,
    password: &Secret<String>,
) -> Result<(), InvalidInput> {
    let password = password.expose_secret();
    if password.contains('\0') {
        // Never echo the password in the error.
        return Err(InvalidInput::new(
            "the password contains a NUL byte, which IMAP cannot carry".to_owned(),
        ));
    }
    w.raw("LOGIN ");
    w.astring(username.as_str().as_bytes())?;
    w.sp();
    w.astring(password.as_bytes())
}

pub(super) fn authenticate(
    w: &mut Writer<'_>,
    mechanism: &AuthMechanism,
    initial_response: Option<&Secret<Vec<u8>>>,
) -> Result<(), InvalidInput> {
    w.raw("AUTHENTICATE ");
    w.raw(mechanism.as_str());
    if let Some(response) = initial_response {
        w.sp();
        let data = response.expose_secret();
        if data.is_empty() {
            // RFC 4959: "=" is an empty initial response (as opposed to none).
            w.raw("=");
        } else {
            w.raw(&STANDARD.encode(data));
        }
    }
    Ok(())
}

/// One client line of an AUTHENTICATE exchange: `data` in base64 and CRLF. Empty data is an
/// empty line (RFC 3501 §6.2.2; RFC 4959's `=` only applies to the initial response in the
/// command itself, see [`crate::proto::command::CommandBody::Authenticate`]).
///
/// The result carries credentials: never log it.
///
/// ```
/// # use daaki_imap::proto::encode::encode_authenticate_response;
/// assert_eq!(encode_authenticate_response(b"\0user\0pass"), b"AHVzZXIAcGFzcw==\r\n");
/// assert_eq!(encode_authenticate_response(b""), b"\r\n");
/// ```
pub fn encode_authenticate_response(data: &[u8]) -> Vec<u8> {
    let mut line = STANDARD.encode(data).into_bytes();
    line.extend_from_slice(b"\r\n");
    line
}

/// The line that cancels an AUTHENTICATE exchange: `*` CRLF (RFC 3501 §6.2.2). The server
/// answers with a tagged BAD.
pub fn encode_authenticate_cancel() -> &'static [u8] {
    b"*\r\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xoauth2_and_oauthbearer_responses_are_base64_lines() {
        // Google's XOAUTH2 example (developers.google.com/gmail/imap/xoauth2-protocol).
        let xoauth2 = b"user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01";
        assert_eq!(
            encode_authenticate_response(xoauth2),
            b"dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==\r\n".to_vec()
        );
        // RFC 7628 §4.1 example.
        let bearer = b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01";
        assert_eq!(
            encode_authenticate_response(bearer),
            b"bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB\r\n".to_vec()
        );
        assert_eq!(encode_authenticate_cancel(), b"*\r\n");
    }
}
