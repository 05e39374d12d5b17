//! A [`PrincipalStore`] as the KDC core sees it: the narrow, typed
//! [`KdcStore`] and [`LockoutStore`] of `tessera-kdc-core`, with database
//! errors turned into [`StoreError`] (their message only).

use std::sync::Arc;
use std::time::SystemTime;

use tessera_kdc_core::store::{KdcStore, LockoutStore, StoreError};
use tessera_proto::msg::Principal;

use super::{AuthEvent, DbError, Policy, PrincipalEntry, PrincipalStore};

/// Any [`PrincipalStore`], for the core.
#[derive(Clone)]
pub struct CoreStore(pub Arc<dyn PrincipalStore>);

impl std::fmt::Debug for CoreStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CoreStore")
            .field("realm", &self.0.realm())
            .finish()
    }
}

fn store_error(e: DbError) -> StoreError {
    match e {
        DbError::NotFound(name) => StoreError::NotFound(name),
        other => StoreError::Backend(other.to_string()),
    }
}

impl KdcStore for CoreStore {
    fn principal(&self, name: &Principal) -> Result<Option<Arc<PrincipalEntry>>, StoreError> {
        self.0.get(&name.to_string()).map_err(store_error)
    }

    fn policy(&self, name: &str) -> Result<Option<Policy>, StoreError> {
        self.0.get_policy(name).map_err(store_error)
    }

    fn sync_changes(&self) -> Result<(), StoreError> {
        self.0.sync_changes().map_err(store_error)
    }

    fn policy_generation(&self) -> u64 {
        self.0.generation()
    }
}

impl LockoutStore for CoreStore {
    fn write_auth_event(
        &self,
        principal: &str,
        event: AuthEvent,
        at: SystemTime,
    ) -> Result<(), StoreError> {
        self.0
            .record_auth(principal, event, at)
            .map_err(store_error)
    }

    fn write_fail_state(
        &self,
        principal: &str,
        fail_count: u32,
        last_failure: Option<SystemTime>,
    ) -> Result<(), StoreError> {
        self.0
            .set_fail_state(principal, fail_count, last_failure)
            .map_err(store_error)
    }

    fn entry(&self, principal: &str) -> Result<Option<Arc<PrincipalEntry>>, StoreError> {
        self.0.get(principal).map_err(store_error)
    }
}
