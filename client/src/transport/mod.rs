//! Byte streams the driver runs over.
//!
//! The driver only needs a bidirectional byte stream ([`Stream`]): TCP+TLS natively
//! ([`tls`]), a WebSocket to the bridge in browsers, or anything the caller brings
//! (`ImapConnection::from_stream`). Transport changes after connecting are byte transforms
//! inside the driver (COMPRESS) — STARTTLS happens before the driver starts, so no transport
//! ever has to be taken apart while the driver owns it.

pub mod bridge;
#[cfg(target_arch = "wasm32")]
pub mod browser;
pub mod compress;
#[cfg(all(not(target_arch = "wasm32"), feature = "tls"))]
pub mod tls;
#[cfg(all(not(target_arch = "wasm32"), feature = "websocket"))]
pub mod websocket;

use tokio::io::{AsyncRead, AsyncWrite};

use crate::runtime::MaybeSend;

/// A bidirectional byte stream the driver can own (`Send` on native targets).
pub trait Stream: AsyncRead + AsyncWrite + Unpin + MaybeSend + 'static {}
impl<T: AsyncRead + AsyncWrite + Unpin + MaybeSend + 'static> Stream for T {}

/// A boxed [`Stream`].
pub type BoxStream = Box<dyn Stream>;
