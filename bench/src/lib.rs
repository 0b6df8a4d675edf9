//! The fetch benchmark's shared pieces (see `cargo xtask bench fetch`).
//!
//! The binaries of this crate are the three clients and the replay server of the benchmark:
//! - `fetch-daaki`: daaki-imap's `uid_fetch_streaming`;
//! - `fetch-async-imap`: async-imap 0.12's `uid_fetch` stream (tokio, rustls with ring);
//! - `raw-reader`: sends the same commands as bytes and only counts the reply's bytes — the
//!   floor any client's wall time is compared with;
//! - `replay-server`: answers `UID FETCH` with the captured corpora of `client/benches/corpora/`
//!   from memory (plain TCP), so the client, not the server, is the bottleneck.
//!
//! Every client prints one `key=value` line (see [`Report`]) measured around the FETCH only
//! (connect, login and SELECT are excluded): wall time, the CPU time of the whole process
//! (all threads, `CLOCK_PROCESS_CPUTIME_ID`, ns resolution) and the process's peak RSS
//! (`VmHWM`).
#![deny(unsafe_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

/// Every call of the clients gets this timeout: generous, speed is measured, not asserted.
pub const T: Duration = Duration::from_secs(600);

/// Errors of the benchmark binaries: printed, then the process exits non-zero.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the FETCH asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Items {
    /// `(UID FLAGS RFC822.SIZE)` — corpus a.
    Flags,
    /// `(UID ENVELOPE BODYSTRUCTURE)` — corpus b.
    EnvelopeBodystructure,
}

impl Items {
    /// The items as IMAP text, parenthesised.
    pub fn imap(self) -> &'static str {
        match self {
            Items::Flags => "(UID FLAGS RFC822.SIZE)",
            Items::EnvelopeBodystructure => "(UID ENVELOPE BODYSTRUCTURE)",
        }
    }
}

/// Command line of the client binaries.
///
/// `--host H --port P --user U --password PW [--ca PEM] [--items flags|envbs] [--set SET]
/// [--multi-thread] [--channel N]`. With `--ca`, the connection is implicit TLS trusting only that CA
/// (rustls, ring); without, plain TCP. The tokio runtime is current-thread unless
/// `--multi-thread`.
#[derive(Debug, Clone)]
pub struct Args {
    /// Server host.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// CA certificate (PEM) to trust; `None` means plain TCP.
    pub ca: Option<PathBuf>,
    /// Login name.
    pub user: String,
    /// Password.
    pub password: String,
    /// What to fetch.
    pub items: Items,
    /// The UID set, e.g. `1:*`.
    pub set: String,
    /// Use tokio's multi-thread runtime instead of the current-thread one.
    pub multi_thread: bool,
    /// Capacity of daaki-imap's streaming channel (`fetch-daaki` only).
    pub channel: usize,
}

impl Args {
    /// Parses `std::env::args()`.
    pub fn from_env() -> Result<Args, String> {
        let mut args = Args {
            host: "127.0.0.1".into(),
            port: 0,
            ca: None,
            user: String::new(),
            password: String::new(),
            items: Items::Flags,
            set: "1:*".into(),
            multi_thread: false,
            channel: 64,
        };
        let mut it = std::env::args().skip(1);
        while let Some(flag) = it.next() {
            if flag == "--multi-thread" {
                args.multi_thread = true;
                continue;
            }
            let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
            match flag.as_str() {
                "--host" => args.host = value,
                "--port" => args.port = value.parse().map_err(|e| format!("--port: {e}"))?,
                "--ca" => args.ca = Some(value.into()),
                "--user" => args.user = value,
                "--password" => args.password = value,
                "--set" => args.set = value,
                "--channel" => {
                    args.channel = value.parse().map_err(|e| format!("--channel: {e}"))?
                }
                "--items" => {
                    args.items = match value.as_str() {
                        "flags" => Items::Flags,
                        "envbs" => Items::EnvelopeBodystructure,
                        other => return Err(format!("--items: flags or envbs, not {other:?}")),
                    }
                }
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        if args.port == 0 || args.user.is_empty() {
            return Err(
                "usage: --host H --port P --user U --password PW [--ca PEM] \
                        [--items flags|envbs] [--set SET] [--multi-thread]"
                    .into(),
            );
        }
        Ok(args)
    }

    /// The tokio runtime the client runs on.
    pub fn runtime(&self) -> std::io::Result<tokio::runtime::Runtime> {
        if self.multi_thread {
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
        } else {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
        }
    }

    /// A TLS connector trusting only [`Args::ca`] (rustls with the ring provider), or `None`
    /// for plain TCP.
    pub fn tls_connector(&self) -> Result<Option<TlsConnector>, BoxError> {
        let Some(ca) = &self.ca else {
            return Ok(None);
        };
        let pem = std::fs::read(ca)?;
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(&pem) {
            roots.add(cert?)?;
        }
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Some(TlsConnector::from(Arc::new(config))))
    }

    /// Opens the TCP connection (no delay, as daaki-imap does).
    pub async fn tcp(&self) -> std::io::Result<TcpStream> {
        let tcp = TcpStream::connect((self.host.as_str(), self.port)).await?;
        tcp.set_nodelay(true)?;
        Ok(tcp)
    }

    /// The TLS server name for [`Args::host`].
    pub fn server_name(&self) -> Result<ServerName<'static>, BoxError> {
        Ok(ServerName::try_from(self.host.clone())?)
    }
}

