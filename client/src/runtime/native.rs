//! Native runtime: tokio when a tokio runtime is running, otherwise a runtime-agnostic timer
//! (so connections made with `from_stream` work on async-std, smol or any executor).

use std::future::Future;
use std::time::Duration;

/// Spawns `future` on the current tokio runtime.
///
/// # Panics
/// Outside a tokio runtime (as `tokio::spawn` does). Connections are made from async code on
/// tokio; to run on another executor use `ImapConnectionBuilder::from_stream`, which hands
/// the driver future to the caller instead.
pub fn spawn<F>(future: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(future);
}

/// Waits for `duration`: on tokio's timer inside a tokio runtime (so tokio's paused test clock
/// applies), on `futures-timer` elsewhere.
pub async fn sleep(duration: Duration) {
    if tokio::runtime::Handle::try_current().is_ok() {
        tokio::time::sleep(duration).await;
    } else {
        futures_timer::Delay::new(duration).await;
    }
}
