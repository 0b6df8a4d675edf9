//! A real Cyrus IMAP 3.6 started as a plain process for tests.
//!
//! **Installation.** Debian's `cyrus-imapd` conflicts with `dovecot-imapd` (both provide
//! `imap-server`), so `cargo xtask setup` installs only `cyrus-common` (master, ctl_cyrusdb),
//! `sasl2-bin` (saslpasswd2), `libsasl2-modules` and `eatmydata`, and extracts the
//! `cyrus-imapd` package (imapd, idled) into `<workspace>/target/cyrus-imapd/root` — the same
//! place whatever `CARGO_TARGET_DIR` says. `DAAKI_CYRUS_ROOT` overrides that directory; an
//! installed `cyrus-imapd` (`/usr/lib/cyrus/bin/imapd`) is used when neither is there.
//!
//! **Instances.** Each [`Cyrus`] gets its own temporary directory (imapd.conf, cyrus.conf,
//! databases, spool, sasldb, TLS files) and two free loopback ports: plain with STARTTLS, and
//! implicit TLS. `master` runs in the foreground under the shared watchdog (see the `process`
//! module), so it stops when the value is dropped or the test binary ends. It runs under
//! `eatmydata` when installed: APPEND is fsync-bound otherwise.
//!
//! **Logs.** Cyrus logs only to syslog. As root the harness starts `master` in a private mount
//! namespace whose `/dev` is an overlay with `/dev/log` pointing at a datagram socket this
//! process reads, so start-up failures come with Cyrus's own words ([`Cyrus::syslog`]).
//! Without root the log is not captured (the error says so).
//!
//! **Users.** Users live in a private sasldb (`saslpasswd2`), usable at once. Mail is seeded
//! over IMAP (MULTIAPPEND batches on the plain port) with the deterministic messages of
//! [`super::seed`], including their flags and INTERNALDATE. `admin` ([`Cyrus::admin`]) is a
//! Cyrus administrator.

use std::collections::VecDeque;
use std::ffi::OsStr;
use std::fs;
use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::process::{
    Account, HOST, Watchdog, chown_tree, find_program, free_port_pair, read_lossy,
};
use super::{SETUP_HINT, TestCa, TestUser, seed};

const IMAPD_CONF_TEMPLATE: &str = include_str!("cyrus-imapd.conf.in");
const CYRUS_CONF_TEMPLATE: &str = include_str!("cyrus.conf.in");
const START_TIMEOUT: Duration = Duration::from_secs(30);
const STOP_TIMEOUT: Duration = Duration::from_secs(15);
const START_ATTEMPTS: u32 = 3;
/// Where Debian's cyrus-common puts the Cyrus programs.
const CYRUS_BIN: &str = "/usr/lib/cyrus/bin";
/// Where `cargo xtask setup` extracts the cyrus-imapd package, relative to the workspace.
pub const EXTRACTED_ROOT: &str = "target/cyrus-imapd/root";
/// Messages per MULTIAPPEND command when seeding.
const APPEND_BATCH: u32 = 500;
/// At most this many syslog lines are kept (the newest).
const SYSLOG_LINES: usize = 2_000;

/// Runs in the new mount namespace: `/dev` becomes a private overlay whose `/dev/log` is the
/// instance's socket, then `$EATMYDATA master ...` is exec'd (so the watchdog's SIGTERM
/// reaches `master`). `$1` is the instance directory, `$2` eatmydata or empty.
const NAMESPACE_SCRIPT: &str = r#"
dir=$1
eat=$2
shift 2
if mount --make-rprivate / && mount -t overlay daaki-dev -o "lowerdir=/dev,upperdir=$dir/ovl/up,workdir=$dir/ovl/work" /dev; then
  ln -sf "$dir/syslog.sock" /dev/log
else
  echo "daaki harness: no private /dev/log, Cyrus's syslog is not captured" >&2
fi
if [ -n "$eat" ]; then exec "$eat" "$@"; else exec "$@"; fi
"#;

static INSTANCE_COUNTER: AtomicU32 = AtomicU32::new(0);

