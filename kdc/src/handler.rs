//! The request handler `tessera-kdc serve` runs: the sans-I/O
//! [`crate::core::Kdc`] (AS and TGS exchanges), which also answers the
//! edge's KRB_ERR_RESPONSE_TOO_BIG and KRB_ERR_FIELD_TOOLONG.

use std::sync::Arc;

use crate::config::KdcConfig;
use crate::core::Kdc;
use crate::db::PrincipalStore;

/// The KDC handler for a realm's store and configuration.
pub fn kdc_handler(store: Arc<dyn PrincipalStore>, config: &KdcConfig) -> Kdc {
    Kdc::new(store, config)
}
