//! Browser runtime: `wasm-bindgen-futures` for tasks, the global `setTimeout` for timers
//! (available in pages and in workers alike).

use std::future::Future;
use std::time::Duration;

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &js_sys::Function, timeout: i32) -> JsValue;
}

/// Spawns `future` on the browser's microtask queue.
pub fn spawn<F>(future: F)
where
    F: Future<Output = ()> + 'static,
{
    wasm_bindgen_futures::spawn_local(future);
}

/// Waits for `duration` with the JavaScript global `setTimeout`.
pub async fn sleep(duration: Duration) {
    // setTimeout takes a signed 32-bit millisecond count; longer waits are chained.
    let mut left = duration.as_millis();
    loop {
        let step = left.min(i32::MAX as u128) as i32;
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            let _ = set_timeout(&resolve, step);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        left -= step as u128;
        if left == 0 {
            break;
        }
    }
}
