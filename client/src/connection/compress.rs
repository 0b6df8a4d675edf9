//! COMPRESS=DEFLATE (RFC 4978): switching the connection to compressed traffic.

use std::time::Duration;

use super::ImapConnection;
use crate::proto::command::CommandBody;
use crate::{Error, Result};

impl ImapConnection {
    /// `COMPRESS DEFLATE` (RFC 4978): from the server's OK on, everything sent and received
    /// is compressed — transparently: every other call works as before. Worth it on slow
    /// links and for large FETCHes; mail text often shrinks to a third.
    ///
    /// Fails with [`Error::Unsupported`] (nothing sent) when the server does not advertise
    /// `COMPRESS=DEFLATE` (Dovecot does after login). Compression cannot be switched off
    /// again; asking twice gets the server's `NO [COMPRESSIONACTIVE]` as [`Error::No`]. Over
    /// TLS that already compresses, servers also answer NO.
    ///
    /// ```no_run
    /// # async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// conn.compress(std::time::Duration::from_secs(10)).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn compress(&self, timeout: Duration) -> Result<()> {
        if !self.capabilities().has("COMPRESS=DEFLATE") {
            return Err(Error::Unsupported(
                "COMPRESS=DEFLATE (RFC 4978) is not advertised".into(),
            ));
        }
        self.run(CommandBody::Compress, timeout).await.map(drop)
    }
}
