//! Admission: which connections the bridge holds, and which it closes at accept.
//!
//! Every accepted TCP connection is **held** (it costs a descriptor, a task and buffers) until
//! it ends. A held connection within the caps (`max_connections`, `max_connections_per_ip`)
//! is **admitted**: it may become a session. One over a cap is still held through the
//! WebSocket handshake so the client can be told `LimitReached` (4006) — but only within a
//! small grace band: past the cap plus [`GRACE_PER_IP`] sockets from one address, past
//! `max_connections` plus [`GRACE_GLOBAL`], or when file descriptors run short (past
//! [`DescriptorBudget::connections`]), the socket is closed at accept, before any byte is
//! read (the client sees close 1006). A flood from one address therefore holds at most
//! `max_connections_per_ip + GRACE_PER_IP` sockets, whatever its size, and descriptors keep
//! headroom for the sessions of everyone else.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

use crate::metrics::Reason;

/// Sockets from one address held past `max_connections_per_ip`, so they can be told 4006;
/// more are closed at accept.
pub const GRACE_PER_IP: usize = 8;
/// Sockets held past `max_connections`, so they can be told 4006; more are closed at accept.
pub const GRACE_GLOBAL: usize = 64;

/// Descriptors kept for everything but connections: the listeners, standard streams, the
/// runtime's epoll and wake-up descriptors, DNS sockets, files read at start-up.
pub const RESERVED_DESCRIPTORS: u64 = 64;

/// How many connections the process's descriptor limit (`RLIMIT_NOFILE`) allows: each may
/// need two (the client socket and the upstream socket), after [`RESERVED_DESCRIPTORS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DescriptorBudget {
    /// The soft limit it was computed from (`None`: unlimited or unknown).
    pub limit: Option<u64>,
    /// The most connections held at once.
    pub connections: usize,
}

impl DescriptorBudget {
    /// The budget for a soft descriptor limit of `limit` (`None`: unlimited).
    pub fn for_limit(limit: Option<u64>) -> Self {
        let connections = match limit {
            None => usize::MAX,
            Some(limit) => usize::try_from(limit.saturating_sub(RESERVED_DESCRIPTORS) / 2)
                .unwrap_or(usize::MAX),
        };
        Self { limit, connections }
    }

    /// The budget for this process's current soft `RLIMIT_NOFILE`.
    pub fn current() -> Self {
        Self::for_limit(nofile_soft_limit())
    }
}

/// The soft `RLIMIT_NOFILE` of this process (`None`: unlimited, or not a Unix system).
pub fn nofile_soft_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        rustix::process::getrlimit(rustix::process::Resource::Nofile).current
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit (what the Go runtime does at start-up,
/// for the same reason: a server's connections are descriptors). Returns the soft limit in
/// force afterwards; on failure (or off Unix) the limit is left as it was.
pub fn raise_nofile_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, getrlimit, setrlimit};
        let limits = getrlimit(Resource::Nofile);
        if limits.current != limits.maximum {
            let raised = rustix::process::Rlimit {
                current: limits.maximum,
                maximum: limits.maximum,
            };
            if let Err(error) = setrlimit(Resource::Nofile, raised) {
                tracing::warn!(%error, "could not raise the descriptor limit to its maximum");
            }
        }
    }
    nofile_soft_limit()
}

/// The caps one bridge admits connections under.
#[derive(Debug, Clone, Copy)]
pub struct Caps {
    /// `limits.max_connections`.
    pub max_connections: usize,
    /// `limits.max_connections_per_ip`.
    pub max_connections_per_ip: usize,
    /// The descriptor budget.
    pub descriptors: DescriptorBudget,
}

#[derive(Default)]
struct Counts {
    held: usize,
    held_per_ip: HashMap<IpAddr, usize>,
    admitted: usize,
    admitted_per_ip: HashMap<IpAddr, usize>,
}

/// The connection counts of one bridge, under its caps.
pub struct Admission {
    caps: Caps,
    counts: Mutex<Counts>,
}

impl std::fmt::Debug for Admission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admission")
            .field("caps", &self.caps)
            .finish_non_exhaustive()
    }
}

