//! Target resolution and address vetting: the reason the bridge is never an open proxy.
//!
//! A request names a target ([`BridgeTarget`]); [`Policy::open`] finds it in the
//! configuration (a named upstream, or a host and port a pattern allows), resolves the host
//! **once** through the injected [`Resolver`], checks **every** resolved address, and only then
//! dials a vetted address through the injected [`Connector`] (with SNI = the host). Every
//! block of the IANA special-purpose registries (loopback, private, link-local, CGNAT, ULA,
//! multicast, documentation, benchmarking, …; [`crate::address`]) — also when embedded in
//! IPv6 — is refused unless the target has `allow_private`; cloud metadata addresses are
//! refused always. If any resolved address is
//! refused, the whole target is refused (a mix of public and private answers is a classic
//! DNS-rebinding trick).

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

use daaki_imap::wire::{BridgeTarget, CloseCode};
use tokio::io::{AsyncRead, AsyncWrite};

use crate::config::Config;
use crate::proxy_protocol::{self, ProxyVersion};

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A byte stream to an upstream.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A boxed [`Io`].
pub type BoxIo = Box<dyn Io>;

/// Resolves host names (injectable so tests never touch DNS).
pub trait Resolver: Send + Sync {
    /// All addresses of `host` (an IP literal resolves to itself).
    fn resolve<'a>(&'a self, host: &'a str) -> BoxFuture<'a, io::Result<Vec<IpAddr>>>;
}

/// The operating system's resolver (`getaddrinfo` through tokio).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl Resolver for SystemResolver {
    fn resolve<'a>(&'a self, host: &'a str) -> BoxFuture<'a, io::Result<Vec<IpAddr>>> {
        Box::pin(async move {
            if let Ok(ip) = host.parse::<IpAddr>() {
                return Ok(vec![ip]);
            }
            let addrs = tokio::net::lookup_host((host, 0)).await?;
            Ok(addrs.map(|a| a.ip()).collect())
        })
    }
}

/// A vetted upstream: dial exactly `addr`; `host` is the TLS server name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    /// The host name as configured or requested (the TLS server name).
    pub host: String,
    /// The vetted address to dial.
    pub addr: SocketAddr,
    /// Whether to speak TLS to the upstream.
    pub tls: bool,
    /// The named target, if the request used one (selects its extra roots).
    pub target: Option<String>,
    /// A PROXY protocol header to write first, before TLS (`send_proxy_protocol`).
    pub proxy_header: Option<Vec<u8>>,
}

/// Why dialling a vetted upstream failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The TCP connection failed.
    #[error("connect failed: {0}")]
    Connect(io::Error),
    /// The TLS handshake failed.
    #[error("TLS failed: {0}")]
    Tls(io::Error),
}

/// Dials vetted upstreams (injectable so policy tests can prove nothing was dialled).
pub trait Connector: Send + Sync {
    /// Connects to `upstream.addr` (and does TLS with SNI = `upstream.host` if asked).
    fn connect<'a>(&'a self, upstream: &'a Upstream) -> BoxFuture<'a, Result<BoxIo, ConnectError>>;
}

/// A refused or failed target: the close code, and detail for the log (never sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The close code the client gets.
    pub code: CloseCode,
    /// What exactly happened, for the bridge's log.
    pub detail: String,
}

impl Refusal {
    fn new(code: CloseCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
        }
    }
}

pub use crate::address::{AddressClass, classify};

/// A target found in the configuration, before resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selected {
    /// The host to resolve (and the TLS server name).
    pub host: String,
    /// The port to dial.
    pub port: u16,
    /// TLS to the upstream.
    pub tls: bool,
    /// Whether private addresses are allowed.
    pub allow_private: bool,
    /// The named target, if any.
    pub target: Option<String>,
    /// The PROXY header version to write to it, if any (named targets only).
    pub send_proxy: Option<ProxyVersion>,
}

/// The target policy over a configuration.
#[derive(Debug, Clone)]
pub struct Policy {
    config: Arc<Config>,
}

impl Policy {
    /// A policy for `config`.
    pub fn new(config: Arc<Config>) -> Self {
        Self { config }
    }

