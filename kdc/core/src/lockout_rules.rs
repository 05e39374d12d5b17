//! When a principal is locked out: by an administrator, or by its policy's
//! failure count. The KDC counts the failures (`tessera_kdc::core::lockout`);
//! this is the rule both the KDC and kadmin's `getprinc` apply.

use std::time::SystemTime;

use crate::entry::{PrincipalEntry, PrincipalFlags};
use crate::stored_policy::Policy;
use crate::time::add_secs;

/// Whether a principal may authenticate now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockoutState {
    /// Not locked.
    Open,
    /// Locked; `until` None = until an administrator unlocks.
    Locked {
        /// When the lockout ends by itself.
        until: Option<SystemTime>,
    },
}

/// The lockout state of `entry` under `policy` at `now`: locked by an
/// administrator (`kadmin lock`), or at least `max_failure` counted
/// failures whose lockout has not run out (`lockout_duration` 0 = until
/// unlocked). Failures older than `failure_count_interval` do not count.
pub fn policy_lockout_state(
    entry: &PrincipalEntry,
    policy: Option<&Policy>,
    now: SystemTime,
) -> LockoutState {
    if entry.flags.contains(PrincipalFlags::ADMIN_LOCKED) {
        return LockoutState::Locked { until: None };
    }
    let Some(p) = policy else {
        return LockoutState::Open;
    };
    if p.max_failure == 0 || entry.fail_count < p.max_failure {
        return LockoutState::Open;
    }
    let Some(last) = entry.last_failure else {
        return LockoutState::Open;
    };
    if p.lockout_duration == 0 {
        return LockoutState::Locked { until: None };
    }
    let until = add_secs(last, p.lockout_duration);
    if now < until {
        LockoutState::Locked { until: Some(until) }
    } else {
        LockoutState::Open
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::time::Duration;

    #[test]
    fn huge_lockout_durations_saturate() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut p = Policy::new("p");
        p.max_failure = 1;
        let mut e = PrincipalEntry::new("a@R", PrincipalFlags::ALLOW_TIX, now);
        e.fail_count = 1;
        e.last_failure = Some(now);
        for d in [u64::MAX, i64::MAX as u64] {
            p.lockout_duration = d;
            assert!(matches!(
                policy_lockout_state(&e, Some(&p), now + Duration::from_secs(10)),
                LockoutState::Locked { until: Some(_) }
            ));
        }
    }

    #[test]
    fn lockout_state() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut e = PrincipalEntry::new("a@R", PrincipalFlags::ALLOW_TIX, now);
        let mut p = Policy::new("p");
        p.max_failure = 3;
        p.lockout_duration = 600;
        assert_eq!(policy_lockout_state(&e, Some(&p), now), LockoutState::Open);
        e.fail_count = 3;
        e.last_failure = Some(now);
        assert_eq!(
            policy_lockout_state(&e, Some(&p), now + Duration::from_secs(10)),
            LockoutState::Locked {
                until: Some(now + Duration::from_secs(600))
            }
        );
        assert_eq!(
            policy_lockout_state(&e, Some(&p), now + Duration::from_secs(601)),
            LockoutState::Open
        );
        p.lockout_duration = 0;
        assert_eq!(
            policy_lockout_state(&e, Some(&p), now + Duration::from_secs(10_000)),
            LockoutState::Locked { until: None }
        );
        assert_eq!(policy_lockout_state(&e, None, now), LockoutState::Open);
        e.fail_count = 0;
        e.flags.set(PrincipalFlags::ADMIN_LOCKED, true);
        assert_eq!(
            policy_lockout_state(&e, None, now),
            LockoutState::Locked { until: None }
        );
    }
}
