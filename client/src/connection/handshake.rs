//! The exchanges before the driver starts: the greeting and STARTTLS.
//!
//! They run the same sans-I/O [`Session`] the driver will own, directly over the stream, so
//! the TLS upgrade happens while this code still owns the plain socket.

#[cfg(all(not(target_arch = "wasm32"), feature = "tls"))]
use tokio::io::AsyncWriteExt;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};

#[cfg(all(not(target_arch = "wasm32"), feature = "tls"))]
use crate::proto::command::CommandBody;
#[cfg(all(not(target_arch = "wasm32"), feature = "tls"))]
use crate::proto::session::{CommandOutcome, DataMode};
use crate::proto::session::{GreetingKind, Session, SessionEvent};
use crate::types::TypedEvent;
use crate::{Error, Result};

/// Reads until the greeting; a `BYE` greeting is an error.
pub(super) async fn greeting<S>(
    session: &mut Session,
    io: &mut S,
    early: &mut Vec<TypedEvent>,
) -> Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    loop {
        while let Some(event) = session.poll_event() {
            match event {
                SessionEvent::Greeting {
                    kind: GreetingKind::Bye,
                    code,
                    text,
                } => return Err(Error::Bye { code, text }),
                SessionEvent::Greeting { .. } => return Ok(()),
                other => keep(other, early)?,
            }
        }
        read_some(session, io).await?;
    }
}

#[cfg(all(not(target_arch = "wasm32"), feature = "tls"))]
/// Upgrades with STARTTLS. Fails — before anything else is sent — if the server does not
/// advertise STARTTLS or refuses it. On return the session waits for the TLS handshake.
pub(super) async fn starttls<S>(
    session: &mut Session,
    io: &mut S,
    early: &mut Vec<TypedEvent>,
) -> Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    if session.capabilities().is_empty() {
        capability(session, io, early).await?;
    }
    if !session.capabilities().has("STARTTLS") {
        return Err(Error::Unsupported(
            "the server does not offer STARTTLS; refusing to continue in plaintext".into(),
        ));
    }
    exchange(session, io, CommandBody::StartTls, early)
        .await?
        .into_result()?;
    // The StartTls event follows the completion; it discarded any bytes sent after the OK.
    loop {
        match session.poll_event() {
            Some(SessionEvent::StartTls { discarded, .. }) => {
                if discarded > 0 {
                    tracing::warn!(
                        discarded,
                        "discarded bytes sent after STARTTLS OK (possible injection)"
                    );
                }
                return Ok(());
            }
            Some(other) => keep(other, early)?,
            None => {
                return Err(Error::Tls(
                    "STARTTLS completed without a transport switch".into(),
                ));
            }
        }
    }
}

#[cfg(all(not(target_arch = "wasm32"), feature = "tls"))]
/// Runs CAPABILITY (the session records the answer).
pub(super) async fn capability<S>(
    session: &mut Session,
    io: &mut S,
    early: &mut Vec<TypedEvent>,
) -> Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    exchange(session, io, CommandBody::Capability, early)
        .await?
        .into_result()?;
    Ok(())
}

#[cfg(all(not(target_arch = "wasm32"), feature = "tls"))]
/// Sends one command and reads until it completes.
async fn exchange<S>(
    session: &mut Session,
    io: &mut S,
    body: CommandBody,
    early: &mut Vec<TypedEvent>,
) -> Result<CommandOutcome>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let id = session.submit(body, DataMode::Collect)?;
    let mut out = Vec::new();
    session.transmit_into(&mut out);
    io.write_all(&out).await?;
    io.flush().await?;
    loop {
        while let Some(event) = session.poll_event() {
            match event {
                SessionEvent::Completed { id: done, outcome } if done == id => return Ok(outcome),
                SessionEvent::Failed { id: done, error } if done == id => return Err(error.into()),
                other => keep(other, early)?,
            }
        }
        read_some(session, io).await?;
    }
}

/// Keeps unsolicited events for the connection's queue; stops on fatal ones.
fn keep(event: SessionEvent, early: &mut Vec<TypedEvent>) -> Result<()> {
    match event {
        SessionEvent::Unsolicited(TypedEvent::Bye { code, text }) => Err(Error::Bye { code, text }),
        SessionEvent::Unsolicited(event) => {
            early.push(event);
            Ok(())
        }
        SessionEvent::Fatal { error } => Err(error.into()),
        SessionEvent::Malformed { error } => {
            tracing::warn!(%error, "skipped a malformed server response");
            Ok(())
        }
        _ => Ok(()),
    }
}

async fn read_some<S>(session: &mut Session, io: &mut S) -> Result<()>
where
    S: AsyncRead + Unpin,
{
    let mut buf = [0u8; 4096];
    let n = io.read(&mut buf).await?;
    if n == 0 {
        return Err(Error::Io(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "the server closed the connection during the handshake",
        )));
    }
    session.handle_input(&buf[..n]);
    Ok(())
}
