//! `replay-server`: a scripted IMAP server (not a real one — documented as such) that answers
//! `UID FETCH` with the captured Dovecot replies of `client/benches/corpora/` from memory, so a
//! client's own cost can be measured with the server out of the way.
//!
//! Plain TCP on a free loopback port (TLS would add the same cost to every client and blur
//! the client-CPU comparison). Prints `port=N`, then `ready`, and serves connections (one
//! thread each) until its standard input closes.
//!
//! Answers, minimally: a greeting with CAPABILITY; `CAPABILITY`; `LOGIN` (any credentials);
//! `SELECT`/`EXAMINE` (100,000 messages); `LOGOUT`; anything else `OK`. `UID FETCH SET ITEMS`
//! sends corpus b (`UID ENVELOPE BODYSTRUCTURE`, 10,000 responses) when ITEMS names ENVELOPE,
//! else corpus a (`UID FLAGS RFC822.SIZE`, 100,000 responses) — the exact bytes, with the
//! client's tag substituted in the final tagged line. SET `1:*` sends every response; `1:N`
//! the first N (the corpora have one response per line, no literals).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use daaki_imap_bench::{CORPUS_A, CORPUS_B, corpora_dir, load_corpus};

/// A corpus split for replay: the untagged responses and the tagged line's text after the tag.
struct Corpus {
    /// The untagged responses, each ending in CRLF.
    responses: Vec<u8>,
    /// Offset just past each response's CRLF: `ends[n - 1]` is where the first n end.
    ends: Vec<usize>,
    /// The tagged completion after the tag and its space, with CRLF.
    completion: Vec<u8>,
}

impl Corpus {
    fn split(bytes: Vec<u8>) -> Result<Corpus, String> {
        let body_len = bytes
            .strip_suffix(b"\r\n")
            .and_then(|b| memchr::memrchr(b'\n', b))
            .map(|i| i + 1)
            .ok_or("corpus has no tagged line")?;
        let (responses, tagged) = bytes.split_at(body_len);
        let space = memchr::memchr(b' ', tagged).ok_or("tagged line has no tag")?;
        let completion = tagged.get(space + 1..).unwrap_or_default().to_vec();
        let ends = memchr::memchr_iter(b'\n', responses)
            .map(|i| i + 1)
            .collect();
        Ok(Corpus {
            responses: responses.to_vec(),
            ends,
            completion,
        })
    }

    /// The first `n` responses (all when `n` is `None` or too large).
    fn first(&self, n: Option<usize>) -> &[u8] {
        let end = n
            .filter(|&n| n > 0)
            .and_then(|n| self.ends.get(n - 1))
            .copied()
            .unwrap_or(self.responses.len());
        self.responses.get(..end).unwrap_or_default()
    }
}

fn main() {
    if let Err(e) = run() {
        eprintln!("replay-server: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let dir = corpora_dir();
    let a = Arc::new(Corpus::split(load_corpus(&dir, CORPUS_A)?)?);
    let b = Arc::new(Corpus::split(load_corpus(&dir, CORPUS_B)?)?);
    if a.ends.len() != 100_000 || b.ends.len() != 10_000 {
        return Err("corpora do not hold 100,000 and 10,000 one-line responses".into());
    }
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    println!("port={port}");
    println!("ready");
    std::thread::spawn(|| {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
        std::process::exit(0);
    });
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let (a, b) = (a.clone(), b.clone());
        std::thread::spawn(move || {
            if let Err(e) = serve(stream, &a, &b) {
                eprintln!("replay-server: connection ended: {e}");
            }
        });
    }
    Ok(())
}

fn serve(stream: TcpStream, a: &Corpus, b: &Corpus) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    out.write_all(b"* OK [CAPABILITY IMAP4rev1 LITERAL+] replay server ready\r\n")?;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut words = line.trim_end().splitn(3, ' ');
        let tag = words.next().unwrap_or("*");
        let command = words.next().unwrap_or("").to_ascii_uppercase();
        let rest = words.next().unwrap_or("");
        let reply = match command.as_str() {
            "CAPABILITY" => format!("* CAPABILITY IMAP4rev1 LITERAL+\r\n{tag} OK done\r\n"),
            "LOGIN" => format!("{tag} OK [CAPABILITY IMAP4rev1 LITERAL+] Logged in\r\n"),
            "SELECT" | "EXAMINE" => format!(
                "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
                 * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] ok\r\n\
                 * 100000 EXISTS\r\n* 0 RECENT\r\n\
                 * OK [UIDVALIDITY 1] UIDs valid\r\n* OK [UIDNEXT 100001] next\r\n\
                 {tag} OK [READ-WRITE] Select completed\r\n"
            ),
            "LOGOUT" => {
                out.write_all(format!("* BYE logging out\r\n{tag} OK done\r\n").as_bytes())?;
                return Ok(());
            }
            "UID" if rest.to_ascii_uppercase().starts_with("FETCH ") => {
                let upper = rest.to_ascii_uppercase();
                let corpus = if upper.contains("ENVELOPE") { b } else { a };
                let set = rest.split(' ').nth(1).unwrap_or("1:*");
                let count = set.strip_prefix("1:").and_then(|n| n.parse::<usize>().ok());
                out.write_all(corpus.first(count))?;
                let mut tagged = Vec::with_capacity(tag.len() + 1 + corpus.completion.len());
                tagged.extend_from_slice(tag.as_bytes());
                tagged.push(b' ');
                tagged.extend_from_slice(&corpus.completion);
                out.write_all(&tagged)?;
                continue;
            }
            _ => format!("{tag} OK done\r\n"),
        };
        out.write_all(reply.as_bytes())?;
    }
}