    /// Finds `target` in the configuration.
    pub fn select(&self, target: &BridgeTarget) -> Result<Selected, Refusal> {
        match target {
            BridgeTarget::Named(name) => {
                let t = self
                    .config
                    .targets
                    .iter()
                    .find(|t| &t.name == name)
                    .ok_or_else(|| {
                        Refusal::new(CloseCode::TargetNotAllowed, format!("no target {name:?}"))
                    })?;
                Ok(Selected {
                    host: t.host.clone(),
                    port: t.port,
                    tls: t.tls,
                    allow_private: t.allow_private,
                    target: Some(t.name.clone()),
                    send_proxy: t.send_proxy_protocol,
                })
            }
            BridgeTarget::Host { host, port } => {
                let allowed = self
                    .config
                    .patterns
                    .iter()
                    .any(|p| p.matches(host) && p.ports.contains(port));
                if !allowed {
                    return Err(Refusal::new(
                        CloseCode::TargetNotAllowed,
                        format!("{host}:{port} matches no pattern"),
                    ));
                }
                Ok(Selected {
                    host: host.to_ascii_lowercase(),
                    port: *port,
                    tls: true,
                    allow_private: false,
                    target: None,
                    send_proxy: None,
                })
            }
        }
    }

    /// Resolves `selected` once and vets every address: the addresses that may be dialled,
    /// in the resolver's order.
    pub async fn vet(
        &self,
        selected: &Selected,
        resolver: &dyn Resolver,
    ) -> Result<Vec<SocketAddr>, Refusal> {
        let ips = resolver.resolve(&selected.host).await.map_err(|e| {
            Refusal::new(
                CloseCode::UpstreamConnectFailed,
                format!("resolving {}: {e}", selected.host),
            )
        })?;
        if ips.is_empty() {
            return Err(Refusal::new(
                CloseCode::UpstreamConnectFailed,
                format!("{} has no addresses", selected.host),
            ));
        }
        for ip in &ips {
            let refused = match classify(*ip) {
                AddressClass::Public => false,
                AddressClass::Private => !selected.allow_private,
                AddressClass::Metadata => true,
            };
            if refused {
                return Err(Refusal::new(
                    CloseCode::TargetNotAllowed,
                    format!("{} resolves to refused address {ip}", selected.host),
                ));
            }
        }
        Ok(ips
            .into_iter()
            .map(|ip| SocketAddr::new(ip, selected.port))
            .collect())
    }

