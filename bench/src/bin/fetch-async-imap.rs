//! `fetch-async-imap`: one `uid_fetch` stream with async-imap 0.12 (tokio runtime; rustls with
//! the ring provider for TLS, as daaki-imap), measured (see the crate docs).

use std::fmt::Debug;

use futures_util::StreamExt;
use tokio::io::{AsyncRead, AsyncWrite};

use daaki_imap_bench::{Args, BoxError, Meter, Report, main_with};

fn main() {
    main_with(|args| args.runtime()?.block_on(run(args)));
}

async fn run(args: Args) -> Result<Report, BoxError> {
    let tcp = args.tcp().await?;
    match args.tls_connector()? {
        Some(tls) => {
            let stream = tls.connect(args.server_name()?, tcp).await?;
            fetch(&args, stream).await
        }
        None => fetch(&args, tcp).await,
    }
}

async fn fetch<S>(args: &Args, stream: S) -> Result<Report, BoxError>
where
    S: AsyncRead + AsyncWrite + Unpin + Debug + Send,
{
    let mut client = async_imap::Client::new(stream);
    client
        .read_response()
        .await?
        .ok_or("connection closed before the greeting")?;
    let mut session = client
        .login(&args.user, &args.password)
        .await
        .map_err(|(e, _)| e)?;
    session.select("INBOX").await?;

    let meter = Meter::start();
    let mut messages = 0u64;
    {
        let mut responses = session.uid_fetch(&args.set, args.items.imap()).await?;
        while let Some(fetch) = responses.next().await {
            std::hint::black_box(fetch?);
            messages += 1;
        }
    }
    let report = meter.finish(messages, 0);

    session.logout().await?;
    Ok(report)
}
