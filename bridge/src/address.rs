//! Which addresses the bridge may dial: the IANA special-purpose address registries for IPv4
//! (RFC 6890 and its updates) and IPv6, as one table each, plus the IPv4 addresses embedded
//! in IPv6 forms, judged as the IPv4 address they carry.
//!
//! Every block of the registries — whatever its "globally reachable" column says: none of them
//! is where an IMAP server lives — is [`AddressClass::Private`], dialled only for targets with
//! `allow_private`. Cloud metadata endpoints are [`AddressClass::Metadata`], never dialled,
//! also when embedded. Everything else is [`AddressClass::Public`].

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// How an address may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AddressClass {
    /// A globally routable address.
    Public,
    /// Loopback, private, link-local, CGNAT, ULA, multicast, documentation, benchmarking,
    /// reserved, … (every block of the special-purpose registries): only with
    /// `allow_private`.
    Private,
    /// A cloud metadata endpoint: never.
    Metadata,
}

const METADATA_V4: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 254);
const METADATA_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254);

/// The IANA IPv4 Special-Purpose Address Registry (with multicast, which has a registry of
/// its own): `(network, prefix length, name)`.
pub const SPECIAL_V4: &[(Ipv4Addr, u8, &str)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8, "\"this network\" (RFC 791)"),
    (Ipv4Addr::new(10, 0, 0, 0), 8, "private use (RFC 1918)"),
    (
        Ipv4Addr::new(100, 64, 0, 0),
        10,
        "shared address space, CGNAT (RFC 6598)",
    ),
    (Ipv4Addr::new(127, 0, 0, 0), 8, "loopback (RFC 1122)"),
    (Ipv4Addr::new(169, 254, 0, 0), 16, "link local (RFC 3927)"),
    (Ipv4Addr::new(172, 16, 0, 0), 12, "private use (RFC 1918)"),
    (
        Ipv4Addr::new(192, 0, 0, 0),
        24,
        "IETF protocol assignments (RFC 6890)",
    ),
    (
        Ipv4Addr::new(192, 0, 2, 0),
        24,
        "documentation TEST-NET-1 (RFC 5737)",
    ),
    (Ipv4Addr::new(192, 31, 196, 0), 24, "AS112-v4 (RFC 7535)"),
    (Ipv4Addr::new(192, 52, 193, 0), 24, "AMT (RFC 7450)"),
    (
        Ipv4Addr::new(192, 88, 99, 0),
        24,
        "deprecated 6to4 relay anycast (RFC 7526)",
    ),
    (Ipv4Addr::new(192, 168, 0, 0), 16, "private use (RFC 1918)"),
    (
        Ipv4Addr::new(192, 175, 48, 0),
        24,
        "direct delegation AS112 (RFC 7534)",
    ),
    (Ipv4Addr::new(198, 18, 0, 0), 15, "benchmarking (RFC 2544)"),
    (
        Ipv4Addr::new(198, 51, 100, 0),
        24,
        "documentation TEST-NET-2 (RFC 5737)",
    ),
    (
        Ipv4Addr::new(203, 0, 113, 0),
        24,
        "documentation TEST-NET-3 (RFC 5737)",
    ),
    (Ipv4Addr::new(224, 0, 0, 0), 4, "multicast (RFC 5771)"),
    (
        Ipv4Addr::new(240, 0, 0, 0),
        4,
        "reserved, with the limited broadcast (RFC 1112, RFC 919)",
    ),
];