/// CPU time of this process so far, all threads (`CLOCK_PROCESS_CPUTIME_ID`), in ns.
pub fn process_cpu_ns() -> u128 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    u128::try_from(t.tv_sec).unwrap_or(0) * 1_000_000_000 + u128::try_from(t.tv_nsec).unwrap_or(0)
}

/// A field of `/proc/self/status` in KiB (`VmHWM`, `RssAnon`, …); 0 if unreadable.
pub fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Peak resident set size of this process (`VmHWM` in `/proc/self/status`), in KiB.
pub fn peak_rss_kib() -> u64 {
    status_kib("VmHWM")
}

/// Measures one FETCH: started right before the command is sent.
#[derive(Debug)]
pub struct Meter {
    wall: Instant,
    cpu_ns: u128,
}

impl Meter {
    /// Starts measuring.
    pub fn start() -> Meter {
        Meter {
            cpu_ns: process_cpu_ns(),
            wall: Instant::now(),
        }
    }

    /// Stops measuring after `messages` responses (and `bytes` of reply, when known).
    pub fn finish(self, messages: u64, bytes: u64) -> Report {
        let wall_ns = self.wall.elapsed().as_nanos();
        let cpu_ns = process_cpu_ns().saturating_sub(self.cpu_ns);
        Report {
            messages,
            bytes,
            wall_ns,
            cpu_ns,
            peak_rss_kib: peak_rss_kib(),
            rss_anon_kib: status_kib("RssAnon"),
            rss_file_kib: status_kib("RssFile"),
        }
    }
}

/// One client run's figures, printed as a single `key=value` line.
#[derive(Debug, Clone, Copy)]
pub struct Report {
    /// FETCH responses received (lines, for the raw reader).
    pub messages: u64,
    /// Reply bytes (raw reader only; 0 for the clients).
    pub bytes: u64,
    /// Wall time of the FETCH, ns.
    pub wall_ns: u128,
    /// CPU time of the process during the FETCH, all threads, ns.
    pub cpu_ns: u128,
    /// Peak RSS of the process at the end, KiB.
    pub peak_rss_kib: u64,
    /// Resident anonymous memory (heap, stacks) at the end, KiB.
    pub rss_anon_kib: u64,
    /// Resident file-backed memory (the binary's and libraries' pages) at the end, KiB.
    pub rss_file_kib: u64,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "messages={} bytes={} wall_ns={} cpu_ns={} peak_rss_kib={} rss_anon_kib={} rss_file_kib={}",
            self.messages,
            self.bytes,
            self.wall_ns,
            self.cpu_ns,
            self.peak_rss_kib,
            self.rss_anon_kib,
            self.rss_file_kib
        )
    }
}

/// Runs a client's `main`: prints its report, or the error and exits with status 1.
pub fn main_with(run: impl FnOnce(Args) -> Result<Report, BoxError>) {
    let args = match Args::from_env() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2)
        }
    };
    match run(args) {
        Ok(report) => println!("{report}"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1)
        }
    }
}

/// The captured corpora: `(file in bench-corpora/, sha256 of the decompressed bytes)`.
pub const CORPUS_A: (&str, &str) = (
    "a-flags-100k.bin.gz",
    "314fb998b1f582d566d55cf9be581b23e504331afc37051c3cf5274ad946ebfc",
);
/// Corpus b (10,000 × `UID ENVELOPE BODYSTRUCTURE`); see [`CORPUS_A`].
pub const CORPUS_B: (&str, &str) = (
    "b-envelope-bodystructure-10k.bin.gz",
    "5d958bb511128bbf524c76374ccafdaee9a73d1ea726d4d5f3e0e634a0474ad7",
);

/// The bench-corpora directory: `$DAAKI_BENCH_CORPORA`, else the copy in the repository,
/// `client/benches/corpora/`.
pub fn corpora_dir() -> PathBuf {
    std::env::var_os("DAAKI_BENCH_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../client/benches/corpora")
        })
}

/// Decompresses one corpus and checks it is byte for byte the one the baselines used.
pub fn load_corpus(dir: &Path, (file, sha256): (&str, &str)) -> Result<Vec<u8>, String> {
    let path = dir.join(file);
    let gz = std::fs::read(&path).map_err(|e| {
        format!(
            "cannot read {} ({e}); set DAAKI_BENCH_CORPORA to the bench-corpora directory",
            path.display()
        )
    })?;
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{file}: not valid gzip: {e}"))?;
    let digest: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if digest != sha256 {
        return Err(format!(
            "{file}: not the exact corpus bytes (sha256 {digest})"
        ));
    }
    Ok(bytes)
}
