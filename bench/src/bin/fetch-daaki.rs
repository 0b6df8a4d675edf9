//! `fetch-daaki`: one `uid_fetch_streaming` with daaki-imap, measured (see the crate docs).
//!
//! The responses go through a channel (`--channel N` slots, default 64 as in the streaming
//! test) to a consumer that only counts them, joined on the same task as the call
//! (`tokio::join!`), so on the current-thread runtime the driver and the consumer share one
//! thread, as async-imap's stream does.

use daaki_imap::types::response::FetchResponse;
use daaki_imap::types::{FetchAttr, SequenceSet};
use daaki_imap::{ImapConnection, TlsMode, TrustRoots};
use daaki_imap_bench::{Args, BoxError, Items, Meter, Report, T, main_with};

fn main() {
    main_with(|args| args.runtime()?.block_on(run(args)));
}

async fn run(args: Args) -> Result<Report, BoxError> {
    let mut builder = ImapConnection::builder();
    let mode = match &args.ca {
        Some(ca) => {
            builder = builder
                .trust_roots(TrustRoots::None)
                .add_root_pem(&std::fs::read(ca)?)?;
            TlsMode::Implicit
        }
        None => TlsMode::Plaintext,
    };
    let conn = builder.connect(&args.host, args.port, mode, T).await?;
    conn.login(&args.user, &args.password, T).await?;
    conn.select("INBOX", T).await?;
    let items: &[FetchAttr] = match args.items {
        Items::Flags => &[FetchAttr::Uid, FetchAttr::Flags, FetchAttr::Rfc822Size],
        Items::EnvelopeBodystructure => &[
            FetchAttr::Uid,
            FetchAttr::Envelope,
            FetchAttr::BodyStructure,
        ],
    };
    let set = SequenceSet::new(&args.set)?;

    let meter = Meter::start();
    let (tx, mut rx) =
        tokio::sync::mpsc::channel::<daaki_imap::Result<FetchResponse>>(args.channel);
    let consume = async move {
        let mut messages = 0u64;
        while let Some(response) = rx.recv().await {
            std::hint::black_box(response?);
            messages += 1;
        }
        Ok::<_, daaki_imap::Error>(messages)
    };
    let (fetched, counted) = tokio::join!(conn.uid_fetch_streaming(&set, items, tx, T), consume);
    fetched?;
    let report = meter.finish(counted?, 0);

    conn.logout().await?;
    Ok(report)
}
