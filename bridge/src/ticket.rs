//! Tickets: short-lived HMAC-SHA256 tokens an app backend mints so only its users reach the
//! bridge, for one target, until an expiry. The format is defined in [`daaki_imap::wire`]
//! (module docs, "Tickets"); this module mints and verifies them. Verification checks the MAC
//! in constant time before it looks at anything else; a ticket is never logged or echoed.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use daaki_imap::wire::{
    BridgeTarget, TICKET_MAC_LEN, TICKET_MAX_TARGET_LEN, TICKET_VERSION, is_ticket_token,
    ticket_signed_bytes,
};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The shortest secret accepted (bytes, after trimming surrounding whitespace).
pub const MIN_SECRET_LEN: usize = 32;

/// Why a ticket was refused (for logs and metrics; the client only sees `TicketInvalid`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    /// No ticket entry was offered.
    #[error("ticket missing")]
    Missing,
    /// Not base64url, too short or long, or an unknown version.
    #[error("ticket malformed")]
    Malformed,
    /// The MAC does not match: forged, or minted with another secret.
    #[error("ticket signature invalid")]
    BadSignature,
    /// The expiry has passed.
    #[error("ticket expired")]
    Expired,
    /// Valid, but for another target.
    #[error("ticket is for another target")]
    WrongTarget,
}

/// A ticket secret (never printed by `Debug`).
#[derive(Clone)]
pub struct TicketKey {
    secret: Vec<u8>,
}

impl std::fmt::Debug for TicketKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TicketKey(..)")
    }
}

