//! The client side of the SASL mechanisms AUTHENTICATE uses (RFC 3501 §6.2.2, RFC 9051
//! §6.2.2): PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-login), XOAUTH2 (Google /
//! Microsoft) and OAUTHBEARER (RFC 7628), as sans-I/O state machines.
//!
//! A [`SaslClient`] gives the initial response ([`SaslClient::initial_response`]) — the
//! session sends it in the command line when the server offers SASL-IR (RFC 4959), else after
//! the server's first empty challenge — and answers every later challenge
//! ([`SaslClient::respond`]). The OAuth mechanisms have one defined later challenge: a failure
//! report, a base64 JSON object (RFC 7628 §3.2.2), to which the client answers with the dummy
//! response `%x01` (OAUTHBEARER, §3.2.3) or an empty line (XOAUTH2), after which the server
//! sends `NO`. [`SaslClient::finish`] turns that `NO` into [`ProtoError::OAuth`] carrying the
//! decoded [`OAuthError`].
//!
//! Every value a client holds is a credential: `Debug` redacts them.
//!
//! ```
//! use daaki_imap::proto::sasl::{SaslClient, SaslStep};
//! let mut login = SaslClient::login("alice", "s3cret").unwrap();
//! assert!(login.initial_response().is_none());
//! let answer = |step| match step {
//!     SaslStep::Respond(secret) => Some(secret),
//!     SaslStep::Cancel => None,
//! };
//! let user = answer(login.respond(b"Username:")).expect("LOGIN answers the user prompt");
//! assert_eq!(user.expose_secret(), b"alice");
//! let pass = answer(login.respond(b"Password:")).expect("LOGIN answers the password prompt");
//! assert_eq!(pass.expose_secret(), b"s3cret");
//! assert!(matches!(login.respond(b"again?"), SaslStep::Cancel));
//! ```

mod oauth_error;

pub use oauth_error::OAuthError;

use crate::proto::ProtoError;
use crate::proto::session::{CommandOutcome, Completion};
use crate::types::AuthMechanism;
use crate::types::InvalidInput;
use crate::types::Secret;

/// What to send in answer to a server challenge.
#[derive(Debug)]
pub enum SaslStep {
    /// This response (the session base64-encodes it).
    Respond(Secret<Vec<u8>>),
    /// Cancel the exchange (`*`); the server answers `BAD`.
    Cancel,
}

#[derive(Clone)]
enum Mechanism {
    Plain {
        authzid: String,
        user: String,
        password: String,
    },
    Login {
        user: String,
        password: String,
    },
    XOAuth2 {
        user: String,
        token: String,
    },
    OAuthBearer {
        user: String,
        host: String,
        port: u16,
        token: String,
    },
}

/// One SASL exchange, client side. See the [module docs](self).
#[derive(Clone)]
pub struct SaslClient {
    mechanism: Mechanism,
    /// Challenges answered so far (after the initial response).
    steps: u32,
    /// The OAuth failure challenge, as sent (decoded from base64).
    server_error: Option<Vec<u8>>,
}

impl std::fmt::Debug for SaslClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SaslClient")
            .field("mechanism", &self.mechanism().as_str())
            .field("credentials", &"[redacted]")
            .field("steps", &self.steps)
            .finish()
    }
}

fn no_nul(what: &str, value: &str) -> Result<(), InvalidInput> {
    if value.contains('\0') {
        return Err(InvalidInput::new(format!("NUL in the {what}")));
    }
    Ok(())
}

fn no_ctrl_a(what: &str, value: &str) -> Result<(), InvalidInput> {
    if value.contains('\x01') {
        return Err(InvalidInput::new(format!("^A (0x01) in the {what}")));
    }
    Ok(())
}

impl SaslClient {
    fn new(mechanism: Mechanism) -> Self {
        Self {
            mechanism,
            steps: 0,
            server_error: None,
        }
    }

    /// PLAIN (RFC 4616) with no authorisation identity: `\0user\0password`.
    pub fn plain(user: &str, password: &str) -> Result<Self, InvalidInput> {
        Self::plain_as("", user, password)
    }

    /// PLAIN acting as `authzid` (`authzid\0user\0password`), for administrators logging in
    /// as another user where the server allows it.
    pub fn plain_as(authzid: &str, user: &str, password: &str) -> Result<Self, InvalidInput> {
        no_nul("authorisation identity", authzid)?;
        no_nul("user name", user)?;
        no_nul("password", password)?;
        Ok(Self::new(Mechanism::Plain {
            authzid: authzid.to_owned(),
            user: user.to_owned(),
            password: password.to_owned(),
        }))
    }

    /// LOGIN: the user name and then the password, each as the answer to one challenge.
    pub fn login(user: &str, password: &str) -> Result<Self, InvalidInput> {
        no_nul("user name", user)?;
        no_nul("password", password)?;
        Ok(Self::new(Mechanism::Login {
            user: user.to_owned(),
            password: password.to_owned(),
        }))
    }

