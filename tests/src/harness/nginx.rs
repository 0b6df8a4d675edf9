//! A private nginx (Debian `nginx` + `libnginx-mod-stream`) in front of bridge instances,
//! running the operator example shipped in `bridge/examples/nginx/`.
//!
//! The two example files are compiled in ([`HTTP_TEMPLATE`], [`STREAM_TEMPLATE`]) and their
//! `${DAAKI_BRIDGE_…}` variables substituted as the official nginx image's envsubst would, so
//! the tests run the very configuration operators are given. Only the main file around them
//! is the harness's own: its own prefix (a temporary directory), pid file, logs and temp
//! paths, `daemon off`, one worker (a deterministic round robin), the stream module loaded,
//! and free loopback ports — it never touches the system nginx, its configuration or port 80.
//!
//! - **http** front end ([`NginxOptions::http_instances`]): `wss://` terminated by nginx, the
//!   upgrade proxied to the bridges with `X-Forwarded-For`;
//! - **stream** front end ([`NginxOptions::stream_instances`]): `wss://` terminated by nginx,
//!   the bytes passed on with a PROXY protocol header first.
//!
//! The server certificate (`localhost`, `127.0.0.1`, `::1`) comes from a fresh [`TestCa`];
//! clients trust [`Nginx::ca`]. nginx runs under the shared watchdog (see the `process`
//! module): it stops, and its directory is removed, when the [`Nginx`] is dropped or the test
//! process ends.

use std::fs;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use super::process::{HOST, Watchdog, command_output, find_program, read_lossy};
use super::{TestCa, seed};

/// The shipped HTTP front end (`bridge/examples/nginx/daaki-bridge-http.conf.template`).
pub const HTTP_TEMPLATE: &str =
    include_str!("../../../bridge/examples/nginx/daaki-bridge-http.conf.template");
/// The shipped stream front end
/// (`bridge/examples/nginx/daaki-bridge-stream.conf.stream-template`).
pub const STREAM_TEMPLATE: &str =
    include_str!("../../../bridge/examples/nginx/daaki-bridge-stream.conf.stream-template");

/// Where Debian's `libnginx-mod-stream` installs the stream module.
pub const STREAM_MODULE: &str = "/usr/lib/nginx/modules/ngx_stream_module.so";

/// Error text when nginx or its stream module is missing.
pub const NGINX_HINT: &str = "run `cargo xtask setup` (installs the Debian packages nginx and \
     libnginx-mod-stream, which the bridge-at-scale tests run)";

const START_TIMEOUT: Duration = Duration::from_secs(20);
const STOP_TIMEOUT: Duration = Duration::from_secs(15);
const START_ATTEMPTS: u32 = 3;

static INSTANCE_COUNTER: AtomicU32 = AtomicU32::new(0);

/// Which front ends to run, and the bridge instances behind each.
#[derive(Debug, Clone, Default)]
pub struct NginxOptions {
    /// The bridges (`listen` addresses) behind the HTTP front end; `None`: no HTTP front end.
    pub http_instances: Option<[SocketAddr; 2]>,
    /// The bridges (with `proxy_protocol = true`) behind the stream front end; `None`: no
    /// stream front end.
    pub stream_instances: Option<[SocketAddr; 2]>,
}

/// A running nginx; stopped when dropped (see the module docs).
#[derive(Debug)]
pub struct Nginx {
    dir: PathBuf,
    http_port: Option<u16>,
    stream_port: Option<u16>,
    ca: TestCa,
    watchdog: Option<Watchdog>,
}

