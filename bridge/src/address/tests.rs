//! A test per block of the special-purpose registries, written out by hand (not derived from
//! the tables under test): its first and last address are private, and its neighbours just
//! outside are public where no other block holds them. Then the embedded-IPv4 forms.

use super::*;

fn ip(s: &str) -> IpAddr {
    s.parse().expect("ip")
}

fn class(s: &str) -> AddressClass {
    classify(ip(s))
}

/// `(block, first, last, public neighbours)` for every block of [`SPECIAL_V4`].
const V4_BLOCKS: &[(&str, &str, &str, &[&str])] = &[
    ("0.0.0.0/8", "0.0.0.0", "0.255.255.255", &["1.0.0.0"]),
    (
        "10.0.0.0/8",
        "10.0.0.0",
        "10.255.255.255",
        &["9.255.255.255", "11.0.0.0"],
    ),
    (
        "100.64.0.0/10",
        "100.64.0.0",
        "100.127.255.255",
        &["100.63.255.255", "100.128.0.0"],
    ),
    (
        "127.0.0.0/8",
        "127.0.0.0",
        "127.255.255.255",
        &["126.255.255.255", "128.0.0.0"],
    ),
    (
        "169.254.0.0/16",
        "169.254.0.0",
        "169.254.255.255",
        &["169.253.255.255", "169.255.0.0"],
    ),
    (
        "172.16.0.0/12",
        "172.16.0.0",
        "172.31.255.255",
        &["172.15.255.255", "172.32.0.0"],
    ),
    (
        "192.0.0.0/24",
        "192.0.0.0",
        "192.0.0.255",
        &["191.255.255.255", "192.0.1.0"],
    ),
    (
        "192.0.2.0/24",
        "192.0.2.0",
        "192.0.2.255",
        &["192.0.1.255", "192.0.3.0"],
    ),
    (
        "192.31.196.0/24",
        "192.31.196.0",
        "192.31.196.255",
        &["192.31.195.255", "192.31.197.0"],
    ),
    (
        "192.52.193.0/24",
        "192.52.193.0",
        "192.52.193.255",
        &["192.52.192.255", "192.52.194.0"],
    ),
    (
        "192.88.99.0/24",
        "192.88.99.0",
        "192.88.99.255",
        &["192.88.98.255", "192.88.100.0"],
    ),
    (
        "192.168.0.0/16",
        "192.168.0.0",
        "192.168.255.255",
        &["192.167.255.255", "192.169.0.0"],
    ),
    (
        "192.175.48.0/24",
        "192.175.48.0",
        "192.175.48.255",
        &["192.175.47.255", "192.175.49.0"],
    ),
    (
        "198.18.0.0/15",
        "198.18.0.0",
        "198.19.255.255",
        &["198.17.255.255", "198.20.0.0"],
    ),
    (
        "198.51.100.0/24",
        "198.51.100.0",
        "198.51.100.255",
        &["198.51.99.255", "198.51.101.0"],
    ),
    (
        "203.0.113.0/24",
        "203.0.113.0",
        "203.0.113.255",
        &["203.0.112.255", "203.0.114.0"],
    ),
    (
        "224.0.0.0/4",
        "224.0.0.0",
        "239.255.255.255",
        &["223.255.255.255"],
    ),
    ("240.0.0.0/4", "240.0.0.0", "255.255.255.255", &[]),
];

/// `(block, first, last, public neighbours)` for every block of [`SPECIAL_V6`].
const V6_BLOCKS: &[(&str, &str, &str, &[&str])] = &[
    (
        "0000::/8",
        "::2",
        "ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        &["100:1::"],
    ),
    (
        "64:ff9b:1::/48",
        "64:ff9b:1::",
        "64:ff9b:1:ffff:ffff:ffff:ffff:ffff",
        &[],
    ),
    ("100::/64", "100::", "100::ffff:ffff:ffff:ffff", &[]),
    (
        "100:0:0:1::/64",
        "100:0:0:1::",
        "100::1:ffff:ffff:ffff:ffff",
        &["100:0:0:2::"],
    ),
    (
        "2001::/23",
        "2001::",
        "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff",
        &["2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2001:200::"],
    ),
    (
        "2001:db8::/32",
        "2001:db8::",
        "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
        &["2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db9::"],
    ),
    (
        "2620:4f:8000::/48",
        "2620:4f:8000::",
        "2620:4f:8000:ffff:ffff:ffff:ffff:ffff",
        &["2620:4f:7fff:ffff:ffff:ffff:ffff:ffff", "2620:4f:8001::"],
    ),
    (
        "3fff::/20",
        "3fff::",
        "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff",
        &["3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "3fff:1000::"],
    ),
    (
        "5f00::/16",
        "5f00::",
        "5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        &["5eff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "5f01::"],
    ),
    (
        "fc00::/7",
        "fc00::",
        "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        &["fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
    ),
    (
        "fe80::/10",
        "fe80::",
        "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        &["fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
    ),
    (
        "fec0::/10",
        "fec0::",
        "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        &[],
    ),
    (
        "ff00::/8",
        "ff00::",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        &[],
    ),
];

