//! `ImapError`: every rejected promise of the package carries a JS `Error` with a stable
//! `code` (an [`ErrorCode`]), and, when the server sent one, the IMAP response code
//! (`responseCode`, e.g. `"AUTHENTICATIONFAILED"`) and its text (`serverText`).
//!
//! The codes are part of the package's contract: applications switch on them, so a code is
//! never renamed; new ones may be added.

use serde::Serialize;
use tsify::Tsify;
use wasm_bindgen::prelude::*;

use crate::Error;

/// The stable `code` of an `ImapError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// An argument cannot be sent as it is (nothing was sent).
    InvalidInput,
    /// The server said `NO` (see `responseCode`, e.g. `AUTHENTICATIONFAILED`).
    No,
    /// The server said `BAD`.
    Bad,
    /// The server said `BYE` and closed the session.
    Bye,
    /// OAuth authentication (XOAUTH2/OAUTHBEARER) failed; see `responseCode` and `serverText`.
    #[serde(rename = "OAUTH")]
    OAuth,
    /// The server does not offer what the call needs (nothing was sent).
    Unsupported,
    /// The message is larger than the server's APPENDLIMIT (nothing was sent).
    AppendLimit,
    /// The connection is closed.
    Closed,
    /// The call's time ran out (the connection stays usable).
    Timeout,
    /// The WebSocket failed or was refused.
    Io,
    /// TLS failed (only between the bridge and the server; reported by the bridge).
    Tls,
    /// The server's compressed stream is corrupt.
    Compression,
    /// A server response broke a size limit.
    ProtocolLimit,
    /// A server response could not be parsed, or a reply lacked the data its command must
    /// return.
    Parse,
    /// The command completed, but responses answering it could not be typed: its result
    /// would be incomplete. `unparsed` holds them (bytes and the parser's reason).
    Incomplete,
    /// A buffered reply exceeded its cap; use `fetchStream`.
    ReplyTooLarge,
    /// The bridge refused or ended the connection (see `bridgeCloseCode`).
    Bridge,
    /// The call was aborted through its `AbortSignal`.
    Aborted,
}

/// The fields an `ImapError` adds to `Error` (its `name` is `"ImapError"`).
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ImapErrorFields {
    /// What went wrong, as a stable code.
    pub code: ErrorCode,
    /// The IMAP response code the server sent with `NO`/`BAD`/`BYE` (e.g.
    /// `"AUTHENTICATIONFAILED"`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_code: Option<String>,
    /// The server's human-readable text of `NO`/`BAD`/`BYE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_text: Option<String>,
    /// The bridge's close code (4000–4999) when `code` is `"BRIDGE"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bridge_close_code: Option<u16>,
    /// The responses that could not be typed, when `code` is `"INCOMPLETE"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unparsed: Option<Vec<crate::types::response::Unparsed>>,
}

/// Whether `e` is an error thrown by this package (a type guard for TypeScript).
#[wasm_bindgen(
    js_name = isImapError,
    unchecked_return_type = "e is Error & ImapErrorFields"
)]
pub fn is_imap_error(#[wasm_bindgen(unchecked_param_type = "unknown")] e: JsValue) -> bool {
    e.is_instance_of::<js_sys::Error>()
        && js_sys::Reflect::get(&e, &JsValue::from_str("name"))
            .ok()
            .and_then(|n| n.as_string())
            .is_some_and(|n| n == "ImapError")
}

/// The code and fields of a Rust [`Error`].
pub(crate) fn fields(error: &Error) -> ImapErrorFields {
    let mut fields = ImapErrorFields {
        code: ErrorCode::InvalidInput,
        response_code: None,
        server_text: None,
        bridge_close_code: None,
        unparsed: None,
    };
    fields.code = match error {
        Error::InvalidInput(_) => ErrorCode::InvalidInput,
        Error::Frame(_) => ErrorCode::ProtocolLimit,
        // A reply missing its data is one the client could not understand: PARSE.
        Error::Parse(_) | Error::Protocol(_) => ErrorCode::Parse,
        Error::No { code, text } | Error::Bad { code, text } | Error::Bye { code, text } => {
            fields.response_code = code.as_ref().map(|c| c.name().into_owned());
            fields.server_text = Some(text.clone());
            match error {
                Error::No { .. } => ErrorCode::No,
                Error::Bad { .. } => ErrorCode::Bad,
                _ => ErrorCode::Bye,
            }
        }
        Error::OAuth { code, text, .. } => {
            fields.response_code = code.as_ref().map(|c| c.name().into_owned());
            fields.server_text = Some(text.clone());
            ErrorCode::OAuth
        }
        Error::Unsupported(_) => ErrorCode::Unsupported,
        Error::AppendLimit { .. } => ErrorCode::AppendLimit,
        Error::Closed => ErrorCode::Closed,
        Error::Timeout => ErrorCode::Timeout,
        Error::Io(_) => ErrorCode::Io,
        Error::Tls(_) => ErrorCode::Tls,
        Error::Compression(_) => ErrorCode::Compression,
        Error::ReplyTooLarge { .. } => ErrorCode::ReplyTooLarge,
        Error::Incomplete(reply) => {
            fields.unparsed = Some(reply.unparsed.clone());
            ErrorCode::Incomplete
        }
        Error::Bridge { code, .. } => {
            fields.bridge_close_code = Some(code.as_u16());
            ErrorCode::Bridge
        }
    };
    fields
}

/// A JS `Error` named `ImapError` with the [`ImapErrorFields`] set on it; its message is
/// the Rust error's own `Display`.
pub(crate) fn to_js(error: &Error) -> JsValue {
    build(&error.to_string(), &fields(error))
}

/// The error of an aborted call.
pub(crate) fn aborted(what: &str) -> JsValue {
    build(
        &format!("{what} aborted"),
        &ImapErrorFields {
            code: ErrorCode::Aborted,
            response_code: None,
            server_text: None,
            bridge_close_code: None,
            unparsed: None,
        },
    )
}

/// An `INVALID_INPUT` error for arguments that did not convert.
pub(crate) fn invalid(message: impl std::fmt::Display) -> JsValue {
    to_js(&Error::InvalidInput(message.to_string()))
}

fn build(message: &str, fields: &ImapErrorFields) -> JsValue {
    let error = js_sys::Error::new(message);
    error.set_name("ImapError");
    let target: &JsValue = error.as_ref();
    let set = |key: &str, value: JsValue| {
        // Setting a property on a fresh Error object cannot fail.
        let _ = js_sys::Reflect::set(target, &JsValue::from_str(key), &value);
    };
    let code = match serde_wasm_bindgen::to_value(&fields.code) {
        Ok(code) => code,
        Err(_) => JsValue::from_str("INVALID_INPUT"),
    };
    set("code", code);
    if let Some(rc) = &fields.response_code {
        set("responseCode", JsValue::from_str(rc));
    }
    if let Some(text) = &fields.server_text {
        set("serverText", JsValue::from_str(text));
    }
    if let Some(close) = fields.bridge_close_code {
        set("bridgeCloseCode", JsValue::from(close));
    }
    if let Some(unparsed) = &fields.unparsed
        && let Ok(list) = unparsed.serialize(&serde_wasm_bindgen::Serializer::new())
    {
        set("unparsed", list);
    }
    error.into()
}
