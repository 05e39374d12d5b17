//! What the KDC core reads and writes, and nothing more: the narrow, typed
//! interface every store backend offers the core.
//!
//! * [`KdcStore`]: lookups (a principal by [`Principal`], a policy by
//!   name) and catching up with writes committed elsewhere.
//! * [`LockoutStore`]: the two writes lockout bookkeeping makes, which the
//!   core never makes on the request path (a background writer does).
//!
//! Errors carry the backend's message only ([`StoreError`]): no backend
//! type leaks into the core. There are no default methods: a backend
//! either answers a question or says why it cannot.

use std::sync::Arc;
use std::time::SystemTime;

use tessera_proto::msg::Principal;

use crate::entry::{AuthEvent, PrincipalEntry};
use crate::stored_policy::Policy;

/// Why a store could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The principal named does not exist (writes only; a lookup answers
    /// `None`).
    #[error("no such principal: {0}")]
    NotFound(String),
    /// The backend failed; its message (never a key or password).
    #[error("{0}")]
    Backend(String),
}

/// Lookups the KDC makes on every request.
pub trait KdcStore: Send + Sync {
    /// The principal `name` (components and realm; the name type is not
    /// part of the key), served from memory.
    fn principal(&self, name: &Principal) -> Result<Option<Arc<PrincipalEntry>>, StoreError>;

    /// The policy called `name`.
    fn policy(&self, name: &str) -> Result<Option<Policy>, StoreError>;

    /// Brings what [`KdcStore::principal`] answers up to date with every
    /// write committed, by any process, before the call. Called once per
    /// request: cheap when nothing changed.
    fn sync_changes(&self) -> Result<(), StoreError>;

    /// A number that changes whenever policies may have changed (caches of
    /// them compare it to know they are stale).
    fn policy_generation(&self) -> u64;
}

/// The writes of lockout bookkeeping, each one atomic in the store.
pub trait LockoutStore: KdcStore {
    /// Counts one more failure (an increment in the store, so concurrent
    /// writers all count) or records a success (count cleared), at `at`.
    fn write_auth_event(
        &self,
        principal: &str,
        event: AuthEvent,
        at: SystemTime,
    ) -> Result<(), StoreError>;

    /// Sets the failure count and the time of the last failure.
    fn write_fail_state(
        &self,
        principal: &str,
        fail_count: u32,
        last_failure: Option<SystemTime>,
    ) -> Result<(), StoreError>;

    /// The stored entry of `principal` by its stored name.
    fn entry(&self, principal: &str) -> Result<Option<Arc<PrincipalEntry>>, StoreError>;
}