/// The current Unix time in seconds.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl TicketKey {
    /// A key from secret bytes (at least [`MIN_SECRET_LEN`]).
    pub fn new(secret: impl Into<Vec<u8>>) -> std::io::Result<Self> {
        let secret = secret.into();
        if secret.len() < MIN_SECRET_LEN {
            return Err(std::io::Error::other(format!(
                "ticket secret must be at least {MIN_SECRET_LEN} bytes"
            )));
        }
        Ok(Self { secret })
    }

    /// Reads the secret from a file: its bytes with surrounding ASCII whitespace trimmed
    /// (so `openssl rand -hex 32 > secret` works).
    pub fn load(path: &Path) -> std::io::Result<Self> {
        let bytes = std::fs::read(path)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        Self::new(bytes.trim_ascii())
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC accepts keys of any length.
        <HmacSha256 as KeyInit>::new_from_slice(&self.secret).unwrap_or_else(|_| unreachable!())
    }

    /// Mints a ticket for `target`, valid until `expires_unix` (Unix seconds).
    pub fn mint(&self, target: &BridgeTarget, expires_unix: u64) -> String {
        let mut bytes = ticket_signed_bytes(target, expires_unix);
        let mut mac = self.mac();
        mac.update(&bytes);
        bytes.extend_from_slice(&mac.finalize().into_bytes());
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Checks `ticket` for `target` at `now_unix`: MAC (constant time), then expiry, then
    /// target.
    pub fn verify(
        &self,
        ticket: &str,
        target: &BridgeTarget,
        now_unix: u64,
    ) -> Result<(), TicketError> {
        if !is_ticket_token(ticket) {
            return Err(TicketError::Malformed);
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(ticket)
            .map_err(|_| TicketError::Malformed)?;
        let min = 1 + 8 + 1 + TICKET_MAC_LEN;
        let max = 1 + 8 + TICKET_MAX_TARGET_LEN + TICKET_MAC_LEN;
        if bytes.len() < min || bytes.len() > max {
            return Err(TicketError::Malformed);
        }
        let (signed, tag) = bytes.split_at(bytes.len() - TICKET_MAC_LEN);
        let mut mac = self.mac();
        mac.update(signed);
        mac.verify_slice(tag)
            .map_err(|_| TicketError::BadSignature)?;
        let (version, rest) = signed.split_first().ok_or(TicketError::Malformed)?;
        if *version != TICKET_VERSION {
            return Err(TicketError::Malformed);
        }
        let (expiry, named) = rest.split_at_checked(8).ok_or(TicketError::Malformed)?;
        let expiry = u64::from_be_bytes(expiry.try_into().map_err(|_| TicketError::Malformed)?);
        if now_unix >= expiry {
            return Err(TicketError::Expired);
        }
        if named != target.to_query().as_bytes() {
            return Err(TicketError::WrongTarget);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> TicketKey {
        TicketKey::new(*b"0123456789abcdef0123456789abcdef").expect("key")
    }

    fn work() -> BridgeTarget {
        BridgeTarget::named("work").expect("name")
    }

    #[test]
    fn a_minted_ticket_verifies_until_it_expires() {
        let ticket = key().mint(&work(), 1_000);
        assert!(is_ticket_token(&ticket));
        assert_eq!(key().verify(&ticket, &work(), 999), Ok(()));
        assert_eq!(
            key().verify(&ticket, &work(), 1_000),
            Err(TicketError::Expired)
        );
    }

    #[test]
    fn forged_wrong_target_and_malformed_tickets_are_refused() {
        let ticket = key().mint(&work(), 1_000);
        let other = TicketKey::new(vec![7u8; 32]).expect("key");
        assert_eq!(
            other.verify(&ticket, &work(), 1),
            Err(TicketError::BadSignature)
        );
        // Flip one bit of the expiry: the MAC no longer matches.
        let mut bytes = URL_SAFE_NO_PAD.decode(&ticket).expect("b64");
        bytes[8] ^= 1;
        let tampered = URL_SAFE_NO_PAD.encode(&bytes);
        assert_eq!(
            key().verify(&tampered, &work(), 1),
            Err(TicketError::BadSignature)
        );
        let elsewhere = BridgeTarget::host("imap.example.com", 993).expect("host");
        assert_eq!(
            key().verify(&ticket, &elsewhere, 1),
            Err(TicketError::WrongTarget)
        );
        for bad in ["", "abc=", "a/b", "AAAA", &format!("{ticket}=")] {
            assert_eq!(
                key().verify(bad, &work(), 1),
                Err(TicketError::Malformed),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_format_matches_the_documented_layout() {
        let ticket = key().mint(&work(), 0x0102_0304_0506_0708);
        let bytes = URL_SAFE_NO_PAD.decode(&ticket).expect("b64");
        assert_eq!(bytes.len(), 1 + 8 + "target=work".len() + 32);
        assert_eq!(bytes[0], 1);
        assert_eq!(&bytes[1..9], &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(&bytes[9..20], b"target=work");
        let mut mac = key().mac();
        mac.update(&bytes[..20]);
        assert_eq!(&bytes[20..], mac.finalize().into_bytes().as_slice());
    }

    /// Computed with the Python and Node.js snippets in the bridge README: the format is
    /// what the documentation says, byte for byte.
    #[test]
    fn a_ticket_minted_in_python_or_node_verifies() {
        let key =
            TicketKey::new(*b"0123456789abcdef0123456789abcdef0123456789abcdef").expect("key");
        let ticket = "AQAAAAB3NZQAdGFyZ2V0PXdvcmvEYU0NcHMLhh7-Eb4ThKzXAVyt_NB0DOtiWIK25smjOw";
        assert_eq!(key.mint(&work(), 2_000_000_000), ticket);
        assert_eq!(key.verify(ticket, &work(), 1_999_999_999), Ok(()));
    }

    fn hex(text: &str) -> Vec<u8> {
        assert!(text.len().is_multiple_of(2), "odd hex {text:?}");
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
            .collect()
    }

    /// A target from its query text; the query must be exactly what `to_query` writes.
    fn target(query: &str) -> BridgeTarget {
        let target = BridgeTarget::from_query(query).expect("target");
        assert_eq!(target.to_query(), query, "the vector's query is canonical");
        target
    }

    /// `testdata/ticket_vectors.txt` is computed by `testdata/ticket_vectors.py` with
    /// Python's hmac, hashlib, base64 and urllib: the byte layout, the MAC, the base64url
    /// alphabet without padding and the percent-encoding of the target are pinned by values
    /// computed outside Rust.
    #[test]
    fn python_vectors_mint_and_verify_byte_for_byte() {
        let vectors = include_str!("../testdata/ticket_vectors.txt");
        let (mut minted, mut rejected) = (0, 0);
        for line in vectors.lines().filter(|l| !l.starts_with('#')) {
            let fields: Vec<&str> = line.split(' ').collect();
            match fields[..] {
                ["mint", secret, expires, query, ticket] => {
                    let key = TicketKey::new(hex(secret)).expect("key");
                    let expires: u64 = expires.parse().expect("expires");
                    let target = target(query);
                    assert_eq!(key.mint(&target, expires), ticket, "{line}");
                    assert_eq!(key.verify(ticket, &target, expires - 1), Ok(()), "{line}");
                    assert_eq!(
                        key.verify(ticket, &target, expires),
                        Err(TicketError::Expired),
                        "{line}"
                    );
                    minted += 1;
                }
                ["reject", secret, now, query, ticket, error] => {
                    let key = TicketKey::new(hex(secret)).expect("key");
                    let now: u64 = now.parse().expect("now");
                    let got = key.verify(ticket, &target(query), now);
                    assert_eq!(
                        got.map_err(|e| format!("{e:?}")),
                        Err(error.to_owned()),
                        "{line}"
                    );
                    rejected += 1;
                }
                _ => panic!("unknown vector line {line:?}"),
            }
        }
        assert_eq!((minted, rejected), (8, 15), "vectors read");
    }

    #[test]
    fn unix_now_is_the_system_clock_in_seconds() {
        let secs = || {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .expect("after 1970")
                .as_secs()
        };
        let before = secs();
        let now = unix_now();
        assert!(before <= now && now <= secs(), "{before} {now}");
    }

    #[test]
    fn short_secrets_are_rejected_and_debug_hides_the_secret() {
        assert!(TicketKey::new(b"short".to_vec()).is_err());
        assert_eq!(format!("{:?}", key()), "TicketKey(..)");
    }
}
