//! `daaki-imap-bridge`: the WebSocket-to-TLS bridge service (placeholder until the bridge issue).
#![deny(unsafe_code)]

fn main() {
    eprintln!(
        "daaki-imap-bridge {}: not implemented yet (see the bridge issues)",
        daaki_imap_bridge::VERSION
    );
    std::process::exit(2);
}
