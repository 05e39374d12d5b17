//! Shared set-up for the AP / GSS interop tests: an MIT realm with a user
//! and `host/localhost`, a TGT and a service ticket from MIT's kinit and
//! kvno, and the service keytab from kadmin.local.

use std::path::PathBuf;
use std::sync::Arc;

use tessera_client::ap::{Acceptor, DEFAULT_SKEW, ReplayCache, now_micros};
use tessera_client::ccache::{CcacheName, Credential, CredentialCache};
use tessera_client::keytab::Keytab;
use tessera_proto::msg::Principal;
use tessera_tests::mit::{MitKdc, run};

/// An MIT realm with tickets for `user` to `host/localhost`.
pub struct ApRealm {
    pub kdc: MitKdc,
    pub keytab_path: PathBuf,
    pub ccache_path: PathBuf,
}

impl ApRealm {
    /// Starts the realm with `enctypes` (MIT names), gets the TGT and the
    /// service ticket with MIT's tools.
    pub fn start(realm: &str, enctypes: &[&str]) -> ApRealm {
        let kdc = MitKdc::start(realm, enctypes);
        // Map localhost to the realm for hostbased names.
        let conf = kdc.krb5_conf();
        let mut text = std::fs::read_to_string(&conf).unwrap();
        text.push_str(&format!("[domain_realm]\n localhost = {realm}\n"));
        std::fs::write(&conf, text).unwrap();
        kdc.kadmin("addprinc -pw s3cret user");
        kdc.kadmin("addprinc -randkey host/localhost");
        let keytab_path = kdc.dir().join("krb5.keytab");
        kdc.kadmin(&format!(
            "ktadd -k {} host/localhost",
            keytab_path.display()
        ));
        let r = run("/usr/bin/kinit", &["user"], &kdc.env(), Some("s3cret\n"));
        assert!(r.ok, "kinit failed: {r:?}");
        let r = run("/usr/bin/kvno", &["host/localhost"], &kdc.env(), None);
        assert!(r.ok, "kvno failed: {r:?}");
        let ccache_path = kdc.dir().join("ccache");
        ApRealm {
            kdc,
            keytab_path,
            ccache_path,
        }
    }

    /// The service principal.
    pub fn service(&self) -> Principal {
        Principal::parse(&format!("host/localhost@{}", self.kdc.realm)).unwrap()
    }

    /// The service ticket from the ccache.
    pub fn credential(&self) -> Credential {
        let name = CcacheName::parse(&format!("FILE:{}", self.ccache_path.display())).unwrap();
        let cache = CredentialCache::load(&name).unwrap();
        tessera_client::gss::stream::service_credential(&cache, &self.service())
            .unwrap()
            .clone()
    }

    /// The service keytab.
    pub fn keytab(&self) -> Keytab {
        Keytab::load(&self.keytab_path).unwrap()
    }

    /// An acceptor with the service keytab and a fresh replay cache.
    pub fn acceptor(&self) -> Acceptor {
        acceptor_with(self.keytab())
    }
}

/// An acceptor over `keytab` with a fresh replay cache and MIT's skew.
pub fn acceptor_with(keytab: Keytab) -> Acceptor {
    Acceptor::new(keytab, Arc::new(ReplayCache::default()), DEFAULT_SKEW)
}

/// Microseconds since the epoch, now.
pub fn now() -> i64 {
    now_micros()
}
