//! The high-level client: krb5.conf settings, the right KDCs for a realm,
//! and credential-cache bookkeeping (kinit, cached service tickets,
//! renewal).

use std::time::Duration;

use tessera_proto::crypto::EncType;
use tessera_proto::msg::Principal;

use super::as_client::{InitialSecret, get_initial_creds};
use super::creds::{default_enctypes, parse_enctypes};
use super::reply;
use super::s2k_limits::{DEFAULT_S2K_MAX_FACTOR, DEFAULT_S2K_MIN_DIVISOR, S2kLimits};
use super::tgs_client::{get_service_creds, renew_creds};
use super::{Creds, KdcClientError, KdcTransport, TicketOptions};
use crate::ccache::{CcacheName, CredentialCache};
use crate::config::{Krb5Conf, ServerAddress, Transport};
use crate::convert::{kt_to_principal, principal_to_kt};
use crate::kpasswd::changepw_service;

/// MIT's default ticket lifetime (one day).
pub const DEFAULT_TICKET_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// An AS/TGS client configured from krb5.conf.
#[derive(Debug, Clone)]
pub struct Client {
    conf: Krb5Conf,
    kdc_override: Option<Vec<ServerAddress>>,
}

impl Client {
    /// A client using `conf`.
    pub fn new(conf: Krb5Conf) -> Self {
        Self {
            conf,
            kdc_override: None,
        }
    }

    /// A client using `KRB5_CONFIG` (or `/etc/krb5.conf`).
    pub fn from_default_config() -> Result<Self, KdcClientError> {
        Ok(Self::new(Krb5Conf::load_default()?))
    }

    /// Sends every request to `kdcs` (`host:port`) instead of krb5.conf's
    /// list for the realm.
    #[must_use]
    pub fn with_kdcs(mut self, kdcs: Vec<(String, u16)>) -> Self {
        self.kdc_override = Some(
            kdcs.into_iter()
                .map(|(host, port)| ServerAddress {
                    transport: Transport::Any,
                    host,
                    port,
                })
                .collect(),
        );
        self
    }

    /// The configuration in use.
    pub fn config(&self) -> &Krb5Conf {
        &self.conf
    }

    /// `default_realm` from krb5.conf.
    pub fn default_realm(&self) -> Result<&str, KdcClientError> {
        self.conf
            .default_realm
            .as_deref()
            .ok_or(KdcClientError::NoDefaultRealm)
    }

    /// Parses a principal name, filling in the default realm when absent.
    pub fn parse_principal(&self, name: &str) -> Result<Principal, KdcClientError> {
        let mut p = Principal::parse(name)?;
        if p.realm.is_empty() {
            p.realm = self.default_realm()?.to_owned();
        }
        Ok(p)
    }

    /// The allowed clock skew in seconds.
    pub fn clockskew(&self) -> i64 {
        i64::try_from(self.conf.clockskew.as_secs()).unwrap_or(300)
    }

    fn enctypes(&self, specific: Option<&Vec<String>>) -> Vec<EncType> {
        let permitted = self
            .conf
            .permitted_enctypes
            .as_ref()
            .map(|l| parse_enctypes(l));
        let mut list = specific
            .map(|l| parse_enctypes(l))
            .or_else(|| permitted.clone())
            .unwrap_or_else(default_enctypes);
        if let Some(p) = permitted {
            list.retain(|e| p.contains(e));
        }
        list
    }

    /// The accepted string-to-key parameter range: `tessera_s2k_min_divisor`
    /// and `tessera_s2k_max_factor` from `[libdefaults]`.
    pub fn s2k_limits(&self) -> S2kLimits {
        S2kLimits {
            min_divisor: self.conf.s2k_min_divisor.unwrap_or(DEFAULT_S2K_MIN_DIVISOR),
            max_factor: self.conf.s2k_max_factor.unwrap_or(DEFAULT_S2K_MAX_FACTOR),
        }
    }

    /// Options for an AS request from `[libdefaults]`: ticket_lifetime,
    /// renew_lifetime, forwardable, proxiable, default_tkt_enctypes
    /// (limited to permitted_enctypes), the string-to-key range.
    pub fn as_options(&self) -> TicketOptions {
        TicketOptions {
            lifetime: self.conf.ticket_lifetime.unwrap_or(DEFAULT_TICKET_LIFETIME),
            renew_lifetime: self.conf.renew_lifetime.filter(|d| !d.is_zero()),
            forwardable: self.conf.forwardable,
            proxiable: self.conf.proxiable,
            canonicalize: false,
            enctypes: self.enctypes(self.conf.default_tkt_enctypes.as_ref()),
            s2k_limits: self.s2k_limits(),
        }
    }

    /// Options for a TGS request: default_tgs_enctypes (limited to
    /// permitted_enctypes).
    pub fn tgs_options(&self) -> TicketOptions {
        TicketOptions {
            enctypes: self.enctypes(self.conf.default_tgs_enctypes.as_ref()),
            ..self.as_options()
        }
    }

    /// How to reach `realm`'s KDCs.
    pub fn transport(&self, realm: &str) -> Result<KdcTransport, KdcClientError> {
        let endpoints = match &self.kdc_override {
            Some(list) => list.clone(),
            None => self.conf.kdc_endpoints(realm),
        };
        if endpoints.is_empty() {
            return Err(KdcClientError::NoKdc {
                realm: realm.to_owned(),
            });
        }
        Ok(KdcTransport::new(
            realm,
            endpoints,
            self.conf.udp_preference_limit,
        ))
    }

