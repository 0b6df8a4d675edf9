use super::*;

fn ip(s: &str) -> IpAddr {
    s.parse().expect("ip")
}

fn nets(list: &[&str]) -> Vec<IpNet> {
    list.iter().map(|n| n.parse().expect("cidr")).collect()
}

#[test]
fn an_untrusted_peer_is_the_client_whatever_its_headers_say() {
    let proxies = nets(&["10.0.0.0/8"]);
    let peer = ip("198.51.100.9");
    assert_eq!(
        client_address(peer, &["for=192.0.2.1"], &["192.0.2.2"], &proxies),
        peer
    );
    assert_eq!(client_address(peer, &[], &["192.0.2.2"], &[]), peer);
}

#[test]
fn x_forwarded_for_from_a_trusted_peer_names_the_rightmost_untrusted_address() {
    let proxies = nets(&["10.0.0.0/8", "127.0.0.1/32"]);
    let peer = ip("127.0.0.1");
    assert_eq!(
        client_address(peer, &[], &["203.0.113.7"], &proxies),
        ip("203.0.113.7")
    );
    // A client-supplied (spoofed) entry on the left is not believed past an untrusted hop.
    assert_eq!(
        client_address(peer, &[], &["192.0.2.66, 203.0.113.7, 10.1.2.3"], &proxies),
        ip("203.0.113.7")
    );
    // Several header lines are one list, in order.
    assert_eq!(
        client_address(
            peer,
            &[],
            &["192.0.2.66", "203.0.113.8 , 10.1.2.3"],
            &proxies
        ),
        ip("203.0.113.8")
    );
    // Every hop trusted: the leftmost one.
    assert_eq!(
        client_address(peer, &[], &["10.9.9.9, 10.1.2.3"], &proxies),
        ip("10.9.9.9")
    );
    // No header: the proxy itself.
    assert_eq!(client_address(peer, &[], &[], &proxies), peer);
}

#[test]
fn forwarded_wins_and_its_for_values_may_be_quoted_bracketed_and_carry_ports() {
    let proxies = nets(&["127.0.0.0/8"]);
    let peer = ip("127.0.0.1");
    assert_eq!(
        client_address(
            peer,
            &["for=\"[2001:db8:cafe::17]:4711\";proto=https, For=127.0.0.5"],
            &["192.0.2.1"],
            &proxies
        ),
        ip("2001:db8:cafe::17")
    );
    assert_eq!(
        client_address(
            peer,
            &["proto=http;for=192.0.2.43:8080;by=127.0.0.1"],
            &[],
            &proxies
        ),
        ip("192.0.2.43")
    );
    // An element without `for=` names no hop.
    assert_eq!(
        client_address(peer, &["for=192.0.2.43, proto=http"], &[], &proxies),
        ip("192.0.2.43")
    );
}

#[test]
fn an_entry_that_is_not_an_address_stops_the_walk_at_the_last_trusted_hop() {
    let proxies = nets(&["127.0.0.1/32", "10.0.0.0/8"]);
    let peer = ip("127.0.0.1");
    for hidden in [
        "unknown",
        "_hidden",
        "not-an-ip",
        "",
        "[::1",
        "1.2.3.4:99999",
    ] {
        assert_eq!(
            client_address(
                peer,
                &[],
                &[&format!("192.0.2.1, {hidden}, 10.0.0.7")],
                &proxies
            ),
            ip("10.0.0.7"),
            "{hidden:?}"
        );
    }
    assert_eq!(client_address(peer, &["for=unknown"], &[], &proxies), peer);
}

#[test]
fn ipv4_mapped_addresses_are_judged_as_ipv4() {
    let proxies = nets(&["127.0.0.1/32"]);
    assert_eq!(
        client_address(
            ip("::ffff:127.0.0.1"),
            &[],
            &["::ffff:203.0.113.9"],
            &proxies
        ),
        ip("203.0.113.9")
    );
    assert_eq!(limit_key(ip("::ffff:192.0.2.1"), 64), ip("192.0.2.1"));
}

#[test]
fn ipv6_clients_are_counted_per_prefix_and_ipv4_per_address() {
    assert_eq!(
        limit_key(ip("2001:db8:1:2:3:4:5:6"), 64),
        ip("2001:db8:1:2::")
    );
    assert_eq!(
        limit_key(ip("2001:db8:1:2:3:4:5:6"), 48),
        ip("2001:db8:1::")
    );
    assert_eq!(
        limit_key(ip("2001:db8:1:2:3:4:5:6"), 128),
        ip("2001:db8:1:2:3:4:5:6")
    );
    assert_eq!(limit_key(ip("2001:db8:1:2:3:4:5:6"), 0), ip("::"));
    assert_eq!(
        limit_key(ip("2001:db8:1:2:ffff::"), 63),
        ip("2001:db8:1:2::")
    );
    assert_eq!(limit_key(ip("2001:db8:1:3::"), 63), ip("2001:db8:1:2::"));
    assert_eq!(limit_key(ip("192.0.2.77"), 64), ip("192.0.2.77"));
}