/// Options for [`Cyrus::start_with`].
#[derive(Debug, Clone, Default)]
pub struct CyrusOptions {
    /// Users created once the server runs: `(name, password, messages in INBOX)`.
    pub users: Vec<(String, String, u32)>,
}

/// The programs an instance runs.
#[derive(Debug, Clone)]
struct Programs {
    master: PathBuf,
    ctl_cyrusdb: PathBuf,
    imapd: PathBuf,
    idled: PathBuf,
    saslpasswd2: PathBuf,
    eatmydata: Option<PathBuf>,
    unshare: Option<PathBuf>,
}

/// A running Cyrus instance; stopped when dropped (see the module docs).
#[derive(Debug)]
pub struct Cyrus {
    id: String,
    dir: PathBuf,
    plain_port: u16,
    tls_port: u16,
    ca: TestCa,
    account: Account,
    programs: Programs,
    admin: (String, String),
    /// Serialises sasldb writes.
    sasl_lock: Mutex<()>,
    next_user: AtomicU32,
    startup: Duration,
    syslog: Option<SyslogCapture>,
    watchdog: Option<Watchdog>,
}

/// The instance shared by all tests of one test binary, started on first use.
///
/// # Panics
/// When Cyrus cannot be started (for example it is not installed); the message says how to fix
/// it. A missing server is a test failure, never a skip.
pub fn shared_cyrus() -> &'static Cyrus {
    static SHARED: OnceLock<Cyrus> = OnceLock::new();
    SHARED.get_or_init(Cyrus::start)
}

impl Cyrus {
    /// Starts an instance with no users, panicking with a setup hint on failure.
    pub fn start() -> Cyrus {
        match Self::start_with(CyrusOptions::default()) {
            Ok(cyrus) => cyrus,
            Err(e) => panic!("could not start the test Cyrus: {e}\nhint: {SETUP_HINT}"),
        }
    }

