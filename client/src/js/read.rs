//! Reading JS arguments into the facade's argument types, by hand.
//!
//! The argument types derive `Tsify` for their TypeScript declarations (whose shapes follow
//! their `serde` attributes), but not `Deserialize`: serde's derived visitors and their error
//! formatting (which prints floats) cost about a tenth of the package. [`FromJs`] reads the same
//! shapes — camelCase fields, `undefined`/`null` for absent options, a unit variant as its
//! name, a data variant as a one-key object — and every mismatch is `INVALID_INPUT`.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::errors::invalid;

/// The result of reading: a mismatch is an `INVALID_INPUT` `ImapError`.
pub(crate) type Read<T> = std::result::Result<T, JsValue>;

/// A value read from JS.
pub(crate) trait FromJs: Sized {
    /// Reads `v`, or says which kind of value was expected.
    fn from_js(v: &JsValue) -> Read<Self>;
}

/// "expected `what`".
pub(crate) fn expected(what: &str) -> JsValue {
    invalid(format_args!("expected {what}"))
}

fn whole(v: &JsValue, max: f64, what: &str) -> Read<f64> {
    match v.as_f64() {
        Some(n) if (0.0..=max).contains(&n) && n.fract() == 0.0 => Ok(n),
        _ => Err(expected(what)),
    }
}

impl FromJs for String {
    fn from_js(v: &JsValue) -> Read<Self> {
        v.as_string().ok_or_else(|| expected("a string"))
    }
}

impl FromJs for bool {
    fn from_js(v: &JsValue) -> Read<Self> {
        v.as_bool().ok_or_else(|| expected("a boolean"))
    }
}

impl FromJs for f64 {
    fn from_js(v: &JsValue) -> Read<Self> {
        v.as_f64().ok_or_else(|| expected("a number"))
    }
}

impl FromJs for u32 {
    fn from_js(v: &JsValue) -> Read<Self> {
        whole(v, f64::from(u32::MAX), "a whole number from 0 to 2^32 - 1").map(|n| n as u32)
    }
}

impl FromJs for u16 {
    fn from_js(v: &JsValue) -> Read<Self> {
        whole(v, f64::from(u16::MAX), "a whole number from 0 to 65535").map(|n| n as u16)
    }
}

impl<T: FromJs> FromJs for Option<T> {
    fn from_js(v: &JsValue) -> Read<Self> {
        if v.is_undefined() || v.is_null() {
            Ok(None)
        } else {
            T::from_js(v).map(Some)
        }
    }
}

impl<T: FromJs> FromJs for Box<T> {
    fn from_js(v: &JsValue) -> Read<Self> {
        T::from_js(v).map(Box::new)
    }
}

impl<T: FromJs> FromJs for Vec<T> {
    fn from_js(v: &JsValue) -> Read<Self> {
        array(v)?.iter().map(|item| T::from_js(&item)).collect()
    }
}

impl<A: FromJs, B: FromJs> FromJs for (A, B) {
    fn from_js(v: &JsValue) -> Read<Self> {
        let a = array(v)?;
        if a.length() != 2 {
            return Err(expected("a pair [a, b]"));
        }
        Ok((A::from_js(&a.get(0))?, B::from_js(&a.get(1))?))
    }
}

impl FromJs for JsValue {
    fn from_js(v: &JsValue) -> Read<Self> {
        Ok(v.clone())
    }
}

/// `v` as an array.
pub(crate) fn array(v: &JsValue) -> Read<Array> {
    if Array::is_array(v) {
        Ok(v.clone().unchecked_into())
    } else {
        Err(expected("an array"))
    }
}

/// `v` as a plain (non-array) object.
pub(crate) fn object(v: &JsValue) -> Read<&Object> {
    if v.is_object() && !Array::is_array(v) {
        Ok(v.unchecked_ref())
    } else {
        Err(expected("an object"))
    }
}

/// Field `name` of object `o` (absent: `undefined`).
pub(crate) fn field<T: FromJs>(o: &Object, name: &str) -> Read<T> {
    let v = Reflect::get(o, &JsValue::from_str(name)).map_err(|_| expected("a readable object"))?;
    T::from_js(&v).map_err(|e| in_field(e, name))
}

