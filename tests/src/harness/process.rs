//! What every harness server shares: the watchdog that ties a server's life to the test
//! process, free loopback ports, the greeting probe, the mail account and small file helpers.
//!
//! **Watchdog.** A server is not started directly but under a tiny `sh` script whose stdin is a
//! pipe held by the test process. When the pipe closes — the server value is dropped, the test
//! binary exits, panics or is killed — the script sends SIGTERM to the server, waits for it and
//! removes the instance directory (kept when `DAAKI_KEEP_HARNESS` is set, for debugging).

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// The loopback address every harness server listens on.
pub(crate) const HOST: &str = "127.0.0.1";

/// Error text used whenever a tool the harness needs is missing from the machine.
pub const SETUP_HINT: &str =
    "run `cargo xtask setup` (installs Dovecot, Cyrus, openssl and the other test prerequisites)";

/// `sh -c WATCHDOG daaki-watchdog DIR PROGRAM ARGS...`: runs `PROGRAM ARGS...` in the
/// background, and stops it and removes `DIR` once stdin reaches end of file.
const WATCHDOG: &str = r#"
dir=$1
shift
"$@" &
pid=$!
cat >/dev/null
kill -TERM "$pid" 2>/dev/null
wait "$pid"
[ -n "$DAAKI_KEEP_HARNESS" ] || rm -rf "$dir"
"#;

/// A server process running under the watchdog.
#[derive(Debug)]
pub(crate) struct Watchdog {
    child: Option<Child>,
    stdin: Option<ChildStdin>,
}

impl Watchdog {
    /// Starts `program args` under the watchdog; its output goes to `output`, `dir` is removed
    /// after it stops.
    pub(crate) fn spawn(
        dir: &Path,
        output: &Path,
        program: &Path,
        args: &[&std::ffi::OsStr],
    ) -> io::Result<Watchdog> {
        let stdout = File::create(output)?;
        let stderr = stdout.try_clone()?;
        // A process group of its own: Cyrus's master signals its whole process group when it
        // stops, which must not reach other servers (or the tests) started by this process.
        let mut child = Command::new("sh")
            .process_group(0)
            .arg("-c")
            .arg(WATCHDOG)
            .arg("daaki-watchdog")
            .arg(dir)
            .arg(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()?;
        let stdin = child.stdin.take();
        Ok(Watchdog {
            child: Some(child),
            stdin,
        })
    }

    /// The exit status if the server (and so the watchdog) has already ended.
    pub(crate) fn exited(&mut self) -> io::Result<Option<std::process::ExitStatus>> {
        match self.child.as_mut() {
            Some(child) => child.try_wait(),
            None => Ok(None),
        }
    }

    /// Waits until `port` answers with an IMAP greeting, failing early when the server exits.
    /// `describe` produces the diagnostic text (logs) for the error.
    pub(crate) fn wait_ready(
        &mut self,
        name: &str,
        port: u16,
        timeout: Duration,
        describe: &dyn Fn() -> String,
    ) -> io::Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.exited()? {
                return Err(io::Error::other(format!(
                    "{name} exited during start-up ({status});\n{}",
                    describe()
                )));
            }
            if greeting_ok(port) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "{name} sent no greeting within {timeout:?};\n{}",
                        describe()
                    ),
                ));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Closes the pipe (the watchdog stops the server) and waits up to `timeout` for the
    /// watchdog to finish, killing it after that.
    pub(crate) fn shutdown(&mut self, timeout: Duration) {
        drop(self.stdin.take());
        if let Some(mut child) = self.child.take() {
            let deadline = Instant::now() + timeout;
            while Instant::now() < deadline {
                if matches!(child.try_wait(), Ok(Some(_)) | Err(_)) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        // Without an explicit shutdown, closing the pipe is enough: the watchdog stops the
        // server on its own.
        drop(self.stdin.take());
    }
}

/// The system account that owns mail files (servers refuse mail access as root).
#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub(crate) uid: u32,
    pub(crate) gid: u32,
    /// Set when running without root: the server then runs every process as this user.
    pub(crate) rootless_user: Option<String>,
}

impl Account {
    /// As root: the account `system_user` (falling back to `fallback` ids when missing);
    /// without root: the current user.
    pub(crate) fn detect(system_user: &str, fallback: (u32, u32)) -> io::Result<Account> {
        let uid = command_output("id", &["-u"])?;
        if uid == "0" {
            let (uid, gid) = passwd_ids(system_user).unwrap_or(fallback);
            Ok(Account {
                uid,
                gid,
                rootless_user: None,
            })
        } else {
            let parse = |s: String| {
                s.parse::<u32>()
                    .map_err(|e| io::Error::other(format!("bad id output {s:?}: {e}")))
            };
            Ok(Account {
                uid: parse(uid)?,
                gid: parse(command_output("id", &["-g"])?)?,
                rootless_user: Some(command_output("id", &["-un"])?),
            })
        }
    }
}

/// The first existing file named `name` on `PATH` or in `extra` directories.
pub(crate) fn find_program(name: &str, extra: &[&Path]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(extra.iter().map(|p| p.to_path_buf()))
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Runs `program args` and returns its trimmed stdout, failing on a non-zero exit.
pub(crate) fn command_output(program: &str, args: &[&str]) -> io::Result<String> {
    let out = Command::new(program).args(args).output()?;
    if !out.status.success() {
        return Err(io::Error::other(format!(
            "`{program}` failed: {}",
            out.status
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn passwd_ids(user: &str) -> Option<(u32, u32)> {
    let passwd = fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        (fields.next()? == user).then_some(())?;
        let _password = fields.next()?;
        Some((fields.next()?.parse().ok()?, fields.next()?.parse().ok()?))
    })
}

/// Two currently free loopback ports (plain and implicit TLS).
pub(crate) fn free_port_pair() -> io::Result<(u16, u16)> {
    let a = TcpListener::bind((HOST, 0))?;
    let b = TcpListener::bind((HOST, 0))?;
    Ok((a.local_addr()?.port(), b.local_addr()?.port()))
}

/// Whether `port` answers with an `* OK` greeting (then logs out).
pub(crate) fn greeting_ok(port: u16) -> bool {
    let Ok(stream) = TcpStream::connect((HOST, port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut line = String::new();
    let ok = BufReader::new(&stream).read_line(&mut line).is_ok() && line.starts_with("* OK");
    let _ = (&stream).write_all(b"z LOGOUT\r\n");
    ok
}

/// `chown -R uid:gid path`.
pub(crate) fn chown_tree(path: &Path, uid: u32, gid: u32) -> io::Result<()> {
    std::os::unix::fs::chown(path, Some(uid), Some(gid))?;
    if path.is_dir() {
        for entry in fs::read_dir(path)? {
            chown_tree(&entry?.path(), uid, gid)?;
        }
    }
    Ok(())
}

/// The file's text (lossy UTF-8), or a note why it could not be read.
pub(crate) fn read_lossy(path: &Path) -> String {
    let mut bytes = Vec::new();
    match File::open(path).and_then(|mut f| f.read_to_end(&mut bytes)) {
        Ok(_) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => format!("({}: {e})", path.display()),
    }
}
