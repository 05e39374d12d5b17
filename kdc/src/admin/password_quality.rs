//! Password-policy checks and lockout bookkeeping.
//!
//! * [`PasswordRejection`]: why a password was refused, in MIT's words and
//!   with what the policy requires (one line for kadmin, MIT's longer
//!   kpasswd text for RFC 3244 result strings).
//! * [`check_password_quality`]: length and character classes.
//! * [`password_matches_keys`]: the history check (derive a key from the
//!   candidate with each stored key's salt and compare in constant time).
//! * [`policy_lockout_state`] (from `tessera_kdc_core::lockout_rules`):
//!   whether a principal is locked out now.

use subtle::ConstantTimeEq;
use tessera_proto::crypto::{EncType, Key, Password};

pub use tessera_kdc_core::lockout_rules::{LockoutState, policy_lockout_state};

use super::timefmt::format_time;
use crate::db::entry::SALT_TYPE_RANDOM_KEY;
use crate::db::{KeyData, Policy};

/// Why a password was refused by its policy. [`Display`](std::fmt::Display)
/// is one line (MIT kadmin's error text plus what the policy requires);
/// [`PasswordRejection::kpasswd_text`] is the longer text MIT's kadmind puts
/// in a kpasswd result string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum PasswordRejection {
    /// Shorter than the policy's minimum length.
    #[error("Password is too short (the policy requires at least {min_length} characters)")]
    TooShort {
        /// The policy's `-minlength`.
        min_length: u32,
    },
    /// Too few character classes.
    #[error(
        "Password does not contain enough character classes (the policy requires at least \
         {min_classes} of: lower case, upper case, digits, punctuation, other characters)"
    )]
    TooFewClasses {
        /// The policy's `-minclasses`.
        min_classes: u32,
    },
    /// Matches the current password or one in the history.
    #[error(
        "Cannot reuse password (the policy forbids reusing any of the last {history} passwords)"
    )]
    Reused {
        /// The policy's `-history`.
        history: u32,
    },
    /// Changed again before the policy's minimum life elapsed.
    #[error(
        "Current password's minimum life has not expired (it can be changed after {})",
        format_time(*until)
    )]
    TooSoon {
        /// When the password may be changed (Unix seconds).
        until: i64,
    },
}

impl PasswordRejection {
    /// The stable code for `--json` and the remote protocol.
    pub fn code(&self) -> &'static str {
        match self {
            PasswordRejection::TooShort { .. } => "password_too_short",
            PasswordRejection::TooFewClasses { .. } => "password_classes",
            PasswordRejection::Reused { .. } => "password_reused",
            PasswordRejection::TooSoon { .. } => "password_too_soon",
        }
    }

    /// The text MIT's kadmind sends back to kpasswd (its `chpass_util`
    /// messages), which MIT's kpasswd prints after "Password change
    /// rejected: ".
    pub fn kpasswd_text(&self) -> String {
        match self {
            PasswordRejection::TooShort { min_length } => format!(
                "New password is too short.\nPlease choose a password which is at least \
                 {min_length} characters long."
            ),
            PasswordRejection::TooFewClasses { min_classes } => format!(
                "New password does not have enough character classes.\n\
                 The character classes are:\n\
                 \t- lower-case letters,\n\
                 \t- upper-case letters,\n\
                 \t- digits,\n\
                 \t- punctuation, and\n\
                 \t- all other characters (e.g., control characters).\n\
                 Please choose a password with at least {min_classes} character classes."
            ),
            PasswordRejection::Reused { .. } => {
                "New password was used previously. Please choose a different password.".to_owned()
            }
            PasswordRejection::TooSoon { until } => format!(
                "Password cannot be changed because it was changed too recently.\n\
                 Please wait until {} before you change it.\n\
                 If you need to change your password before then, contact your system\n\
                 security administrator.",
                format_time(*until)
            ),
        }
    }
}

/// Character classes counted by `-minclasses`: lower, upper, digit,
/// punctuation, other (non-ASCII, space, control).
pub fn character_classes(password: &str) -> u32 {
    let mut seen = [false; 5];
    for c in password.chars() {
        let i = if c.is_ascii_lowercase() {
            0
        } else if c.is_ascii_uppercase() {
            1
        } else if c.is_ascii_digit() {
            2
        } else if c.is_ascii_punctuation() {
            3
        } else {
            4
        };
        seen[i] = true;
    }
    seen.iter().filter(|&&b| b).count() as u32
}

