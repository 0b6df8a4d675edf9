//! The PROXY protocol on the listener: HAProxy's header (version 1, text, or version 2,
//! binary) that a TCP load balancer (HAProxy `send-proxy`, nginx `proxy_protocol on`, AWS NLB,
//! …) writes before the client's first byte, naming the client it accepted.
//!
//! With `proxy_protocol = true` every connection must begin with one: it is read before TLS
//! and before the HTTP upgrade, exactly to its last byte (never a byte of the TLS or HTTP that
//! follows), within the handshake deadline. Following the specification, the header is never
//! guessed: a connection without one is closed. Parsing is the [`ppp`] crate's; this module
//! only frames the bytes (how many to read) and says which address the header names.
//!
//! Whether that address is *believed* is the caller's decision: only when the direct peer is
//! one of the `trusted_proxies` (from anyone else the header is read and ignored, since any
//! client could write one).
//!
//! The bridge also *writes* a header to a named target with `send_proxy_protocol` ([`encode`]),
//! so an IMAP server that trusts the bridge (Dovecot `haproxy_trusted_networks`) sees, logs and
//! rate-limits the real client instead of the bridge.

use std::net::SocketAddr;

use tokio::io::{AsyncRead, AsyncReadExt};

/// The first bytes of a version 2 header.
pub const V2_SIGNATURE: [u8; 12] = *b"\r\n\r\n\0\r\nQUIT\n";
/// The longest version 1 header, CRLF included (the specification's limit).
pub const V1_MAX_LEN: usize = 107;
/// The longest version 2 header accepted: the 16 fixed bytes plus addresses and TLVs
/// (load balancers add a few small TLVs; the format allows 64 KiB, which no one needs).
pub const V2_MAX_LEN: usize = 16 + 1024;
/// The fewest bytes any header has (`PROXY UNKNOWN\r\n`): read first, so nothing past a
/// header is ever read.
const MIN_LEN: usize = 15;

/// What a header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyHeader {
    /// A proxied TCP connection from this client address.
    Proxied(SocketAddr),
    /// No client address: version 1 `UNKNOWN`, version 2 `LOCAL` (the proxy's own health
    /// checks), or a non-TCP address family (UNIX sockets, unspecified).
    Local,
}

impl ProxyHeader {
    /// The client address the header names, if any.
    pub fn source(self) -> Option<SocketAddr> {
        match self {
            Self::Proxied(source) => Some(source),
            Self::Local => None,
        }
    }
}

/// Why no header could be read.
#[derive(Debug, thiserror::Error)]
pub enum ProxyHeaderError {
    /// The connection does not begin with a PROXY header signature.
    #[error("no PROXY protocol header")]
    Missing,
    /// A header signature, then bytes that are not a valid header.
    #[error("malformed PROXY protocol header: {0}")]
    Malformed(String),
    /// Longer than [`V1_MAX_LEN`] or [`V2_MAX_LEN`].
    #[error("PROXY protocol header too long")]
    TooLong,
    /// The connection failed or ended before the header did.
    #[error("reading the PROXY protocol header: {0}")]
    Io(#[from] std::io::Error),
}

/// Which header version the bridge writes to an upstream (`send_proxy_protocol = "v1" | "v2"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProxyVersion {
    /// The text header (`PROXY TCP4 …\r\n`).
    V1,
    /// The binary header.
    V2,
}

/// The header naming a TCP connection from `source` to `destination`. When the two are of
/// different families, the IPv4 one is written as an IPv4-mapped IPv6 address (a header has
/// one family).
pub fn encode(version: ProxyVersion, source: SocketAddr, destination: SocketAddr) -> Vec<u8> {
    let (source, destination) = same_family(source, destination);
    match version {
        ProxyVersion::V1 => {
            let family = if source.is_ipv4() { "TCP4" } else { "TCP6" };
            format!(
                "PROXY {family} {} {} {} {}\r\n",
                source.ip(),
                destination.ip(),
                source.port(),
                destination.port()
            )
            .into_bytes()
        }
        ProxyVersion::V2 => {
            use ppp::v2::{Builder, Command, Protocol, Version};
            Builder::with_addresses(
                Version::Two | Command::Proxy,
                Protocol::Stream,
                (source, destination),
            )
            .build()
            // Only writes into a Vec, of 36 bytes at most: cannot fail.
            .unwrap_or_default()
        }
    }
}

