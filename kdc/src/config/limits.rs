//! `[limits]`: the byte and entry bounds of the KDC's in-memory caches.
//!
//! Every cache a request can add to is bounded; these are the bounds an
//! administrator may tune (defaults in [`LimitsConfig::default`], documented
//! in `docs/admin-guide.md`). What each cache does when full is in its own
//! module: the replay cache ([`crate::core::replay`]), the lookaside reply
//! cache ([`crate::core::lookaside`]) and the lockout duplicate check
//! ([`crate::core::lockout`]).

use serde::Deserialize;

use super::ConfigError;
use crate::core::lockout::DEFAULT_DEDUP_CAPACITY;
use crate::core::lookaside::{DEFAULT_LOOKASIDE_MAX_BYTES, DEFAULT_LOOKASIDE_MAX_ENTRIES};
use crate::core::replay::{
    DEFAULT_REPLAY_MAX_BYTES, DEFAULT_REPLAY_PER_CLIENT, REPLAY_ENTRY_BYTES,
};

/// `[limits]` as serde reads it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLimits {
    replay_max_bytes: Option<i64>,
    replay_per_client: Option<i64>,
    lookaside_max_bytes: Option<i64>,
    lookaside_max_entries: Option<i64>,
    lockout_dedup_entries: Option<i64>,
}

/// Bounds of the KDC's caches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitsConfig {
    /// Bytes of the TGS authenticator replay cache (`replay_max_bytes`).
    pub replay_max_bytes: usize,
    /// Live authenticators one client principal may hold in it
    /// (`replay_per_client`).
    pub replay_per_client: usize,
    /// Bytes of the lookaside reply cache (`lookaside_max_bytes`; 0 turns
    /// it off).
    pub lookaside_max_bytes: usize,
    /// Entries of the lookaside reply cache (`lookaside_max_entries`).
    pub lookaside_max_entries: usize,
    /// Encrypted timestamps remembered by the lockout duplicate check
    /// (`lockout_dedup_entries`).
    pub lockout_dedup_entries: usize,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            replay_max_bytes: DEFAULT_REPLAY_MAX_BYTES,
            replay_per_client: DEFAULT_REPLAY_PER_CLIENT,
            lookaside_max_bytes: DEFAULT_LOOKASIDE_MAX_BYTES,
            lookaside_max_entries: DEFAULT_LOOKASIDE_MAX_ENTRIES,
            lockout_dedup_entries: DEFAULT_DEDUP_CAPACITY,
        }
    }
}

const GIB: i64 = 1 << 30;

impl RawLimits {
    /// Validates the section; `file` names the file in errors.
    pub(super) fn validate(self, file: &str) -> Result<LimitsConfig, ConfigError> {
        let d = LimitsConfig::default();
        let get = |key: &str, v: Option<i64>, default: usize, min: i64, max: i64| {
            let v = v.unwrap_or(i64::try_from(default).unwrap_or(max));
            if v < min || v > max {
                return Err(ConfigError::Invalid {
                    file: file.to_owned(),
                    key: format!("limits.{key}"),
                    problem: format!("must be between {min} and {max}, got {v}"),
                });
            }
            Ok(usize::try_from(v).unwrap_or(default))
        };
        let min_replay = i64::try_from(REPLAY_ENTRY_BYTES * 1024).unwrap_or(1 << 20);
        Ok(LimitsConfig {
            replay_max_bytes: get(
                "replay_max_bytes",
                self.replay_max_bytes,
                d.replay_max_bytes,
                min_replay,
                16 * GIB,
            )?,
            replay_per_client: get(
                "replay_per_client",
                self.replay_per_client,
                d.replay_per_client,
                16,
                1 << 24,
            )?,
            lookaside_max_bytes: get(
                "lookaside_max_bytes",
                self.lookaside_max_bytes,
                d.lookaside_max_bytes,
                0,
                16 * GIB,
            )?,
            lookaside_max_entries: get(
                "lookaside_max_entries",
                self.lookaside_max_entries,
                d.lookaside_max_entries,
                1,
                1 << 26,
            )?,
            lockout_dedup_entries: get(
                "lockout_dedup_entries",
                self.lockout_dedup_entries,
                d.lockout_dedup_entries,
                1,
                1 << 26,
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn parse(text: &str) -> Result<LimitsConfig, ConfigError> {
        toml::from_str::<RawLimits>(text)
            .unwrap()
            .validate("kdc.toml")
    }

    #[test]
    fn defaults_and_overrides() {
        assert_eq!(parse("").unwrap(), LimitsConfig::default());
        let c =
            parse("replay_max_bytes = 1048576\nreplay_per_client = 100\nlookaside_max_bytes = 0\n")
                .unwrap();
        assert_eq!(c.replay_max_bytes, 1 << 20);
        assert_eq!(c.replay_per_client, 100);
        assert_eq!(c.lookaside_max_bytes, 0);
        let e = parse("replay_per_client = 0").unwrap_err();
        assert_eq!(
            e.to_string(),
            "kdc.toml: limits.replay_per_client: must be between 16 and 16777216, got 0"
        );
        assert!(toml::from_str::<RawLimits>("replay_bytes = 1").is_err());
    }
}
