//! Connection-level commands: CAPABILITY, NOOP, ID, ENABLE, LOGIN, AUTHENTICATE,
//! UNAUTHENTICATE, LOGOUT.
//!
//! Authentication goes through a [`SaslClient`] ([`crate::proto::sasl`]): the driver answers
//! the server's challenges with it, so mechanisms with several steps (LOGIN) and the OAuth
//! failure flow (RFC 7628 §3.2.3) work the same on every transport. After LOGIN or
//! AUTHENTICATE succeeds, the client identifies itself with ID and IMAP4rev2 and UTF8=ACCEPT
//! are ENABLEd, each when the server offers it, in one round trip (see
//! [`ImapConnectionBuilder::client_id`](crate::ImapConnectionBuilder::client_id) and
//! [`ImapConnectionBuilder::enable_imap4rev2`](crate::ImapConnectionBuilder::enable_imap4rev2)).

use std::time::Duration;

use super::ImapConnection;
use crate::driver::{AuthRequest, Request};
use crate::proto::command::CommandBody;
use crate::proto::sasl::SaslClient;
use crate::proto::session::assemble;
use crate::types::response::ServerData;
use crate::types::{ImapAtom, ImapString, InvalidInput, Secret};
use crate::{Error, Result};

impl ImapConnection {
    /// `CAPABILITY`: asks the server for its capabilities (also refreshes
    /// [`ImapConnection::capabilities`]).
    ///
    /// ```no_run
    /// # async fn f(conn: daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// let caps = conn.capability(std::time::Duration::from_secs(30)).await?;
    /// println!("{caps:?}");
    /// # Ok(()) }
    /// ```
    pub async fn capability(&self, timeout: Duration) -> Result<Vec<String>> {
        let outcome = self.run(CommandBody::Capability, timeout).await?;
        Ok(assemble::capabilities(&outcome))
    }