    /// Starts an instance, retrying with new ports if another process took them first.
    pub fn start_with(options: CyrusOptions) -> io::Result<Cyrus> {
        let programs = Programs::find()?;
        let mut last_error = None;
        for _ in 0..START_ATTEMPTS {
            match Self::start_once(&programs) {
                Ok(cyrus) => {
                    for (name, password, messages) in &options.users {
                        cyrus.add_user(name, password, *messages)?;
                    }
                    return Ok(cyrus);
                }
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.unwrap_or_else(|| io::Error::other("Cyrus did not start")))
    }

    fn start_once(programs: &Programs) -> io::Result<Cyrus> {
        let began = Instant::now();
        let id = format!(
            "{}-{}",
            std::process::id(),
            INSTANCE_COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let dir = std::env::temp_dir().join(format!("daaki-cyrus-{id}-{}", seed::now_nanos()));
        fs::create_dir_all(&dir)?;
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755))?;
        for sub in [
            "conf/db",
            "conf/proc",
            "conf/lock",
            "conf/socket",
            "conf/log",
            "conf/user",
            "conf/quota",
            "conf/sieve",
            "spool",
            "ovl/up",
            "ovl/work",
        ] {
            fs::create_dir_all(dir.join(sub))?;
        }
        let ca = TestCa::generate(&dir)?;
        fs::set_permissions(&ca.server_key, fs::Permissions::from_mode(0o600))?;
        let account = Account::detect("cyrus", (u32::MAX, u32::MAX))?;
        if account.uid == u32::MAX {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "there is no `cyrus` system user (Debian package cyrus-common); {SETUP_HINT}"
                ),
            ));
        }
        let (plain_port, tls_port) = free_port_pair()?;
        let admin = ("admin".to_owned(), format!("admin-{id}-secret"));
        let mut cyrus = Cyrus {
            id,
            dir,
            plain_port,
            tls_port,
            ca,
            account,
            programs: programs.clone(),
            admin,
            sasl_lock: Mutex::new(()),
            next_user: AtomicU32::new(1),
            startup: Duration::ZERO,
            syslog: None,
            watchdog: None,
        };
        let (admin_name, admin_password) = cyrus.admin.clone();
        cyrus.set_password(&admin_name, &admin_password)?;
        fs::write(cyrus.imapd_conf(), cyrus.render(IMAPD_CONF_TEMPLATE))?;
        fs::write(
            cyrus.dir.join("cyrus.conf"),
            cyrus.render(CYRUS_CONF_TEMPLATE),
        )?;
        let capture_syslog = cyrus.account.rootless_user.is_none() && programs.unshare.is_some();
        if capture_syslog {
            cyrus.syslog = Some(SyslogCapture::bind(&cyrus.dir.join("syslog.sock"))?);
        }
        chown_tree(&cyrus.dir, cyrus.account.uid, cyrus.account.gid)?;
        cyrus.spawn(capture_syslog)?;
        cyrus.wait_ready()?;
        cyrus.startup = began.elapsed();
        Ok(cyrus)
    }

    fn render(&self, template: &str) -> String {
        let cyrus_user = match &self.account.rootless_user {
            Some(user) => user.clone(),
            None => "cyrus".to_owned(),
        };
        let path = |p: &Path| p.display().to_string();
        template
            .replace("{{ID}}", &self.id)
            .replace("{{DIR}}", &path(&self.dir))
            .replace("{{CONF}}", &path(&self.imapd_conf()))
            .replace("{{CERT}}", &path(&self.ca.server_cert))
            .replace("{{KEY}}", &path(&self.ca.server_key))
            .replace("{{PLAIN_PORT}}", &self.plain_port.to_string())
            .replace("{{TLS_PORT}}", &self.tls_port.to_string())
            .replace("{{CYRUS_USER}}", &cyrus_user)
            .replace("{{ADMIN}}", &self.admin.0)
            .replace("{{CTL_CYRUSDB}}", &path(&self.programs.ctl_cyrusdb))
            .replace("{{IMAPD}}", &path(&self.programs.imapd))
            .replace("{{IDLED}}", &path(&self.programs.idled))
    }

    fn spawn(&mut self, in_namespace: bool) -> io::Result<()> {
        let conf = self.imapd_conf();
        let cyrus_conf = self.dir.join("cyrus.conf");
        let pid_file = self.dir.join("master.pid");
        let master_log = self.dir.join("master.out");
        let master_args: [&OsStr; 8] = [
            "-C".as_ref(),
            conf.as_os_str(),
            "-M".as_ref(),
            cyrus_conf.as_os_str(),
            "-p".as_ref(),
            pid_file.as_os_str(),
            "-L".as_ref(),
            master_log.as_os_str(),
        ];
        let master = self.programs.master.as_os_str();
        let output = self.dir.join("watchdog.out");
        let watchdog = match (&self.programs.unshare, &self.programs.eatmydata) {
            (Some(unshare), eatmydata) if in_namespace => {
                let eat = eatmydata
                    .as_deref()
                    .map(Path::as_os_str)
                    .unwrap_or_default();
                let mut args: Vec<&OsStr> = vec![
                    "-m".as_ref(),
                    "sh".as_ref(),
                    "-c".as_ref(),
                    NAMESPACE_SCRIPT.as_ref(),
                    "daaki-cyrus".as_ref(),
                    self.dir.as_os_str(),
                    eat,
                    master,
                ];
                args.extend(master_args);
                Watchdog::spawn(&self.dir, &output, unshare, &args)?
            }
            (_, Some(eatmydata)) => {
                let mut args = vec![master];
                args.extend(master_args);
                Watchdog::spawn(&self.dir, &output, eatmydata, &args)?
            }
            (_, None) => Watchdog::spawn(&self.dir, &output, &self.programs.master, &master_args)?,
        };
        self.watchdog = Some(watchdog);
        Ok(())
    }

    fn wait_ready(&mut self) -> io::Result<()> {
        let dir = self.dir.clone();
        let syslog = self.syslog.as_ref().map(|s| Arc::clone(&s.lines));
        let describe = move || {
            let log = match &syslog {
                Some(lines) => lock(lines).iter().cloned().collect::<Vec<_>>().join("\n"),
                None => "(not captured: needs root and unshare)".to_owned(),
            };
            format!(
                "output:\n{}\n{}\nsyslog:\n{log}",
                read_lossy(&dir.join("watchdog.out")),
                read_lossy(&dir.join("master.out")),
            )
        };
        match self.watchdog.as_mut() {
            Some(watchdog) => {
                watchdog.wait_ready("Cyrus", self.plain_port, START_TIMEOUT, &describe)
            }
            None => Err(io::Error::other("Cyrus was not spawned")),
        }
    }

    /// The host to connect to (`127.0.0.1`; the certificate also names `localhost`).
    pub fn host(&self) -> &str {
        HOST
    }

    /// Port of the plain listener (offers STARTTLS).
    pub fn plain_port(&self) -> u16 {
        self.plain_port
    }

    /// Port of the implicit-TLS listener.
    pub fn tls_port(&self) -> u16 {
        self.tls_port
    }

    /// The test CA that signed the server certificate.
    pub fn ca(&self) -> &TestCa {
        &self.ca
    }

    /// Path of the CA certificate (PEM).
    pub fn ca_cert_path(&self) -> &Path {
        &self.ca.ca_cert
    }

    /// The instance's private directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The Cyrus administrator's `(name, password)` (listed in `admins:`).
    pub fn admin(&self) -> (&str, &str) {
        (&self.admin.0, &self.admin.1)
    }

    /// How long start-up took, from creating the directory to the first greeting.
    pub fn startup_time(&self) -> Duration {
        self.startup
    }

    /// The PID of `master`, from its pid file.
    pub fn master_pid(&self) -> Option<u32> {
        fs::read_to_string(self.dir.join("master.pid"))
            .ok()
            .and_then(|s| s.trim().parse().ok())
    }

    /// Cyrus's syslog lines so far (the newest few thousand), or `None` when not captured.
    pub fn syslog(&self) -> Option<Vec<String>> {
        self.syslog
            .as_ref()
            .map(|s| lock(&s.lines).iter().cloned().collect())
    }

    /// The last lines of Cyrus's syslog, for failure messages.
    pub fn recent_log(&self) -> String {
        match self.syslog() {
            Some(lines) => {
                let skip = lines.len().saturating_sub(40);
                format!("Cyrus syslog (last lines):\n{}", lines[skip..].join("\n"))
            }
            None => "(Cyrus syslog not captured: needs root and unshare)".to_owned(),
        }
    }

    /// Creates a fresh user (unique name per instance) with `inbox_messages` sample messages
    /// in INBOX; the special-use folders exist once this returns.
    ///
    /// # Panics
    /// When the user cannot be created (a harness failure, reported as a test failure).
    pub fn new_user(&self, inbox_messages: u32) -> TestUser {
        let n = self.next_user.fetch_add(1, Ordering::Relaxed);
        let (name, password) = (format!("user{n}"), format!("pass-{n}-secret"));
        self.add_user(&name, &password, inbox_messages)
            .unwrap_or_else(|e| {
                panic!(
                    "could not create Cyrus test user {name}: {e}\n{}",
                    self.recent_log()
                )
            })
    }

    /// Adds user `name` with `password` and `inbox_messages` sample messages in INBOX.
    pub fn add_user(
        &self,
        name: &str,
        password: &str,
        inbox_messages: u32,
    ) -> io::Result<TestUser> {
        let valid = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_graphic() && !b"\"\\@".contains(&b))
        };
        if !valid(name) || !valid(password) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "user names and passwords must be printable ASCII without spaces, quotes, '\\' or '@'",
            ));
        }
        self.set_password(name, password)?;
        let user = TestUser {
            name: name.to_owned(),
            password: password.to_owned(),
            maildir: PathBuf::new(),
        };
        // The first login creates INBOX and the special-use folders.
        let mut session = SeedSession::login(self.plain_port, &user)?;
        session.append(&user, "INBOX", inbox_messages)?;
        session.logout();
        Ok(user)
    }

    /// Appends sample messages `1..=count` to `mailbox` of `user`, creating it if missing.
    pub fn seed_mailbox(&self, user: &TestUser, mailbox: &str, count: u32) -> io::Result<()> {
        let mut session = SeedSession::login(self.plain_port, user)?;
        if !mailbox.eq_ignore_ascii_case("INBOX") {
            let line = session.command(format!("CREATE {}", quote(mailbox)).as_bytes())?;
            let exists = line.contains("ALREADYEXISTS") || line.contains("already exists");
            if !line.contains(" OK") && !exists {
                return Err(io::Error::other(format!("CREATE {mailbox}: {line}")));
            }
        }
        session.append(user, mailbox, count)?;
        session.logout();
        Ok(())
    }

    fn set_password(&self, name: &str, password: &str) -> io::Result<()> {
        let _guard = self.sasl_lock.lock().unwrap_or_else(|e| e.into_inner());
        let sasldb = self.dir.join("sasldb2");
        let mut child = Command::new(&self.programs.saslpasswd2)
            .args(["-p", "-c", "-f"])
            .arg(&sasldb)
            .args(["-u", "localhost", name])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(password.as_bytes())?;
        }
        let out = child.wait_with_output()?;
        if !out.status.success() {
            return Err(io::Error::other(format!(
                "saslpasswd2 failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        // saslpasswd2 runs as us; the server reads the file as the Cyrus user.
        std::os::unix::fs::chown(&sasldb, Some(self.account.uid), Some(self.account.gid))?;
        fs::set_permissions(&sasldb, fs::Permissions::from_mode(0o640))
    }

    /// Stops the server now and waits (bounded) for it to exit.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(mut watchdog) = self.watchdog.take() {
            watchdog.shutdown(STOP_TIMEOUT);
        }
        if let Some(syslog) = self.syslog.take() {
            syslog.stop();
        }
    }

    fn imapd_conf(&self) -> PathBuf {
        self.dir.join("imapd.conf")
    }
}

