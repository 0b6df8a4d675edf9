//! `Secret<T>`: a value (password, SASL response) that must never be printed.
//!
//! `Debug` always prints `[redacted]`, so a secret inside a command, an error or a log line
//! cannot leak by accident. Reading the value takes an explicit
//! [`Secret::expose_secret`] call, easy to find in review.

/// A value whose `Debug` output is `[redacted]`.
///
/// With the `serde` feature the value (de)serialises transparently: serialising is an
/// explicit act of the caller, unlike `Debug`, which logging does implicitly.
///
/// ```
/// # use daaki_imap::types::Secret;
/// let password = Secret::new("hunter2".to_owned());
/// assert_eq!(format!("{password:?}"), "[redacted]");
/// assert_eq!(password.expose_secret(), "hunter2");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(transparent)
)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a secret value.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret value. Call sites are the places to review for leaks.
    pub fn expose_secret(&self) -> &T {
        &self.0
    }

    /// Unwraps the secret value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T> std::fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_the_value() {
        let secret = Secret::new("hunter2".to_owned());
        assert_eq!(format!("{secret:?}"), "[redacted]");
        assert_eq!(format!("{secret:#?}"), "[redacted]");
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Login {
            user: String,
            password: Secret<String>,
        }
        let login = Login {
            user: "alice".into(),
            password: secret.clone(),
        };
        let text = format!("{login:?}");
        assert!(
            text.contains("alice") && !text.contains("hunter2"),
            "{text}"
        );
        assert_eq!(secret.into_inner(), "hunter2");
        assert_eq!(Secret::from(vec![1u8]).expose_secret(), &[1]);
    }
}
