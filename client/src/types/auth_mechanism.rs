//! Authentication: SASL mechanism names for AUTHENTICATE (RFC 3501 §6.2.2, RFC 4959 SASL-IR,
//! RFC 7628 OAUTHBEARER).

use crate::types::{ImapAtom, InvalidInput};

/// A SASL mechanism name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum AuthMechanism {
    /// `PLAIN` (RFC 4616).
    Plain,
    /// `LOGIN` (draft-murchison-sasl-login).
    Login,
    /// `XOAUTH2` (Google / Microsoft).
    XOAuth2,
    /// `OAUTHBEARER` (RFC 7628).
    OAuthBearer,
    /// `SCRAM-SHA-1` (RFC 5802).
    ScramSha1,
    /// `SCRAM-SHA-256` (RFC 7677).
    ScramSha256,
    /// Any other mechanism (an atom).
    Other(ImapAtom),
}

impl AuthMechanism {
    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            AuthMechanism::Plain => "PLAIN",
            AuthMechanism::Login => "LOGIN",
            AuthMechanism::XOAuth2 => "XOAUTH2",
            AuthMechanism::OAuthBearer => "OAUTHBEARER",
            AuthMechanism::ScramSha1 => "SCRAM-SHA-1",
            AuthMechanism::ScramSha256 => "SCRAM-SHA-256",
            AuthMechanism::Other(atom) => atom.as_str(),
        }
    }

    /// Maps a name (case-insensitive) to a known mechanism, else validates it as an atom.
    pub fn parse(name: &str) -> Result<Self, InvalidInput> {
        let known = [
            AuthMechanism::Plain,
            AuthMechanism::Login,
            AuthMechanism::XOAuth2,
            AuthMechanism::OAuthBearer,
            AuthMechanism::ScramSha1,
            AuthMechanism::ScramSha256,
        ];
        match known
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(name))
        {
            Some(m) => Ok(m),
            None => ImapAtom::new(name).map(AuthMechanism::Other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_maps_known_names_and_validates_others() {
        assert_eq!(AuthMechanism::parse("plain").unwrap(), AuthMechanism::Plain);
        assert_eq!(
            AuthMechanism::parse("OAUTHBEARER").unwrap(),
            AuthMechanism::OAuthBearer
        );
        assert_eq!(AuthMechanism::parse("GSSAPI").unwrap().as_str(), "GSSAPI");
        assert!(AuthMechanism::parse("PLAIN\r\n").is_err());
        assert!(AuthMechanism::parse("").is_err());
    }
}