impl Drop for Cyrus {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl Programs {
    fn find() -> io::Result<Programs> {
        let bin = Path::new(CYRUS_BIN);
        let missing = |what: &str, package: &str| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("{what} was not found (Debian package {package}); {SETUP_HINT}"),
            )
        };
        let common = |name: &str| {
            let path = bin.join(name);
            path.is_file()
                .then_some(path)
                .ok_or_else(|| missing(&format!("{CYRUS_BIN}/{name}"), "cyrus-common"))
        };
        let imapd_dir = extracted_bin_dirs()
            .into_iter()
            .find(|dir| dir.join("imapd").is_file() && dir.join("idled").is_file())
            .ok_or_else(|| {
                missing(
                    &format!("Cyrus imapd (extracted into <workspace>/{EXTRACTED_ROOT})"),
                    "cyrus-imapd, extracted by `cargo xtask setup`",
                )
            })?;
        let sbin = [Path::new("/usr/sbin"), Path::new("/usr/bin")];
        Ok(Programs {
            master: common("master")?,
            ctl_cyrusdb: common("ctl_cyrusdb")?,
            imapd: imapd_dir.join("imapd"),
            idled: imapd_dir.join("idled"),
            saslpasswd2: find_program("saslpasswd2", &sbin)
                .ok_or_else(|| missing("saslpasswd2", "sasl2-bin"))?,
            eatmydata: find_program("eatmydata", &sbin),
            unshare: find_program("unshare", &sbin),
        })
    }
}

