//! `gmail-fake`: the scripted Gmail session of `daaki_imap_tests::gmail` on a loopback port,
//! for the npm facade's test in Chromium (which reaches it through the bridge as the target
//! `gmail`). Plays the session for each of up to `--sessions N` connections (default 1),
//! prints `port=<port>` and then `ready`, and exits when its standard input closes — printing
//! what went wrong in any session that did not follow the script.
#![deny(unsafe_code)]

use std::io::BufRead as _;
use std::time::Duration;

use daaki_imap_tests::fake::FakeServer;

#[tokio::main]
async fn main() {
    let sessions = std::env::args()
        .skip_while(|a| a != "--sessions")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1usize);
    let server = FakeServer::start(vec![daaki_imap_tests::gmail::session(); sessions]).await;
    println!("port={}", server.port());
    println!("ready");
    // Until the standard input closes.
    let _ = tokio::task::spawn_blocking(|| for _ in std::io::stdin().lock().lines() {}).await;
    for problem in server.finish(Duration::from_secs(1)).await {
        eprintln!("gmail-fake: {problem}");
    }
}
