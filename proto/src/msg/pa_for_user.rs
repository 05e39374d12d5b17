//! PA-FOR-USER (MS-SFU section 2.2.1): the user a service asks a ticket for
//! in S4U2Self.

use rasn::prelude::*;
use rasn_kerberos::{Checksum, KerberosString, PrincipalName, Realm};

/// `PA-FOR-USER ::= SEQUENCE { userName [0] PrincipalName, userRealm [1]
/// Realm, cksum [2] Checksum, auth-package [3] KerberosString }`
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq, Hash)]
pub struct PaForUser {
    /// The user the service impersonates.
    #[rasn(tag(explicit(0)))]
    pub user_name: PrincipalName,
    /// The user's realm.
    #[rasn(tag(explicit(1)))]
    pub user_realm: Realm,
    /// HMAC-MD5 keyed checksum (type -138) with the TGT session key.
    #[rasn(tag(explicit(2)))]
    pub cksum: Checksum,
    /// Always `"Kerberos"`.
    #[rasn(tag(explicit(3)))]
    pub auth_package: KerberosString,
}
