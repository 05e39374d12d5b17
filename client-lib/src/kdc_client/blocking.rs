//! A blocking wrapper around [`super::Client`] for programs without an
//! async runtime: each call runs on a private current-thread runtime.

use tessera_proto::msg::Principal;

use super::as_client::InitialSecret;
use super::{Creds, KdcClientError, TicketOptions};
use crate::ccache::CcacheName;

/// The blocking client.
#[derive(Debug)]
pub struct Client {
    inner: super::Client,
    rt: tokio::runtime::Runtime,
}

impl Client {
    /// Wraps an async client.
    pub fn new(inner: super::Client) -> Result<Self, KdcClientError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(KdcClientError::Runtime)?;
        Ok(Self { inner, rt })
    }

    /// A client using `KRB5_CONFIG` (or `/etc/krb5.conf`).
    pub fn from_default_config() -> Result<Self, KdcClientError> {
        Self::new(super::Client::from_default_config()?)
    }

    /// The async client inside.
    pub fn inner(&self) -> &super::Client {
        &self.inner
    }

    /// See [`super::Client::get_initial`].
    pub fn get_initial(
        &self,
        client: &Principal,
        service: Option<&Principal>,
        secret: &InitialSecret,
        opts: &TicketOptions,
    ) -> Result<Creds, KdcClientError> {
        self.rt
            .block_on(self.inner.get_initial(client, service, secret, opts))
    }

    /// See [`super::Client::changepw_ticket`].
    pub fn changepw_ticket(
        &self,
        client: &Principal,
        secret: &InitialSecret,
    ) -> Result<Creds, KdcClientError> {
        self.rt.block_on(self.inner.changepw_ticket(client, secret))
    }

    /// See [`super::Client::get_service`].
    pub fn get_service(
        &self,
        tgt: &Creds,
        service: &Principal,
        opts: &TicketOptions,
    ) -> Result<Creds, KdcClientError> {
        self.rt.block_on(self.inner.get_service(tgt, service, opts))
    }

    /// See [`super::Client::renew`].
    pub fn renew(&self, tgt: &Creds) -> Result<Creds, KdcClientError> {
        self.rt.block_on(self.inner.renew(tgt))
    }

    /// See [`super::Client::kinit`].
    pub fn kinit(
        &self,
        cache: &CcacheName,
        client: &Principal,
        service: Option<&Principal>,
        secret: &InitialSecret,
        opts: &TicketOptions,
    ) -> Result<Creds, KdcClientError> {
        self.rt
            .block_on(self.inner.kinit(cache, client, service, secret, opts))
    }

    /// See [`super::Client::service_ticket`].
    pub fn service_ticket(
        &self,
        cache: &CcacheName,
        service: &Principal,
        opts: &TicketOptions,
    ) -> Result<Creds, KdcClientError> {
        self.rt
            .block_on(self.inner.service_ticket(cache, service, opts))
    }

    /// See [`super::Client::renew_cache`].
    pub fn renew_cache(&self, cache: &CcacheName) -> Result<Creds, KdcClientError> {
        self.rt.block_on(self.inner.renew_cache(cache))
    }
}
