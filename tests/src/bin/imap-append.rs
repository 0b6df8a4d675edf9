//! `imap-append`: appends one message to a mailbox with the native daaki-imap client, over
//! implicit TLS. The web demo's walk-through (`cargo xtask demo --check`) runs it to deliver
//! mail while the page is in IDLE, so the page must see a change made by another client.
//!
//! ```text
//! imap-append --host H --port P --ca CA.pem --user U --password PW [--mailbox M] SUBJECT
//! ```
#![deny(unsafe_code)]

use std::time::Duration;

use daaki_imap::types::Flag;
use daaki_imap::{ImapConnection, TlsMode};

/// Time allowed for each step.
const T: Duration = Duration::from_secs(30);

struct Args {
    host: String,
    port: u16,
    ca: String,
    user: String,
    password: String,
    mailbox: String,
    subject: String,
}

fn parse() -> Result<Args, String> {
    let mut host = None;
    let mut port = None;
    let mut ca = None;
    let mut user = None;
    let mut password = None;
    let mut mailbox = "INBOX".to_owned();
    let mut subject = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--host" => host = Some(value()?),
            "--port" => port = Some(value()?.parse().map_err(|e| format!("--port: {e}"))?),
            "--ca" => ca = Some(value()?),
            "--user" => user = Some(value()?),
            "--password" => password = Some(value()?),
            "--mailbox" => mailbox = value()?,
            other if !other.starts_with("--") && subject.is_none() => subject = Some(arg),
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    let need = |v: Option<String>, name: &str| v.ok_or(format!("{name} is required"));
    Ok(Args {
        host: need(host, "--host")?,
        port: port.ok_or("--port is required")?,
        ca: need(ca, "--ca")?,
        user: need(user, "--user")?,
        password: need(password, "--password")?,
        mailbox,
        subject: need(subject, "SUBJECT")?,
    })
}

/// The message: plain headers around `subject` (`main` refuses a subject with CR or LF, so it
/// cannot add header lines).
fn message(subject: &str) -> Vec<u8> {
    format!(
        "From: Native Client <native@daaki.test>\r\nTo: Demo <demo@daaki.test>\r\n\
         Subject: {subject}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Appended by imap-append while the web demo was watching with IDLE.\r\n"
    )
    .into_bytes()
}

async fn append(args: &Args) -> daaki_imap::Result<()> {
    let pem = std::fs::read(&args.ca).map_err(daaki_imap::Error::Io)?;
    let conn = ImapConnection::builder()
        .add_root_pem(&pem)?
        .connect(&args.host, args.port, TlsMode::Implicit, T)
        .await?;
    conn.login(&args.user, &args.password, T).await?;
    let result = conn
        .append(
            args.mailbox.as_str(),
            &[] as &[Flag],
            &message(&args.subject),
            T,
        )
        .await?;
    println!("appended to {}: UIDs {:?}", args.mailbox, result.uids);
    conn.logout().await
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let args = match parse() {
        Ok(args) if !args.subject.contains(['\r', '\n']) => args,
        Ok(_) => {
            eprintln!("imap-append: the subject must be one line");
            return std::process::ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("imap-append: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    match append(&args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("imap-append: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