/// Checks length and character classes against `policy`.
pub fn check_password_quality(password: &str, policy: &Policy) -> Result<(), PasswordRejection> {
    if (password.chars().count() as u64) < u64::from(policy.min_length) {
        return Err(PasswordRejection::TooShort {
            min_length: policy.min_length,
        });
    }
    if character_classes(password) < policy.min_classes.min(5) {
        return Err(PasswordRejection::TooFewClasses {
            min_classes: policy.min_classes.min(5),
        });
    }
    Ok(())
}

/// Whether `password`, run through string-to-key with the salt and
/// parameters of some key in `keys`, gives that key. Random keys are
/// skipped; for each kvno only the cheapest-to-derive enctype is tried
/// (the native Argon2 enctype only when it is the only one).
pub fn password_matches_keys(password: &Password, keys: &[KeyData]) -> bool {
    let mut kvnos: Vec<u32> = keys.iter().map(|k| k.kvno).collect();
    kvnos.sort_unstable();
    kvnos.dedup();
    for kvno in kvnos {
        let mut candidates: Vec<&KeyData> = keys
            .iter()
            .filter(|k| k.kvno == kvno)
            .filter(|k| {
                k.salt
                    .as_ref()
                    .is_some_and(|s| s.salt_type != SALT_TYPE_RANDOM_KEY)
            })
            .filter(|k| EncType::from_i32(k.enctype).is_some())
            .collect();
        candidates.sort_by_key(|k| derive_cost(k.enctype));
        let Some(k) = candidates.first() else {
            continue;
        };
        let (Some(etype), Some(salt)) = (EncType::from_i32(k.enctype), k.salt.as_ref()) else {
            continue;
        };
        let Ok(derived) =
            Key::from_password(etype, password, &salt.salt, salt.s2kparams.as_deref())
        else {
            continue;
        };
        if bool::from(derived.as_bytes().ct_eq(k.key.as_bytes())) {
            return true;
        }
    }
    false
}

fn derive_cost(enctype: i32) -> u32 {
    match EncType::from_i32(enctype) {
        Some(EncType::Aes128CtsHmacSha196 | EncType::Aes256CtsHmacSha196) => 0,
        Some(EncType::Aes128CtsHmacSha256128 | EncType::Aes256CtsHmacSha384192) => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn classes_and_quality() {
        assert_eq!(character_classes("abc"), 1);
        assert_eq!(character_classes("aB1!é"), 5);
        let mut p = Policy::new("p");
        p.min_length = 8;
        p.min_classes = 3;
        assert_eq!(
            check_password_quality("aB1!", &p),
            Err(PasswordRejection::TooShort { min_length: 8 })
        );
        assert_eq!(
            check_password_quality("abcdefgh1", &p),
            Err(PasswordRejection::TooFewClasses { min_classes: 3 })
        );
        assert_eq!(check_password_quality("abcdefG1", &p), Ok(()));
    }

    #[test]
    fn rejections_say_what_the_policy_requires() {
        let short = PasswordRejection::TooShort { min_length: 8 };
        assert_eq!(
            short.to_string(),
            "Password is too short (the policy requires at least 8 characters)"
        );
        assert_eq!(
            short.kpasswd_text(),
            "New password is too short.\nPlease choose a password which is at least 8 characters long."
        );
        let classes = PasswordRejection::TooFewClasses { min_classes: 3 };
        assert!(classes.to_string().starts_with(
            "Password does not contain enough character classes (the policy requires at least 3 of:"
        ));
        assert!(classes.kpasswd_text().starts_with(
            "New password does not have enough character classes.\nThe character classes are:\n\t- lower-case letters,\n"
        ));
        assert!(
            classes
                .kpasswd_text()
                .ends_with("\nPlease choose a password with at least 3 character classes.")
        );
        let reused = PasswordRejection::Reused { history: 3 };
        assert_eq!(
            reused.to_string(),
            "Cannot reuse password (the policy forbids reusing any of the last 3 passwords)"
        );
        assert_eq!(
            reused.kpasswd_text(),
            "New password was used previously. Please choose a different password."
        );
        let soon = PasswordRejection::TooSoon { until: 0 };
        assert!(
            soon.to_string()
                .ends_with("after Thu Jan 01 00:00:00 UTC 1970)")
        );
        assert!(
            soon.kpasswd_text()
                .contains("Please wait until Thu Jan 01 00:00:00 UTC 1970 before you change it.\n")
        );
    }
}