/// Field `name` of `o`, or `T::default()` when it is `undefined` or `null`.
pub(crate) fn field_or_default<T: FromJs + Default>(o: &Object, name: &str) -> Read<T> {
    field::<Option<T>>(o, name).map(Option::unwrap_or_default)
}

fn in_field(e: JsValue, name: &str) -> JsValue {
    match e.dyn_ref::<js_sys::Error>() {
        Some(err) => {
            let message: String = err.message().into();
            invalid(format_args!(
                "`{name}`: {}",
                message.strip_prefix("invalid input: ").unwrap_or(&message)
            ))
        }
        None => e,
    }
}

/// An enum value: a unit variant's name (`"uid"`) gives `(name, None)`, a one-key object
/// (`{ subject: "x" }`) gives `(key, Some(value))`.
pub(crate) fn variant(v: &JsValue) -> Read<(String, Option<JsValue>)> {
    if let Some(name) = v.as_string() {
        return Ok((name, None));
    }
    let o = object(v).map_err(|_| expected("a name or a one-key object"))?;
    let keys = Object::keys(o);
    if keys.length() != 1 {
        return Err(expected("a name or a one-key object"));
    }
    let key = keys.get(0);
    let value = Reflect::get(o, &key).map_err(|_| expected("a readable object"))?;
    Ok((key.as_string().unwrap_or_default(), Some(value)))
}

/// The data of a data variant (`None` when a unit variant's name was given instead).
pub(crate) fn data<T: FromJs>(value: Option<JsValue>, name: &str) -> Read<T> {
    match value {
        Some(v) => T::from_js(&v).map_err(|e| in_field(e, name)),
        None => Err(invalid(format_args!(
            "`{name}` needs a value: {{ {name}: … }}"
        ))),
    }
}

/// An unknown variant name.
pub(crate) fn unknown(what: &str, name: &str) -> JsValue {
    invalid(format_args!("unknown {what} {name:?}"))
}

/// Reads a name (a JS string) and looks it up with the core's `parse`; a name it does not
/// know is `unknown what "name"`.
pub(crate) fn named<T>(v: &JsValue, what: &str, parse: impl FnOnce(&str) -> Option<T>) -> Read<T> {
    let name = v
        .as_string()
        .ok_or_else(|| invalid(format_args!("expected a {what} name")))?;
    parse(&name).ok_or_else(|| unknown(what, &name))
}

/// Implements [`FromJs`] for an enum of unit variants named in JS by `"name"`.
macro_rules! unit_enum {
    ($ty:ident, $what:literal, { $($name:literal => $variant:ident),* $(,)? }) => {
        impl $crate::js::read::FromJs for $ty {
            fn from_js(v: &wasm_bindgen::JsValue) -> $crate::js::read::Read<Self> {
                let name = v
                    .as_string()
                    .ok_or_else(|| $crate::js::read::expected(concat!("a ", $what, " name")))?;
                match name.as_str() {
                    $($name => Ok(Self::$variant),)*
                    _ => Err($crate::js::read::unknown($what, &name)),
                }
            }
        }
    };
}
pub(crate) use unit_enum;

/// Implements [`FromJs`] for a struct read from a JS object: each field from the property
/// named in JS (`undefined`/`null` only where the field is an `Option`), or with `= default`
/// from `Default::default()` when the property is absent.
macro_rules! js_object {
    ($ty:ident { $($field:ident: $name:literal $(= $default:ident)?),* $(,)? }) => {
        impl $crate::js::read::FromJs for $ty {
            fn from_js(v: &wasm_bindgen::JsValue) -> $crate::js::read::Read<Self> {
                let o = $crate::js::read::object(v)?;
                Ok(Self {
                    $($field: $crate::js::read::js_object!(@get o, $name $(, $default)?),)*
                })
            }
        }
    };
    (@get $o:ident, $name:literal) => {
        $crate::js::read::field($o, $name)?
    };
    (@get $o:ident, $name:literal, default) => {
        $crate::js::read::field_or_default($o, $name)?
    };
}
pub(crate) use js_object;