    /// Selects, resolves, vets and dials `target`: the upstream stream, or why not.
    pub async fn open(
        &self,
        target: &BridgeTarget,
        client: SocketAddr,
        resolver: &dyn Resolver,
        connector: &dyn Connector,
    ) -> Result<(BoxIo, Upstream), Refusal> {
        let selected = self.select(target)?;
        let addrs = self.vet(&selected, resolver).await?;
        let mut last = Refusal::new(CloseCode::UpstreamConnectFailed, "no address tried");
        for addr in addrs {
            let upstream = Upstream {
                host: selected.host.clone(),
                addr,
                tls: selected.tls,
                target: selected.target.clone(),
                proxy_header: selected
                    .send_proxy
                    .map(|version| proxy_protocol::encode(version, client, addr)),
            };
            match connector.connect(&upstream).await {
                Ok(io) => return Ok((io, upstream)),
                Err(ConnectError::Connect(e)) => {
                    last = Refusal::new(
                        CloseCode::UpstreamConnectFailed,
                        format!("connect {addr}: {e}"),
                    );
                }
                // A TLS failure is about the server, not the address: do not try others.
                Err(ConnectError::Tls(e)) => {
                    return Err(Refusal::new(
                        CloseCode::UpstreamTlsFailed,
                        format!("TLS with {} at {addr}: {e}", selected.host),
                    ));
                }
            }
        }
        Err(last)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    fn config(text: &str) -> Arc<Config> {
        Arc::new(Config::from_toml(text).expect("config"))
    }

    const CONFIG: &str = r#"
        [[targets]]
        name = "work"
        host = "imap.work.example"
        [[targets]]
        name = "dev"
        host = "Dev.Example"
        port = 1143
        tls = false
        allow_private = true
        [[patterns]]
        pattern = "*.example.org"
        ports = [993, 1993]
        [[patterns]]
        pattern = "imap.example.net"
    "#;

    #[test]
    fn named_targets_select_their_own_settings() {
        let policy = Policy::new(config(CONFIG));
        let work = policy
            .select(&BridgeTarget::named("work").expect("name"))
            .expect("configured");
        assert_eq!(
            work,
            Selected {
                host: "imap.work.example".into(),
                port: 993,
                tls: true,
                allow_private: false,
                target: Some("work".into()),
                send_proxy: None,
            }
        );
        let dev = policy
            .select(&BridgeTarget::named("dev").expect("name"))
            .expect("configured");
        assert_eq!(
            dev,
            Selected {
                host: "Dev.Example".into(),
                port: 1143,
                tls: false,
                allow_private: true,
                target: Some("dev".into()),
                send_proxy: None,
            }
        );
        let refusal = policy
            .select(&BridgeTarget::named("other").expect("name"))
            .expect_err("not configured");
        assert_eq!(refusal.code, CloseCode::TargetNotAllowed);
    }

    #[test]
    fn hosts_need_a_pattern_allowing_both_host_and_port() {
        let policy = Policy::new(config(CONFIG));
        let host = |h: &str, port| policy.select(&BridgeTarget::host(h, port).expect("host"));
        assert_eq!(
            host("IMAP.Example.ORG", 1993).expect("allowed"),
            Selected {
                host: "imap.example.org".into(),
                port: 1993,
                tls: true,
                allow_private: false,
                target: None,
                send_proxy: None,
            }
        );
        assert_eq!(host("imap.example.net", 993).expect("allowed").port, 993);
        for (h, port) in [
            ("imap.example.org", 143),  // host allowed, port not
            ("imap.example.net", 1993), // another pattern's port
            ("imap.example.com", 993),  // port allowed, host not
            ("example.org", 993),       // the bare domain of a wildcard
            ("imap.work.example", 993), // a named target's host is not a pattern
        ] {
            let refusal = host(h, port).expect_err("refused");
            assert_eq!(refusal.code, CloseCode::TargetNotAllowed, "{h}:{port}");
        }
    }

    /// Answers every name with one fixed result.
    struct Answer(Result<Vec<IpAddr>, io::ErrorKind>);

    impl Resolver for Answer {
        fn resolve<'a>(&'a self, _: &'a str) -> BoxFuture<'a, io::Result<Vec<IpAddr>>> {
            let answer = self.0.clone().map_err(io::Error::from);
            Box::pin(async move { answer })
        }
    }

    fn answer(ips: &[&str]) -> Answer {
        Answer(Ok(ips.iter().map(|s| ip(s)).collect()))
    }

    fn selected(allow_private: bool) -> Selected {
        Selected {
            host: "h.example".into(),
            port: 993,
            tls: true,
            allow_private,
            target: None,
            send_proxy: None,
        }
    }

    #[tokio::test]
    async fn vetting_keeps_the_resolvers_order_and_refuses_any_special_answer() {
        let policy = Policy::new(config(""));
        let vet = |s: Selected, a: Answer| {
            let policy = policy.clone();
            async move { policy.vet(&s, &a).await }
        };
        assert_eq!(
            vet(selected(false), answer(&["93.184.216.34", "2606::1"]))
                .await
                .expect("public"),
            vec![
                "93.184.216.34:993".parse::<SocketAddr>().expect("addr"),
                "[2606::1]:993".parse().expect("addr"),
            ]
        );
        let code = |r: Result<Vec<SocketAddr>, Refusal>| r.expect_err("refused").code;
        for mix in [&["93.184.216.34", "10.0.0.1"][..], &["127.0.0.1"]] {
            assert_eq!(
                code(vet(selected(false), answer(mix)).await),
                CloseCode::TargetNotAllowed,
                "{mix:?}"
            );
        }
        // allow_private admits private answers, never metadata.
        assert_eq!(
            vet(selected(true), answer(&["127.0.0.1", "10.0.0.1"]))
                .await
                .expect("private allowed")
                .len(),
            2
        );
        assert_eq!(
            code(vet(selected(true), answer(&["10.0.0.1", "169.254.169.254"])).await),
            CloseCode::TargetNotAllowed
        );
        // No answer at all: a connect failure, not a policy refusal.
        assert_eq!(
            code(vet(selected(false), answer(&[])).await),
            CloseCode::UpstreamConnectFailed
        );
        assert_eq!(
            code(vet(selected(false), Answer(Err(io::ErrorKind::NotFound))).await),
            CloseCode::UpstreamConnectFailed
        );
    }

    /// What the scripted connector does for one call.
    #[derive(Clone, Copy)]
    enum Outcome {
        Connected,
        ConnectFails,
        TlsFails,
    }

    /// Plays `script` in order, recording each address it is asked for.
    struct Scripted {
        script: Mutex<Vec<Outcome>>,
        calls: Mutex<Vec<Upstream>>,
    }

    impl Scripted {
        fn new(script: &[Outcome]) -> Self {
            Self {
                script: Mutex::new(script.iter().rev().copied().collect()),
                calls: Mutex::new(Vec::new()),
            }
        }

        fn calls(&self) -> Vec<SocketAddr> {
            let calls = self.calls.lock().expect("lock");
            calls.iter().map(|u| u.addr).collect()
        }
    }

    impl Connector for Scripted {
        fn connect<'a>(
            &'a self,
            upstream: &'a Upstream,
        ) -> BoxFuture<'a, Result<BoxIo, ConnectError>> {
            self.calls.lock().expect("lock").push(upstream.clone());
            let outcome = self.script.lock().expect("lock").pop().expect("scripted");
            Box::pin(async move {
                match outcome {
                    Outcome::Connected => Ok(Box::new(tokio::io::duplex(64).0) as BoxIo),
                    Outcome::ConnectFails => Err(ConnectError::Connect(io::Error::from(
                        io::ErrorKind::ConnectionRefused,
                    ))),
                    Outcome::TlsFails => Err(ConnectError::Tls(io::Error::from(
                        io::ErrorKind::InvalidData,
                    ))),
                }
            })
        }
    }

    #[tokio::test]
    async fn open_tries_each_vetted_address_until_one_connects_but_stops_at_a_tls_failure() {
        use Outcome::*;
        let policy = Policy::new(config(CONFIG));
        let work = BridgeTarget::named("work").expect("name");
        let two = answer(&["93.184.216.34", "93.184.216.35"]);
        let addrs: Vec<SocketAddr> = vec![
            "93.184.216.34:993".parse().expect("addr"),
            "93.184.216.35:993".parse().expect("addr"),
        ];

        let connector = Scripted::new(&[ConnectFails, Connected]);
        let (_, upstream) = policy
            .open(&work, client(), &two, &connector)
            .await
            .expect("opened");
        assert_eq!(connector.calls(), addrs);
        assert_eq!(
            upstream,
            Upstream {
                host: "imap.work.example".into(),
                addr: addrs[1],
                tls: true,
                target: Some("work".into()),
                proxy_header: None,
            }
        );

        let connector = Scripted::new(&[ConnectFails, ConnectFails]);
        let refusal = policy.open(&work, client(), &two, &connector).await.err();
        assert_eq!(
            refusal.map(|r| r.code),
            Some(CloseCode::UpstreamConnectFailed)
        );
        assert_eq!(connector.calls(), addrs);

        // A certificate problem is the server's, not the address's: no second address.
        let connector = Scripted::new(&[TlsFails, Connected]);
        let refusal = policy.open(&work, client(), &two, &connector).await.err();
        assert_eq!(refusal.map(|r| r.code), Some(CloseCode::UpstreamTlsFailed));
        assert_eq!(connector.calls(), addrs[..1]);

        // Refused targets and answers dial nothing.
        let connector = Scripted::new(&[]);
        let other = BridgeTarget::named("other").expect("name");
        assert!(
            policy
                .open(&other, client(), &two, &connector)
                .await
                .is_err()
        );
        let private = answer(&["10.0.0.1"]);
        assert!(
            policy
                .open(&work, client(), &private, &connector)
                .await
                .is_err()
        );
        assert!(connector.calls().is_empty());
    }

    fn client() -> SocketAddr {
        "203.0.113.7:40000".parse().expect("addr")
    }

    #[tokio::test]
    async fn a_target_with_send_proxy_protocol_gets_a_header_naming_the_client_and_the_address() {
        let policy = Policy::new(config(
            r#"
            [[targets]]
            name = "v1"
            host = "imap.work.example"
            send_proxy_protocol = "v1"
            [[targets]]
            name = "v2"
            host = "imap.work.example"
            send_proxy_protocol = "v2"
            [[patterns]]
            pattern = "*.example"
            "#,
        ));
        let public = answer(&["93.184.216.34"]);
        let dialled: SocketAddr = "93.184.216.34:993".parse().expect("addr");
        for (target, version) in [("v1", ProxyVersion::V1), ("v2", ProxyVersion::V2)] {
            let connector = Scripted::new(&[Outcome::Connected]);
            let target = BridgeTarget::named(target).expect("name");
            let (_, upstream) = policy
                .open(&target, client(), &public, &connector)
                .await
                .expect("opened");
            assert_eq!(
                upstream.proxy_header,
                Some(proxy_protocol::encode(version, client(), dialled))
            );
        }
        // Host patterns reach servers the operator does not run: never a header.
        let connector = Scripted::new(&[Outcome::Connected]);
        let host = BridgeTarget::host("imap.work.example", 993).expect("host");
        let (_, upstream) = policy
            .open(&host, client(), &public, &connector)
            .await
            .expect("opened");
        assert_eq!(upstream.proxy_header, None);
    }

    #[tokio::test]
    async fn the_system_resolver_answers_ip_literals_itself() {
        for literal in ["127.0.0.1", "::1", "93.184.216.34"] {
            let ips = SystemResolver.resolve(literal).await.expect("literal");
            assert_eq!(ips, vec![ip(literal)]);
        }
    }
}