    /// XOAUTH2: `user=<user>^Aauth=Bearer <token>^A^A`.
    pub fn xoauth2(user: &str, token: &str) -> Result<Self, InvalidInput> {
        no_ctrl_a("user name", user)?;
        no_ctrl_a("token", token)?;
        Ok(Self::new(Mechanism::XOAuth2 {
            user: user.to_owned(),
            token: token.to_owned(),
        }))
    }

    /// OAUTHBEARER (RFC 7628): a GS2 header naming `user`, then `host`, `port` and the bearer
    /// token: `n,a=<user>,^Ahost=<host>^Aport=<port>^Aauth=Bearer <token>^A^A`.
    pub fn oauthbearer(
        user: &str,
        host: &str,
        port: u16,
        token: &str,
    ) -> Result<Self, InvalidInput> {
        for (what, value) in [("user name", user), ("host", host), ("token", token)] {
            no_ctrl_a(what, value)?;
            no_nul(what, value)?;
        }
        Ok(Self::new(Mechanism::OAuthBearer {
            user: user.to_owned(),
            host: host.to_owned(),
            port,
            token: token.to_owned(),
        }))
    }

    /// The mechanism, for `AUTHENTICATE <mechanism>` and the `AUTH=` check.
    pub fn mechanism(&self) -> AuthMechanism {
        match self.mechanism {
            Mechanism::Plain { .. } => AuthMechanism::Plain,
            Mechanism::Login { .. } => AuthMechanism::Login,
            Mechanism::XOAuth2 { .. } => AuthMechanism::XOAuth2,
            Mechanism::OAuthBearer { .. } => AuthMechanism::OAuthBearer,
        }
    }

    /// The client-first message, if the mechanism has one (LOGIN has none).
    pub fn initial_response(&self) -> Option<Secret<Vec<u8>>> {
        let bytes = match &self.mechanism {
            Mechanism::Plain {
                authzid,
                user,
                password,
            } => [authzid.as_bytes(), user.as_bytes(), password.as_bytes()].join(&0u8),
            Mechanism::Login { .. } => return None,
            Mechanism::XOAuth2 { user, token } => {
                format!("user={user}\x01auth=Bearer {token}\x01\x01").into_bytes()
            }
            Mechanism::OAuthBearer {
                user,
                host,
                port,
                token,
            } => format!(
                "n,a={},\x01host={host}\x01port={port}\x01auth=Bearer {token}\x01\x01",
                saslname(user)
            )
            .into_bytes(),
        };
        Some(Secret::new(bytes))
    }

    /// The answer to a challenge that follows the initial response (`challenge` is already
    /// base64-decoded).
    pub fn respond(&mut self, challenge: &[u8]) -> SaslStep {
        self.steps = self.steps.saturating_add(1);
        match &self.mechanism {
            // PLAIN says everything in its initial response: a challenge after it is wrong.
            Mechanism::Plain { .. } => SaslStep::Cancel,
            Mechanism::Login { user, password } => match self.steps {
                1 => SaslStep::Respond(Secret::new(user.as_bytes().to_vec())),
                2 => SaslStep::Respond(Secret::new(password.as_bytes().to_vec())),
                _ => SaslStep::Cancel,
            },
            // RFC 7628 §3.2.3: the failure challenge is answered with a single %x01; XOAUTH2
            // (Google's protocol page) with an empty response. Either way the server then
            // sends NO. A second challenge is not part of either protocol.
            Mechanism::OAuthBearer { .. } | Mechanism::XOAuth2 { .. } if self.steps == 1 => {
                self.server_error = Some(challenge.to_vec());
                let dummy = if matches!(self.mechanism, Mechanism::OAuthBearer { .. }) {
                    vec![0x01]
                } else {
                    Vec::new()
                };
                SaslStep::Respond(Secret::new(dummy))
            }
            Mechanism::OAuthBearer { .. } | Mechanism::XOAuth2 { .. } => SaslStep::Cancel,
        }
    }

    /// The OAuth failure challenge the server sent, decoded from base64 (raw JSON).
    pub fn server_error(&self) -> Option<&[u8]> {
        self.server_error.as_deref()
    }

    /// The caller's result of the exchange: an OAuth exchange that failed after a JSON error
    /// challenge becomes [`ProtoError::OAuth`] with the decoded error; anything else becomes
    /// [`CommandOutcome::into_result`].
    pub fn finish(&self, outcome: CommandOutcome) -> Result<CommandOutcome, ProtoError> {
        match (&self.server_error, outcome.completion) {
            (Some(json), Completion::No | Completion::Bad) => Err(ProtoError::OAuth {
                error: Box::new(OAuthError::parse(json)),
                code: outcome.code,
                text: outcome.text,
            }),
            _ => outcome.into_result(),
        }
    }
}