/// Directories that may hold the extracted `imapd` and `idled`, in order of preference.
fn extracted_bin_dirs() -> Vec<PathBuf> {
    let sub = "usr/lib/cyrus/bin";
    let mut dirs = Vec::new();
    if let Some(root) = std::env::var_os("DAAKI_CYRUS_ROOT") {
        dirs.push(PathBuf::from(root).join(sub));
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    dirs.push(workspace.join(EXTRACTED_ROOT).join(sub));
    dirs.push(PathBuf::from(CYRUS_BIN));
    dirs
}

/// Reads Cyrus's syslog datagrams from a private socket into a bounded buffer.
#[derive(Debug)]
struct SyslogCapture {
    lines: Arc<Mutex<VecDeque<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl SyslogCapture {
    fn bind(path: &Path) -> io::Result<SyslogCapture> {
        let socket = UnixDatagram::bind(path)?;
        // Every Cyrus process (running as the Cyrus user) must be able to send.
        fs::set_permissions(path, fs::Permissions::from_mode(0o666))?;
        socket.set_read_timeout(Some(Duration::from_millis(100)))?;
        let lines = Arc::new(Mutex::new(VecDeque::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (lines, stop) = (Arc::clone(&lines), Arc::clone(&stop));
            std::thread::Builder::new()
                .name("cyrus-syslog".to_owned())
                .spawn(move || {
                    let mut buf = vec![0u8; 8192];
                    while !stop.load(Ordering::Relaxed) {
                        let Ok(n) = socket.recv(&mut buf) else {
                            continue;
                        };
                        let text = String::from_utf8_lossy(buf.get(..n).unwrap_or_default());
                        let mut lines = lock(&lines);
                        if lines.len() >= SYSLOG_LINES {
                            lines.pop_front();
                        }
                        lines.push_back(text.trim_end().to_owned());
                    }
                })?
        };
        Ok(SyslogCapture {
            lines,
            stop,
            thread: Some(thread),
        })
    }

    fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for SyslogCapture {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// A minimal synchronous IMAP session for seeding (loopback, plain port).
struct SeedSession {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    tag: u32,
}

impl SeedSession {
    fn login(port: u16, user: &TestUser) -> io::Result<SeedSession> {
        let stream = TcpStream::connect((HOST, port))?;
        stream.set_read_timeout(Some(Duration::from_secs(120)))?;
        stream.set_nodelay(true)?;
        let mut session = SeedSession {
            reader: BufReader::new(stream.try_clone()?),
            writer: stream,
            tag: 0,
        };
        let mut greeting = String::new();
        session.reader.read_line(&mut greeting)?;
        if !greeting.starts_with("* OK") {
            return Err(io::Error::other(format!("Cyrus greeting: {greeting:?}")));
        }
        let login = format!("LOGIN {} {}", quote(&user.name), quote(&user.password));
        let line = session.command(login.as_bytes())?;
        if !line.contains(" OK") {
            return Err(io::Error::other(format!("LOGIN {}: {line}", user.name)));
        }
        Ok(session)
    }

    /// Sends `t<n> <body>\r\n` and returns the tagged reply line.
    fn command(&mut self, body: &[u8]) -> io::Result<String> {
        self.tag += 1;
        let tag = format!("t{}", self.tag);
        let mut out = Vec::with_capacity(body.len() + 16);
        out.extend_from_slice(tag.as_bytes());
        out.push(b' ');
        out.extend_from_slice(body);
        out.extend_from_slice(b"\r\n");
        self.writer.write_all(&out)?;
        let prefix = format!("{tag} ");
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line)? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "Cyrus closed the seeding connection",
                ));
            }
            if line.starts_with(&prefix) {
                return Ok(line.trim_end().to_owned());
            }
        }
    }

    /// Appends messages `1..=count` in MULTIAPPEND batches with their flags and dates.
    fn append(&mut self, user: &TestUser, mailbox: &str, count: u32) -> io::Result<()> {
        let mut first = 1;
        while first <= count {
            let last = count.min(first.saturating_add(APPEND_BATCH - 1));
            let mut body = format!("APPEND {}", quote(mailbox)).into_bytes();
            for i in first..=last {
                let message = seed::message(i);
                body.extend_from_slice(
                    format!(
                        " ({}) \"{}\" {{{}+}}\r\n",
                        seed::imap_flags(i),
                        seed::internal_date(i),
                        message.len()
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(&message);
            }
            let line = self.command(&body)?;
            if !line.contains(" OK") {
                return Err(io::Error::other(format!(
                    "APPEND {first}..={last} to {mailbox} of {}: {line}",
                    user.name
                )));
            }
            first = last + 1;
        }
        Ok(())
    }

    fn logout(mut self) {
        let _ = self.command(b"LOGOUT");
    }
}

/// An IMAP quoted string (the harness only quotes names it validated or chose itself).
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}
