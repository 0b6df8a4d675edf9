//! Results for JS, serialised from the crate's own types: there is no JS copy of the model.
//!
//! The result types in [`crate::types`] derive `Serialize` (feature `serde`, which `js` turns
//! on) and, on wasm32 with `js`, `Tsify` with camelCase keys; the few fields whose JS form is
//! not serde's default name a function of `types/js_serde.rs`. This module turns a value into
//! a JS value with `serde-wasm-bindgen`.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::errors;
use crate::Error;

/// `value` as a JS value (a failure, which the types here do not produce, is `INVALID_INPUT`).
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::new())
        .map_err(|e| errors::to_js(&Error::InvalidInput(e.to_string())))
}
