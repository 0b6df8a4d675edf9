//! `daaki-imap-bridge`, built as a binary of the tests package: the very program the bridge
//! package ships ([`daaki_imap_bridge::cli::main`]), so integration tests in `tests/tests/`
//! get a freshly built executable through `env!("CARGO_BIN_EXE_bridge-under-test")` and can
//! run it as a real process (several instances behind nginx, SIGTERM).
#![deny(unsafe_code)]

fn main() -> std::process::ExitCode {
    daaki_imap_bridge::cli::main()
}
