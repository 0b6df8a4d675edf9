//! Fakes shared by the bridge's tests: a resolver that answers from a table and a connector
//! that records every call and hands out in-memory streams. Nothing here touches the network.
#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::sync::Mutex;

use daaki_imap_bridge::policy::{BoxFuture, BoxIo, ConnectError, Connector, Resolver, Upstream};
use tokio::io::DuplexStream;

/// Answers from a fixed table; unknown hosts fail like NXDOMAIN.
#[derive(Default)]
pub struct FakeResolver(pub HashMap<String, Vec<IpAddr>>);

impl FakeResolver {
    pub fn with(host: &str, ips: &[&str]) -> Self {
        let mut map = HashMap::new();
        map.insert(
            host.to_owned(),
            ips.iter().map(|ip| ip.parse().expect("ip")).collect(),
        );
        Self(map)
    }
}

impl Resolver for FakeResolver {
    fn resolve<'a>(&'a self, host: &'a str) -> BoxFuture<'a, io::Result<Vec<IpAddr>>> {
        let answer = self
            .0
            .get(host)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such host"));
        Box::pin(async move { answer })
    }
}

/// Records every upstream it is asked for; returns the bridge end of an in-memory pipe and
/// keeps the other end for the test.
#[derive(Default)]
pub struct RecordingConnector {
    pub calls: Mutex<Vec<Upstream>>,
    pub peers: Mutex<Vec<DuplexStream>>,
}

impl RecordingConnector {
    pub fn calls(&self) -> Vec<Upstream> {
        self.calls.lock().expect("lock").clone()
    }

    pub fn take_peer(&self) -> Option<DuplexStream> {
        self.peers.lock().expect("lock").pop()
    }
}

impl Connector for RecordingConnector {
    fn connect<'a>(&'a self, upstream: &'a Upstream) -> BoxFuture<'a, Result<BoxIo, ConnectError>> {
        self.calls.lock().expect("lock").push(upstream.clone());
        let (ours, theirs) = tokio::io::duplex(64 * 1024);
        self.peers.lock().expect("lock").push(theirs);
        Box::pin(async move { Ok(Box::new(ours) as BoxIo) })
    }
}