    /// `NOOP`: lets the server send pending updates (they arrive as events).
    ///
    /// ```no_run
    /// # async fn f(conn: daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// conn.noop(std::time::Duration::from_secs(30)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn noop(&self, timeout: Duration) -> Result<()> {
        self.run(CommandBody::Noop, timeout).await.map(drop)
    }

    /// `ID` (RFC 2971): sends the client's identification (or `NIL`) and returns the server's
    /// (`None` when it answers `NIL`). Values the server sends as `NIL` are `None`.
    ///
    /// ```no_run
    /// # async fn f(conn: daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// let t = std::time::Duration::from_secs(30);
    /// let server = conn.id(Some(&[("name", "my-app"), ("version", "1.0")]), t).await?;
    /// if let Some(fields) = server {
    ///     for (key, value) in fields {
    ///         println!("{key}: {value:?}");
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn id(
        &self,
        client: Option<&[(&str, &str)]>,
        timeout: Duration,
    ) -> Result<Option<Vec<(String, Option<String>)>>> {
        let params = match client {
            Some(pairs) => Some(
                pairs
                    .iter()
                    .map(|(k, v)| Ok((ImapString::new(k)?, Some(ImapString::new(v)?))))
                    .collect::<Result<Vec<_>, InvalidInput>>()?,
            ),
            None => None,
        };
        let outcome = self.run(CommandBody::Id(params), timeout).await?;
        Ok(outcome
            .data
            .into_iter()
            .find_map(|d| match d {
                ServerData::Id(id) => Some(id),
                _ => None,
            })
            .flatten())
    }

    /// `ENABLE` (RFC 5161): returns what the server actually enabled (names as sent). The
    /// session remembers them: enabling `IMAP4rev2` or `UTF8=ACCEPT` switches mailbox names
    /// and strings to UTF-8 for later commands.
    ///
    /// ```no_run
    /// # async fn f(conn: daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// let enabled = conn.enable(&["CONDSTORE"], std::time::Duration::from_secs(30)).await?;
    /// assert!(enabled.iter().any(|e| e.eq_ignore_ascii_case("CONDSTORE")));
    /// # Ok(()) }
    /// ```
    pub async fn enable(&self, extensions: &[&str], timeout: Duration) -> Result<Vec<String>> {
        let atoms = extensions
            .iter()
            .map(|e| ImapAtom::new(e))
            .collect::<Result<Vec<_>, InvalidInput>>()?;
        let outcome = self.run(CommandBody::Enable(atoms), timeout).await?;
        Ok(assemble::enabled(&outcome))
    }

    /// `LOGIN` with a user name and password. Refused with [`Error::Unsupported`] without
    /// sending anything when the server advertises `LOGINDISABLED` (capabilities are asked
    /// first if none are known yet). A wrong password is [`Error::No`] with
    /// [`ResponseCode::AuthenticationFailed`](crate::types::response::ResponseCode::AuthenticationFailed)
    /// on servers that send RFC 5530 codes.
    ///
    /// ```no_run
    /// # async fn f(conn: daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// conn.login("alice", "secret", std::time::Duration::from_secs(30)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn login(&self, user: &str, password: &str, timeout: Duration) -> Result<()> {
        let body = CommandBody::Login {
            username: ImapString::new(user)?,
            password: Secret::new(ImapString::new(password)?.as_str().to_owned()),
        };
        self.known_capabilities(timeout).await?;
        self.run(body, timeout).await?;
        self.after_login(timeout).await
    }

    /// `AUTHENTICATE` with any supported SASL mechanism; see [`crate::proto::sasl`]. The
    /// initial response goes in the command when the server offers SASL-IR (RFC 4959), else
    /// after the server's first challenge. Fails with [`Error::Unsupported`], sending nothing,
    /// when the server does not advertise `AUTH=<mechanism>`; with [`Error::OAuth`] when an
    /// OAuth token is refused with a JSON error report.
    ///
    /// ```no_run
    /// # async fn f(conn: daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// use daaki_imap::proto::sasl::SaslClient;
    /// let client = SaslClient::plain("alice", "secret")?;
    /// conn.authenticate(client, std::time::Duration::from_secs(30)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn authenticate(&self, client: SaslClient, timeout: Duration) -> Result<()> {
        self.known_capabilities(timeout).await?;
        let mechanism = client.mechanism();
        if !self.capabilities().has_auth(mechanism.as_str()) {
            return Err(Error::Unsupported(format!(
                "AUTH={} is not advertised",
                mechanism.as_str()
            )));
        }
        use tracing::Instrument;
        // The span names the command only: credentials never reach logs.
        let span = tracing::debug_span!("imap_command", command = "AUTHENTICATE");
        self.request(
            |reply| Request::Authenticate(AuthRequest { client, reply }),
            timeout,
        )
        .instrument(span)
        .await?
        .into_result()?;
        self.after_login(timeout).await
    }

    /// `AUTHENTICATE PLAIN` (RFC 4616).
    ///
    /// ```no_run
    /// # async fn f(conn: daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// conn.authenticate_plain("alice", "secret", std::time::Duration::from_secs(30)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn authenticate_plain(
        &self,
        user: &str,
        password: &str,
        timeout: Duration,
    ) -> Result<()> {
        self.authenticate(SaslClient::plain(user, password)?, timeout)
            .await
    }

    /// `AUTHENTICATE LOGIN`: user name and password as answers to two challenges.
    ///
    /// ```no_run
    /// # async fn f(conn: daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// conn.authenticate_login("alice", "secret", std::time::Duration::from_secs(30)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn authenticate_login(
        &self,
        user: &str,
        password: &str,
        timeout: Duration,
    ) -> Result<()> {
        self.authenticate(SaslClient::login(user, password)?, timeout)
            .await
    }

    /// `AUTHENTICATE XOAUTH2` with an OAuth 2.0 access token (Gmail, Outlook). A refused
    /// token is [`Error::OAuth`] with the server's decoded JSON.
    ///
    /// ```no_run
    /// # async fn f(conn: daaki_imap::ImapConnection, token: &str) -> daaki_imap::Result<()> {
    /// let t = std::time::Duration::from_secs(30);
    /// match conn.authenticate_xoauth2("alice@example.com", token, t).await {
    ///     Err(daaki_imap::Error::OAuth { error, .. }) => println!("refused: {:?}", error.status),
    ///     other => other?,
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn authenticate_xoauth2(
        &self,
        user: &str,
        token: &str,
        timeout: Duration,
    ) -> Result<()> {
        self.authenticate(SaslClient::xoauth2(user, token)?, timeout)
            .await
    }

    /// `AUTHENTICATE OAUTHBEARER` (RFC 7628) with an OAuth 2.0 bearer token; `host` and
    /// `port` are the server's, as the RFC's GS2 message carries them. A refused token is
    /// [`Error::OAuth`] with the server's decoded JSON (`status`, `scope`,
    /// `openid-configuration`).
    ///
    /// ```no_run
    /// # async fn f(conn: daaki_imap::ImapConnection, token: &str) -> daaki_imap::Result<()> {
    /// let t = std::time::Duration::from_secs(30);
    /// conn.authenticate_oauthbearer("alice@example.com", "imap.example.com", 993, token, t)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn authenticate_oauthbearer(
        &self,
        user: &str,
        host: &str,
        port: u16,
        token: &str,
        timeout: Duration,
    ) -> Result<()> {
        self.authenticate(SaslClient::oauthbearer(user, host, port, token)?, timeout)
            .await
    }

    /// `UNAUTHENTICATE` (RFC 8437): ends the authenticated session without closing the
    /// connection; the state returns to not-authenticated and everything ENABLEd is
    /// forgotten. [`Error::Unsupported`] (nothing sent) when the server does not advertise
    /// `UNAUTHENTICATE`.
    ///
    /// ```no_run
    /// # async fn f(conn: daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// let t = std::time::Duration::from_secs(30);
    /// conn.unauthenticate(t).await?;
    /// conn.login("bob", "other secret", t).await?;
    /// # Ok(()) }
    /// ```
    pub async fn unauthenticate(&self, timeout: Duration) -> Result<()> {
        if !self.capabilities().has("UNAUTHENTICATE") {
            return Err(Error::Unsupported(
                "UNAUTHENTICATE (RFC 8437) is not advertised".into(),
            ));
        }
        self.run(CommandBody::Unauthenticate, timeout)
            .await
            .map(drop)
    }

    /// `LOGOUT`, with the connection's default timeout. The connection is closed afterwards.
    ///
    /// ```no_run
    /// # async fn f(conn: daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// conn.logout().await?;
    /// # Ok(()) }
    /// ```
    pub async fn logout(&self) -> Result<()> {
        self.run(CommandBody::Logout, self.default_timeout())
            .await
            .map(drop)
    }

    /// Asks CAPABILITY when none are known (a greeting without `[CAPABILITY]`), so that
    /// `LOGINDISABLED` and `AUTH=` are checked against what the server offers.
    async fn known_capabilities(&self, timeout: Duration) -> Result<()> {
        if self.capabilities().is_empty() {
            self.capability(timeout).await?;
        }
        Ok(())
    }

    /// What follows authentication, in the authenticated state only, pipelined: ID when the
    /// server advertises it (Yahoo and 163.com refuse SELECT with "Unsafe Login" until the
    /// client identified itself), and ENABLE of IMAP4rev2 / UTF8=ACCEPT when offered. A server
    /// that refuses either is not an error.
    pub(super) async fn after_login(&self, timeout: Duration) -> Result<()> {
        if self.state() != crate::ConnectionState::Authenticated {
            return Ok(());
        }
        let (id, enable) = tokio::join!(self.send_client_id(timeout), self.auto_enable(timeout));
        id.and(enable)
    }

    /// `ID` with the configured fields, when the server advertises ID and ID is wanted. The
    /// server's answer is not needed: a refusal or an untypeable reply is not an error.
    async fn send_client_id(&self, timeout: Duration) -> Result<()> {
        let Some(fields) = &self.inner.after_login.client_id else {
            return Ok(());
        };
        if !self.capabilities().has("ID") {
            return Ok(());
        }
        match self
            .run(CommandBody::Id(Some(fields.clone())), timeout)
            .await
        {
            Ok(_) | Err(Error::No { .. } | Error::Bad { .. } | Error::Incomplete(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// ENABLEs IMAP4rev2 and UTF8=ACCEPT when offered and wanted (ENABLE is not valid before
    /// authentication); UTF8=ACCEPT always on a `UTF8=ONLY` server, which selects no mailbox
    /// without it (RFC 6855 §6). A server that refuses is not an error: the session stays on
    /// IMAP4rev1 (and a UTF8=ONLY server's mailbox commands are then refused before sending).
    async fn auto_enable(&self, timeout: Duration) -> Result<()> {
        let caps = self.capabilities();
        let wanted_rev2 = self.inner.after_login.enable_rev2;
        let mut wanted = Vec::new();
        if wanted_rev2 && caps.has("IMAP4REV2") {
            wanted.push("IMAP4rev2");
        }
        if (wanted_rev2 && caps.has("UTF8=ACCEPT")) || caps.utf8_only() {
            wanted.push("UTF8=ACCEPT");
        }
        if wanted.is_empty() || !(caps.has("ENABLE") || caps.imap4rev2()) {
            return Ok(());
        }
        match self.enable(&wanted, timeout).await {
            Ok(_) | Err(Error::No { .. } | Error::Bad { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
