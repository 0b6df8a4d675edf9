//! Who the client is: its address behind trusted reverse proxies (`Forwarded`, RFC 7239, or
//! `X-Forwarded-For`), and the key its connections are counted under (IPv6 per prefix).
//!
//! Headers are believed only from a connection whose peer is in `trusted_proxies`, and only
//! as far as the chain of trusted proxies goes: walking the forwarded addresses from the
//! right (the hop nearest the bridge), each trusted address is skipped, and the first one
//! that is not trusted is the client. An entry that is not an address (`unknown`, an
//! obfuscated identifier, garbage) stops the walk: the client is then the last trusted hop,
//! the one that could not say who connected to it.

use std::net::{IpAddr, Ipv6Addr};

use ipnet::IpNet;

/// Whether `ip` is in one of the `proxies` blocks (IPv4-mapped IPv6 judged as IPv4).
pub fn is_trusted_proxy(ip: IpAddr, proxies: &[IpNet]) -> bool {
    let ip = canonical(ip);
    proxies.iter().any(|net| net.contains(&ip))
}

/// IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`, as a dual-stack socket reports IPv4 peers)
/// as the IPv4 address they are.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// The client's address: `peer` itself unless it is a trusted proxy, else as the forwarding
/// headers say. `forwarded` holds the values of every `Forwarded` header and `x_forwarded_for`
/// those of every `X-Forwarded-For` header, in the order received; `Forwarded` wins when
/// both are present.
pub fn client_address(
    peer: IpAddr,
    forwarded: &[&str],
    x_forwarded_for: &[&str],
    proxies: &[IpNet],
) -> IpAddr {
    let peer = canonical(peer);
    if !is_trusted_proxy(peer, proxies) {
        return peer;
    }
    let hops: Vec<Option<IpAddr>> = if forwarded.is_empty() {
        x_forwarded_for
            .iter()
            .flat_map(|value| value.split(','))
            .map(|entry| parse_node(entry.trim()))
            .collect()
    } else {
        forwarded
            .iter()
            .flat_map(|value| value.split(','))
            .filter_map(for_parameter)
            .map(|node| parse_node(&node))
            .collect()
    };
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop {
            Some(ip) if is_trusted_proxy(*ip, proxies) => client = *ip,
            Some(ip) => return *ip,
            None => return client,
        }
    }
    client
}

/// The `for=` value of one `Forwarded` element (`for=192.0.2.60;proto=http;by=…`), unquoted.
fn for_parameter(element: &str) -> Option<String> {
    element.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("for")
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// A node: an IPv4 address with an optional `:port`, an IPv6 address bare or in brackets
/// with an optional `:port`. Anything else (`unknown`, `_hidden`) is `None`.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Some(rest) = node.strip_prefix('[') {
        let (v6, _) = rest.split_once(']')?;
        return v6
            .parse::<Ipv6Addr>()
            .ok()
            .map(|v6| canonical(IpAddr::V6(v6)));
    }
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    // `a.b.c.d:port`
    let (host, port) = node.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

/// The key a client's connections are counted under: an IPv4 address itself, an IPv6
/// address's first `v6_prefix_len` bits (a subscriber usually holds a whole /64).
pub fn limit_key(ip: IpAddr, v6_prefix_len: u8) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => {
            let bits = u32::from(v6_prefix_len.min(128));
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests;
