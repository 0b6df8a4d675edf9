//! Target resolution and address vetting: the reason the bridge is never an open proxy.
//!
//! A request names a target ([`BridgeTarget`]); [`Policy::open`] finds it in the
//! configuration (a named upstream, or a host and port a pattern allows), resolves the host
//! **once** through the injected [`Resolver`], checks **every** resolved address, and only then
//! dials a vetted address through the injected [`Connector`] (with SNI = the host). Loopback,
//! private, link-local, CGNAT, ULA, multicast, unspecified and other special addresses —
//! also when embedded in IPv6 (IPv4-mapped, NAT64, 6to4) — are refused unless the target has
//! `allow_private`; cloud metadata addresses are refused always. If any resolved address is
//! refused, the whole target is refused (a mix of public and private answers is a classic
//! DNS-rebinding trick).

use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

use daaki_imap::wire::{BridgeTarget, CloseCode};
use tokio::io::{AsyncRead, AsyncWrite};

use crate::config::Config;

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

/// How an address may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    /// A globally routable address.
    Public,
    /// Loopback, private, link-local, CGNAT, ULA, multicast, reserved…: only with
    /// `allow_private`.
    Private,
    /// A cloud metadata endpoint: never.
    Metadata,
}

const METADATA_V4: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 254);
const METADATA_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254);

/// Classifies an address (IPv4 embedded in IPv6 is judged as the IPv4 address).
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    if ip == METADATA_V4 {
        return AddressClass::Metadata;
    }
    let [a, b, c, _] = ip.octets();
    let special = ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || a >= 240 // reserved
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)); // benchmarking
    if special {
        AddressClass::Private
    } else {
        AddressClass::Public
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    if ip == METADATA_V6 {
        return AddressClass::Metadata;
    }
    let s = ip.segments();
    let embedded = |hi: u16, lo: u16| {
        let [a, b] = hi.to_be_bytes();
        let [c, d] = lo.to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    // IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::a.b.c.d.
    if s[..5] == [0; 5] && (s[5] == 0xffff || (s[5] == 0 && !(s[6] == 0 && s[7] <= 1)))
        || s[..6] == [0x64, 0xff9b, 0, 0, 0, 0]
    {
        return classify_v4(embedded(s[6], s[7]));
    }
    // 6to4 2002:a.b.c.d::/48.
    if s[0] == 0x2002 {
        let inner = classify_v4(embedded(s[1], s[2]));
        if inner != AddressClass::Public {
            return inner;
        }
    }
    let special = ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // ULA fc00::/7
        || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (s[0] & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated)
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x2001 && s[1] == 0) // Teredo
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]); // discard-only 100::/64
    if special {
        AddressClass::Private
    } else {
        AddressClass::Public
    }
}

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
