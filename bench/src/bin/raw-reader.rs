//! `raw-reader`: the floor. Sends LOGIN, SELECT and the same `UID FETCH` as bytes, then reads
//! the reply in 64 KiB chunks counting bytes and lines until the FETCH's tagged line — no
//! parsing at all. Same TCP/TLS setup as the clients.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

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

/// Reads until a line starting with `tag` (or the greeting's first line when `tag` is `*`);
/// returns `(bytes, lines)` read. `buf` keeps the bytes after the line for the next call
/// (none are expected: the raw reader never pipelines).
async fn read_until_tagged<S: AsyncRead + Unpin>(
    stream: &mut S,
    buf: &mut Vec<u8>,
    tag: &[u8],
) -> Result<(u64, u64), BoxError> {
    let mut chunk = vec![0u8; 64 * 1024];
    let mut bytes = 0u64;
    let mut lines = 0u64;
    // `buf` holds the current incomplete line only; complete lines are counted and dropped.
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err("connection closed before the tagged reply".into());
        }
        bytes += n as u64;
        let data = chunk.get(..n).ok_or("read past the buffer")?;
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', data) {
            lines += 1;
            let line_start = if buf.is_empty() {
                data.get(start..).unwrap_or_default()
            } else {
                buf.extend_from_slice(data.get(start..=end).unwrap_or_default());
                buf.as_slice()
            };
            let is_tagged = line_start.starts_with(tag) && line_start.get(tag.len()) == Some(&b' ');
            buf.clear();
            start = end + 1;
            if is_tagged {
                return Ok((bytes, lines));
            }
        }
        buf.extend_from_slice(data.get(start..).unwrap_or_default());
    }
}

async fn command<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    buf: &mut Vec<u8>,
    tag: &str,
    text: &str,
) -> Result<(u64, u64), BoxError> {
    stream
        .write_all(format!("{tag} {text}\r\n").as_bytes())
        .await?;
    stream.flush().await?;
    read_until_tagged(stream, buf, tag.as_bytes()).await
}

async fn fetch<S: AsyncRead + AsyncWrite + Unpin>(
    args: &Args,
    mut stream: S,
) -> Result<Report, BoxError> {
    let mut buf = Vec::new();
    read_until_tagged(&mut stream, &mut buf, b"*").await?;
    command(
        &mut stream,
        &mut buf,
        "a1",
        &format!("LOGIN \"{}\" \"{}\"", args.user, args.password),
    )
    .await?;
    command(&mut stream, &mut buf, "a2", "SELECT INBOX").await?;

    let meter = Meter::start();
    let text = format!("UID FETCH {} {}", args.set, args.items.imap());
    let (bytes, lines) = command(&mut stream, &mut buf, "a3", &text).await?;
    // Every line but the tagged one is a FETCH response (the corpora have no literals).
    let report = meter.finish(lines.saturating_sub(1), bytes);

    let _ = command(&mut stream, &mut buf, "a4", "LOGOUT").await;
    Ok(report)
}
