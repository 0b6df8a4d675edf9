//! The runtime seam: spawn, sleep, timeout and a clock, per target.
//!
//! Everything above this module (driver, connection) is written once against these few
//! functions, so the same driver runs on tokio natively and on `wasm-bindgen-futures` plus
//! the JavaScript `setTimeout` timer in browsers. Nothing else in the crate names a runtime.
//!
//! [`MaybeSend`] is `Send` on native targets (tokio's multi-threaded scheduler moves tasks
//! between threads) and no bound at all on `wasm32`, where web-sys handles are not `Send` and
//! everything runs on one thread.

#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(not(target_arch = "wasm32"))]
pub use native::{sleep, spawn};

#[cfg(target_arch = "wasm32")]
mod wasm;
#[cfg(target_arch = "wasm32")]
pub use wasm::{sleep, spawn};

use std::future::Future;
use std::time::Duration;

/// `Send` on native targets, nothing on `wasm32`.
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSend: Send {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send + ?Sized> MaybeSend for T {}

/// `Send` on native targets, nothing on `wasm32`.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSend {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSend for T {}

/// A monotonic clock reading (`std::time::Instant` natively, `performance.now()` in browsers).
pub use web_time::Instant;

/// Runs `future` for at most `duration`; `None` if the time ran out first (the future is
/// then dropped).
pub async fn timeout<F: Future>(duration: Duration, future: F) -> Option<F::Output> {
    let sleep = sleep(duration);
    tokio::pin!(future, sleep);
    tokio::select! {
        biased;
        output = &mut future => Some(output),
        () = &mut sleep => None,
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn timeout_returns_none_when_time_runs_out() {
        let never = std::future::pending::<()>();
        assert_eq!(timeout(Duration::from_secs(30), never).await, None);
        assert_eq!(timeout(Duration::from_secs(30), async { 7 }).await, Some(7));
    }

    #[tokio::test(start_paused = true)]
    async fn sleep_waits_on_the_runtime_clock() {
        let before = tokio::time::Instant::now();
        sleep(Duration::from_secs(90)).await;
        assert!(tokio::time::Instant::now() - before >= Duration::from_secs(90));
    }
}