/// The IANA IPv6 Special-Purpose Address Registry (with multicast, the rest of `0000::/8`
/// that RFC 4291 §2.4 reserves, and deprecated site-local): `(network, prefix length,
/// name)`. The blocks that carry an IPv4 address (IPv4-mapped, -compatible, -translated,
/// NAT64, 6to4) are judged by that address first ([`classify`]).
pub const SPECIAL_V6: &[(Ipv6Addr, u8, &str)] = &[
    (
        Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0),
        8,
        "reserved by the IETF, with :: and ::1 (RFC 4291)",
    ),
    (
        Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0),
        48,
        "local-use IPv4/IPv6 translation (RFC 8215)",
    ),
    (
        Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0),
        64,
        "discard-only (RFC 6666)",
    ),
    (
        Ipv6Addr::new(0x100, 0, 0, 1, 0, 0, 0, 0),
        64,
        "dummy IPv6 prefix (RFC 9780)",
    ),
    (
        Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0),
        23,
        "IETF protocol assignments, with TEREDO, PCP/TURN anycast, benchmarking, AMT, AS112, ORCHIDv2, drone remote ID (RFC 2928 …)",
    ),
    (
        Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0),
        32,
        "documentation (RFC 3849)",
    ),
    (
        Ipv6Addr::new(0x2620, 0x4f, 0x8000, 0, 0, 0, 0, 0),
        48,
        "direct delegation AS112 (RFC 7534)",
    ),
    (
        Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0),
        20,
        "documentation (RFC 9637)",
    ),
    (
        Ipv6Addr::new(0x5f00, 0, 0, 0, 0, 0, 0, 0),
        16,
        "segment routing SIDs (RFC 9602)",
    ),
    (
        Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0),
        7,
        "unique local (RFC 4193)",
    ),
    (
        Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0),
        10,
        "link-local unicast (RFC 4291)",
    ),
    (
        Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0),
        10,
        "site-local, deprecated (RFC 3879)",
    ),
    (
        Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0),
        8,
        "multicast (RFC 4291)",
    ),
];

/// Classifies an address. IPv4 embedded in IPv6 is judged as the IPv4 address it carries:
/// IPv4-mapped `::ffff:0:0/96`, IPv4-compatible `::/96` (with `::` and `::1`, judged as
/// "this network"), the NAT64 well-known prefix `64:ff9b::/96`, and 6to4 `2002::/16` when
/// its IPv4 is not public; IPv4-translated `::ffff:0:0:0/96` (RFC 2765) and the local-use
/// NAT64 prefix `64:ff9b:1::/48` (RFC 8215, IPv4 at any RFC 6052 position) are never public
/// and are metadata when they carry the metadata address.
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    if ip == METADATA_V4 {
        AddressClass::Metadata
    } else if SPECIAL_V4
        .iter()
        .any(|&(net, len, _)| in_block(u32::from(ip).into(), u32::from(net).into(), len, 32))
    {
        AddressClass::Private
    } else {
        AddressClass::Public
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    if ip == METADATA_V6 {
        return AddressClass::Metadata;
    }
    let bits = u128::from(ip);
    let low32 = Ipv4Addr::from(bits as u32);
    let s = ip.segments();
    // IPv4-mapped, IPv4-compatible, NAT64 well-known prefix: exactly the IPv4 address.
    if s[..5] == [0; 5] && (s[5] == 0xffff || s[5] == 0) || s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return classify_v4(low32);
    }
    // IPv4-translated: the IPv4 address, but never public.
    if s[..6] == [0, 0, 0, 0, 0xffff, 0] {
        return classify_v4(low32).max(AddressClass::Private);
    }
    // Local-use NAT64: never public; metadata if any RFC 6052 position holds it.
    if s[..3] == [0x64, 0xff9b, 1] {
        return if rfc6052_embeddings(bits).contains(&METADATA_V4) {
            AddressClass::Metadata
        } else {
            AddressClass::Private
        };
    }
    // 6to4 2002:a.b.c.d::/48: the IPv4 address when it is not public.
    if s[0] == 0x2002 {
        let inner = classify_v4(Ipv4Addr::from((bits >> 80) as u32));
        if inner != AddressClass::Public {
            return inner;
        }
    }
    if SPECIAL_V6
        .iter()
        .any(|&(net, len, _)| in_block(bits, u128::from(net), len, 128))
    {
        AddressClass::Private
    } else {
        AddressClass::Public
    }
}

/// Whether `addr` is in `net/len`, for addresses of `width` bits.
fn in_block(addr: u128, net: u128, len: u8, width: u32) -> bool {
    let shift = width - u32::from(len);
    addr >> shift == net >> shift
}

/// The IPv4 addresses an IPv6 address would carry under each prefix length of RFC 6052 §2.2
/// that fits inside a /48 (48, 56, 64 and 96 bits; bits 64–71, the "u" octet, are skipped).
fn rfc6052_embeddings(bits: u128) -> [Ipv4Addr; 4] {
    let byte = |i: u32| (bits >> (120 - 8 * i)) as u8;
    let v4 = |idx: [u32; 4]| Ipv4Addr::new(byte(idx[0]), byte(idx[1]), byte(idx[2]), byte(idx[3]));
    [
        v4([6, 7, 9, 10]),
        v4([7, 9, 10, 11]),
        v4([9, 10, 11, 12]),
        v4([12, 13, 14, 15]),
    ]
}

#[cfg(test)]
mod tests;