fn same_family(a: SocketAddr, b: SocketAddr) -> (SocketAddr, SocketAddr) {
    let v6 = |s: SocketAddr| match s {
        SocketAddr::V4(v4) => SocketAddr::new(v4.ip().to_ipv6_mapped().into(), v4.port()),
        SocketAddr::V6(_) => s,
    };
    if a.is_ipv4() == b.is_ipv4() {
        (a, b)
    } else {
        (v6(a), v6(b))
    }
}

/// Reads one header from `reader`, exactly to its last byte.
pub async fn read_header<R>(reader: &mut R) -> Result<ProxyHeader, ProxyHeaderError>
where
    R: AsyncRead + Unpin,
{
    let mut bytes = vec![0u8; MIN_LEN];
    reader.read_exact(&mut bytes).await?;
    if bytes.starts_with(b"PROXY ") {
        // Version 1 ends at the first CRLF; read a byte at a time so nothing after it is
        // consumed (at most 92 more reads, from a load balancer only).
        while !bytes.ends_with(b"\r\n") {
            if bytes.len() >= V1_MAX_LEN {
                return Err(ProxyHeaderError::TooLong);
            }
            bytes.push(reader.read_u8().await?);
        }
        parse_v1(&bytes)
    } else if bytes.starts_with(&V2_SIGNATURE) {
        bytes.push(reader.read_u8().await?);
        let payload = usize::from(u16::from_be_bytes([bytes[14], bytes[15]]));
        if bytes.len() + payload > V2_MAX_LEN {
            return Err(ProxyHeaderError::TooLong);
        }
        let start = bytes.len();
        bytes.resize(start + payload, 0);
        reader.read_exact(&mut bytes[start..]).await?;
        parse_v2(&bytes)
    } else {
        Err(ProxyHeaderError::Missing)
    }
}

/// Parses a whole version 1 header (CRLF included).
pub fn parse_v1(bytes: &[u8]) -> Result<ProxyHeader, ProxyHeaderError> {
    use ppp::v1::{Addresses, Header};
    let header =
        Header::try_from(bytes).map_err(|error| ProxyHeaderError::Malformed(error.to_string()))?;
    Ok(match header.addresses {
        Addresses::Tcp4(a) => ProxyHeader::Proxied((a.source_address, a.source_port).into()),
        Addresses::Tcp6(a) => ProxyHeader::Proxied((a.source_address, a.source_port).into()),
        Addresses::Unknown => ProxyHeader::Local,
    })
}

