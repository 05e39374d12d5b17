//! A password held in memory that is wiped on drop and never printed.

use std::fmt;
use zeroize::Zeroizing;

/// A user password, UTF-8, zeroized on drop; `Debug` prints
/// `Password(<redacted>)`.
#[derive(Clone)]
pub struct Password(Zeroizing<String>);

impl Password {
    /// Wrap a password string.
    pub fn new(s: impl Into<String>) -> Password {
        Password(Zeroizing::new(s.into()))
    }

    /// The password's UTF-8 bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// The password as a string slice.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl From<&str> for Password {
    fn from(s: &str) -> Password {
        Password::new(s)
    }
}

impl From<String> for Password {
    fn from(s: String) -> Password {
        Password(Zeroizing::new(s))
    }
}