    /// An initial ticket for `client` to `service` (`krbtgt/REALM@REALM`
    /// when `None`).
    pub async fn get_initial(
        &self,
        client: &Principal,
        service: Option<&Principal>,
        secret: &InitialSecret,
        opts: &TicketOptions,
    ) -> Result<Creds, KdcClientError> {
        let tgs = Principal::krbtgt(&client.realm);
        let service = service.unwrap_or(&tgs);
        let transport = self.transport(&client.realm)?;
        get_initial_creds(&transport, client, service, secret, opts, self.clockskew()).await
    }

    /// An initial ticket for `kadmin/changepw` (the RFC 3244 password
    /// change service of `client`'s realm): five minutes, not renewable,
    /// not forwardable. The KDC issues it even when the password has
    /// expired or must be changed.
    pub async fn changepw_ticket(
        &self,
        client: &Principal,
        secret: &InitialSecret,
    ) -> Result<Creds, KdcClientError> {
        let opts = TicketOptions {
            lifetime: Duration::from_secs(300),
            renew_lifetime: None,
            forwardable: false,
            proxiable: false,
            ..self.as_options()
        };
        let service = changepw_service(&client.realm);
        self.get_initial(client, Some(&service), secret, &opts)
            .await
    }

    /// The kpasswd servers of `realm` as `host:port` (IPv6 hosts in
    /// brackets), in the order [`Krb5Conf::kpasswd_addresses`] gives.
    pub fn kpasswd_servers(&self, realm: &str) -> Vec<String> {
        self.conf
            .kpasswd_addresses(realm)
            .into_iter()
            .map(|(h, p)| {
                if h.contains(':') {
                    format!("[{h}]:{p}")
                } else {
                    format!("{h}:{p}")
                }
            })
            .collect()
    }

    /// A service ticket for `service` using `tgt`.
    pub async fn get_service(
        &self,
        tgt: &Creds,
        service: &Principal,
        opts: &TicketOptions,
    ) -> Result<Creds, KdcClientError> {
        let transport = self.transport(&tgt.server.realm)?;
        get_service_creds(&transport, tgt, service, opts, self.clockskew()).await
    }

    /// Renews `tgt`.
    pub async fn renew(&self, tgt: &Creds) -> Result<Creds, KdcClientError> {
        let transport = self.transport(&tgt.server.realm)?;
        renew_creds(&transport, tgt, self.clockskew()).await
    }

    /// kinit: gets an initial ticket and replaces `cache` with a cache
    /// owned by `client` holding it.
    pub async fn kinit(
        &self,
        cache: &CcacheName,
        client: &Principal,
        service: Option<&Principal>,
        secret: &InitialSecret,
        opts: &TicketOptions,
    ) -> Result<Creds, KdcClientError> {
        let creds = self.get_initial(client, service, secret, opts).await?;
        store_fresh(cache, &creds)?;
        Ok(creds)
    }

    /// The TGT for the cache owner's realm from `cache`.
    pub fn cached_tgt(&self, cache: &CcacheName) -> Result<Creds, KdcClientError> {
        let cc = CredentialCache::load(cache)?;
        let realm = cc.default_principal.realm.clone();
        let tgs = principal_to_kt(&Principal::krbtgt(&realm));
        let cred = cc.find(&tgs).ok_or_else(|| KdcClientError::NoTgt {
            cache: cache.to_string(),
            realm: realm.clone(),
        })?;
        Creds::from_ccache_credential(cred)
    }

    /// A ticket for `service` from `cache` if a valid one is there,
    /// otherwise from the KDC with the cached TGT (and appended to the
    /// cache). A service without realm gets the cache owner's realm.
    pub async fn service_ticket(
        &self,
        cache: &CcacheName,
        service: &Principal,
        opts: &TicketOptions,
    ) -> Result<Creds, KdcClientError> {
        let cc = CredentialCache::load(cache)?;
        let mut service = service.clone();
        if service.realm.is_empty() {
            service.realm.clone_from(&cc.default_principal.realm);
        }
        let (now, _) = reply::now();
        if let Some(c) = cc.find(&principal_to_kt(&service))
            && let Ok(creds) = Creds::from_ccache_credential(c)
            && creds.is_valid_at(now)
            && opts.enctypes.contains(&creds.session_key.etype())
        {
            return Ok(creds);
        }
        let tgt = self.cached_tgt(cache)?;
        if tgt.endtime <= now {
            return Err(KdcClientError::Expired {
                principal: tgt.server.to_string(),
            });
        }
        let creds = self.get_service(&tgt, &service, opts).await?;
        CredentialCache::add(cache, creds.to_ccache_credential())?;
        Ok(creds)
    }

    /// kinit -R: renews the cache's TGT and reinitializes the cache with it.
    pub async fn renew_cache(&self, cache: &CcacheName) -> Result<Creds, KdcClientError> {
        let tgt = self.cached_tgt(cache)?;
        let creds = self.renew(&tgt).await?;
        store_fresh(cache, &creds)?;
        Ok(creds)
    }
}

/// Replaces `cache` with one owned by `creds.client` holding `creds`.
fn store_fresh(cache: &CcacheName, creds: &Creds) -> Result<(), KdcClientError> {
    let mut cc = CredentialCache::new(principal_to_kt(&creds.client));
    cc.credentials.push(creds.to_ccache_credential());
    cc.store(cache)?;
    Ok(())
}

/// The owner of `cache`, if it exists and parses.
pub fn cache_principal(cache: &CcacheName) -> Option<Principal> {
    CredentialCache::load(cache)
        .ok()
        .map(|c| kt_to_principal(&c.default_principal))
}
