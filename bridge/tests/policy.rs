//! The target policy with a fake resolver and a recording connector: every refusal is
//! decided before anything is dialled. No test here sends a single packet anywhere.

mod common;

use std::sync::Arc;

use common::{FakeResolver, RecordingConnector};
use daaki_imap::wire::{BridgeTarget, CloseCode};
use daaki_imap_bridge::Config;
use daaki_imap_bridge::policy::{AddressClass, Policy, classify};

const CONFIG: &str = r#"
[[targets]]
name = "mail"
host = "imap.example.com"

[[targets]]
name = "dev"
host = "dev.example.com"
port = 1993
allow_private = true

[[patterns]]
pattern = "*.example.org"
ports = [993, 1993]
"#;

/// The client the requests come from.
const CLIENT: ([u8; 4], u16) = ([203, 0, 113, 7], 40000);

fn policy() -> Policy {
    Policy::new(Arc::new(Config::from_toml(CONFIG).expect("config")))
}

async fn refused(target: BridgeTarget, resolver: FakeResolver) -> CloseCode {
    let connector = RecordingConnector::default();
    let result = policy()
        .open(&target, CLIENT.into(), &resolver, &connector)
        .await;
    let refusal = match result {
        Ok((_, upstream)) => panic!("{target:?} was allowed: {upstream:?}"),
        Err(refusal) => refusal,
    };
    assert!(
        connector.calls().is_empty(),
        "the connector was called for a refused target: {:?}",
        connector.calls()
    );
    refusal.code
}

fn named(name: &str) -> BridgeTarget {
    BridgeTarget::named(name).expect("name")
}

#[tokio::test]
async fn a_target_that_is_not_configured_is_refused_without_dialling() {
    let resolver = FakeResolver::with("other.example.com", &["93.184.216.34"]);
    assert_eq!(
        refused(named("other"), resolver).await,
        CloseCode::TargetNotAllowed
    );
    let resolver = FakeResolver::with("imap.example.net", &["93.184.216.34"]);
    let host = BridgeTarget::host("imap.example.net", 993).expect("host");
    assert_eq!(refused(host, resolver).await, CloseCode::TargetNotAllowed);
}

#[tokio::test]
async fn an_allowed_host_resolving_to_a_special_address_is_refused_without_dialling() {
    for ip in [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "169.254.1.1",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "::ffff:127.0.0.1",
        "::ffff:10.1.2.3",
        "::ffff:169.254.169.254",
        "64:ff9b::7f00:1",
        "2002:7f00:1::1",
        "fd00::1",
        "fd00:ec2::254",
        "fe80::1",
        "ff02::1",
    ] {
        let resolver = FakeResolver::with("imap.example.com", &[ip]);
        assert_eq!(
            refused(named("mail"), resolver).await,
            CloseCode::TargetNotAllowed,
            "{ip}"
        );
        let resolver = FakeResolver::with("imap.example.org", &[ip]);
        let host = BridgeTarget::host("imap.example.org", 993).expect("host");
        assert_eq!(
            refused(host, resolver).await,
            CloseCode::TargetNotAllowed,
            "{ip}"
        );
    }
}

#[tokio::test]
async fn a_mix_of_public_and_private_addresses_is_refused_without_dialling() {
    for mix in [
        ["93.184.216.34", "127.0.0.1"],
        ["10.0.0.1", "93.184.216.34"],
        ["2606:2800:220:1:248:1893:25c8:1946", "fd00::1"],
    ] {
        let resolver = FakeResolver::with("imap.example.com", &mix);
        assert_eq!(
            refused(named("mail"), resolver).await,
            CloseCode::TargetNotAllowed,
            "{mix:?}"
        );
    }
}

#[tokio::test]
async fn a_port_no_pattern_allows_is_refused_without_dialling() {
    for port in [143, 25, 443, 8080] {
        let resolver = FakeResolver::with("imap.example.org", &["93.184.216.34"]);
        let host = BridgeTarget::host("imap.example.org", port).expect("host");
        assert_eq!(
            refused(host, resolver).await,
            CloseCode::TargetNotAllowed,
            "{port}"
        );
    }
    // The pattern is "*.example.org": the bare domain is not covered.
    let resolver = FakeResolver::with("example.org", &["93.184.216.34"]);
    let host = BridgeTarget::host("example.org", 993).expect("host");
    assert_eq!(refused(host, resolver).await, CloseCode::TargetNotAllowed);
}

#[tokio::test]
async fn a_name_that_does_not_resolve_fails_as_upstream_connect_without_dialling() {
    let resolver = FakeResolver::default();
    assert_eq!(
        refused(named("mail"), resolver).await,
        CloseCode::UpstreamConnectFailed
    );
}

#[tokio::test]
async fn allow_private_admits_private_addresses_but_never_metadata() {
    let connector = RecordingConnector::default();
    let resolver = FakeResolver::with("dev.example.com", &["127.0.0.1"]);
    let (_, upstream) = policy()
        .open(&named("dev"), CLIENT.into(), &resolver, &connector)
        .await
        .expect("allowed");
    assert_eq!(upstream.addr, "127.0.0.1:1993".parse().expect("addr"));
    assert_eq!(
        upstream.host, "dev.example.com",
        "SNI is the host, not the address"
    );
    assert!(upstream.tls);
    assert_eq!(connector.calls(), vec![upstream]);

    for ip in ["169.254.169.254", "fd00:ec2::254", "::ffff:169.254.169.254"] {
        let resolver = FakeResolver::with("dev.example.com", &[ip]);
        assert_eq!(
            refused(named("dev"), resolver).await,
            CloseCode::TargetNotAllowed,
            "{ip}"
        );
    }
}

#[tokio::test]
async fn a_public_address_is_dialled_with_the_host_as_server_name() {
    let connector = RecordingConnector::default();
    let resolver = FakeResolver::with("imap.example.org", &["93.184.216.34"]);
    let target = BridgeTarget::host("IMAP.example.org", 1993).expect("host");
    let (_, upstream) = policy()
        .open(&target, CLIENT.into(), &resolver, &connector)
        .await
        .expect("allowed");
    assert_eq!(upstream.host, "imap.example.org");
    assert_eq!(upstream.addr, "93.184.216.34:1993".parse().expect("addr"));
    assert_eq!(connector.calls().len(), 1);
}

#[test]
fn classification_covers_embedded_ipv4() {
    let c = |s: &str| classify(s.parse().expect("ip"));
    assert_eq!(c("8.8.8.8"), AddressClass::Public);
    assert_eq!(c("2001:4860:4860::8888"), AddressClass::Public);
    assert_eq!(c("::ffff:8.8.8.8"), AddressClass::Public);
    assert_eq!(c("::ffff:192.168.0.1"), AddressClass::Private);
    assert_eq!(c("::ffff:169.254.169.254"), AddressClass::Metadata);
    assert_eq!(c("100.127.255.255"), AddressClass::Private);
    assert_eq!(c("100.128.0.0"), AddressClass::Public);
}