/// Parses a whole version 2 header.
pub fn parse_v2(bytes: &[u8]) -> Result<ProxyHeader, ProxyHeaderError> {
    use ppp::v2::{Addresses, Command, Header};
    let header =
        Header::try_from(bytes).map_err(|error| ProxyHeaderError::Malformed(error.to_string()))?;
    if header.len() != bytes.len() {
        return Err(ProxyHeaderError::Malformed(format!(
            "header of {} bytes, {} read",
            header.len(),
            bytes.len()
        )));
    }
    Ok(match (header.command, header.addresses) {
        (Command::Proxy, Addresses::IPv4(a)) => {
            ProxyHeader::Proxied((a.source_address, a.source_port).into())
        }
        (Command::Proxy, Addresses::IPv6(a)) => {
            ProxyHeader::Proxied((a.source_address, a.source_port).into())
        }
        (Command::Local, _) | (_, Addresses::Unspecified | Addresses::Unix(_)) => {
            ProxyHeader::Local
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a header from `input`; returns it and the bytes left unread.
    async fn read(input: &[u8]) -> (Result<ProxyHeader, ProxyHeaderError>, Vec<u8>) {
        let mut reader = input;
        let header = read_header(&mut reader).await;
        (header, reader.to_vec())
    }

    fn addr(text: &str) -> SocketAddr {
        text.parse().expect("socket address")
    }

    /// A version 2 header written by hand from the specification (section 2.2), not by the
    /// crate under test: signature, version 2 + `command`, `family`, length, addresses, TLVs.
    fn v2(command: u8, family: u8, addresses: &[u8], tlvs: &[u8]) -> Vec<u8> {
        let mut out = V2_SIGNATURE.to_vec();
        out.push(0x20 | command);
        out.push(family);
        let len = u16::try_from(addresses.len() + tlvs.len()).expect("short");
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(addresses);
        out.extend_from_slice(tlvs);
        out
    }

    const TCP4: u8 = 0x11;
    const TCP6: u8 = 0x21;

    fn v2_tcp4() -> Vec<u8> {
        // 192.0.2.7:51000 → 10.0.0.1:443
        let mut a = vec![192, 0, 2, 7, 10, 0, 0, 1];
        a.extend_from_slice(&51000u16.to_be_bytes());
        a.extend_from_slice(&443u16.to_be_bytes());
        v2(1, TCP4, &a, &[])
    }

    #[tokio::test]
    async fn version_1_names_the_client_and_leaves_the_rest_unread() {
        let (header, rest) =
            read(b"PROXY TCP4 192.0.2.7 10.0.0.1 51000 443\r\nGET / HTTP/1.1").await;
        assert_eq!(header.expect("v1").source(), Some(addr("192.0.2.7:51000")));
        assert_eq!(rest, b"GET / HTTP/1.1");

        let (header, rest) =
            read(b"PROXY TCP6 2001:db8::7 2001:db8::1 51000 443\r\n\x16\x03\x01").await;
        assert_eq!(
            header.expect("v1").source(),
            Some(addr("[2001:db8::7]:51000"))
        );
        assert_eq!(rest, b"\x16\x03\x01");
    }

    #[tokio::test]
    async fn version_1_unknown_is_local_and_the_shortest_header_reads_nothing_more() {
        let (header, rest) = read(b"PROXY UNKNOWN\r\nG").await;
        assert_eq!(header.expect("unknown"), ProxyHeader::Local);
        assert_eq!(rest, b"G");
    }

    #[tokio::test]
    async fn version_1_of_the_maximum_length_is_read_and_one_more_byte_is_too_long() {
        // The longest line the specification allows (107 bytes) is UNKNOWN with addresses,
        // which a receiver ignores.
        let ip = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        let line = format!("PROXY UNKNOWN {ip} {ip} 65535 65535\r\n");
        assert_eq!(line.len(), V1_MAX_LEN);
        let (header, rest) = read(format!("{line}x").as_bytes()).await;
        assert_eq!(header.expect("longest"), ProxyHeader::Local);
        assert_eq!(rest, b"x");
        // The longest TCP6 line names its client.
        let tcp6 = format!("PROXY TCP6 {ip} {ip} 65535 65535\r\n");
        let (header, _) = read(tcp6.as_bytes()).await;
        assert_eq!(
            header.expect("tcp6").source(),
            Some(SocketAddr::new(ip.parse().expect("ip"), 65535))
        );
        // One byte more: no CRLF within 107 bytes.
        let long = format!("PROXY UNKNOWN {ip}  {ip} 65535 65535\r\n");
        let (header, _) = read(long.as_bytes()).await;
        assert!(
            matches!(header, Err(ProxyHeaderError::TooLong)),
            "{header:?}"
        );
    }

    #[tokio::test]
    async fn version_1_garbage_after_the_prefix_is_malformed() {
        for bad in [
            &b"PROXY TCP4 192.0.2.7\r\n\r\n\r\n\r\n"[..],
            b"PROXY TCP4 999.0.2.7 10.0.0.1 1 2\r\n",
            b"PROXY UDP4 192.0.2.7 10.0.0.1 1 2\r\n",
        ] {
            let (header, _) = read(bad).await;
            assert!(
                matches!(header, Err(ProxyHeaderError::Malformed(_))),
                "{:?}: {header:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[tokio::test]
    async fn version_2_tcp4_and_tcp6_name_the_client_and_leave_the_rest_unread() {
        let mut input = v2_tcp4();
        input.extend_from_slice(b"GET");
        let (header, rest) = read(&input).await;
        assert_eq!(header.expect("v2").source(), Some(addr("192.0.2.7:51000")));
        assert_eq!(rest, b"GET");

        let src: std::net::Ipv6Addr = "2001:db8:1:2::7".parse().expect("ip");
        let dst: std::net::Ipv6Addr = "2001:db8::1".parse().expect("ip");
        let mut a = src.octets().to_vec();
        a.extend_from_slice(&dst.octets());
        a.extend_from_slice(&40000u16.to_be_bytes());
        a.extend_from_slice(&993u16.to_be_bytes());
        // With a NOOP TLV (type 0x04, length 2): TLVs are read and skipped.
        let mut input = v2(1, TCP6, &a, &[0x04, 0, 2, 0xAA, 0xBB]);
        input.push(0x16);
        let (header, rest) = read(&input).await;
        assert_eq!(
            header.expect("v2").source(),
            Some(SocketAddr::new(src.into(), 40000))
        );
        assert_eq!(rest, [0x16]);
    }

    #[tokio::test]
    async fn version_2_local_and_unspecified_name_no_client() {
        let (header, rest) = read(&[v2(0, 0x00, &[], &[]), b"x".to_vec()].concat()).await;
        assert_eq!(header.expect("local"), ProxyHeader::Local);
        assert_eq!(rest, b"x");
        // LOCAL with addresses (a health check may carry them): still no client.
        let local = {
            let mut h = v2_tcp4();
            h[12] = 0x20;
            h
        };
        assert_eq!(read(&local).await.0.expect("local"), ProxyHeader::Local);
        // PROXY over an unspecified family.
        let (header, _) = read(&v2(1, 0x00, &[], &[])).await;
        assert_eq!(header.expect("unspecified"), ProxyHeader::Local);
        // PROXY over UNIX sockets: 216 bytes of paths.
        let (header, _) = read(&v2(1, 0x31, &[0u8; 216], &[])).await;
        assert_eq!(header.expect("unix"), ProxyHeader::Local);
    }

    #[tokio::test]
    async fn version_2_length_limits_and_errors() {
        // The largest accepted: 16 + 1024 bytes (12 of addresses, 1012 of a TLV).
        let mut a = vec![192, 0, 2, 7, 10, 0, 0, 1, 0, 1, 0, 2];
        let tlv_len = V2_MAX_LEN - 16 - a.len() - 3;
        let mut tlv = vec![0x04];
        tlv.extend_from_slice(&u16::try_from(tlv_len).expect("short").to_be_bytes());
        tlv.resize(3 + tlv_len, 0);
        let largest = v2(1, TCP4, &a, &tlv);
        assert_eq!(largest.len(), V2_MAX_LEN);
        assert_eq!(
            read(&largest).await.0.expect("largest").source(),
            Some(addr("192.0.2.7:1"))
        );
        // One byte more is refused before it is read.
        a.push(0);
        let mut too_long = v2(1, TCP4, &a, &tlv);
        too_long.truncate(16);
        let (header, _) = read(&too_long).await;
        assert!(
            matches!(header, Err(ProxyHeaderError::TooLong)),
            "{header:?}"
        );
        // Version 1 in the version nibble, an unknown command, addresses shorter than the
        // family needs.
        for (byte, value) in [(12, 0x11), (12, 0x2F), (13, 0x51)] {
            let mut bad = v2_tcp4();
            bad[byte] = value;
            let (header, _) = read(&bad).await;
            assert!(
                matches!(header, Err(ProxyHeaderError::Malformed(_))),
                "byte {byte} = {value:#x}: {header:?}"
            );
        }
        let (header, _) = read(&v2(1, TCP4, &[1, 2, 3, 4], &[])).await;
        assert!(
            matches!(header, Err(ProxyHeaderError::Malformed(_))),
            "{header:?}"
        );
    }

    #[tokio::test]
    async fn no_signature_is_missing_and_a_short_connection_is_an_io_error() {
        let (header, _) = read(b"GET /imap HTTP/1.1\r\n").await;
        assert!(
            matches!(header, Err(ProxyHeaderError::Missing)),
            "{header:?}"
        );
        let (header, _) = read(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03abcd").await;
        assert!(
            matches!(header, Err(ProxyHeaderError::Missing)),
            "{header:?}"
        );
        // Too short for any header; a v1 header cut before its CRLF; a v2 header cut
        // before its payload.
        for cut in [
            &b"PROXY TCP4"[..],
            b"PROXY TCP4 192.0.2.7 10.0.0.1 1 2",
            &v2_tcp4()[..20],
        ] {
            let (header, _) = read(cut).await;
            assert!(matches!(header, Err(ProxyHeaderError::Io(_))), "{header:?}");
        }
    }

    #[test]
    fn encoded_headers_are_the_specified_bytes() {
        let (src, dst) = (addr("192.0.2.7:51000"), addr("10.0.0.1:443"));
        assert_eq!(
            encode(ProxyVersion::V1, src, dst),
            b"PROXY TCP4 192.0.2.7 10.0.0.1 51000 443\r\n"
        );
        assert_eq!(encode(ProxyVersion::V2, src, dst), v2_tcp4());
        let (src6, dst6) = (addr("[2001:db8::7]:1"), addr("[2001:db8::1]:993"));
        assert_eq!(
            encode(ProxyVersion::V1, src6, dst6),
            b"PROXY TCP6 2001:db8::7 2001:db8::1 1 993\r\n"
        );
        let v2 = encode(ProxyVersion::V2, src6, dst6);
        assert_eq!(
            &v2[..16],
            &[&V2_SIGNATURE[..], &[0x21, 0x21, 0, 36]].concat()[..]
        );
        assert_eq!(parse_v2(&v2).expect("parses").source(), Some(src6));
    }

    #[test]
    fn mixed_families_are_written_as_ipv6() {
        let (src, dst) = (addr("192.0.2.7:5"), addr("[2001:db8::1]:993"));
        assert_eq!(
            encode(ProxyVersion::V1, src, dst),
            b"PROXY TCP6 ::ffff:192.0.2.7 2001:db8::1 5 993\r\n"
        );
        assert_eq!(
            encode(ProxyVersion::V1, dst, src),
            b"PROXY TCP6 2001:db8::1 ::ffff:192.0.2.7 993 5\r\n"
        );
        let v2 = encode(ProxyVersion::V2, src, dst);
        assert_eq!(v2[13], 0x21, "TCP over IPv6");
        assert_eq!(
            parse_v2(&v2).expect("parses").source(),
            Some(addr("[::ffff:192.0.2.7]:5"))
        );
    }

    proptest::proptest! {
        /// Any bytes after either signature (or none): a result, never a panic; and when a
        /// header is read, it took at most `V2_MAX_LEN` bytes and parsing exactly the bytes it
        /// took gives the same header.
        #[test]
        fn any_input_is_read_without_panic_and_never_past_the_header(
            prefix in 0u8..3,
            body in proptest::collection::vec(proptest::num::u8::ANY, 0..300),
        ) {
            let mut input = match prefix {
                0 => b"PROXY ".to_vec(),
                1 => V2_SIGNATURE.to_vec(),
                _ => Vec::new(),
            };
            input.extend_from_slice(&body);
            let runtime = tokio::runtime::Builder::new_current_thread().build().expect("rt");
            let (header, rest) = runtime.block_on(read(&input));
            if header.is_ok() {
                let used = input.len() - rest.len();
                proptest::prop_assert!(used <= V2_MAX_LEN);
                let parsed = if prefix == 1 {
                    parse_v2(&input[..used])
                } else {
                    parse_v1(&input[..used])
                };
                proptest::prop_assert_eq!(parsed.ok(), header.ok());
            }
        }
    }

    #[test]
    fn the_parsers_refuse_what_the_reader_would_never_pass_them() {
        assert!(matches!(
            parse_v1(b"PROXY TCP4 192.0.2.7 10.0.0.1 1 2"),
            Err(ProxyHeaderError::Malformed(_))
        ));
        let mut longer = v2_tcp4();
        longer.push(0);
        assert!(matches!(
            parse_v2(&longer),
            Err(ProxyHeaderError::Malformed(_))
        ));
        assert_eq!(
            parse_v2(&v2_tcp4()).expect("exact").source(),
            Some(addr("192.0.2.7:51000"))
        );
    }
}