/// RFC 5801 `saslname`: `,` and `=` escaped as `=2C` and `=3D`.
fn saslname(user: &str) -> String {
    user.replace('=', "=3D").replace(',', "=2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::session::CommandKind;

    fn ir(client: &SaslClient) -> Vec<u8> {
        client.initial_response().unwrap().into_inner()
    }

    fn respond(client: &mut SaslClient, challenge: &[u8]) -> Option<Vec<u8>> {
        match client.respond(challenge) {
            SaslStep::Respond(r) => Some(r.into_inner()),
            SaslStep::Cancel => None,
        }
    }

    #[test]
    fn plain_known_answers() {
        // RFC 4616 §4 examples.
        assert_eq!(
            ir(&SaslClient::plain("tim", "tanstaaftanstaaf").unwrap()),
            b"\0tim\0tanstaaftanstaaf"
        );
        assert_eq!(
            ir(&SaslClient::plain_as("Ursel", "Kurt", "xipj3plmq").unwrap()),
            b"Ursel\0Kurt\0xipj3plmq"
        );
        assert!(SaslClient::plain("a\0b", "p").is_err());
        assert!(SaslClient::plain("a", "p\0").is_err());
        let mut plain = SaslClient::plain("u", "p").unwrap();
        assert_eq!(plain.mechanism(), AuthMechanism::Plain);
        assert_eq!(respond(&mut plain, b""), None, "PLAIN has no second step");
    }

    #[test]
    fn login_answers_user_then_password_then_cancels() {
        let mut login = SaslClient::login("alice", "pw").unwrap();
        assert!(login.initial_response().is_none());
        assert_eq!(login.mechanism(), AuthMechanism::Login);
        assert_eq!(respond(&mut login, b"Username:").unwrap(), b"alice");
        assert_eq!(respond(&mut login, b"Password:").unwrap(), b"pw");
        assert_eq!(respond(&mut login, b"?"), None);
    }

    #[test]
    fn xoauth2_known_answer() {
        // Google's example (developers.google.com/gmail/imap/xoauth2-protocol).
        let c = SaslClient::xoauth2(
            "someuser@example.com",
            "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg",
        )
        .unwrap();
        assert_eq!(
            ir(&c),
            b"user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01"
        );
        assert!(SaslClient::xoauth2("a\x01b", "t").is_err());
        assert!(SaslClient::xoauth2("a", "t\x01").is_err());
    }

    #[test]
    fn oauthbearer_known_answer_with_gs2_header() {
        // RFC 7628 §4.1.
        let c = SaslClient::oauthbearer(
            "user@example.com",
            "server.example.com",
            143,
            "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==",
        )
        .unwrap();
        assert_eq!(
            ir(&c),
            b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01"
        );
        // RFC 5801 saslname escaping.
        let odd = SaslClient::oauthbearer("a,b=c", "h", 993, "t").unwrap();
        assert!(ir(&odd).starts_with(b"n,a=a=2Cb=3Dc,\x01host=h\x01port=993\x01"));
    }

    #[test]
    fn oauth_error_challenge_is_answered_with_dummy_and_surfaced_typed() {
        // RFC 7628 §4.3: the failure challenge.
        let json = br#"{"status":"invalid_token","scope":"example_scope","openid-configuration":"https://example.com/.well-known/openid-configuration"}"#;
        let mut bearer = SaslClient::oauthbearer("u", "h", 143, "t").unwrap();
        assert_eq!(bearer.server_error(), None, "no challenge yet");
        assert_eq!(respond(&mut bearer, json).unwrap(), vec![0x01]);
        assert_eq!(bearer.server_error(), Some(&json[..]), "kept as sent");
        assert_eq!(respond(&mut bearer, b"more"), None);
        let mut xoauth2 = SaslClient::xoauth2("u", "t").unwrap();
        assert_eq!(respond(&mut xoauth2, json).unwrap(), Vec::<u8>::new());

        let no = CommandOutcome {
            kind: CommandKind::Authenticate,
            completion: Completion::No,
            code: Some(crate::types::response::ResponseCode::AuthenticationFailed),
            text: "bad token".into(),
            data: Vec::new(),
            unparsed: Vec::new(),
        };
        match bearer.finish(no.clone()) {
            Err(ProtoError::OAuth { error, code, text }) => {
                assert_eq!(error.status.as_deref(), Some("invalid_token"));
                assert_eq!(error.scope.as_deref(), Some("example_scope"));
                assert_eq!(
                    error.openid_configuration.as_deref(),
                    Some("https://example.com/.well-known/openid-configuration")
                );
                assert_eq!(
                    code,
                    Some(crate::types::response::ResponseCode::AuthenticationFailed)
                );
                assert_eq!(text, "bad token");
            }
            other => panic!("{other:?}"),
        }
        // Without a challenge a NO is a plain NO.
        let fresh = SaslClient::xoauth2("u", "t").unwrap();
        assert!(matches!(fresh.finish(no), Err(ProtoError::No { .. })));
    }

    #[test]
    fn debug_redacts_credentials() {
        let c = SaslClient::plain("alice", "hunter2").unwrap();
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("alice"),
            "{shown}"
        );
        assert!(
            shown.contains("PLAIN") && shown.contains("[redacted]"),
            "says what it is: {shown}"
        );
    }
}