/// A held connection; dropping it releases its counts (and its admission, if admitted).
#[derive(Debug)]
pub struct Held {
    admission: Arc<Admission>,
    /// The key it is held under per address (`None`: behind a trusted proxy, whose own
    /// address is no client's).
    held_key: Option<IpAddr>,
    /// The key it is admitted under per address, once admitted.
    admitted_key: Option<IpAddr>,
    /// Counted in the global admitted count.
    admitted_globally: bool,
    /// `Ok`: admitted (or, behind a proxy, admitted globally and waiting for
    /// [`Held::admit_client`]); `Err`: over this cap, to be told 4006 after the handshake.
    admitted: Result<(), Reason>,
}

impl Held {
    /// Whether the connection may become a session, or which cap it is over.
    pub fn admitted(&self) -> Result<(), Reason> {
        self.admitted
    }

    /// Behind a trusted proxy, once the headers named the client: counts the connection
    /// under the client's `key` (see [`crate::client_addr::limit_key`]) and says whether it
    /// is within `max_connections_per_ip`. For a connection counted at accept, its outcome
    /// then.
    pub fn admit_client(&mut self, key: IpAddr) -> Result<(), Reason> {
        if self.held_key.is_some() || self.admitted_key.is_some() || self.admitted.is_err() {
            return self.admitted;
        }
        let mut counts = self
            .admission
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let here = counts.admitted_per_ip.get(&key).copied().unwrap_or(0);
        if here >= self.admission.caps.max_connections_per_ip {
            self.admitted = Err(Reason::LimitPerIp);
        } else {
            counts.admitted_per_ip.insert(key, here + 1);
            self.admitted_key = Some(key);
        }
        self.admitted
    }
}

fn decrement(map: &mut HashMap<IpAddr, usize>, ip: IpAddr) {
    if let Some(n) = map.get_mut(&ip) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            map.remove(&ip);
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut counts = self
            .admission
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        counts.held = counts.held.saturating_sub(1);
        if let Some(key) = self.held_key {
            decrement(&mut counts.held_per_ip, key);
        }
        if self.admitted_globally {
            counts.admitted = counts.admitted.saturating_sub(1);
        }
        if let Some(key) = self.admitted_key {
            decrement(&mut counts.admitted_per_ip, key);
        }
    }
}

impl Admission {
    /// Counts under `caps`, all zero.
    pub fn new(caps: Caps) -> Arc<Self> {
        Arc::new(Self {
            caps,
            counts: Mutex::default(),
        })
    }

    /// The caps.
    pub fn caps(&self) -> Caps {
        self.caps
    }

    /// Connections held now.
    pub fn held(&self) -> usize {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .held
    }

    /// Decides at accept for a connection from `key` (its peer's
    /// [`limit_key`](crate::client_addr::limit_key)): `Err` with the reason means close it
    /// now, unread; `Ok` holds it (admitted or, within the grace band, to be told 4006).
    /// `behind_proxy`: the peer is a trusted proxy, so the per-address checks wait for
    /// [`Held::admit_client`] (the global and descriptor ones apply now).
    pub fn accept(self: &Arc<Self>, key: IpAddr, behind_proxy: bool) -> Result<Held, Reason> {
        let caps = &self.caps;
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let held_here = counts.held_per_ip.get(&key).copied().unwrap_or(0);
        if counts.held >= caps.descriptors.connections {
            return Err(Reason::Descriptors);
        }
        if !behind_proxy && held_here >= caps.max_connections_per_ip.saturating_add(GRACE_PER_IP) {
            return Err(Reason::LimitPerIpAtAccept);
        }
        if counts.held >= caps.max_connections.saturating_add(GRACE_GLOBAL) {
            return Err(Reason::LimitGlobalAtAccept);
        }
        counts.held += 1;
        let mut held = Held {
            admission: self.clone(),
            held_key: None,
            admitted_key: None,
            admitted_globally: false,
            admitted: Ok(()),
        };
        if !behind_proxy {
            counts.held_per_ip.insert(key, held_here + 1);
            held.held_key = Some(key);
        }
        let admitted_here = counts.admitted_per_ip.get(&key).copied().unwrap_or(0);
        if counts.admitted >= caps.max_connections {
            held.admitted = Err(Reason::LimitGlobal);
        } else if !behind_proxy && admitted_here >= caps.max_connections_per_ip {
            held.admitted = Err(Reason::LimitPerIp);
        } else {
            counts.admitted += 1;
            held.admitted_globally = true;
            if !behind_proxy {
                counts.admitted_per_ip.insert(key, admitted_here + 1);
                held.admitted_key = Some(key);
            }
        }
        Ok(held)
    }
}

#[cfg(test)]
mod tests;