impl Nginx {
    /// Starts nginx with the front ends `options` asks for, retrying with new ports if another
    /// process took them first. Fails (with [`NGINX_HINT`]) when nginx or the stream module is
    /// not installed.
    pub fn start(options: &NginxOptions) -> io::Result<Nginx> {
        let binary = find_program("nginx", &[Path::new("/usr/sbin")]).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("the `nginx` binary was not found; {NGINX_HINT}"),
            )
        })?;
        if options.stream_instances.is_some() && !Path::new(STREAM_MODULE).is_file() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("the nginx stream module {STREAM_MODULE} was not found; {NGINX_HINT}"),
            ));
        }
        let mut last_error = None;
        for _ in 0..START_ATTEMPTS {
            match Self::start_once(&binary, options) {
                Ok(nginx) => return Ok(nginx),
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.unwrap_or_else(|| io::Error::other("nginx did not start")))
    }

    fn start_once(binary: &Path, options: &NginxOptions) -> io::Result<Nginx> {
        let id = format!(
            "{}-{}",
            std::process::id(),
            INSTANCE_COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let dir = std::env::temp_dir().join(format!("daaki-nginx-{id}-{}", seed::now_nanos()));
        fs::create_dir_all(dir.join("tmp"))?;
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755))?;
        let ca = TestCa::generate(&dir)?;
        // nginx's master reads the key (as root when the tests run as root); keep it private.
        fs::set_permissions(&ca.server_key, fs::Permissions::from_mode(0o600))?;
        // Both ports held at once so they differ; released just before nginx binds them.
        let (http, stream) = (TcpListener::bind((HOST, 0))?, TcpListener::bind((HOST, 0))?);
        let http_port = options
            .http_instances
            .map(|_| http.local_addr().map(|a| a.port()))
            .transpose()?;
        let stream_port = options
            .stream_instances
            .map(|_| stream.local_addr().map(|a| a.port()))
            .transpose()?;
        drop((http, stream));
        let mut nginx = Nginx {
            dir,
            http_port,
            stream_port,
            ca,
            watchdog: None,
        };
        nginx.write_config(options)?;
        let config = nginx.dir.join("nginx.conf");
        let (error_log, prefix) = (nginx.error_log_path(), nginx.dir.clone());
        nginx.watchdog = Some(Watchdog::spawn(
            &nginx.dir,
            &nginx.dir.join("nginx.stdout"),
            binary,
            &[
                "-p".as_ref(),
                prefix.as_os_str(),
                "-e".as_ref(),
                error_log.as_os_str(),
                "-c".as_ref(),
                config.as_os_str(),
                "-g".as_ref(),
                "daemon off;".as_ref(),
            ],
        )?);
        nginx.wait_ready()?;
        Ok(nginx)
    }

    /// `nginx.conf` (the harness's main file) and the substituted example files it includes.
    fn write_config(&self, options: &NginxOptions) -> io::Result<()> {
        let dir = self.dir.display().to_string();
        let cert = self.ca.server_cert.display().to_string();
        let key = self.ca.server_key.display().to_string();
        let mut main = String::from(
            "# Generated by tests/src/harness/nginx.rs around the shipped examples in\n\
             # bridge/examples/nginx/ (included below, variables substituted).\n",
        );
        // As root, nginx would switch its workers to `nobody:nobody` (no such group on
        // Debian); the test's workers stay root, like the rest of the harness processes.
        if command_output("id", &["-u"])? == "0" {
            main.push_str("user root;\n");
        }
        main.push_str(&format!(
            "worker_processes 1;\npid {dir}/nginx.pid;\nerror_log {dir}/error.log info;\n"
        ));
        if options.stream_instances.is_some() {
            main.push_str(&format!("load_module {STREAM_MODULE};\n"));
        }
        main.push_str("events {\n    worker_connections 1024;\n}\n");
        if let (Some(instances), Some(port)) = (options.http_instances, self.http_port) {
            let vars = [
                ("DAAKI_BRIDGE_HTTPS_LISTEN", format!("{HOST}:{port}")),
                ("DAAKI_BRIDGE_SERVER_NAME", "localhost".to_owned()),
                ("DAAKI_BRIDGE_TLS_CERT", cert.clone()),
                ("DAAKI_BRIDGE_TLS_KEY", key.clone()),
                ("DAAKI_BRIDGE_HTTP_INSTANCE_1", instances[0].to_string()),
                ("DAAKI_BRIDGE_HTTP_INSTANCE_2", instances[1].to_string()),
            ];
            let file = self.dir.join("daaki-bridge-http.conf");
            fs::write(&file, envsubst(HTTP_TEMPLATE, &vars)?)?;
            main.push_str(&format!(
                "http {{\n    \
                 log_format daaki '$remote_addr \"$request\" $status upstream=$upstream_addr \
                 $request_time';\n    \
                 access_log {dir}/access.log daaki;\n    \
                 client_body_temp_path {dir}/tmp/client_body;\n    \
                 proxy_temp_path {dir}/tmp/proxy;\n    \
                 fastcgi_temp_path {dir}/tmp/fastcgi;\n    \
                 uwsgi_temp_path {dir}/tmp/uwsgi;\n    \
                 scgi_temp_path {dir}/tmp/scgi;\n    \
                 include {};\n}}\n",
                file.display()
            ));
        }
        if let (Some(instances), Some(port)) = (options.stream_instances, self.stream_port) {
            let vars = [
                ("DAAKI_BRIDGE_STREAM_LISTEN", format!("{HOST}:{port}")),
                ("DAAKI_BRIDGE_TLS_CERT", cert),
                ("DAAKI_BRIDGE_TLS_KEY", key),
                ("DAAKI_BRIDGE_STREAM_INSTANCE_1", instances[0].to_string()),
                ("DAAKI_BRIDGE_STREAM_INSTANCE_2", instances[1].to_string()),
            ];
            let file = self.dir.join("daaki-bridge-stream.conf");
            fs::write(&file, envsubst(STREAM_TEMPLATE, &vars)?)?;
            main.push_str(&format!(
                "stream {{\n    \
                 log_format daaki '$remote_addr $status upstream=$upstream_addr \
                 $session_time';\n    \
                 access_log {dir}/stream-access.log daaki;\n    \
                 include {};\n}}\n",
                file.display()
            ));
        }
        fs::write(self.dir.join("nginx.conf"), main)
    }

    /// Waits until every front end's port accepts, failing early on an `[emerg]` in the error
    /// log (nginx runs under the watchdog's shell, so its exit alone is not seen).
    fn wait_ready(&mut self) -> io::Result<()> {
        let deadline = Instant::now() + START_TIMEOUT;
        let ports: Vec<u16> = self.http_port.into_iter().chain(self.stream_port).collect();
        loop {
            let log = self.error_log();
            if log.contains("[emerg]") {
                return Err(io::Error::other(format!(
                    "nginx failed to start;\n{}",
                    self.describe()
                )));
            }
            if let Some(Some(status)) = self.watchdog.as_mut().map(Watchdog::exited).transpose()? {
                return Err(io::Error::other(format!(
                    "nginx's watchdog exited during start-up ({status});\n{}",
                    self.describe()
                )));
            }
            if ports
                .iter()
                .all(|port| TcpStream::connect((HOST, *port)).is_ok())
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "nginx did not listen within {START_TIMEOUT:?};\n{}",
                        self.describe()
                    ),
                ));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// The HTTP front end's `wss://` URL of the bridge path (`wss://localhost:PORT/imap`).
    pub fn http_url(&self) -> Option<String> {
        self.http_port
            .map(|port| format!("wss://localhost:{port}/imap"))
    }

    /// The stream front end's `wss://` URL of the bridge path (`wss://localhost:PORT/imap`).
    pub fn stream_url(&self) -> Option<String> {
        self.stream_port
            .map(|port| format!("wss://localhost:{port}/imap"))
    }

    /// The HTTP front end's port on 127.0.0.1.
    pub fn http_port(&self) -> Option<u16> {
        self.http_port
    }

    /// The stream front end's port on 127.0.0.1.
    pub fn stream_port(&self) -> Option<u16> {
        self.stream_port
    }

    /// The test CA that signed nginx's certificate (clients must trust it).
    pub fn ca(&self) -> &TestCa {
        &self.ca
    }

    /// The instance's private directory (configuration, logs, certificate).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Path of nginx's error log.
    pub fn error_log_path(&self) -> PathBuf {
        self.dir.join("error.log")
    }

    /// nginx's error log so far (for failure messages).
    pub fn error_log(&self) -> String {
        read_lossy(&self.error_log_path())
    }

    /// The access logs so far (one line per finished request or stream session, with the
    /// upstream that served it), for failure messages.
    pub fn access_log(&self) -> String {
        format!(
            "{}{}",
            read_lossy(&self.dir.join("access.log")),
            read_lossy(&self.dir.join("stream-access.log"))
        )
    }

    /// Everything worth showing when something went wrong: nginx's output and logs.
    pub fn describe(&self) -> String {
        format!(
            "nginx output:\n{}\nerror log ({}):\n{}\naccess logs:\n{}",
            read_lossy(&self.dir.join("nginx.stdout")),
            self.error_log_path().display(),
            self.error_log(),
            self.access_log()
        )
    }

    /// Stops nginx now and waits (bounded) for it to exit.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(mut watchdog) = self.watchdog.take() {
            watchdog.shutdown(STOP_TIMEOUT);
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// `envsubst` with an explicit variable list, as the official nginx image runs it: each
/// `${NAME}` of `vars` is replaced; nginx's own `$variables` are left alone. A `${DAAKI_…}`
/// left over (a variable the harness does not know) is an error, so a template and the
/// harness cannot drift apart silently.
pub fn envsubst(template: &str, vars: &[(&str, String)]) -> io::Result<String> {
    let mut out = template.to_owned();
    for (name, value) in vars {
        let reference = format!("${{{name}}}");
        if !out.contains(&reference) {
            return Err(io::Error::other(format!(
                "the template no longer uses ${{{name}}}"
            )));
        }
        out = out.replace(&reference, value);
    }
    match out.find("${DAAKI_") {
        Some(at) => Err(io::Error::other(format!(
            "the template uses a variable the harness does not set: {}",
            out[at..].split('}').next().unwrap_or_default()
        ))),
        None => Ok(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_templates_use_exactly_the_variables_the_harness_sets() {
        let http = [
            "DAAKI_BRIDGE_HTTPS_LISTEN",
            "DAAKI_BRIDGE_SERVER_NAME",
            "DAAKI_BRIDGE_TLS_CERT",
            "DAAKI_BRIDGE_TLS_KEY",
            "DAAKI_BRIDGE_HTTP_INSTANCE_1",
            "DAAKI_BRIDGE_HTTP_INSTANCE_2",
        ]
        .map(|name| (name, format!("<{name}>")));
        let text = envsubst(HTTP_TEMPLATE, &http).expect("http template");
        assert!(text.contains("listen <DAAKI_BRIDGE_HTTPS_LISTEN> ssl;"));
        // nginx's own variables survive.
        assert!(text.contains("$proxy_add_x_forwarded_for"));
        assert!(text.contains("$http_upgrade"));
        let stream = [
            "DAAKI_BRIDGE_STREAM_LISTEN",
            "DAAKI_BRIDGE_TLS_CERT",
            "DAAKI_BRIDGE_TLS_KEY",
            "DAAKI_BRIDGE_STREAM_INSTANCE_1",
            "DAAKI_BRIDGE_STREAM_INSTANCE_2",
        ]
        .map(|name| (name, format!("<{name}>")));
        let text = envsubst(STREAM_TEMPLATE, &stream).expect("stream template");
        assert!(text.contains("proxy_protocol on;"));
        // A variable missing from the harness's list is caught.
        assert!(envsubst(STREAM_TEMPLATE, &stream[..4]).is_err());
        assert!(envsubst("listen ${DAAKI_X};", &[]).is_err());
    }
}
