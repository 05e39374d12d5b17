//! Stored password policies: a named set of password-quality and lockout
//! limits that principals refer to by name, as MIT's kadm5 policies.

use serde::{Deserialize, Serialize};

/// A password policy. Durations are whole seconds; 0 means "no limit" (as in
/// MIT's policies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Policy {
    /// Policy name.
    pub name: String,
    /// Password lifetime: a new password expires this long after it is set.
    pub max_life: u64,
    /// Minimum time between self-service password changes.
    pub min_life: u64,
    /// Minimum password length in characters.
    pub min_length: u32,
    /// Minimum number of character classes (lower, upper, digit,
    /// punctuation, other), 1 to 5.
    pub min_classes: u32,
    /// Number of passwords remembered, the current one included: a new
    /// password may not match the current one nor the `history - 1` before
    /// it (0 = no check).
    pub history: u32,
    /// Failed pre-authentications before lockout (0 = never lock).
    pub max_failure: u32,
    /// Failures older than this no longer count (0 = they always count).
    pub failure_count_interval: u64,
    /// How long a lockout lasts (0 = until an administrator unlocks).
    pub lockout_duration: u64,
}

impl Policy {
    /// A policy with no limits.
    pub fn new(name: impl Into<String>) -> Self {
        Policy {
            name: name.into(),
            ..Policy::default()
        }
    }
}