fn check_blocks(blocks: &[(&str, &str, &str, &[&str])], table_len: usize) {
    assert_eq!(
        blocks.len(),
        table_len,
        "one written-out case per block of the table"
    );
    let mut wrong = Vec::new();
    for (block, first, last, outside) in blocks {
        for inside in [first, last] {
            if class(inside) != AddressClass::Private {
                wrong.push(format!("{block}: {inside} is {:?}", class(inside)));
            }
        }
        for o in outside.iter() {
            if class(o) != AddressClass::Public {
                wrong.push(format!("{block}: neighbour {o} is {:?}", class(o)));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn every_ipv4_special_purpose_block_is_private_and_its_neighbours_public() {
    check_blocks(V4_BLOCKS, SPECIAL_V4.len());
    assert_eq!(class("8.8.8.8"), AddressClass::Public);
}

#[test]
fn every_ipv6_special_purpose_block_is_private_and_its_neighbours_public() {
    check_blocks(V6_BLOCKS, SPECIAL_V6.len());
    assert_eq!(class("2606:4700::1111"), AddressClass::Public);
}

#[test]
fn metadata_endpoints_are_never_dialled() {
    assert_eq!(class("169.254.169.254"), AddressClass::Metadata);
    assert_eq!(class("fd00:ec2::254"), AddressClass::Metadata);
    assert_eq!(class("169.254.169.253"), AddressClass::Private);
    assert_eq!(class("fd00:ec2::253"), AddressClass::Private);
}

/// IPv4 inside IPv6, judged as the IPv4 address (translated and local-use NAT64 never public).
#[test]
fn embedded_ipv4_is_judged_as_ipv4() {
    use AddressClass::*;
    let table = [
        // IPv4-mapped.
        ("::ffff:127.0.0.1", Private),
        ("::ffff:169.254.169.254", Metadata),
        ("::ffff:8.8.8.8", Public),
        // IPv4-compatible (deprecated), with :: and ::1 as "this network".
        ("::10.0.0.1", Private),
        ("::8.8.8.8", Public),
        ("::", Private),
        ("::1", Private),
        // IPv4-translated (RFC 2765): never public.
        ("::ffff:0:7f00:1", Private),
        ("::ffff:0:a9fe:a9fe", Metadata),
        ("::ffff:0:808:808", Private),
        // NAT64 well-known prefix.
        ("64:ff9b::7f00:1", Private),
        ("64:ff9b::a9fe:a9fe", Metadata),
        ("64:ff9b::808:808", Public),
        // Local-use NAT64 (RFC 8215): never public; metadata at any RFC 6052 position.
        ("64:ff9b:1::808:808", Private),
        ("64:ff9b:1:a9fe:a9:fe00::", Metadata),   // /48
        ("64:ff9b:1:a9:fe:a9fe::", Metadata),     // /56
        ("64:ff9b:1:0:a9:fea9:fe00:0", Metadata), // /64
        ("64:ff9b:1::a9fe:a9fe", Metadata),       // /96
        // 6to4: the IPv4 address when not public.
        ("2002:7f00:1::1", Private),
        ("2002:a9fe:a9fe::1", Metadata),
        ("2002:808:808::1", Public),
    ];
    let wrong: Vec<String> = table
        .iter()
        .filter(|(a, c)| class(a) != *c)
        .map(|(a, c)| format!("{a}: {:?}, expected {c:?}", class(a)))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn classes_are_ordered_by_strictness() {
    assert!(AddressClass::Public < AddressClass::Private);
    assert!(AddressClass::Private < AddressClass::Metadata);
}
