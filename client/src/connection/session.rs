//! Connection-level commands: CAPABILITY, NOOP, ID, ENABLE, LOGIN, AUTHENTICATE, LOGOUT.

use std::time::Duration;

use super::ImapConnection;
use crate::proto::command::{AuthMechanism, CommandBody};
use crate::proto::session::assemble;
use crate::types::response::ServerData;
use crate::types::{ImapAtom, ImapString, Secret};
use crate::{Error, Result};

impl ImapConnection {
    /// `CAPABILITY`: asks the server for its capabilities (also refreshes
    /// [`ImapConnection::capabilities`]).
    pub async fn capability(&self, timeout: Duration) -> Result<Vec<String>> {
        let outcome = self.run(CommandBody::Capability, timeout).await?;
        Ok(assemble::capabilities(&outcome))
    }

    /// `NOOP`: lets the server send pending updates (they arrive as events).
    pub async fn noop(&self, timeout: Duration) -> Result<()> {
        self.run(CommandBody::Noop, timeout).await.map(drop)
    }

    /// `ID` (RFC 2971): sends the client's identification (or `NIL`) and returns the server's.
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
                    .collect::<Result<Vec<_>>>()?,
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

    /// `ENABLE` (RFC 5161): returns what the server actually enabled.
    pub async fn enable(&self, extensions: &[&str], timeout: Duration) -> Result<Vec<String>> {
        let atoms = extensions
            .iter()
            .map(|e| ImapAtom::new(e))
            .collect::<Result<Vec<_>>>()?;
        let outcome = self.run(CommandBody::Enable(atoms), timeout).await?;
        Ok(assemble::enabled(&outcome))
    }

    /// `LOGIN` with a user name and password. Refused without sending anything when the
    /// server advertises `LOGINDISABLED`.
    pub async fn login(&self, user: &str, password: &str, timeout: Duration) -> Result<()> {
        let body = CommandBody::Login {
            username: ImapString::new(user)?,
            password: Secret::new(ImapString::new(password)?.as_str().to_owned()),
        };
        self.run(body, timeout).await.map(drop)
    }

    /// `AUTHENTICATE PLAIN` (RFC 4616), with the credentials in the first line when the
    /// server offers SASL-IR (RFC 4959), else after its first challenge.
    pub async fn authenticate_plain(
        &self,
        user: &str,
        password: &str,
        timeout: Duration,
    ) -> Result<()> {
        if !self.capabilities().has_auth("PLAIN") {
            return Err(Error::Unsupported("AUTH=PLAIN is not advertised".into()));
        }
        if user.contains('\0') || password.contains('\0') {
            return Err(Error::InvalidInput("NUL in user name or password".into()));
        }
        let mut response = Vec::with_capacity(user.len() + password.len() + 2);
        response.push(0);
        response.extend_from_slice(user.as_bytes());
        response.push(0);
        response.extend_from_slice(password.as_bytes());
        let body = CommandBody::Authenticate {
            mechanism: AuthMechanism::Plain,
            initial_response: Some(Secret::new(response)),
        };
        self.run(body, timeout).await.map(drop)
    }

    /// `LOGOUT`, with the connection's default timeout. The connection is closed afterwards.
    pub async fn logout(&self) -> Result<()> {
        self.run(CommandBody::Logout, self.default_timeout())
            .await
            .map(drop)
    }
}
