//! The request handler `tessera-kdc serve` runs.
//!
//! TODO(wave 2): replace [`PlaceholderHandler`] with the real AS/TGS handler
//! (modules `as_req.rs` / `tgs_req.rs`), which decodes the request, looks
//! principals up in the [`PrincipalStore`], and answers with AS-REP, TGS-REP
//! or KRB-ERROR. It should also implement
//! [`RequestHandler::edge_error`] to build KRB_ERR_FIELD_TOOLONG and
//! KRB_ERR_RESPONSE_TOO_BIG.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use crate::config::KdcConfig;
use crate::db::PrincipalStore;
use crate::net::{RequestHandler, Transport};

/// A handler that answers nothing: every request is logged and dropped.
pub struct PlaceholderHandler {
    store: Arc<dyn PrincipalStore>,
    config: Arc<KdcConfig>,
}

impl std::fmt::Debug for PlaceholderHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlaceholderHandler")
            .field("realm", &self.config.realm)
            .finish_non_exhaustive()
    }
}

impl PlaceholderHandler {
    /// A placeholder over the realm's store and configuration (what the
    /// real handler will need too).
    pub fn new(store: Arc<dyn PrincipalStore>, config: Arc<KdcConfig>) -> Self {
        PlaceholderHandler { store, config }
    }

    /// The store this handler serves.
    pub fn store(&self) -> &Arc<dyn PrincipalStore> {
        &self.store
    }
}

impl RequestHandler for PlaceholderHandler {
    fn handle(
        &self,
        request: &[u8],
        peer: SocketAddr,
        transport: Transport,
        _now: SystemTime,
    ) -> Option<Vec<u8>> {
        tracing::info!(
            %peer,
            ?transport,
            size = request.len(),
            realm = %self.config.realm,
            "request dropped: AS/TGS handling is not implemented yet"
        );
        None
    }
}
