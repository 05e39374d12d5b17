//! Rate limit for purging the bounded in-memory caches (replay cache,
//! lookaside reply cache, lockout dedup set): a sweep runs at most once a
//! second unless forced, and when several threads race only one wins.

use std::sync::atomic::{AtomicI64, Ordering};

/// Decides when a cache's expired entries may be swept.
#[derive(Debug)]
pub(crate) struct PurgeGate {
    /// Earliest time (Unix seconds) at which the next unforced sweep runs.
    next: AtomicI64,
}

impl PurgeGate {
    /// A gate whose first sweep is due at once.
    pub(crate) fn new() -> Self {
        PurgeGate {
            next: AtomicI64::new(i64::MIN),
        }
    }

    /// Whether the caller should sweep now. Without `force`, true at most
    /// once a second and for only one of several racing callers; with
    /// `force`, always true (and the next unforced sweep is pushed back).
    pub(crate) fn due(&self, now: i64, force: bool) -> bool {
        let next = self.next.load(Ordering::Relaxed);
        if !force && now < next {
            return false;
        }
        let won = self
            .next
            .compare_exchange(
                next,
                now.saturating_add(1),
                Ordering::Relaxed,
                Ordering::Relaxed,
            )
            .is_ok();
        won || force
    }
}

#[cfg(test)]
mod tests {
    use super::PurgeGate;

    #[test]
    fn at_most_once_a_second_unless_forced() {
        let g = PurgeGate::new();
        assert!(g.due(100, false));
        assert!(!g.due(100, false));
        assert!(g.due(100, true));
        assert!(g.due(101, false));
        assert!(!g.due(101, false));
    }
}
