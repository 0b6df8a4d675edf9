//! A real Dovecot 2.3 (Debian `dovecot-imapd`) started as a plain process for tests.
//!
//! Each [`Dovecot`] gets its own temporary directory (config, TLS files, users, homes, logs,
//! runtime sockets), a unique `instance_name` and two free loopback ports: plain with STARTTLS,
//! and implicit TLS. The certificate comes from a freshly generated [`TestCa`].
//!
//! **Lifetime.** Dovecot runs under the shared watchdog ([`super::process`]): when the `Dovecot`
//! value is dropped or the test binary exits, panics or is killed, Dovecot is stopped and its
//! directory removed. So no server outlives the tests that started it, even though the
//! per-binary instance lives in a `static`.
//!
//! **Users.** Tests get isolated users with [`Dovecot::new_user`]: names come from a pool
//! written to the passwd-file before start-up (Dovecot re-reads that file at most once per
//! second, so users appended later are not usable at once); each user's mail is written as
//! Maildir files ([`super::seed`]) when the user is handed out.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use super::process::{
    Account, HOST, Watchdog, chown_tree, find_program, free_port_pair, read_lossy,
};
use super::{SETUP_HINT, TestCa, seed};

const CONFIG_TEMPLATE: &str = include_str!("dovecot.conf.in");
const START_TIMEOUT: Duration = Duration::from_secs(20);
const STOP_TIMEOUT: Duration = Duration::from_secs(15);
const START_ATTEMPTS: u32 = 3;
/// Users written to the passwd-file at start-up, handed out by [`Dovecot::new_user`].
const USER_POOL: u32 = 400;

static INSTANCE_COUNTER: AtomicU32 = AtomicU32::new(0);

/// Options for [`Dovecot::start_with`].
#[derive(Debug, Clone, Default)]
pub struct DovecotOptions {
    /// Users created before the server starts: `(name, password, messages in INBOX)`.
    pub users: Vec<(String, String, u32)>,
}

/// A test user with its own home and Maildir.
#[derive(Debug, Clone)]
pub struct TestUser {
    /// Login name.
    pub name: String,
    /// Password (PLAIN in the passwd-file).
    pub password: String,
    /// Dovecot: the user's Maildir root (INBOX); other mailboxes are `.<Name>` below it.
    /// Cyrus: empty (its mail is seeded over IMAP).
    pub maildir: PathBuf,
}

/// A running Dovecot instance; stopped when dropped (see the module docs).
#[derive(Debug)]
pub struct Dovecot {
    id: String,
    dir: PathBuf,
    plain_port: u16,
    tls_port: u16,
    haproxy_tls_port: u16,
    ca: TestCa,
    account: Account,
    /// Serialises passwd-file writes.
    users_lock: Mutex<()>,
    /// How many pool users (`user1`, `user2`, …) the passwd-file holds.
    pool_size: Mutex<u32>,
    next_user: AtomicU32,
    watchdog: Option<Watchdog>,
}

/// The instance shared by all tests of one test binary, started on first use.
///
/// # Panics
/// When Dovecot cannot be started (for example it is not installed); the message says how to
/// fix it. A missing server is a test failure, never a skip.
pub fn shared_dovecot() -> &'static Dovecot {
    static SHARED: OnceLock<Dovecot> = OnceLock::new();
    SHARED.get_or_init(Dovecot::start)
}

impl Dovecot {
    /// Starts an instance with no users, panicking with a setup hint on failure.
    pub fn start() -> Dovecot {
        match Self::start_with(DovecotOptions::default()) {
            Ok(dovecot) => dovecot,
            Err(e) => panic!("could not start the test Dovecot: {e}\nhint: {SETUP_HINT}"),
        }
    }

    /// Starts an instance, retrying with new ports if another process took them first.
    pub fn start_with(options: DovecotOptions) -> io::Result<Dovecot> {
        let binary = find_program("dovecot", &[Path::new("/usr/sbin"), Path::new("/usr/local/sbin")]).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("the `dovecot` binary was not found (Debian package dovecot-imapd); {SETUP_HINT}"),
            )
        })?;
        let mut last_error = None;
        for _ in 0..START_ATTEMPTS {
            match Self::start_once(&binary, &options) {
                Ok(dovecot) => return Ok(dovecot),
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.unwrap_or_else(|| io::Error::other("Dovecot did not start")))
    }

    fn start_once(binary: &Path, options: &DovecotOptions) -> io::Result<Dovecot> {
        let id = format!(
            "{}-{}",
            std::process::id(),
            INSTANCE_COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let dir = std::env::temp_dir().join(format!("daaki-dovecot-{id}-{}", seed::now_nanos()));
        fs::create_dir_all(&dir)?;
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755))?;
        for sub in ["run", "state", "home"] {
            fs::create_dir_all(dir.join(sub))?;
        }
        let ca = TestCa::generate(&dir)?;
        // Dovecot reads the key as root before dropping privileges; keep it private.
        fs::set_permissions(&ca.server_key, fs::Permissions::from_mode(0o600))?;
        // Mail must not be accessed as root: use `nobody`, as Debian's own setups do.
        let account = Account::detect("nobody", (65_534, 65_534))?;
        let (plain_port, tls_port) = free_port_pair()?;
        let haproxy_tls_port = free_port_pair()?.0;

        let mut dovecot = Dovecot {
            id,
            dir,
            plain_port,
            tls_port,
            haproxy_tls_port,
            ca,
            account,
            users_lock: Mutex::new(()),
            pool_size: Mutex::new(USER_POOL),
            next_user: AtomicU32::new(1),
            watchdog: None,
        };
        File::create(dovecot.users_file())?;
        fs::set_permissions(dovecot.users_file(), fs::Permissions::from_mode(0o644))?;
        dovecot.append_users((1..=USER_POOL).map(pool_user))?;
        for (name, password, messages) in &options.users {
            dovecot.add_user(name, password, *messages)?;
        }
        fs::write(dovecot.config_file(), dovecot.render_config())?;
        dovecot.spawn(binary)?;
        dovecot.wait_ready()?;
        Ok(dovecot)
    }

    fn render_config(&self) -> String {
        let (accounts, login_chroot, anvil_chroot) = match &self.account.rootless_user {
            Some(user) => (
                format!(
                    "default_internal_user = {user}\ndefault_login_user = {user}\nfirst_valid_uid = {uid}\nfirst_valid_gid = {gid}",
                    uid = self.account.uid,
                    gid = self.account.gid
                ),
                "  chroot =".to_owned(),
                "  chroot =".to_owned(),
            ),
            None => (String::new(), String::new(), String::new()),
        };
        CONFIG_TEMPLATE
            .replace("{{ID}}", &self.id)
            .replace("{{DIR}}", &self.dir.display().to_string())
            .replace("{{CERT}}", &self.ca.server_cert.display().to_string())
            .replace("{{KEY}}", &self.ca.server_key.display().to_string())
            .replace("{{PLAIN_PORT}}", &self.plain_port.to_string())
            .replace("{{TLS_PORT}}", &self.tls_port.to_string())
            .replace("{{HAPROXY_TLS_PORT}}", &self.haproxy_tls_port.to_string())
            .replace("{{ACCOUNTS}}", &accounts)
            .replace("{{LOGIN_CHROOT}}", &login_chroot)
            .replace("{{ANVIL_CHROOT}}", &anvil_chroot)
    }

    fn spawn(&mut self, binary: &Path) -> io::Result<()> {
        let config = self.config_file();
        self.watchdog = Some(Watchdog::spawn(
            &self.dir,
            &self.dir.join("dovecot.stdout"),
            binary,
            &["-F".as_ref(), "-c".as_ref(), config.as_os_str()],
        )?);
        Ok(())
    }

    fn wait_ready(&mut self) -> io::Result<()> {
        let dir = self.dir.clone();
        let describe = move || {
            format!(
                "output:\n{}\nlog:\n{}",
                read_lossy(&dir.join("dovecot.stdout")),
                read_lossy(&dir.join("dovecot.log"))
            )
        };
        match self.watchdog.as_mut() {
            Some(watchdog) => {
                watchdog.wait_ready("Dovecot", self.plain_port, START_TIMEOUT, &describe)
            }
            None => Err(io::Error::other("Dovecot was not spawned")),
        }
    }

    /// The host to connect to (`127.0.0.1`; the certificate also names `localhost`).
    pub fn host(&self) -> &str {
        HOST
    }

    /// Port of the implicit-TLS listener that expects a PROXY protocol header first (v1 or
    /// v2) from loopback (`haproxy = yes`, `haproxy_trusted_networks = 127.0.0.0/8`): the
    /// client it names is the `rip=` in the log.
    pub fn haproxy_tls_port(&self) -> u16 {
        self.haproxy_tls_port
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

    /// Path of the CA certificate (PEM); point `SSL_CERT_FILE` here to trust the server.
    pub fn ca_cert_path(&self) -> &Path {
        &self.ca.ca_cert
    }

    /// The instance's private directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The PID of Dovecot's master process, from its pid file.
    pub fn master_pid(&self) -> Option<u32> {
        fs::read_to_string(self.dir.join("run/master.pid"))
            .ok()
            .and_then(|s| s.trim().parse().ok())
    }

    /// Dovecot's log so far (for failure messages).
    pub fn log(&self) -> String {
        read_lossy(&self.dir.join("dovecot.log"))
    }

    /// Creates a fresh user (unique name per instance) with `inbox_messages` sample messages
    /// ([`seed::message`]) in INBOX.
    ///
    /// # Panics
    /// When the files cannot be written (a harness failure, reported as a test failure).
    pub fn new_user(&self, inbox_messages: u32) -> TestUser {
        let n = self.next_user.fetch_add(1, Ordering::Relaxed);
        let result = (|| {
            let mut pool = self.pool_size.lock().unwrap_or_else(|e| e.into_inner());
            if n > *pool {
                // Rare: the pool is used up. Dovecot re-reads the passwd-file at most once
                // per second, so wait past that before the new names are used.
                let more = (*pool + 1..=*pool + USER_POOL).map(pool_user);
                self.append_users(more)?;
                *pool += USER_POOL;
                std::thread::sleep(Duration::from_millis(1100));
            }
            drop(pool);
            let (name, password) = pool_user(n);
            let maildir = self.create_home(&name, inbox_messages)?;
            Ok::<_, io::Error>(TestUser {
                name,
                password,
                maildir,
            })
        })();
        result.unwrap_or_else(|e| panic!("could not create test user {n}: {e}"))
    }

    /// Adds user `name` with `password` and `inbox_messages` sample messages in INBOX.
    ///
    /// Dovecot re-reads its passwd-file at most once per second: a user added while the
    /// server runs is usable about a second later. [`Dovecot::new_user`] has no such delay
    /// (it takes names from a pool written at start-up); prefer it in tests.
    pub fn add_user(
        &self,
        name: &str,
        password: &str,
        inbox_messages: u32,
    ) -> io::Result<TestUser> {
        if name.is_empty() || name.contains([':', '\n', '/']) || password.contains([':', '\n']) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "user names and passwords must be non-empty and free of ':', '/' and newlines",
            ));
        }
        let maildir = self.create_home(name, inbox_messages)?;
        self.append_users([(name.to_owned(), password.to_owned())].into_iter())?;
        Ok(TestUser {
            name: name.to_owned(),
            password: password.to_owned(),
            maildir,
        })
    }

    fn create_home(&self, name: &str, inbox_messages: u32) -> io::Result<PathBuf> {
        let home = self.dir.join("home").join(name);
        let maildir = home.join("Maildir");
        seed::create_folder(&maildir, "INBOX")?;
        seed::write_messages(&maildir, inbox_messages)?;
        chown_tree(&home, self.account.uid, self.account.gid)?;
        Ok(maildir)
    }

    fn append_users(&self, users: impl Iterator<Item = (String, String)>) -> io::Result<()> {
        let _guard = self.users_lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut text = String::new();
        for (name, password) in users {
            let home = self.dir.join("home").join(&name);
            text.push_str(&format!(
                "{name}:{{PLAIN}}{password}:{uid}:{gid}::{home}::\n",
                uid = self.account.uid,
                gid = self.account.gid,
                home = home.display()
            ));
        }
        OpenOptions::new()
            .append(true)
            .open(self.users_file())?
            .write_all(text.as_bytes())
    }

    /// Writes `count` sample messages into mailbox `mailbox` of `user` (created if missing).
    /// Dovecot picks them up on the next access to that mailbox.
    pub fn seed_mailbox(&self, user: &TestUser, mailbox: &str, count: u32) -> io::Result<()> {
        let folder = seed::create_folder(&user.maildir, mailbox)?;
        seed::write_messages(&folder, count)?;
        chown_tree(&folder, self.account.uid, self.account.gid)
    }

    /// Stops the server now and waits (bounded) for it to exit.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(mut watchdog) = self.watchdog.take() {
            watchdog.shutdown(STOP_TIMEOUT);
        }
    }

    fn users_file(&self) -> PathBuf {
        self.dir.join("users")
    }

    fn config_file(&self) -> PathBuf {
        self.dir.join("dovecot.conf")
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Name and password of pool user `n`.
fn pool_user(n: u32) -> (String, String) {
    (format!("user{n}"), format!("pass-{n}-secret"))
}
